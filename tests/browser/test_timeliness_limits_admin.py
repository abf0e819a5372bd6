"""An admin changing a timeliness limit: a published version's measure is read-only with the
reason; the draft cloned from it takes the change. At 1,280 and 320 pixels, axe clean."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from standards.loaders import load_framework_file, shipped_files
from standards.models import FrameworkStatus, TimelinessMeasure
from standards.services import clone_framework

from .best_practice import check_page
from .conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def both_widths(page, name):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, f"{name}-{width}", rules=width == 1280)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_changes_a_limit_in_a_draft_not_in_the_published_version(page, sign_in, demo_people):
    published = load_framework_file(shipped_files()[1]).framework
    assert published.status == FrameworkStatus.PUBLISHED
    draft = clone_framework(framework=published, version="2021.1")
    sign_in(page, "admin", DEMO_PASSWORD)

    frozen = published.timeliness_measures.get(code="first_appointment_in_time")
    page.goto(reverse("admin:standards_timelinessmeasure_change", args=[frozen.pk]))
    expect(page.get_by_text("is published and cannot be changed")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    both_widths(page, "timeliness-limit-published")

    measure = draft.timeliness_measures.get(code="first_appointment_in_time")
    page.goto(reverse("admin:standards_timelinessmeasure_change", args=[measure.pk]))
    both_widths(page, "timeliness-limit-draft")
    page.get_by_label("Limit working days").fill("3")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    both_widths(page, "timeliness-limits-list")
    assert TimelinessMeasure.objects.get(pk=measure.pk).limit_working_days == 3
    assert TimelinessMeasure.objects.get(pk=frozen.pk).limit_working_days == 5
