"""Timeliness measures freeze with their framework version: a limit is changed in a draft, in the
admin, and a published version's measures refuse every change with the reason."""

import importlib
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from standards.changes import compare
from standards.framework_file import FileRefused, file_data
from standards.loaders import shipped_files
from standards.models import Framework, FrameworkFrozen, FrameworkStatus, TimelinessMeasure
from standards.services import clone_framework, import_framework, publish_framework
from standards.timeliness import KINDS

FROZEN = "is published and cannot be changed"


def limits(framework):
    return list(framework.timeliness_measures.values_list("code", "limit_working_days", "order"))


def change_url(measure):
    return reverse("admin:standards_timelinessmeasure_change", args=[measure.pk])


def test_a_published_version_refuses_a_changed_or_removed_measure(hmip_2021):
    measure = hmip_2021.timeliness_measures.get(code="allocated_in_time")
    measure.limit_working_days = 3
    with pytest.raises(FrameworkFrozen, match=FROZEN):
        measure.save()
    with pytest.raises(FrameworkFrozen, match=FROZEN):
        measure.delete()
    with pytest.raises(FrameworkFrozen, match=FROZEN):
        TimelinessMeasure(
            framework=hmip_2021, code="allocated_in_time", limit_working_days=2
        ).save()
    assert hmip_2021.timeliness_measures.get(code="allocated_in_time").limit_working_days == 1


def test_the_admin_shows_a_published_measure_read_only_with_the_reason(hmip_2021, admin_client):
    measure = hmip_2021.timeliness_measures.get(code="first_appointment_in_time")
    page = admin_client.get(change_url(measure)).content.decode()
    assert FROZEN in page
    assert "Clone as new draft version" in page
    assert 'name="limit_working_days"' not in page
    assert 'name="_save"' not in page


def test_the_admin_refuses_a_change_to_a_published_measure(hmip_2021, admin_client):
    measure = hmip_2021.timeliness_measures.get(code="first_appointment_in_time")
    before = limits(hmip_2021)
    response = admin_client.post(change_url(measure), {"limit_working_days": 2, "order": 9})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{hmip_2021} is published and cannot be changed." in page
    assert limits(hmip_2021) == before
    assert TimelinessMeasure.objects.get(pk=measure.pk).limit_working_days == 5


def test_a_published_measure_cannot_be_deleted_in_the_admin(hmip_2021, admin_client):
    measure = hmip_2021.timeliness_measures.get(code="rosh_screening_in_time")
    url = reverse("admin:standards_timelinessmeasure_delete", args=[measure.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert TimelinessMeasure.objects.filter(pk=measure.pk).exists()


def test_clone_copies_the_measures_and_the_draft_limit_is_changed_in_the_admin(
    hmip_2021, admin_client
):
    draft = clone_framework(framework=hmip_2021, version="2021.1")
    assert (
        limits(draft)
        == limits(hmip_2021)
        == [
            ("allocated_in_time", 1, 1),
            ("first_appointment_in_time", 5, 2),
            ("rosh_screening_in_time", 5, 3),
        ]
    )
    measure = draft.timeliness_measures.get(code="rosh_screening_in_time")
    page = admin_client.get(change_url(measure)).content.decode()
    assert 'name="limit_working_days"' in page and FROZEN not in page
    response = admin_client.post(change_url(measure), {"limit_working_days": 10, "order": 3})
    assert response.status_code == 302
    assert draft.timeliness_measures.get(code="rosh_screening_in_time").limit_working_days == 10
    assert hmip_2021.timeliness_measures.get(code="rosh_screening_in_time").limit_working_days == 5
    # Published, the draft's limit is frozen with it.
    publish_framework(framework=draft)
    response = admin_client.post(change_url(measure), {"limit_working_days": 4, "order": 3})
    assert response.status_code == 200
    assert draft.timeliness_measures.get(code="rosh_screening_in_time").limit_working_days == 10


def test_a_measure_is_added_only_to_a_draft(hmip_2021, admin_client):
    draft = clone_framework(framework=hmip_2021, version="2021.1")
    draft.timeliness_measures.filter(code="allocated_in_time").delete()
    add = reverse("admin:standards_timelinessmeasure_add")
    response = admin_client.post(
        add,
        {
            "framework": hmip_2021.pk,
            "code": "allocated_in_time",
            "limit_working_days": 2,
            "order": 1,
        },
    )
    assert response.status_code == 200
    assert hmip_2021.timeliness_measures.get(code="allocated_in_time").limit_working_days == 1
    response = admin_client.post(
        add,
        {"framework": draft.pk, "code": "allocated_in_time", "limit_working_days": 2, "order": 1},
    )
    assert response.status_code == 302
    assert draft.timeliness_measures.get(code="allocated_in_time").limit_working_days == 2


# --- the framework file ---------------------------------------------------------------------------

SHIPPED_LIMITS = [
    {"code": "allocated_in_time", "limit_working_days": 1},
    {"code": "first_appointment_in_time", "limit_working_days": 5},
    {"code": "rosh_screening_in_time", "limit_working_days": 5},
]


def shipped(index):
    with open(shipped_files()[index], encoding="utf-8") as handle:
        return json.load(handle)


def test_the_shipped_files_declare_the_measures_migration_0005_gave_every_version():
    migration = importlib.import_module("standards.migrations.0005_timeliness_measures")
    for index in (0, 1):
        measures = shipped(index)["timeliness_measures"]
        assert measures == SHIPPED_LIMITS
        assert [(m["code"], m["limit_working_days"]) for m in measures] == list(migration.SHIPPED)
    assert [(k.code, k.default_limit) for k in KINDS] == list(migration.SHIPPED)


def test_load_framework_on_a_fresh_database_gives_each_version_its_measures(db):
    call_command("load_framework", stdout=io.StringIO())
    versions = Framework.objects.order_by("version")
    assert [v.status for v in versions] == [FrameworkStatus.PUBLISHED] * 2
    for version in versions:
        assert limits(version) == [
            ("allocated_in_time", 1, 1),
            ("first_appointment_in_time", 5, 2),
            ("rosh_screening_in_time", 5, 3),
        ]
    # Loading again changes nothing.
    call_command("load_framework", stdout=io.StringIO())
    assert TimelinessMeasure.objects.count() == 6


def test_a_draft_limit_is_exported_and_imported_with_the_version(hmip_2021, admin_client):
    draft = clone_framework(framework=hmip_2021, version="2021.1")
    measure = draft.timeliness_measures.get(code="allocated_in_time")
    admin_client.post(change_url(measure), {"limit_working_days": 2, "order": 1})
    draft.timeliness_measures.filter(code="rosh_screening_in_time").delete()
    data = file_data(draft)
    assert data["timeliness_measures"] == [
        {"code": "allocated_in_time", "limit_working_days": 2},
        {"code": "first_appointment_in_time", "limit_working_days": 5},
    ]
    data["version"] = "2021.2"
    imported = import_framework(raw=json.dumps(data).encode())
    assert limits(imported) == [("allocated_in_time", 2, 1), ("first_appointment_in_time", 5, 2)]
    assert file_data(imported) == data
    sections = {s.title: s.changes for s in compare(file_data(hmip_2021), file_data(draft))}
    assert [(c.element, c.what, c.before, c.after) for c in sections["Timeliness measures"]] == [
        ("Allocated in time", "Limit", "1 working day", "2 working days"),
        ("Rosh screening in time", "Limit", "5 working days", "None"),
    ]


def test_a_file_without_measures_gets_the_shipped_ones_and_an_empty_list_none(db):
    data = shipped(1)
    del data["timeliness_measures"]
    data["version"] = "2021.7"
    assert limits(import_framework(raw=json.dumps(data).encode())) == [
        ("allocated_in_time", 1, 1),
        ("first_appointment_in_time", 5, 2),
        ("rosh_screening_in_time", 5, 3),
    ]
    data["timeliness_measures"] = []
    data["version"] = "2021.8"
    assert limits(import_framework(raw=json.dumps(data).encode())) == []


def test_the_measures_in_a_file_are_checked_naming_the_measure_and_field(db):
    data = shipped(1)
    data["version"] = "2021.9"
    data["timeliness_measures"] = [
        {"code": "allocated_in_time", "limit_working_days": 61},
        {"code": "seen_in_time", "limit_working_days": 3},
        {"code": "first_appointment_in_time"},
        {"code": "rosh_screening_in_time", "limit_working_days": "5", "from": "allocation"},
        {"code": "allocated_in_time", "limit_working_days": -1},
        "rosh_screening_in_time",
    ]
    before = (Framework.objects.count(), TimelinessMeasure.objects.count())
    with pytest.raises(FileRefused) as refusal:
        import_framework(raw=json.dumps(data).encode())
    assert (Framework.objects.count(), TimelinessMeasure.objects.count()) == before
    assert [str(p) for p in refusal.value.problems] == [
        "Timeliness measure allocated_in_time, limit_working_days: It is 61 working days; the "
        "most allowed is 60.",
        "Timeliness measure 2, code: “seen_in_time” is not allowed here; use one of: "
        "allocated_in_time, first_appointment_in_time, rosh_screening_in_time.",
        "Timeliness measure first_appointment_in_time, limit_working_days: It is missing: give "
        "the limit working days.",
        "Timeliness measure rosh_screening_in_time, from: The framework file has no such field; "
        "check its spelling. Fields here: code, limit_working_days.",
        "Timeliness measure rosh_screening_in_time, limit_working_days: It must be a whole "
        "number, without quotes.",
        "Timeliness measure allocated_in_time, limit_working_days: It must not be below 0.",
        "Timeliness measure allocated_in_time, code: Another timeliness measure earlier in the "
        "file has the code allocated_in_time: a version measures each step once, so list it once "
        "with one limit.",
        "Timeliness measure 6: It must be a JSON object with the fields code, limit_working_days.",
    ]
    data["timeliness_measures"] = {"allocated_in_time": 1}
    with pytest.raises(FileRefused) as refusal:
        import_framework(raw=json.dumps(data).encode())
    assert [str(p) for p in refusal.value.problems] == [
        "The framework version, timeliness_measures: It must be a list in square brackets."
    ]
