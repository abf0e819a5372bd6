"""The shipped framework, its freezing when published, cloning and band configuration."""

import pytest
from django.core.exceptions import ValidationError

from standards.loaders import load_framework_file, shipped_files
from standards.models import (
    Framework,
    FrameworkFrozen,
    FrameworkStatus,
    KeyQuestion,
    Prompt,
    RatedBy,
    RatingBand,
    ScoreBand,
)
from standards.rating import Rating, rating_for
from standards.services import clone_framework

from ..factories import FrameworkFactory, add_default_bands


def test_hmip_2018_has_four_case_standards_and_twelve_key_questions(hmip_2018):
    case_standards = hmip_2018.standards.filter(rated_by=RatedBy.CASE_DATA)
    assert [s.code for s in case_standards] == ["2.1", "2.2", "2.3", "2.4"]
    assert [s.title for s in case_standards] == [
        "Assessment",
        "Planning",
        "Implementation and delivery",
        "Reviewing",
    ]
    codes = list(
        KeyQuestion.objects.filter(standard__framework=hmip_2018).values_list("code", flat=True)
    )
    assert codes == [f"2.{s}.{k}" for s in range(1, 5) for k in range(1, 4)]
    for kq in KeyQuestion.objects.filter(standard__framework=hmip_2018):
        assert 3 <= kq.prompts.count() <= 7, kq.code
    assert hmip_2018.standards.count() == 10
    assert hmip_2018.status == FrameworkStatus.PUBLISHED
    assert hmip_2018.person_label == "service user"


def test_hmip_2018_scheme_matches_domain_defaults(hmip_2018):
    scheme = hmip_2018.rating_scheme()
    assert scheme.max_score == 30
    assert rating_for(80, scheme) is Rating.OUTSTANDING
    assert rating_for(79.99, scheme) is Rating.GOOD
    assert [(b.min_score, b.max_score) for b in scheme.score_bands] == [
        (0, 5),
        (6, 15),
        (16, 25),
        (26, 30),
    ]


def test_hmip_2021_has_nine_standards_out_of_27(hmip_2021):
    assert hmip_2021.rating_scheme().max_score == 27
    assert hmip_2021.person_label == "person on probation"


def test_key_safety_prompts_carry_applicability(hmip_2018):
    da = Prompt.objects.get(key_question__standard__framework=hmip_2018, code="2.1.3.d")
    assert "police" in da.wording
    assert da.applies_to({"domestic_abuse_history": True})
    assert not da.applies_to({"domestic_abuse_history": False})
    home_visit = Prompt.objects.get(key_question__standard__framework=hmip_2018, code="2.3.3.b")
    assert not home_visit.applies_to({"home_visit_needed": False})


def test_loading_is_idempotent(hmip_2018):
    again, created, _ = load_framework_file(shipped_files()[0])
    assert not created
    assert again.pk == hmip_2018.pk
    assert Framework.objects.filter(code=hmip_2018.code, version="2018").count() == 1
    assert KeyQuestion.objects.filter(standard__framework=hmip_2018).count() == 12


def test_published_framework_refuses_edits_with_clear_message(hmip_2018):
    kq = KeyQuestion.objects.get(standard__framework=hmip_2018, code="2.1.3")
    kq.wording = "Changed"
    with pytest.raises(FrameworkFrozen, match="is published and cannot be changed"):
        kq.save()
    band = hmip_2018.rating_bands.get(rating=Rating.OUTSTANDING)
    band.lower_bound = 75
    with pytest.raises(FrameworkFrozen):
        band.save()
    with pytest.raises(FrameworkFrozen):
        band.delete()
    with pytest.raises(FrameworkFrozen):
        Prompt.objects.create(key_question=kq, code="2.1.3.z", wording="New")
    hmip_2018.title = "Renamed"
    with pytest.raises(FrameworkFrozen):
        hmip_2018.save()
    kq.refresh_from_db()
    assert kq.wording != "Changed"


def test_published_framework_can_be_retired_but_not_reopened(hmip_2018):
    hmip_2018.status = FrameworkStatus.RETIRED
    hmip_2018.save()
    hmip_2018.status = FrameworkStatus.DRAFT
    with pytest.raises(FrameworkFrozen, match="cannot return to draft"):
        hmip_2018.save()


def test_clone_makes_an_editable_draft_with_everything(hmip_2018):
    draft = clone_framework(framework=hmip_2018, version="2018.1")
    assert draft.status == FrameworkStatus.DRAFT
    assert draft.previous_version == hmip_2018
    assert KeyQuestion.objects.filter(standard__framework=draft).count() == 12
    assert (
        Prompt.objects.filter(key_question__standard__framework=draft).count()
        == Prompt.objects.filter(key_question__standard__framework=hmip_2018).count()
    )
    kq = KeyQuestion.objects.get(standard__framework=draft, code="2.1.3")
    kq.wording = "Edited in the draft"
    kq.save()
    assert (
        KeyQuestion.objects.get(standard__framework=hmip_2018, code="2.1.3").wording != kq.wording
    )
    with pytest.raises(ValidationError, match="already has a version 2018.1"):
        clone_framework(framework=hmip_2018, version="2018.1")


def test_changed_band_changes_the_rating(db):
    framework = FrameworkFactory()
    add_default_bands(framework)
    from ..factories import StandardFactory

    StandardFactory.create_batch(10, domain__framework=framework)
    assert rating_for(78, framework.rating_scheme()) is Rating.GOOD
    RatingBand.objects.filter(framework=framework, rating=Rating.OUTSTANDING).update(lower_bound=75)
    assert rating_for(78, framework.rating_scheme()) is Rating.OUTSTANDING


def test_publication_refuses_unusable_bands(db):
    framework = FrameworkFactory()
    add_default_bands(framework)
    ScoreBand.objects.filter(framework=framework, rating=Rating.GOOD).update(min_score=17)
    with pytest.raises(ValidationError):
        framework.publish()
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.DRAFT


def test_applicability_rule_validation_names_the_problem(db):
    from standards.applicability import validate_rule

    with pytest.raises(ValidationError, match="Unknown case fact"):
        validate_rule({"fact": "shoe_size", "equals": 9})
    with pytest.raises(ValidationError, match="not a value of rosh_level"):
        validate_rule({"fact": "rosh_level", "in": ["severe"]})
    validate_rule(
        {
            "all": [
                {"fact": "rosh_level", "in": ["high"]},
                {"not": {"fact": "gender", "equals": "male"}},
            ]
        }
    )


def test_applicability_unknown_fact_keeps_question(db):
    from standards.applicability import applies

    rule = {"fact": "home_visit_needed", "equals": True}
    assert applies(rule, {})
    assert applies(rule, {"home_visit_needed": True})
    assert not applies(rule, {"home_visit_needed": False})
    assert applies({"any": [rule, {"fact": "rosh_level", "in": ["high"]}]}, {"rosh_level": "low"})
    assert not applies(
        {"all": [rule, {"fact": "rosh_level", "in": ["high"]}]}, {"rosh_level": "low"}
    )
