"""Applicability rules: framework data that says when a question applies to a case.

A rule is JSON held on a key question or prompt. An empty rule always applies. Forms:
    {"fact": "rosh_level", "in": ["medium", "high", "very_high"]}
    {"fact": "child_safeguarding_concerns", "equals": true}
    {"all": [rule, ...]}   {"any": [rule, ...]}   {"not": rule}
Facts are the case facts named in `standards.facts`. A question is left out only when the recorded
facts rule it out: a fact not yet recorded leaves the question in, so nothing is skipped by
omission.

The JSON is the storage; people meet a rule as a sentence (`sentence`) and, in the admin, as
choices (`to_conditions` / `from_conditions`, one condition per fact, all or any of them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .facts import FACTS, Fact, and_list, or_list

ALWAYS, ALL, ANY = "always", "all", "any"


def sentence(rule) -> str:
    """The rule read back in plain English: "Asked when the RoSH level is high or very high"."""
    return f"Asked when {describe(rule)}" if rule else "Always asked"


def describe(rule) -> str:
    """The condition of a rule as a clause: "the RoSH level is medium, high or very high"."""
    if not rule:
        return "Always applies"
    return _clause(rule)


def _clause(rule, nested: bool = False) -> str:
    for combine, join in ((ALL, and_list), (ANY, or_list)):
        if combine in rule:
            text = join([_clause(item, nested=True) for item in rule[combine]])
            return f"({text})" if nested and len(rule[combine]) > 1 else text
    if "not" in rule:
        inner = rule["not"]
        if "fact" in inner:
            return _condition_clause(inner, negated=True)
        return f"it is not the case that {_clause(inner, nested=True)}"
    return _condition_clause(rule)


def _fact(name) -> Fact:
    return FACTS.get(name) or Fact(str(name), str(name), (), subject=str(name).replace("_", " "))


def _condition_clause(rule, negated: bool = False) -> str:
    fact = _fact(rule["fact"])
    values = rule["in"] if "in" in rule else [rule["equals"]]
    if fact.is_yes_no and len(set(values)) == 1:
        return fact.when_yes if bool(values[0]) != negated else fact.when_no
    subject = fact.subject or fact.label.lower()
    labels = or_list([fact.label_of(v) for v in values])
    return f"{subject} is {'not ' if negated else ''}{labels}"


def validate_rule(rule) -> None:
    if rule in (None, {}):
        return
    if not isinstance(rule, dict):
        raise ValidationError("An applicability rule must be a JSON object.")
    keys = set(rule)
    if keys in ({ALL}, {ANY}):
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
    if not isinstance(fact, str) or fact not in FACTS:
        raise ValidationError(
            f'Unknown case fact "{fact}". Known facts: {", ".join(sorted(FACTS))}.'
        )
    known = FACTS[fact].value_codes
    values = rule["in"] if "in" in rule else [rule["equals"]]
    if not isinstance(values, list) or not values:
        raise ValidationError(f'"in" for {fact} needs a non-empty list of values.')
    for value in values:
        if value not in known or type(value) is not type(known[0]):
            shown = "true" if value is True else "false" if value is False else value
            raise ValidationError(
                f'"{shown}" is not a value of {fact}; use one of: '
                f"{', '.join(_json_value(v) for v in known)}."
            )


def _json_value(value) -> str:
    return {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else value


def applies(rule, facts: dict) -> bool:
    """Whether a question with this rule applies to a case with these facts."""
    return _evaluate(rule, facts) is not False


def evaluate(rule, facts: dict) -> bool | None:
    """Whether the rule holds for these facts: True, False, or None while a fact it needs is not
    recorded. Also used for the conditions of fact rules (`standards.fact_rules`)."""
    return _evaluate(rule, facts)


def _evaluate(rule, facts):
    """Three-valued: True, False, or None where a fact the rule needs is not recorded."""
    if not rule:
        return True
    if ALL in rule:
        results = [_evaluate(r, facts) for r in rule[ALL]]
        if False in results:
            return False
        return None if None in results else True
    if ANY in rule:
        results = [_evaluate(r, facts) for r in rule[ANY]]
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


# --- the rule as choices ------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One fact's part of a rule as the rule builder shows it: the fact is one of `values`
    (yes/no facts: the one value), or, when `negated`, none of them."""

    fact: str
    values: tuple
    negated: bool = False


def to_conditions(rule) -> tuple[str, tuple[Condition, ...]] | None:
    """(ALWAYS | ALL | ANY, conditions) for a rule the builder can show; None for one it cannot
    (nested combinations, or two conditions on one fact), which is then kept as it is."""
    if not rule:
        return ALWAYS, ()
    for combine in (ALL, ANY):
        if combine in rule:
            conditions = [_to_condition(item) for item in rule[combine]]
            if None in conditions or len({c.fact for c in conditions}) != len(conditions):
                return None
            return (combine if len(conditions) > 1 else ALL), tuple(conditions)
    condition = _to_condition(rule)
    return None if condition is None else (ALL, (condition,))


def _to_condition(rule) -> Condition | None:
    negated = False
    if isinstance(rule, dict) and set(rule) == {"not"}:
        negated, rule = True, rule["not"]
    if not isinstance(rule, dict) or "fact" not in rule or rule["fact"] not in FACTS:
        return None
    fact = FACTS[rule["fact"]]
    values = rule["in"] if "in" in rule else [rule["equals"]]
    if fact.is_yes_no:
        if len(set(values)) != 1:
            return None
        return Condition(fact.name, (bool(values[0]) != negated,))
    return Condition(fact.name, tuple(v for v in fact.value_codes if v in values), negated)


def from_conditions(combine: str, conditions) -> dict:
    """The stored rule for the builder's choices; no condition means always."""
    rules = [_from_condition(c) for c in conditions]
    if combine == ALWAYS or not rules:
        return {}
    return rules[0] if len(rules) == 1 else {combine: rules}


def _from_condition(condition: Condition) -> dict:
    if FACTS[condition.fact].is_yes_no:
        return {"fact": condition.fact, "equals": condition.values[0]}
    rule = {"fact": condition.fact, "in": list(condition.values)}
    return {"not": rule} if condition.negated else rule
