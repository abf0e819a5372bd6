"""Editing a draft through the services: parts added, changed, moved and removed, bands checked
on every save, and a change made on a stale page refused rather than overwriting another's."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from standards.changes import Change, compare
from standards.framework_file import file_data
from standards.models import DraftChanged, FrameworkFrozen, KeyQuestion, Prompt, Standard
from standards.services import (
    clone_framework,
    move_part,
    remove_part,
    save_part,
    suggest_code,
    update_bands,
    update_details,
)

BOUNDS = {
    "outstanding": Decimal(80),
    "good": Decimal(65),
    "requires_improvement": Decimal(50),
    "inadequate": Decimal(0),
}
SCORES_2021 = {
    "inadequate": (0, 4),
    "requires_improvement": (5, 13),
    "good": (14, 22),
    "outstanding": (23, 27),
}


@pytest.fixture
def draft(hmip_2021):
    return clone_framework(framework=hmip_2021, version="2021.1")


def kq(framework, code):
    return KeyQuestion.objects.get(standard__framework=framework, code=code)


def test_a_prompt_is_added_last_with_the_next_code(draft):
    parent = kq(draft, "2.1.3")
    assert suggest_code(parent) == "2.1.3.h"
    prompt = save_part(
        framework=draft,
        revision=draft.revision,
        part=Prompt(
            key_question=parent,
            code="2.1.3.h",
            wording="Were victims' views sought?",
            applicability={"fact": "domestic_abuse_history", "equals": True},
        ),
    )
    assert list(parent.prompts.values_list("code", flat=True))[-1] == "2.1.3.h"
    assert prompt.order == parent.prompts.count()
    assert suggest_code(draft) == "4"
    assert suggest_code(draft.domains.get(code="2")) == "2.5"
    assert suggest_code(draft.standards.get(code="2.1")) == "2.1.4"


def test_a_stale_change_is_refused_and_the_other_change_kept(draft):
    loaded = draft.revision
    first = kq(draft, "2.1.1")
    first.wording = "First admin's wording"
    save_part(framework=draft, revision=loaded, part=first)
    second = kq(draft, "2.1.1")
    second.wording = "Second admin's wording"
    with pytest.raises(DraftChanged, match="Someone else changed this draft"):
        save_part(framework=draft, revision=loaded, part=second)
    assert kq(draft, "2.1.1").wording == "First admin's wording"


def test_a_published_version_refuses_every_change(hmip_2021):
    part = kq(hmip_2021, "2.1.1")
    part.wording = "Changed"
    for change in (
        lambda: save_part(framework=hmip_2021, revision=hmip_2021.revision, part=part),
        lambda: remove_part(framework=hmip_2021, revision=hmip_2021.revision, part=part),
        lambda: move_part(
            framework=hmip_2021, revision=hmip_2021.revision, part=part, direction="down"
        ),
        lambda: update_bands(
            framework=hmip_2021,
            revision=hmip_2021.revision,
            lower_bounds=BOUNDS,
            score_ranges=SCORES_2021,
        ),
        lambda: update_details(framework=hmip_2021, revision=hmip_2021.revision, title="New"),
    ):
        with pytest.raises(FrameworkFrozen):
            change()
    assert kq(hmip_2021, "2.1.1").wording != "Changed"


def test_a_part_of_another_version_is_refused(draft, hmip_2018):
    other = kq(hmip_2018, "2.1.1")
    with pytest.raises((ValidationError, FrameworkFrozen)):
        remove_part(framework=draft, revision=draft.revision, part=other)
    assert KeyQuestion.objects.filter(pk=other.pk).exists()


def test_moving_swaps_neighbours_and_keeps_standards_in_domain_order(draft):
    standard = draft.standards.get(code="2.2")
    move_part(framework=draft, revision=draft.revision, part=standard, direction="up")
    assert list(draft.standards.values_list("code", flat=True)) == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2.2",
        "2.1",
        "2.3",
        "2.4",
        "3.1",
    ]
    move_part(
        framework=draft, revision=draft.revision, part=draft.domains.get(code="3"), direction="up"
    )
    assert list(draft.standards.values_list("code", flat=True)) == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "3.1",
        "2.2",
        "2.1",
        "2.3",
        "2.4",
    ]
    first = draft.domains.get(code="1")
    move_part(framework=draft, revision=draft.revision, part=first, direction="up")  # no-op
    assert draft.domains.order_by("order")[0] == first


def test_removing_a_key_question_removes_its_prompts(draft):
    part = kq(draft, "2.4.3")
    prompts = part.prompts.count()
    before = Prompt.objects.filter(key_question__standard__framework=draft).count()
    remove_part(framework=draft, revision=draft.revision, part=part)
    assert Prompt.objects.filter(key_question__standard__framework=draft).count() == (
        before - prompts
    )


def test_bands_are_checked_on_every_save(draft):
    with pytest.raises(ValidationError) as refusal:
        update_bands(
            framework=draft,
            revision=draft.revision,
            lower_bounds={**BOUNDS, "good": Decimal(85)},
            score_ranges=SCORES_2021,
        )
    assert refusal.value.messages == [
        "Outstanding starts at 80%, which is not above Good at 85%: each better rating must need "
        "a higher percentage than the one below it."
    ]
    assert draft.rating_bands.get(rating="good").lower_bound == 65
    update_bands(
        framework=draft,
        revision=draft.revision,
        lower_bounds={**BOUNDS, "good": Decimal(70)},
        score_ranges=SCORES_2021,
    )
    assert draft.rating_bands.get(rating="good").lower_bound == 70


def test_the_changes_since_the_replaced_version_are_listed(hmip_2021, draft):
    assert compare(file_data(hmip_2021), file_data(draft)) == []
    save_part(
        framework=draft,
        revision=draft.revision,
        part=Prompt(
            key_question=kq(draft, "2.1.3"),
            code="2.1.3.h",
            wording="Were victims' views sought?",
            applicability={"fact": "rosh_level", "in": ["high", "very_high"]},
        ),
    )
    changed = kq(draft, "2.2.1")
    changed.applicability = {"fact": "review_due", "equals": True}
    save_part(framework=draft, revision=draft.revision, part=changed)
    remove_part(
        framework=draft,
        revision=draft.revision,
        part=Prompt.objects.get(key_question__standard__framework=draft, code="2.4.1.d"),
    )
    move_part(
        framework=draft,
        revision=draft.revision,
        part=Prompt.objects.get(key_question__standard__framework=draft, code="2.1.1.b"),
        direction="up",
    )
    moved = Standard.objects.get(framework=draft, code="3.1")
    moved.domain = draft.domains.get(code="1")
    save_part(framework=draft, revision=draft.revision, part=moved)
    update_bands(
        framework=draft,
        revision=draft.revision,
        lower_bounds={**BOUNDS, "good": Decimal(70)},
        score_ranges=SCORES_2021,
    )
    update_details(framework=draft, revision=draft.revision, title="HMIP PDU 2021, revised")
    sections = {s.title: s.changes for s in compare(file_data(hmip_2021), file_data(draft))}
    assert sections == {
        "Version details": [
            Change(
                "The version", "Title", "HMIP PDU case supervision 2021", "HMIP PDU 2021, revised"
            )
        ],
        "Rating bands": [Change("Good", "Lower bound", "65% and above", "70% and above")],
        "Standards": [Change("Standard 3.1", "Domain", "3", "1")],
        "Key questions": [
            Change(
                "Key question 2.2.1",
                "When it is asked",
                "Always asked",
                "Asked when a review is due",
            )
        ],
        "Prompts": [
            Change(
                "Prompt 2.1.3.h",
                "Added",
                "",
                "Were victims' views sought? (Asked when the RoSH level is high or very high)",
            ),
            Change(
                "Prompt 2.4.1.d",
                "Removed",
                file_data(hmip_2021)["domains"][1]["standards"][3]["key_questions"][0]["prompts"][
                    3
                ]["wording"],
                "",
            ),
            Change(
                "Key question 2.1.1",
                "Order of prompts",
                "2.1.1.a, 2.1.1.b, 2.1.1.c",
                "2.1.1.b, 2.1.1.a, 2.1.1.c",
            ),
        ],
    }
