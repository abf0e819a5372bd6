"""Fact rules: which recorded case facts follow from which, declared once per framework version.

A framework version holds a list of rules (`Framework.fact_rules`, the `fact_rules` list of a
framework file), each about one fact of `standards.facts.RECORDED_FACTS`:

    {"fact": "rosh_screening_on_time",
     "asked_when": {"fact": "rosh_screening_completed", "equals": "yes"},
     "otherwise": "na"}
        The question is asked only when the condition holds. When the recorded facts rule it out
        the fact takes the `otherwise` value (blank if none is given), and any other answer is
        refused; when it is asked it must be answered, and not with the `otherwise` value (a
        rule without one, then, leaves every answer open once the question is asked).

    {"fact": "full_risk_analysis_completed", "refuse": ["na"],
     "when": {"fact": "rosh_level_found", "in": ["medium", "high", "very_high"]},
     "message": "The RoSH level you found is medium or above, so a full analysis ..."}
        A combination that cannot be true: while the condition holds the fact may not take the
        refused values; the message says why, in the framework's words.

Conditions take the form of applicability rules (`standards.applicability`): {"fact", "equals"}
or {"fact", "in"}, combined with "all", "any" and "not", naming recorded facts. A fact not yet
recorded decides nothing, so nothing is refused or left out for want of an earlier answer.

The same rules drive the case-facts page (a question asked when one answer of another is given
is revealed under that answer, the GOV.UK conditional reveal) and the server's checks, with
messages written from the facts' own words (`RecordedFact.topic` and `clause`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .applicability import evaluate
from .facts import RECORDED_FACTS, and_list


@dataclass(frozen=True)
class Refusal:
    fact: str  # the fact whose answer is refused
    message: str


def _recorded(values: dict) -> dict:
    """The recorded values only: a blank answer decides nothing."""
    return {name: value for name, value in values.items() if value not in (None, "")}


def _condition_facts(condition) -> list[str]:
    if not condition:
        return []
    for combine in ("all", "any"):
        if combine in condition:
            return [name for item in condition[combine] for name in _condition_facts(item)]
    if "not" in condition:
        return _condition_facts(condition["not"])
    return [condition["fact"]]


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _said(condition, values: dict) -> str:
    """What the recorded answers named in `condition` say: "no RoSH screening was completed"."""
    names = list(dict.fromkeys(_condition_facts(condition)))
    return and_list(
        [
            RECORDED_FACTS[name].clause(values[name])
            for name in names
            if values.get(name) not in (None, "")
        ]
    )


def asked(rules, name: str, values: dict) -> bool | None:
    """Whether the fact's question is asked: True, False, or None while the answers it follows
    from are not recorded."""
    recorded = _recorded(values)
    for rule in rules or ():
        if rule.get("fact") == name and "asked_when" in rule:
            return evaluate(rule["asked_when"], recorded)
    return True


def settle(rules, values: dict) -> dict:
    """The values with every question the recorded facts rule out given its `otherwise` value
    (blank if none), following chains: no enquiries made, so no reply to record."""
    settled = dict(values)
    for _ in range(len(rules or ()) + 1):
        changed = False
        for rule in rules or ():
            if "asked_when" not in rule or rule["fact"] not in settled:
                continue
            if evaluate(rule["asked_when"], _recorded(settled)) is False:
                otherwise = rule.get("otherwise", "")
                if settled[rule["fact"]] != otherwise:
                    settled[rule["fact"]] = otherwise
                    changed = True
        if not changed:
            break
    return settled


def refusals(rules, values: dict) -> list[Refusal]:
    """Every answer the rules refuse, with a plain-English message naming why."""
    recorded = _recorded(values)
    found = []
    for rule in rules or ():
        name = rule["fact"]
        fact = RECORDED_FACTS[name]
        value = recorded.get(name)
        if value is None:
            continue
        if "asked_when" in rule:
            condition = rule["asked_when"]
            holds = evaluate(condition, recorded)
            otherwise = rule.get("otherwise", "")
            if holds is False and value not in ("", otherwise):
                found.append(
                    Refusal(
                        name,
                        f"{_sentence_start(_said(condition, recorded))}, "
                        f"so do not answer {fact.topic}",
                    )
                )
            elif holds is True and otherwise and value == otherwise:
                found.append(
                    Refusal(
                        name,
                        f"{_sentence_start(_said(condition, recorded))}, so select {fact.topic}",
                    )
                )
        elif "refuse" in rule and value in rule["refuse"]:
            if evaluate(rule["when"], recorded) is True:
                found.append(Refusal(name, rule["message"]))
    return found


def unanswered(rules, values: dict) -> list[str]:
    """The facts whose questions are asked, by a rule, and not yet answered."""
    recorded = _recorded(values)
    return [
        rule["fact"]
        for rule in rules or ()
        if "asked_when" in rule
        and rule["fact"] not in recorded
        and evaluate(rule["asked_when"], recorded) is True
    ]


def reveals(rules) -> dict[str, dict[object, list[str]]]:
    """For the page: the facts asked when one answer of another is given, to reveal under that
    answer, as {parent: {value: [facts]}}, in rule order."""
    found: dict[str, dict[object, list[str]]] = {}
    for rule in rules or ():
        condition = rule.get("asked_when")
        if not condition or "fact" not in condition:
            continue
        values = condition["in"] if "in" in condition else [condition["equals"]]
        if len(values) == 1:
            found.setdefault(condition["fact"], {}).setdefault(values[0], []).append(rule["fact"])
    return found


def otherwise(rules, name: str):
    """The value a fact takes when its question is not asked, if a rule gives one."""
    for rule in rules or ():
        if rule.get("fact") == name and "asked_when" in rule:
            return rule.get("otherwise", "")
    return None


# --- checking the rules of a framework version ------------------------------------------------


RULE_KEYS = (
    {"fact", "asked_when"},
    {"fact", "asked_when", "otherwise"},
    {"fact", "refuse", "when", "message"},
)


def problems(rules) -> list[str]:
    """Every way `rules` fails to be a list of fact rules, in plain English."""
    if rules in (None, []):
        return []
    if not isinstance(rules, list):
        return ["The fact rules must be a list in square brackets."]
    found, asked_once = [], set()
    for index, rule in enumerate(rules, start=1):
        where = f"Fact rule {index}"
        if not isinstance(rule, dict) or set(rule) not in RULE_KEYS:
            found.append(
                f"{where} must be an object with fact, asked_when and otherwise "
                "(optional), or with fact, refuse, when and message."
            )
            continue
        name = rule["fact"]
        if not isinstance(name, str) or name not in RECORDED_FACTS:
            found.append(
                f"{where} names the unknown fact “{name}”; use one of: {', '.join(RECORDED_FACTS)}."
            )
            continue
        fact = RECORDED_FACTS[name]
        condition = rule.get("asked_when", rule.get("when"))
        condition_problems = _condition_problems(condition)
        found += [f"{where}: {message}" for message in condition_problems]
        if not condition_problems and name in _condition_facts(condition):
            found.append(f"{where}: a rule about {name} cannot depend on {name} itself.")
        if "asked_when" in rule:
            if name in asked_once:
                found.append(f"{where}: {name} already has a rule saying when it is asked.")
            asked_once.add(name)
            if "otherwise" in rule and rule["otherwise"] not in fact.value_codes + ("",):
                found.append(f"{where}: “{rule['otherwise']}” is not a value of {name}.")
        else:
            refused = rule["refuse"]
            if (
                not isinstance(refused, list)
                or not refused
                or any(v not in fact.value_codes for v in refused)
            ):
                found.append(
                    f"{where}: refuse must list values of {name}: "
                    f"{', '.join(map(str, fact.value_codes))}."
                )
            if not isinstance(rule["message"], str) or not rule["message"].strip():
                found.append(f"{where}: give the message that says why the answer is refused.")
    return found


def _condition_problems(condition, depth: int = 0) -> list[str]:
    if depth > 8 or not isinstance(condition, dict) or not condition:
        return [
            'a condition must be an object such as {"fact": "home_visit_needed", "equals": "yes"}.'
        ]
    keys = set(condition)
    if keys in ({"all"}, {"any"}):
        items = next(iter(condition.values()))
        if not isinstance(items, list) or not items:
            return [f"“{next(iter(keys))}” needs a non-empty list of conditions."]
        return [message for item in items for message in _condition_problems(item, depth + 1)]
    if keys == {"not"}:
        return _condition_problems(condition["not"], depth + 1)
    if keys not in ({"fact", "equals"}, {"fact", "in"}):
        return ['a condition is {"fact": ..., "equals": ...} or {"fact": ..., "in": [...]}.']
    name = condition["fact"]
    if not isinstance(name, str) or name not in RECORDED_FACTS:
        return [f"the condition names the unknown fact “{name}”."]
    values = condition["in"] if "in" in condition else [condition["equals"]]
    known = RECORDED_FACTS[name].value_codes
    if not isinstance(values, list) or not values or any(v not in known for v in values):
        return [f"the condition’s values for {name} must be among: {', '.join(map(str, known))}."]
    return []


def validate(rules) -> None:
    """The model field's validator."""
    found = problems(rules)
    if found:
        raise ValidationError(found)
