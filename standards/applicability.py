"""Applicability rules: framework data that says when a question applies to a case.

A rule is JSON held on a key question or prompt. An empty rule always applies. Forms:
    {"fact": "rosh_level", "in": ["medium", "high", "very_high"]}
    {"fact": "child_safeguarding_concerns", "equals": true}
    {"all": [rule, ...]}   {"any": [rule, ...]}   {"not": rule}
Facts are the case facts named in FACTS. A question is left out only when the recorded facts rule
it out: a fact not yet recorded leaves the question in, so nothing is skipped by omission.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError

YES_NO = (True, False)

# The case facts a rule may name, and the values each may take.
FACTS = {
    "sentence_type": ("community_order", "suspended_sentence_order", "licence", "post_sentence_supervision"),
    "rosh_level": ("low", "medium", "high", "very_high", "not_screened"),
    "gender": ("female", "male", "other", "not_known"),
    "domestic_abuse_history": YES_NO,
    "child_safeguarding_concerns": YES_NO,
    "mappa_eligible": YES_NO,
    "home_visit_needed": YES_NO,
    "domestic_abuse_enquiries_needed": YES_NO,
    "child_safeguarding_enquiries_needed": YES_NO,
    "full_risk_analysis_required": YES_NO,
    "review_due": YES_NO,
}


def describe(rule) -> str:
    """A plain-English reading of a rule, for guidance and the admin."""
    if not rule:
        return "Always applies"
    if "all" in rule:
        return " and ".join(f"({describe(r)})" for r in rule["all"])
    if "any" in rule:
        return " or ".join(f"({describe(r)})" for r in rule["any"])
    if "not" in rule:
        return f"not ({describe(rule['not'])})"
    fact = rule["fact"].replace("_", " ")
    if "in" in rule:
        values = ", ".join(str(v).replace("_", " ") for v in rule["in"])
        return f"{fact} is one of: {values}"
    value = rule["equals"]
    if value is True:
        return f"{fact} is yes"
    if value is False:
        return f"{fact} is no"
    return f"{fact} is {str(value).replace('_', ' ')}"


def validate_rule(rule) -> None:
    if rule in (None, {}):
        return
    if not isinstance(rule, dict):
        raise ValidationError("An applicability rule must be a JSON object.")
    keys = set(rule)
    if keys in ({"all"}, {"any"}):
        (items,) = rule.values()
        if not isinstance(items, list) or not items:
            raise ValidationError(f'"{next(iter(keys))}" needs a non-empty list of rules.')
        for item in items:
            validate_rule(item)
        return
    if keys == {"not"}:
        validate_rule(rule["not"])
        return
    if keys not in ({"fact", "equals"}, {"fact", "in"}):
        raise ValidationError(
            'A condition is {"fact": ..., "equals": ...} or {"fact": ..., "in": [...]}, '
            'or combines conditions with "all", "any" or "not".'
        )
    fact = rule["fact"]
    if fact not in FACTS:
        raise ValidationError(
            f'Unknown case fact "{fact}". Known facts: {", ".join(sorted(FACTS))}.'
        )
    values = rule["in"] if "in" in rule else [rule["equals"]]
    if not isinstance(values, list) or not values:
        raise ValidationError(f'"in" for {fact} needs a non-empty list of values.')
    for value in values:
        if value not in FACTS[fact] or type(value) is not type(FACTS[fact][0]):
            raise ValidationError(
                f'"{value}" is not a value of {fact}; use one of: '
                f'{", ".join(str(v) for v in FACTS[fact])}.'
            )


def applies(rule, facts: dict) -> bool:
    """Whether a question with this rule applies to a case with these facts."""
    return _evaluate(rule, facts) is not False


def _evaluate(rule, facts):
    """Three-valued: True, False, or None where a fact the rule needs is not recorded."""
    if not rule:
        return True
    if "all" in rule:
        results = [_evaluate(r, facts) for r in rule["all"]]
        if False in results:
            return False
        return None if None in results else True
    if "any" in rule:
        results = [_evaluate(r, facts) for r in rule["any"]]
        if True in results:
            return True
        return None if None in results else False
    if "not" in rule:
        result = _evaluate(rule["not"], facts)
        return None if result is None else not result
    value = facts.get(rule["fact"])
    if value is None:
        return None
    if "in" in rule:
        return value in rule["in"]
    return value == rule["equals"]
