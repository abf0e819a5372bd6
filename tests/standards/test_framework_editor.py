"""The framework editor in the admin: the tree on one page, edited in place for a draft, by admins
only, with rules built from choices, bands checked on every save, stale changes refused and
published versions frozen whatever is posted."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from standards.framework_file import file_data
from standards.models import Framework, FrameworkStatus, KeyQuestion, Prompt
from standards.services import clone_framework

from ..factories import UserFactory

ROSH_RULE = {"fact": "rosh_level", "in": ["medium", "high", "very_high"]}


@pytest.fixture
def draft(hmip_2021):
    return clone_framework(framework=hmip_2021, version="2021.1")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def editor(framework, **query):
    url = reverse("admin:standards_framework_editor", args=[framework.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def kq(framework, code):
    return KeyQuestion.objects.get(standard__framework=framework, code=code)


def prompt(framework, code):
    return Prompt.objects.get(key_question__standard__framework=framework, code=code)


def question_data(framework, parent, code, wording, guidance="", **rule):
    """A prompt form as posted: every fact 'does not matter' unless given in `rule`."""
    from standards.facts import FACT_LIST

    data = {
        "revision": Framework.objects.get(pk=framework.pk).revision,
        "code": code,
        "wording": wording,
        "guidance": guidance,
        "allows_not_applicable": "yes",
        "key_question": parent.pk,
        "asked": rule.pop("asked", "always"),
        "action": "save",
    }
    for fact in FACT_LIST:
        data[f"fact_{fact.name}"] = ""
    data.update(rule)
    return data


# --- who may do what ------------------------------------------------------------------------------


def _editing_requests(framework):
    """Every request that changes something, as (method, url, data)."""
    item = prompt(framework, "2.1.3.b")
    revision = framework.revision
    move = reverse("admin:standards_framework_editor_move", args=[framework.pk])
    preview = reverse("admin:standards_framework_editor_preview", args=[framework.pk])
    return [
        (
            "post",
            editor(framework, change="details"),
            {
                "revision": revision,
                "title": "Hacked",
                "version": framework.version,
                "person_label": "x",
            },
        ),
        ("post", editor(framework, change="bands"), {"revision": revision}),
        (
            "post",
            editor(framework, change=f"prompt-{item.pk}"),
            question_data(framework, item.key_question, "2.1.3.b", "Hacked"),
        ),
        (
            "post",
            editor(framework, add="prompt", to=item.key_question_id),
            question_data(framework, item.key_question, "2.1.3.z", "Hacked"),
        ),
        ("post", editor(framework, remove=f"prompt-{item.pk}"), {"revision": revision}),
        ("post", move, {"revision": revision, "move": f"prompt-{item.pk}", "direction": "up"}),
        (
            "post",
            f"{preview}?change=prompt-{item.pk}",
            question_data(framework, item.key_question, "2.1.3.b", "Hacked"),
        ),
        (
            "post",
            reverse("admin:standards_framework_publish", args=[framework.pk]),
            {"revision": revision},
        ),
        ("post", reverse("admin:standards_framework_clone", args=[framework.pk]), {}),
        ("get", editor(framework, change=f"prompt-{item.pk}"), None),
        ("get", reverse("admin:standards_framework_publish", args=[framework.pk]), None),
        ("get", reverse("admin:standards_framework_export", args=[framework.pk]), None),
        ("get", reverse("admin:standards_framework_import"), None),
    ]


def _state():
    return [
        (f.pk, f.status, json.dumps(file_data(f), sort_keys=True))
        for f in Framework.objects.order_by("pk")
    ]


@pytest.mark.parametrize(
    "who", ["anonymous", "lead", "staff without the admin role", "admin role without staff"]
)
def test_nobody_but_an_admin_reaches_any_editing_url(client, draft, make_user, who):
    if who == "lead":
        client.force_login(make_user("lead"))
    elif who == "staff without the admin role":
        client.force_login(make_user("lead", is_staff=True))
    elif who == "admin role without staff":
        client.force_login(make_user("admin"))
    before = _state()
    for method, url, data in _editing_requests(draft):
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 302, (url, response.status_code)
        assert (
            "/admin/login/" in response["Location"] or "/accounts/login/" in response["Location"]
        ), url
    assert _state() == before
    assert not LogEntry.objects.exists()


def test_an_admin_who_is_not_a_superuser_may_edit(client, draft):
    admin = UserFactory(is_staff=True, roles=["admin"])
    client.force_login(admin)
    item = prompt(draft, "2.1.3.b")
    response = client.post(
        editor(draft, change=f"prompt-{item.pk}"),
        question_data(
            draft,
            item.key_question,
            "2.1.3.b",
            "Reworded by an admin",
            asked="all",
            fact_rosh_level="in",
            fact_rosh_level_in=["medium", "high", "very_high"],
        ),
    )
    assert response.status_code == 302
    assert prompt(draft, "2.1.3.b").wording == "Reworded by an admin"
    assert LogEntry.objects.get().change_message == "Saved prompt 2.1.3.b."


def test_a_published_version_is_frozen_whatever_is_posted(admin_client, hmip_2021):
    before = _state()
    for method, url, data in _editing_requests(hmip_2021):
        if "clone" in url or method == "get":
            continue
        response = admin_client.post(url, data)
        assert response.status_code == 403, url
    assert _state() == before
    page = admin_client.get(editor(hmip_2021))
    assert b"cannot be changed" in page.content
    assert b"?change=" not in page.content and b'name="move"' not in page.content
    opened = admin_client.get(editor(hmip_2021, change="bands"))
    assert opened.status_code == 302  # no form is opened on a published version


def test_the_tree_is_read_in_a_few_queries(admin_client, draft, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        page = admin_client.get(editor(draft))
    assert page.status_code == 200
    assert (
        page.content.count(b'app-editor__prompt"')
        == Prompt.objects.filter(key_question__standard__framework=draft).count()
    )


# --- editing in place -----------------------------------------------------------------------------


def test_a_prompt_is_added_with_a_rule_built_from_choices(admin_client, draft):
    parent = kq(draft, "2.1.3")
    url = editor(draft, add="prompt", to=parent.pk)
    form = admin_client.get(url)
    assert form.context["editing"].form["code"].value() == "2.1.3.h"
    data = question_data(
        draft,
        parent,
        "2.1.3.h",
        "Were the victims' views sought?",
        asked="all",
        fact_rosh_level="in",
        fact_rosh_level_in=["very_high", "medium", "high"],
    )
    preview_url = reverse("admin:standards_framework_editor_preview", args=[draft.pk])
    preview = admin_client.post(preview_url + url[url.index("?") :], data)
    assert preview.status_code == 200
    html = preview.content.decode()
    read_back = "<strong>The rule reads:</strong> Asked when the RoSH level is medium, high or"
    assert read_back in html
    # Saving from the preview posts to the editor itself; each URL of its own takes POST only.
    base = reverse("admin:standards_framework_editor", args=[draft.pk])
    assert f'action="{base}?add=prompt' in html
    assert f'formaction="{preview_url}?add=prompt' in html
    assert admin_client.get(preview_url).status_code == 405
    move = reverse("admin:standards_framework_editor_move", args=[draft.pk])
    assert admin_client.get(move).status_code == 405
    assert not Prompt.objects.filter(key_question=parent, code="2.1.3.h").exists()
    saved = admin_client.post(url, data)
    added = prompt(draft, "2.1.3.h")
    assert saved.status_code == 302
    assert saved["Location"].endswith(f"#prompt-{added.pk}")
    assert added.applicability == ROSH_RULE
    assert added.order == parent.prompts.count()
    page = admin_client.get(editor(draft)).content.decode()
    assert "Added prompt 2.1.3.h." in page
    assert "Asked when the RoSH level is medium, high or very high." in page


def test_the_rule_builder_refuses_choices_that_make_no_rule(admin_client, draft):
    item = prompt(draft, "2.1.3.b")
    url = editor(draft, change=f"prompt-{item.pk}")
    no_condition = admin_client.post(
        url, question_data(draft, item.key_question, "2.1.3.b", item.wording, asked="any")
    )
    assert no_condition.status_code == 400
    assert no_condition.context["editing"].form.errors == {
        "asked": ["Choose at least one condition below, or choose ‘Always’"]
    }
    no_values = admin_client.post(
        url,
        question_data(
            draft,
            item.key_question,
            "2.1.3.b",
            item.wording,
            asked="all",
            fact_gender="not_in",
            fact_home_visit_needed="yes",
        ),
    )
    assert no_values.context["editing"].form.errors == {
        "fact_gender_not_in": ["Tick at least one value for “Gender is none of”"]
    }
    always_with_conditions = admin_client.post(
        url, question_data(draft, item.key_question, "2.1.3.b", item.wording, fact_review_due="no")
    )
    assert "‘Does not matter’" in always_with_conditions.context["editing"].form.errors["asked"][0]
    assert prompt(draft, "2.1.3.b").applicability == ROSH_RULE


def test_compound_and_negated_rules_are_built_and_read_back(admin_client, draft):
    item = prompt(draft, "2.1.3.c")
    admin_client.post(
        editor(draft, change=f"prompt-{item.pk}"),
        question_data(
            draft,
            item.key_question,
            "2.1.3.c",
            item.wording,
            asked="any",
            fact_sentence_type="not_in",
            fact_sentence_type_not_in=["licence"],
            fact_domestic_abuse_history="yes",
        ),
    )
    assert prompt(draft, "2.1.3.c").applicability == {
        "any": [
            {"not": {"fact": "sentence_type", "in": ["licence"]}},
            {"fact": "domestic_abuse_history", "equals": True},
        ]
    }
    assert (
        "Asked when the sentence type is not licence or there is a history of domestic abuse."
    ) in admin_client.get(editor(draft)).content.decode()


def test_a_rule_the_choices_cannot_show_is_kept_when_other_fields_change(admin_client, draft):
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
    Prompt.objects.filter(pk=prompt(draft, "2.1.3.c").pk).update(applicability=nested)
    item = prompt(draft, "2.1.3.c")
    url = editor(draft, change=f"prompt-{item.pk}")
    form = admin_client.get(url).context["editing"].form
    assert form["asked"].value() == "keep"
    assert dict(form.fields["asked"].choices)["keep"] == (
        "Keep the current rule: Asked when the RoSH level is high and (a review is due or the "
        "case is eligible for MAPPA)"
    )
    admin_client.post(
        url, question_data(draft, item.key_question, "2.1.3.c", "New wording", asked="keep")
    )
    assert prompt(draft, "2.1.3.c").wording == "New wording"
    assert prompt(draft, "2.1.3.c").applicability == nested


def test_drop_downs_offer_only_the_draft_labelled_with_its_version(admin_client, draft, hmip_2018):
    item = prompt(draft, "2.1.3.b")
    form = admin_client.get(editor(draft, change=f"prompt-{item.pk}")).context["editing"].form
    field = form.fields["key_question"]
    assert field.label == "Key question (in version 2021.1)"
    assert set(field.queryset) == set(KeyQuestion.objects.filter(standard__framework=draft))
    assert [label for _, label in field.choices][0] == (
        "2.1.1 Does assessment focus sufficiently on engaging the person on pr…"
    )
    elsewhere = kq(hmip_2018, "2.1.3")
    response = admin_client.post(
        editor(draft, change=f"prompt-{item.pk}"),
        {
            **question_data(draft, item.key_question, "2.1.3.b", item.wording),
            "key_question": elsewhere.pk,
        },
    )
    assert "key_question" in response.context["editing"].form.errors
    assert prompt(draft, "2.1.3.b").key_question_id == item.key_question_id
    standard_form = (
        admin_client.get(editor(draft, change=f"standard-{draft.standards.get(code='2.1').pk}"))
        .context["editing"]
        .form
    )
    assert set(standard_form.fields["domain"].queryset) == set(draft.domains.all())
    assert standard_form.fields["domain"].label == "Domain (in version 2021.1)"


def test_a_code_already_in_the_version_is_refused_at_the_field(admin_client, draft):
    parent = kq(draft, "2.2.1")
    response = admin_client.post(
        editor(draft, add="prompt", to=parent.pk),
        question_data(draft, parent, "2.1.3.a", "A second 2.1.3.a"),
    )
    assert response.status_code == 400
    assert response.context["editing"].form.errors["code"] == [
        "Prompt 2.1.3.a is already in version 2021.1: give this prompt its own code"
    ]


def test_bands_are_checked_on_every_save_with_the_message_at_the_band(admin_client, draft):
    url = editor(draft, change="bands")
    data = {
        "revision": draft.revision,
        "lower_outstanding": "80",
        "lower_good": "85",
        "lower_requires_improvement": "50",
        "lower_inadequate": "0",
        "min_inadequate": "0",
        "max_inadequate": "4",
        "min_requires_improvement": "5",
        "max_requires_improvement": "13",
        "min_good": "14",
        "max_good": "22",
        "min_outstanding": "23",
        "max_outstanding": "26",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert response.context["editing"].form.errors == {
        "lower_outstanding": [
            "Outstanding starts at 80%, which is not above Good at 85%: each "
            "better rating must need a higher percentage than the one below "
            "it."
        ],
        "max_outstanding": [
            "Outstanding ends at 26: the Outstanding band must end at the "
            "maximum score, 27 (3 points for each standard)."
        ],
    }
    assert draft.rating_bands.get(rating="good").lower_bound == 65
    response = admin_client.post(url, {**data, "lower_good": "70", "max_outstanding": "27"})
    assert response.status_code == 302
    assert draft.rating_bands.get(rating="good").lower_bound == 70


def test_a_stale_change_is_refused_keeping_what_was_typed(admin_client, draft):
    item = prompt(draft, "2.1.3.b")
    url = editor(draft, change=f"prompt-{item.pk}")
    stale = question_data(draft, item.key_question, "2.1.3.b", "My wording")
    other = question_data(draft, item.key_question, "2.1.3.b", "Their wording")
    assert admin_client.post(url, other).status_code == 302
    response = admin_client.post(url, stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this draft after you opened it." in page
    assert "My wording" in page and "Their wording" in page
    assert prompt(draft, "2.1.3.b").wording == "Their wording"
    form = response.context["editing"].form
    assert int(form["revision"].value()) == Framework.objects.get(pk=draft.pk).revision
    again = admin_client.post(url, {**stale, "revision": form["revision"].value()})
    assert again.status_code == 302
    assert prompt(draft, "2.1.3.b").wording == "My wording"


def test_parts_are_moved_and_removed_in_place(admin_client, draft):
    item = prompt(draft, "2.1.1.b")
    move = reverse("admin:standards_framework_editor_move", args=[draft.pk])
    moved = admin_client.post(
        move, {"revision": draft.revision, "move": f"prompt-{item.pk}", "direction": "up"}
    )
    assert moved["Location"].endswith(f"#prompt-{item.pk}")
    assert list(kq(draft, "2.1.1").prompts.values_list("code", flat=True)) == [
        "2.1.1.b",
        "2.1.1.a",
        "2.1.1.c",
    ]
    question = kq(draft, "2.4.3")
    confirm = admin_client.get(editor(draft, remove=f"key-question-{question.pk}"))
    assert "This removes key question 2.4.3 from the draft, with its 4 prompts." in (
        confirm.content.decode()
    )
    removed = admin_client.post(
        editor(draft, remove=f"key-question-{question.pk}"),
        {"revision": Framework.objects.get(pk=draft.pk).revision},
    )
    assert removed.status_code == 302
    assert not KeyQuestion.objects.filter(pk=question.pk).exists()


def test_details_name_the_version_it_replaces(admin_client, draft, hmip_2021, hmip_2018):
    url = editor(draft, change="details")
    form = admin_client.get(url).context["editing"].form
    assert [label for _, label in form.fields["previous_version"].choices] == [
        "None: it is new",
        "HMIP PDU case supervision 2021, version 2021 (published)",
        "HMIP case supervision 2018 (CRC and NPS), version 2018 (published)",
    ]
    taken = admin_client.post(
        url,
        {
            "revision": draft.revision,
            "title": draft.title,
            "version": "2021",
            "person_label": "person on probation",
            "previous_version": hmip_2021.pk,
        },
    )
    assert taken.context["editing"].form.errors == {
        "version": [
            "HMIP PDU case supervision 2021 (2021) already has this version: choose another"
        ]
    }
    admin_client.post(
        url,
        {
            "revision": draft.revision,
            "title": "Revised",
            "version": "2022",
            "person_label": "person on probation",
            "description": "",
            "previous_version": "",
        },
    )
    draft.refresh_from_db()
    assert (draft.title, draft.version, draft.replaced_version()) == ("Revised", "2022", None)


# --- publishing, import and export ----------------------------------------------------------------


def test_publishing_shows_the_changes_then_supersedes_the_replaced_version(
    admin_client, draft, hmip_2021
):
    item = prompt(draft, "2.1.3.b")
    admin_client.post(
        editor(draft, change=f"prompt-{item.pk}"),
        question_data(
            draft,
            item.key_question,
            "2.1.3.b",
            item.wording,
            guidance=item.guidance,
            asked="all",
            fact_rosh_level="in",
            fact_rosh_level_in=["high", "very_high"],
        ),
    )
    url = reverse("admin:standards_framework_publish", args=[draft.pk])
    page = admin_client.get(url)
    sections = {s.title: s.changes for s in page.context["sections"]}
    assert [(c.element, c.what, c.before, c.after) for c in sections["Prompts"]] == [
        (
            "Prompt 2.1.3.b",
            "When it is asked",
            "Asked when the RoSH level is medium, high or very high",
            "Asked when the RoSH level is high or very high",
        )
    ]
    assert "Version 2021 will be marked Superseded" in page.content.decode()
    published = admin_client.post(url, {"revision": Framework.objects.get(pk=draft.pk).revision})
    assert published.status_code == 302
    draft.refresh_from_db()
    hmip_2021.refresh_from_db()
    assert (draft.status, hmip_2021.status) == (
        FrameworkStatus.PUBLISHED,
        FrameworkStatus.SUPERSEDED,
    )


def test_a_draft_that_cannot_be_published_says_why_and_has_no_button(admin_client, draft):
    draft.score_bands.filter(rating="outstanding").update(max_score=26)
    page = admin_client.get(reverse("admin:standards_framework_publish", args=[draft.pk]))
    text = page.content.decode()
    assert "This draft cannot be published yet" in text
    assert "Outstanding ends at 26" in text
    assert "Publish version 2021.1</button>" not in text
    refused = admin_client.post(
        reverse("admin:standards_framework_publish", args=[draft.pk]), {"revision": draft.revision}
    )
    assert refused.status_code == 400
    assert Framework.objects.get(pk=draft.pk).status == FrameworkStatus.DRAFT


def test_the_publish_action_opens_the_confirmation_page(admin_client, draft, hmip_2021):
    changelist = reverse("admin:standards_framework_changelist")
    response = admin_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert response["Location"] == reverse("admin:standards_framework_publish", args=[draft.pk])
    several = admin_client.post(
        changelist, {"action": "publish", "_selected_action": [draft.pk, hmip_2021.pk]}, follow=True
    )
    assert "Select one draft version to publish" in several.content.decode()
    assert Framework.objects.get(pk=draft.pk).status == FrameworkStatus.DRAFT
    actions = admin_client.get(changelist).context["action_form"].fields["action"].choices
    assert "delete_selected" not in dict(actions)


def test_export_then_import_moves_a_version_between_installations(admin_client, draft):
    exported = admin_client.get(reverse("admin:standards_framework_export", args=[draft.pk]))
    assert exported["Content-Disposition"] == (
        'attachment; filename="hmip-case-supervision-2021.1.json"'
    )
    data = json.loads(exported.content)
    assert data == file_data(draft)
    data["version"] = "2021.7"
    url = reverse("admin:standards_framework_import")
    upload = _upload(json.dumps(data).encode())
    response = admin_client.post(url, {"file": upload})
    imported = Framework.objects.get(code=draft.code, version="2021.7")
    assert response["Location"] == editor(imported)
    assert imported.status == FrameworkStatus.DRAFT and file_data(imported) == data


def test_an_import_that_does_not_match_is_refused_with_each_problem(admin_client, draft):
    data = file_data(draft)
    data["version"] = "2021.8"
    data["domains"][1]["standards"][0]["key_questions"][2]["prompts"][1]["applicability"] = {
        "fact": "rosh_level",
        "in": ["severe"],
    }
    response = admin_client.post(
        reverse("admin:standards_framework_import"), {"file": _upload(json.dumps(data).encode())}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        'Prompt 2.1.3.b, applicability: "severe" is not a value of rosh_level; use one of: low, '
        "medium, high, very_high, not_screened."
    ]
    assert not Framework.objects.filter(version="2021.8").exists()
    assert "Prompt 2.1.3.b, applicability" in response.content.decode()


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("framework.json", content, content_type="application/json")


def test_a_version_opens_in_the_editor_and_its_parts_have_no_admin_pages_of_their_own(
    admin_client, draft
):
    response = admin_client.get(reverse("admin:standards_framework_change", args=[draft.pk]))
    assert response["Location"] == editor(draft)
    for model in ("standard", "keyquestion", "prompt", "domain"):
        assert admin_client.get(f"/admin/standards/{model}/").status_code == 404


def test_a_version_is_built_from_nothing(admin_client):
    add = reverse("admin:standards_framework_add")
    refused = admin_client.post(
        add,
        {
            "code": "local-audit",
            "version": "1/2",
            "title": "Local",
            "person_label": "person on probation",
        },
    )
    assert refused.context["adminform"].form.errors == {
        "version": [
            "Enter a version of letters, digits, dots or hyphens, without spaces, e.g. 2021.1"
        ]
    }
    made = admin_client.post(
        add,
        {
            "code": "local-audit",
            "version": "1",
            "title": "Local",
            "person_label": "person on probation",
        },
    )
    framework = Framework.objects.get(code="local-audit")
    assert made["Location"] == editor(framework)
    page = admin_client.get(editor(framework))
    assert "Give a percentage band for Outstanding." in page.content.decode()

    def post(query, data):
        fresh = Framework.objects.get(pk=framework.pk)
        response = admin_client.post(editor(fresh, **query), {"revision": fresh.revision, **data})
        assert response.status_code == 302, response.context["editing"].form.errors
        return response

    post({"add": "domain"}, {"code": "1", "title": "Case supervision"})
    domain = framework.domains.get()
    post(
        {"add": "standard", "to": domain.pk},
        {"code": "1.1", "title": "Assessment", "rated_by": "case_data", "domain": domain.pk},
    )
    standard = framework.standards.get()
    post(
        {"add": "key-question", "to": standard.pk},
        {
            **question_data(framework, standard, "1.1.1", "Is the assessment sufficient?"),
            "lens": "engaging",
            "standard": standard.pk,
            "allows_not_applicable": "no",
        },
    )
    post(
        {"change": "bands"},
        {
            "lower_outstanding": "80",
            "lower_good": "65",
            "lower_requires_improvement": "50",
            "lower_inadequate": "0",
            "min_inadequate": "0",
            "max_inadequate": "0",
            "min_requires_improvement": "1",
            "max_requires_improvement": "1",
            "min_good": "2",
            "max_good": "2",
            "min_outstanding": "3",
            "max_outstanding": "3",
        },
    )
    publish = admin_client.get(reverse("admin:standards_framework_publish", args=[framework.pk]))
    assert publish.context["problems"] == []
    assert "It replaces no published version" in publish.content.decode()
    question = KeyQuestion.objects.get(standard=standard)
    assert (question.order, question.allows_not_applicable, question.applicability) == (
        1,
        False,
        {},
    )


def test_a_form_without_its_revision_is_refused_in_words(admin_client, draft):
    item = prompt(draft, "2.1.3.b")
    data = question_data(draft, item.key_question, "2.1.3.b", "Changed")
    del data["revision"]
    response = admin_client.post(editor(draft, change=f"prompt-{item.pk}"), data)
    assert response.status_code == 400
    assert "The page was incomplete: reload it and try again." in response.content.decode()
    assert prompt(draft, "2.1.3.b").wording != "Changed"
