"""The workflow's own records (inspections, sampled cases, reviews and their answers) are shown in
the admin but never added, changed or deleted there: changes go through the service's pages,
which apply the workflow's rules."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from audit.models import CaseReview, Inspection, Judgement, PromptAnswer, SampledCase

from ..audit.scoring_support import review_of, score_completely, scoring_setup


@pytest.fixture
def scored(hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    review = score_completely(
        review_of(setup["inspection"], "X000001"), setup["assessor"], hmip_2018
    )
    return setup, review


@pytest.mark.parametrize("model", [Inspection, SampledCase, CaseReview])
def test_a_workflow_record_is_read_only_in_the_admin(client, admin_user, scored, model):
    client.force_login(admin_user)
    info = model._meta.app_label, model._meta.model_name
    record = model.objects.get()
    listing = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    add = reverse("admin:{}_{}_add".format(*info))
    assert listing.status_code == 200
    assert f'href="{add}"'.encode() not in listing.content
    assert client.get(add).status_code == 403
    change = reverse("admin:{}_{}_change".format(*info), args=[record.pk])
    page = client.get(change)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    before = {f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields}
    assert client.post(change, {"title": "Changed", "status": "published"}).status_code == 403
    assert (
        client.post(
            reverse("admin:{}_{}_delete".format(*info), args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    record.refresh_from_db()
    assert {f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields} == before


def test_a_review_shows_its_answers_and_judgements_read_only(
    client, admin_user, scored, django_assert_max_num_queries
):
    _, review = scored
    client.force_login(admin_user)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("admin:audit_casereview_change", args=[review.pk]))
    text = page.content.decode()
    judgements = Judgement.objects.filter(review=review).count()
    answers = PromptAnswer.objects.filter(review=review).count()
    assert judgements == 12 and answers > 40
    assert page.context["inline_admin_formsets"][0].formset.total_form_count() == judgements
    assert page.context["inline_admin_formsets"][1].formset.total_form_count() == answers
    assert "Delete?" not in text and 'name="_save"' not in text
    assert '<th class="original"></th>' not in text  # no table header without a name
    history = client.get(reverse("admin:audit_casereview_history", args=[review.pk]))
    assert (
        history.status_code == 200
        and 'style="' not in history.content.decode().split('id="content"')[1]
    )
    entry = review.history.order_by("history_id").first()
    revert = reverse("admin:audit_casereview_simple_history", args=[review.pk, entry.history_id])
    assert client.get(revert).status_code == 200  # an earlier version is shown
    assert client.post(revert, {}).status_code == 403  # and never restored
    review_then = (review.version, review.status, review.rosh_level_found)
    review.refresh_from_db()
    assert (review.version, review.status, review.rosh_level_found) == review_then


def test_the_admin_still_manages_accounts(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:audit_user_add"))
    assert response.status_code == 200 and b'name="_save"' in response.content
    assert get_user_model().objects.count() == 1
