"""Timeliness measures freeze with their framework version: a limit is changed in a draft, in the
admin, and a published version's measures refuse every change with the reason."""

import pytest
from django.urls import reverse

from standards.models import FrameworkFrozen, TimelinessMeasure
from standards.services import clone_framework, publish_framework

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
