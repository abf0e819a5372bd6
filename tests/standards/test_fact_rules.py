"""Fact rules: declared once per framework version, they say which recorded case facts follow
from which, and refuse contradictions in plain English."""

import json

import pytest

from standards import fact_rules
from standards.framework_file import FileRefused, file_data, read
from standards.loaders import load_framework, shipped_files
from standards.models import Framework
from standards.services import clone_framework

SHIPPED_RULE_FACTS = {
    "rosh_screening_on_time",
    "rosh_level_found",
    "full_risk_analysis_completed",
    "domestic_abuse_enquiries_made",
    "domestic_abuse_reply_received",
    "domestic_abuse_reply_sufficient",
    "child_safeguarding_enquiries_made",
    "child_safeguarding_reply_received",
    "child_safeguarding_reply_sufficient",
    "home_visit_made",
}


def shipped_rules(index=0):
    return json.loads(shipped_files()[index].read_text())["fact_rules"]


@pytest.mark.parametrize("index", [0, 1])
def test_both_shipped_versions_declare_valid_rules_for_risk_abuse_safeguarding_and_visits(index):
    rules = shipped_rules(index)
    assert fact_rules.problems(rules) == []
    assert {rule["fact"] for rule in rules} == SHIPPED_RULE_FACTS


def test_a_loaded_version_holds_its_rules(hmip_2018, hmip_2021):
    assert hmip_2018.fact_rules == shipped_rules(0)
    assert hmip_2021.fact_rules == shipped_rules(1)


def test_questions_ruled_out_take_their_otherwise_value_down_the_chain():
    rules = shipped_rules()
    settled = fact_rules.settle(
        rules,
        {
            "rosh_screening_completed": "no",
            "rosh_screening_on_time": "yes",
            "rosh_level_found": "medium",
            "full_risk_analysis_completed": "yes",
            "domestic_abuse_enquiries_needed": "no",
            "domestic_abuse_enquiries_made": "yes",
            "domestic_abuse_reply_received": "yes",
            "domestic_abuse_reply_sufficient": "no",
            "home_visit_needed": "yes",
            "home_visit_made": "yes",
        },
    )
    assert settled == {
        "rosh_screening_completed": "no",
        "rosh_screening_on_time": "na",
        "rosh_level_found": "not_screened",
        "full_risk_analysis_completed": "",
        "domestic_abuse_enquiries_needed": "no",
        "domestic_abuse_enquiries_made": "na",
        "domestic_abuse_reply_received": "na",
        "domestic_abuse_reply_sufficient": "na",
        "home_visit_needed": "yes",
        "home_visit_made": "yes",
    }


def test_contradictions_are_refused_in_plain_english():
    rules = shipped_rules()
    found = fact_rules.refusals(
        rules,
        {
            "rosh_screening_completed": "no",
            "rosh_screening_on_time": "yes",
            "rosh_level_found": "medium",
        },
    )
    assert [(r.fact, r.message) for r in found] == [
        (
            "rosh_screening_on_time",
            "No RoSH screening was completed, so do not answer whether "
            "the RoSH screening was completed on time",
        ),
        (
            "rosh_level_found",
            "No RoSH screening was completed, so do not answer the RoSH level "
            "you found in the record",
        ),
    ]
    found = fact_rules.refusals(
        rules,
        {
            "rosh_screening_completed": "yes",
            "rosh_screening_on_time": "na",
            "rosh_level_found": "high",
            "full_risk_analysis_completed": "na",
            "home_visit_needed": "no",
            "home_visit_made": "no",
        },
    )
    assert [(r.fact, r.message) for r in found] == [
        (
            "rosh_screening_on_time",
            "A RoSH screening was completed, so select whether the RoSH "
            "screening was completed on time",
        ),
        (
            "full_risk_analysis_completed",
            "The RoSH level you found is medium or above, so a full "
            "analysis of the risk of harm was required: select yes "
            "or no",
        ),
        (
            "home_visit_made",
            "No home visit was needed, so do not answer whether a home visit was made",
        ),
    ]
    for message in [r.message for r in found]:
        assert "_" not in message and "rosh" not in message


def test_a_consistent_record_and_an_unrecorded_parent_are_not_refused():
    rules = shipped_rules()
    assert (
        fact_rules.refusals(
            rules,
            {
                "rosh_screening_completed": "yes",
                "rosh_screening_on_time": "no",
                "rosh_level_found": "low",
                "full_risk_analysis_completed": "na",
                "domestic_abuse_enquiries_needed": "yes",
                "domestic_abuse_enquiries_made": "no",
                "domestic_abuse_reply_received": "na",
            },
        )
        == []
    )
    # Nothing is decided by an answer not yet given.
    assert fact_rules.refusals(rules, {"home_visit_made": "yes"}) == []
    assert fact_rules.asked(rules, "home_visit_made", {"home_visit_needed": ""}) is None


def test_questions_asked_and_not_answered_are_listed():
    rules = shipped_rules()
    assert fact_rules.unanswered(
        rules,
        {
            "rosh_screening_completed": "yes",
            "rosh_level_found": "low",
            "domestic_abuse_enquiries_needed": "yes",
            "domestic_abuse_enquiries_made": "yes",
            "home_visit_needed": "no",
        },
    ) == ["rosh_screening_on_time", "full_risk_analysis_completed", "domestic_abuse_reply_received"]


def test_reveals_follow_the_rules_in_order():
    reveals = fact_rules.reveals(shipped_rules())
    assert reveals["rosh_screening_completed"] == {
        "yes": ["rosh_screening_on_time", "rosh_level_found", "full_risk_analysis_completed"]
    }
    assert reveals["domestic_abuse_enquiries_made"] == {"yes": ["domestic_abuse_reply_received"]}
    assert "rosh_level_found" not in reveals  # a condition on three values reveals nothing


@pytest.mark.parametrize(
    "rules, expected",
    [
        ("none", "The fact rules must be a list in square brackets."),
        (
            [{"fact": "shoe_size", "asked_when": {"fact": "home_visit_needed", "equals": "yes"}}],
            "Fact rule 1 names the unknown fact “shoe_size”",
        ),
        (
            [
                {
                    "fact": "home_visit_made",
                    "asked_when": {"fact": "home_visit_needed", "equals": "maybe"},
                }
            ],
            "Fact rule 1: the condition’s values for home_visit_needed must be among: yes, no.",
        ),
        (
            [
                {
                    "fact": "home_visit_made",
                    "asked_when": {"fact": "home_visit_made", "equals": "yes"},
                }
            ],
            "Fact rule 1: a rule about home_visit_made cannot depend on home_visit_made itself.",
        ),
        (
            [
                {
                    "fact": "home_visit_made",
                    "asked_when": {"fact": "home_visit_needed", "equals": "yes"},
                    "otherwise": "perhaps",
                }
            ],
            "Fact rule 1: “perhaps” is not a value of home_visit_made.",
        ),
        (
            [
                {
                    "fact": "home_visit_made",
                    "refuse": ["na"],
                    "when": {"fact": "home_visit_needed", "equals": "yes"},
                    "message": "",
                }
            ],
            "Fact rule 1: give the message that says why the answer is refused.",
        ),
        (
            [{"fact": "home_visit_made", "otherwise": "na"}],
            "Fact rule 1 must be an object with fact, asked_when and otherwise",
        ),
    ],
)
def test_bad_rules_are_named(rules, expected):
    assert any(problem.startswith(expected) for problem in fact_rules.problems(rules)), (
        fact_rules.problems(rules)
    )


def test_the_framework_file_carries_the_rules_and_refuses_bad_ones(hmip_2021):
    data = file_data(hmip_2021)
    assert data["fact_rules"] == shipped_rules(1)
    data["fact_rules"] = [{"fact": "shoe_size", "asked_when": {}}]
    with pytest.raises(FileRefused) as refused:
        read(json.dumps(data).encode())
    assert any(p.field == "fact_rules" and "shoe_size" in p.message for p in refused.value.problems)


def test_a_clone_keeps_the_rules(hmip_2021):
    draft = clone_framework(framework=hmip_2021, version="2021.1")
    assert draft.fact_rules == hmip_2021.fact_rules


def test_reloading_gives_a_version_loaded_without_rules_its_rules_and_never_changes_them(hmip_2018):
    Framework.objects.filter(pk=hmip_2018.pk).update(fact_rules=[])
    data = json.loads(shipped_files()[0].read_text())
    load_framework(data=data)
    hmip_2018.refresh_from_db()
    assert hmip_2018.fact_rules == data["fact_rules"]
    kept = data["fact_rules"][:1]
    Framework.objects.filter(pk=hmip_2018.pk).update(fact_rules=kept)
    load_framework(data=data)
    hmip_2018.refresh_from_db()
    assert hmip_2018.fact_rules == kept
