"""Guidance of the shipped frameworks: present for every question, consistent between versions,
and brought up to date on databases that loaded an earlier text, with nothing else changed."""

import copy
import json
import re

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from standards.loaders import load_framework, load_framework_file, shipped_files
from standards.models import (
    Domain,
    Framework,
    FrameworkFrozen,
    FrameworkStatus,
    KeyQuestion,
    Prompt,
    RatingBand,
    ScoreBand,
    Standard,
)

pytestmark = pytest.mark.django_db

SENTENCE_END = re.compile(r"[.!?]['\"]?(?=\s|$)")


def shipped_data(index):
    with open(shipped_files()[index], encoding="utf-8") as handle:
        return json.load(handle)


def parts(framework):
    return [
        *KeyQuestion.objects.filter(standard__framework=framework),
        *Prompt.objects.filter(key_question__standard__framework=framework),
    ]


def guidance_by_code(framework):
    return {part.code: part.guidance for part in parts(framework)}


@pytest.mark.parametrize("fixture", ["hmip_2018", "hmip_2021"])
def test_every_question_has_guidance_of_a_few_short_sentences(fixture, request):
    framework = request.getfixturevalue(fixture)
    questions = parts(framework)
    assert len(questions) == 12 + 52
    for part in questions:
        text = part.guidance
        sentences = len(SENTENCE_END.findall(text))
        assert 2 <= sentences <= 5, (part.code, sentences)
        assert 150 <= len(text) <= 600, (part.code, len(text))
        assert max(len(s) for s in SENTENCE_END.split(text)) <= 260, part.code
        assert "  " not in text and text == text.strip(), part.code


@pytest.mark.parametrize("fixture", ["hmip_2018", "hmip_2021"])
def test_guidance_says_what_sufficient_means_and_when_not_applicable_fits(fixture, request):
    framework = request.getfixturevalue(fixture)
    for kq in KeyQuestion.objects.filter(standard__framework=framework):
        assert "Sufficient means" in kq.guidance, kq.code
        if kq.allows_not_applicable:
            assert "not applicable" in kq.guidance, kq.code
    for prompt in Prompt.objects.filter(key_question__standard__framework=framework):
        assert "Sufficient means" in prompt.guidance or "Accurate means" in prompt.guidance, (
            prompt.code
        )
        # Every prompt says when "not applicable" fits, or that it cannot be chosen.
        assert re.search(r"not applicable", prompt.guidance, re.IGNORECASE), prompt.code
        if not prompt.allows_not_applicable:
            assert "cannot answer not applicable" in prompt.guidance, prompt.code


def test_the_two_versions_share_their_guidance_in_their_own_words(hmip_2018, hmip_2021):
    old, new = guidance_by_code(hmip_2018), guidance_by_code(hmip_2021)
    assert old.keys() == new.keys()
    for code, text in old.items():
        assert "person on probation" not in text, code
        assert "service user" not in new[code], code
        assert text.replace("service user", "person on probation") == new[code], code


def test_guidance_is_written_with_the_framework_person_label(hmip_2021):
    texts = " ".join(guidance_by_code(hmip_2021).values())
    assert texts.count("person on probation") >= 30


def snapshot(framework):
    """Every stored field of a version and its parts, but guidance."""
    framework.refresh_from_db()
    rows = [model_to_dict(framework)]
    for model, link in [
        (RatingBand, "framework"),
        (ScoreBand, "framework"),
        (Domain, "framework"),
        (Standard, "framework"),
        (KeyQuestion, "standard__framework"),
        (Prompt, "key_question__standard__framework"),
    ]:
        for obj in model.objects.filter(**{link: framework}).order_by("pk"):
            row = model_to_dict(obj)
            row.pop("guidance", None)
            rows.append((model.__name__, obj.pk, row))
    return rows


def stale(data, *, wording=False):
    """The shipped data as an earlier release held it: older guidance (and wording)."""
    data = copy.deepcopy(data)
    for d in data["domains"]:
        for s in d["standards"]:
            for k in s["key_questions"]:
                k["guidance"] = "" if k["code"].startswith("2.2") else f"Old text for {k['code']}."
                for p in k["prompts"]:
                    p["guidance"] = ""
                    if wording:
                        p["wording"] = f"Old wording of {p['code']}?"
    return data


def test_reloading_brings_guidance_of_a_published_version_up_to_date_and_nothing_else(
    django_assert_max_num_queries,
):
    framework, created, _ = load_framework(data=stale(shipped_data(0), wording=True))
    assert created and framework.status == FrameworkStatus.PUBLISHED
    published_at = framework.published_at
    before = snapshot(framework)

    # Find it, read both kinds of part, write each kind in one statement; a savepoint around.
    with django_assert_max_num_queries(7):
        again, created, updated = load_framework_file(shipped_files()[0])

    assert again.pk == framework.pk and not created
    assert updated == 12 + 52
    shipped = shipped_data(0)
    expected = {
        p["code"]: p["guidance"]
        for d in shipped["domains"]
        for s in d["standards"]
        for k in s["key_questions"]
        for p in [k, *k["prompts"]]
    }
    assert guidance_by_code(framework) == expected
    assert snapshot(framework) == before  # wording, rules, bands, status: all as published
    assert (
        Prompt.objects.get(key_question__standard__framework=framework, code="2.2.1.a").wording
        == "Old wording of 2.2.1.a?"
    )
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.PUBLISHED
    assert framework.published_at == published_at

    assert load_framework_file(shipped_files()[0]).guidance_updated == 0  # nothing left to do


def test_reloading_leaves_a_draft_and_other_versions_alone(hmip_2021):
    draft, _, _ = load_framework(data=stale(shipped_data(0)), publish=False)
    edited = KeyQuestion.objects.get(standard__framework=draft, code="2.1.1")
    edited.guidance = "An admin's own guidance for the draft."
    edited.save()
    other = guidance_by_code(hmip_2021)

    again, created, updated = load_framework_file(shipped_files()[0])

    assert (again.pk, created, updated) == (draft.pk, False, 0)
    edited.refresh_from_db()
    assert edited.guidance == "An admin's own guidance for the draft."
    assert (
        Prompt.objects.get(key_question__standard__framework=draft, code="2.2.1.a").guidance == ""
    )
    assert guidance_by_code(hmip_2021) == other


def test_after_a_refresh_the_published_version_still_refuses_edits(client, admin_user):
    framework = load_framework(data=stale(shipped_data(0))).framework
    load_framework_file(shipped_files()[0])
    prompt = Prompt.objects.get(key_question__standard__framework=framework, code="2.2.1.a")
    refreshed = prompt.guidance
    assert refreshed

    prompt.guidance = "Edited by hand"
    with pytest.raises(FrameworkFrozen, match="is published and cannot be changed"):
        prompt.save()
    prompt.refresh_from_db()
    prompt.wording = "Edited by hand?"
    with pytest.raises(FrameworkFrozen):
        prompt.save()

    client.force_login(admin_user)
    editor = reverse("admin:standards_framework_editor", args=[framework.pk])
    url = f"{editor}?change=prompt-{prompt.pk}"
    assert client.post(url, {"guidance": "Edited in the admin"}).status_code == 403
    url = f"{editor}?change=key-question-{prompt.key_question_id}"
    assert client.post(url, {"guidance": "Edited in the admin"}).status_code == 403
    prompt.refresh_from_db()
    assert prompt.guidance == refreshed
    assert prompt.wording == shipped_wording("2.2.1.a")


def shipped_wording(code):
    data = shipped_data(0)
    return next(
        p["wording"]
        for d in data["domains"]
        for s in d["standards"]
        for k in s["key_questions"]
        for p in k["prompts"]
        if p["code"] == code
    )


def test_load_framework_command_says_when_it_brought_guidance_up_to_date(capsys):
    load_framework(data=stale(shipped_data(0)))
    call_command("load_framework")
    out = capsys.readouterr().out
    assert (
        "Already present: HMIP case supervision 2018 (CRC and NPS) (2018) [Published]; "
        "guidance brought up to date on 64 questions" in out
    )
    assert "Loaded HMIP PDU case supervision 2021 (2021) [Published]" in out
    call_command("load_framework")
    out = capsys.readouterr().out
    assert "brought up to date" not in out
    assert Framework.objects.count() == 2
