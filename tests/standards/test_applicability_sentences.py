"""Applicability rules read back in plain English, and built from choices (one condition per
fact, all or any of them) without changing what they mean."""

import json

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from standards.applicability import (
    ALL,
    ALWAYS,
    ANY,
    Condition,
    applies,
    from_conditions,
    sentence,
    to_conditions,
    validate_rule,
)
from standards.facts import FACT_LIST, FACTS
from standards.loaders import shipped_files


@pytest.mark.parametrize(
    "rule, expected",
    [
        ({}, "Always asked"),
        (
            {"fact": "rosh_level", "in": ["medium", "high", "very_high"]},
            "Asked when the RoSH level is medium, high or very high",
        ),
        ({"fact": "rosh_level", "in": ["very_high"]}, "Asked when the RoSH level is very high"),
        (
            {"fact": "domestic_abuse_history", "equals": True},
            "Asked when there is a history of domestic abuse",
        ),
        ({"fact": "home_visit_needed", "equals": False}, "Asked when no home visit is needed"),
        (
            {"not": {"fact": "sentence_type", "in": ["licence", "post_sentence_supervision"]}},
            "Asked when the sentence type is not licence or post-sentence supervision",
        ),
        (
            {"not": {"fact": "mappa_eligible", "equals": True}},
            "Asked when the case is not eligible for MAPPA",
        ),
        (
            {
                "all": [
                    {"fact": "rosh_level", "in": ["high"]},
                    {
                        "any": [
                            {"fact": "domestic_abuse_history", "equals": True},
                            {"fact": "child_safeguarding_concerns", "equals": True},
                        ]
                    },
                ]
            },
            "Asked when the RoSH level is high and (there is a history of domestic abuse or "
            "there are "
            "child safeguarding concerns)",
        ),
        (
            {
                "any": [
                    {"fact": "gender", "equals": "female"},
                    {"fact": "review_due", "equals": True},
                    {"fact": "sentence_type", "in": ["licence"]},
                ]
            },
            "Asked when the gender recorded is female, a review is due or the sentence type is "
            "licence",
        ),
    ],
)
def test_a_rule_reads_back_as_a_sentence(rule, expected):
    assert sentence(rule) == expected


def test_every_shipped_rule_reads_without_codes():
    """No fact name or value code (rosh_level, very_high, true) leaks into the sentences."""
    codes = set(FACTS) | {str(v.value) for f in FACT_LIST for v in f.values if "_" in str(v.value)}
    for path in shipped_files():
        with open(path, encoding="utf-8") as handle:
            rules = list(_rules_in(json.load(handle)))
        assert rules, path
        for rule in rules:
            read = sentence(rule)
            assert read.startswith("Asked when ")
            assert not any(code in read for code in codes), read
            assert "True" not in read and "true" not in read


def _rules_in(data):
    for domain in data["domains"]:
        for standard in domain["standards"]:
            for kq in standard.get("key_questions", []):
                for item in [kq, *kq.get("prompts", [])]:
                    if item.get("applicability"):
                        yield item["applicability"]


def test_every_fact_has_words_for_the_builder_and_the_sentence():
    for fact in FACT_LIST:
        assert fact.label and fact.label[0].isupper(), fact.name
        assert fact.values, fact.name
        if fact.is_yes_no:
            assert fact.when_no and fact.value_codes == (True, False)
        else:
            assert fact.subject.startswith("the ")
            assert all(isinstance(v, str) for v in fact.value_codes)


def test_the_builder_shows_a_shipped_rule_as_one_condition():
    rule = {"fact": "rosh_level", "in": ["medium", "high", "very_high"]}
    assert to_conditions(rule) == (ALL, (Condition("rosh_level", ("medium", "high", "very_high")),))
    assert to_conditions({}) == (ALWAYS, ())
    assert from_conditions(*to_conditions(rule)) == rule


def test_rules_the_builder_cannot_show_are_recognised():
    nested = {
        "all": [
            {"fact": "rosh_level", "in": ["high"]},
            {
                "any": [
                    {"fact": "review_due", "equals": True},
                    {"fact": "mappa_eligible", "equals": True},
                ]
            },
        ]
    }
    same_fact_twice = {
        "any": [{"fact": "rosh_level", "in": ["high"]}, {"fact": "rosh_level", "in": ["low"]}]
    }
    assert to_conditions(nested) is None
    assert to_conditions(same_fact_twice) is None
    assert to_conditions({"not": {"all": [{"fact": "review_due", "equals": True}]}}) is None


# --- properties ----------------------------------------------------------------------------------


def _condition_for(fact):
    if fact.is_yes_no:
        return st.sampled_from([True, False]).map(lambda v: Condition(fact.name, (v,)))
    return st.tuples(
        st.sets(st.sampled_from(fact.value_codes), min_size=1),
        st.booleans(),
    ).map(lambda t: Condition(fact.name, tuple(v for v in fact.value_codes if v in t[0]), t[1]))


conditions = st.lists(
    st.sampled_from(FACT_LIST), min_size=1, max_size=5, unique_by=lambda f: f.name
).flatmap(lambda facts: st.tuples(*[_condition_for(f) for f in facts]))


@given(st.sampled_from([ALL, ANY]), conditions)
def test_choices_survive_a_round_trip_through_the_stored_rule(combine, chosen):
    rule = from_conditions(combine, chosen)
    validate_rule(rule)
    expected_combine = combine if len(chosen) > 1 else ALL
    assert to_conditions(rule) == (expected_combine, tuple(chosen))
    assert sentence(rule).startswith("Asked when ")


def _leaf(fact):
    values = st.sets(st.sampled_from(fact.value_codes), min_size=1).map(
        lambda vs: [v for v in fact.value_codes if v in vs]
    )
    return st.one_of(
        values.map(lambda vs: {"fact": fact.name, "in": vs}),
        st.sampled_from(fact.value_codes).map(lambda v: {"fact": fact.name, "equals": v}),
    )


leaves = st.sampled_from(FACT_LIST).flatmap(_leaf)
rules = st.recursive(
    st.one_of(leaves, leaves.map(lambda r: {"not": r})),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda items: {"all": items}),
        st.lists(children, min_size=1, max_size=3).map(lambda items: {"any": items}),
        children.map(lambda r: {"not": r}),
    ),
    max_leaves=6,
)
case_facts = st.fixed_dictionaries(
    {}, optional={fact.name: st.sampled_from(fact.value_codes) for fact in FACT_LIST}
)


@settings(max_examples=300)
@given(rules, case_facts)
def test_a_rule_rebuilt_from_its_choices_applies_to_the_same_cases(rule, facts):
    validate_rule(rule)
    read = sentence(rule)
    assert read.startswith("Asked when ") and "_" not in read
    shown = to_conditions(rule)
    if shown is None:
        return  # kept as it is by the builder
    rebuilt = from_conditions(*shown)
    validate_rule(rebuilt)
    assert applies(rebuilt, facts) == applies(rule, facts)


def test_a_rule_naming_an_unknown_value_is_refused_with_the_values_to_use():
    with pytest.raises(
        ValidationError,
        match='"true" is not a value of rosh_level; use one of: '
        "low, medium, high, very_high, not_screened",
    ):
        validate_rule({"fact": "rosh_level", "equals": True})
    with pytest.raises(
        ValidationError, match='"yes" is not a value of review_due; use one of: true, false'
    ):
        validate_rule({"fact": "review_due", "equals": "yes"})
