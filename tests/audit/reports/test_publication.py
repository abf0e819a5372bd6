"""Publishing an inspection: the confirmation page, an incomplete overall rating published only as
partial with a reason, low agreement only with a note, and the record the report shows."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.inspections import lifecycle
from audit.models import InspectionPublished, InspectionStatus, Judgement, Publication
from audit.moderation.agreement import MIN_PAIRS_TO_JUDGE, PairCounts, agreement
from audit.moderation.services import resolve_disagreement
from audit.reports.publication import (
    AGREEMENT_NOTE_REQUIRED,
    PARTIAL_REASON_REQUIRED,
    agreement_needs_note,
    publication_summary,
    publish_inspection,
)
from audit.reports.standard_ratings import record_standard_rating
from standards.models import Framework, FrameworkStatus, RatedBy, ScoreBand, Standard
from tests.audit.moderation_support import (
    N,
    S,
    completed_read,
    inspection_for,
    published_framework,
    submitted_review,
)
from tests.factories import StandardFactory

M, PUB = InspectionStatus.MODERATION, InspectionStatus.PUBLISHED
BANDS_OF_TWO_STANDARDS = [
    ("inadequate", 0, 1),
    ("requires_improvement", 2, 3),
    ("good", 4, 5),
    ("outstanding", 6, 6),
]
REVIEWS = 7  # three key questions each: 21 pairs, enough to judge


@pytest.fixture
def lead(make_user):
    return make_user("lead", username="leigh", first_name="Leigh", last_name="Lead")


@pytest.fixture
def assessor(make_user):
    return make_user("assessor", username="asha")


@pytest.fixture
def moderator(make_user):
    return make_user("moderator", username="mo")


def _inspection(lead, assessor, moderator, *, second, judgement_standard=False):
    """An inspection in moderation, every second read complete and every disagreement
    resolved; `second` is the moderator's judgements of each review (the first are S, S, N)."""
    framework = published_framework(codes=("2.1.1", "2.1.2", "2.1.3"), not_applicable=())
    if judgement_standard:
        frameworks = Framework.objects.filter(pk=framework.pk)
        frameworks.update(status=FrameworkStatus.DRAFT)
        StandardFactory(
            domain__framework=framework, code="9.1", title="Leadership", rated_by=RatedBy.JUDGEMENT
        )
        ScoreBand.objects.filter(framework=framework).delete()
        for rating, low, high in BANDS_OF_TWO_STANDARDS:
            ScoreBand.objects.create(
                framework=framework, rating=rating, min_score=low, max_score=high
            )
        frameworks.update(status=FrameworkStatus.PUBLISHED)
        framework.refresh_from_db()
    inspection = inspection_for(framework, status=M, title="Wolverhampton 2026", lead=lead)
    lead.providers.add(inspection.test_provider)
    for _ in range(REVIEWS):
        review = submitted_review(inspection, assessor, [S, S, N])
        completed_read(review, moderator, second)
    for judgement in Judgement.objects.filter(review__sampled_case__inspection=inspection):
        read_value = dict(zip(("2.1.1", "2.1.2", "2.1.3"), second, strict=True))[
            judgement.key_question.code
        ]
        if read_value != judgement.value:
            resolve_disagreement(judgement=judgement, value=read_value, note="Agreed.", by=lead)
    inspection.refresh_from_db()
    return inspection


@pytest.fixture
def agreeing(lead, assessor, moderator):
    return _inspection(lead, assessor, moderator, second=[S, S, N])


@pytest.fixture
def disagreeing(lead, assessor, moderator):
    """21 pairs: 7 agree, 14 do not; kappa -0.5, well below the default threshold 0.60."""
    return _inspection(lead, assessor, moderator, second=[S, N, S])


@pytest.fixture
def incomplete(lead, assessor, moderator):
    """A judgement-rated standard without the lead's rating: the overall rating is partial."""
    return _inspection(lead, assessor, moderator, second=[S, S, N], judgement_standard=True)


def check_url(inspection):
    return reverse("reports:publish_check", args=[inspection.pk])


def publish_url(inspection):
    return reverse("reports:publish", args=[inspection.pk])


def status_of(inspection):
    inspection.refresh_from_db()
    return inspection.status


# The rules, as services ----------------------------------------------------------------------


def test_a_complete_inspection_in_good_agreement_publishes_with_its_record(agreeing, lead):
    publication = publish_inspection(inspection=agreeing, by=lead)
    assert status_of(agreeing) == PUB
    assert publication.published_by == lead
    assert publication.published_at == agreeing.published_at
    assert (publication.partial_reason, publication.agreement_note) == ("", "")
    assert publication.kappa == Decimal("1.000")
    assert publication.agreement_pairs == 3 * REVIEWS
    assert publication.agreement_threshold == Decimal("0.60")


def test_an_incomplete_overall_rating_is_refused_without_a_reason(incomplete, lead):
    summary = publication_summary(incomplete)
    assert summary.needs_partial_reason and not summary.needs_agreement_note
    assert [p.name for p in summary.incomplete] == [incomplete.test_provider.name]
    with pytest.raises(ValidationError) as refused:
        publish_inspection(inspection=incomplete, by=lead, partial_reason="   ")
    assert refused.value.message_dict == {"partial_reason": [PARTIAL_REASON_REQUIRED]}
    assert status_of(incomplete) == M
    assert not Publication.objects.exists()


def test_an_incomplete_overall_rating_is_published_as_partial_with_its_reason(incomplete, lead):
    publication = publish_inspection(
        inspection=incomplete, by=lead, partial_reason=" Leadership is rated next year. "
    )
    assert status_of(incomplete) == PUB
    assert publication.is_partial
    assert publication.partial_reason == "Leadership is rated next year."


def test_rating_the_missing_standard_makes_the_reason_unneeded(incomplete, lead):
    record_standard_rating(
        inspection=incomplete,
        provider=incomplete.test_provider,
        standard=Standard.objects.get(framework=incomplete.framework, code="9.1"),
        rating="good",
        rationale="Strong leadership.",
        user=lead,
    )
    assert not publication_summary(incomplete).needs_partial_reason
    publication = publish_inspection(inspection=incomplete, by=lead, partial_reason="Not needed.")
    assert publication.partial_reason == ""  # an acknowledgement not needed is not kept


def test_low_agreement_on_enough_pairs_needs_a_note(disagreeing, lead):
    summary = publication_summary(disagreeing)
    assert summary.agreement.pairs == 21 and summary.agreement.kappa == Fraction(-1, 2)
    assert summary.needs_agreement_note
    with pytest.raises(ValidationError) as refused:
        publish_inspection(inspection=disagreeing, by=lead)
    assert refused.value.message_dict == {"agreement_note": [AGREEMENT_NOTE_REQUIRED]}
    assert status_of(disagreeing) == M
    publication = publish_inspection(
        inspection=disagreeing, by=lead, agreement_note="New moderators; retrained in June."
    )
    assert publication.agreement_note == "New moderators; retrained in June."
    assert publication.kappa == Decimal("-0.500")


def test_the_threshold_is_the_framework_versions(disagreeing, lead):
    framework = disagreeing.framework
    type(framework).objects.filter(pk=framework.pk).update(agreement_threshold=Decimal("-0.6"))
    disagreeing.refresh_from_db()
    assert not publication_summary(disagreeing).needs_agreement_note
    assert publish_inspection(inspection=disagreeing, by=lead).agreement_note == ""


def test_the_blockers_still_refuse_and_a_published_inspection_is_refused(agreeing, lead):
    publish_inspection(inspection=agreeing, by=lead)
    with pytest.raises(InspectionPublished):
        publish_inspection(inspection=agreeing, by=lead)
    assert Publication.objects.count() == 1


def test_advance_does_not_publish(agreeing, lead):
    with pytest.raises(lifecycle.TransitionRefused, match="publication page"):
        lifecycle.advance(inspection=agreeing, by=lead)
    assert status_of(agreeing) == M


counts = st.builds(
    PairCounts,
    both_sufficient=st.integers(0, 40),
    first_sufficient_second_not=st.integers(0, 40),
    first_not_second_sufficient=st.integers(0, 40),
    both_not_sufficient=st.integers(0, 40),
)
thresholds = st.decimals(min_value=0, max_value=1, places=2)


@given(counts, thresholds)
def test_a_note_is_needed_exactly_when_kappa_is_below_the_threshold_on_enough_pairs(
    pairs, threshold
):
    result = agreement(pairs)
    needed = agreement_needs_note(result, threshold)
    if result.pairs < MIN_PAIRS_TO_JUDGE or result.kappa is None:
        assert not needed
    else:
        assert needed == (result.kappa < Fraction(threshold))


@given(counts, thresholds, thresholds)
def test_a_higher_threshold_never_needs_fewer_notes(pairs, low, high):
    low, high = min(low, high), max(low, high)
    result = agreement(pairs)
    assert agreement_needs_note(result, high) >= agreement_needs_note(result, low)


# The pages -----------------------------------------------------------------------------------


def test_the_confirmation_page_summarises_what_will_be_published(client, disagreeing, lead):
    client.force_login(lead)
    response = client.get(check_url(disagreeing))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check before you publish" in html
    assert f"{REVIEWS} of {REVIEWS} sampled cases" in html
    assert f"{REVIEWS} of {REVIEWS} selected" in html
    assert "14, of which 0 unresolved" in html
    assert "Kappa -0.500 on 21 pairs (33.3% agreeing)" in html
    assert "Acknowledge the agreement between readers" in html
    assert "Why publish with an incomplete overall rating?" not in html
    assert status_of(disagreeing) == M


def test_posting_without_the_note_shows_the_error_at_its_field(client, disagreeing, lead):
    client.force_login(lead)
    response = client.post(publish_url(disagreeing), {"agreement_note": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_agreement_note"' in html
    assert AGREEMENT_NOTE_REQUIRED in html
    assert status_of(disagreeing) == M


def test_publishing_as_partial_shows_the_record_on_the_report(client, incomplete, lead):
    client.force_login(lead)
    assert "Publish as partial" in client.get(check_url(incomplete)).content.decode()
    response = client.post(publish_url(incomplete), {"partial_reason": "Rated next year."})
    assert response.status_code == 302
    assert response.url == reverse("reports:inspection", args=[incomplete.pk])
    assert status_of(incomplete) == PUB
    html = client.get(response.url).content.decode()
    assert "Wolverhampton 2026 is published." in html
    assert "is now in" not in html
    assert "Published as partial" in html
    assert "by Leigh Lead" in html
    assert "Reason given for publishing: Rated next year." in html


def test_a_blocked_inspection_offers_no_publish_button(client, agreeing, lead):
    type(agreeing).objects.filter(pk=agreeing.pk).update(status=InspectionStatus.FIELDWORK)
    client.force_login(lead)
    html = client.get(check_url(agreeing)).content.decode()
    assert "it is in fieldwork, and is published from moderation" in html
    assert "Publish inspection</button>" not in html
    response = client.post(publish_url(agreeing), {})
    assert response.status_code == 400
    assert status_of(agreeing) == InspectionStatus.FIELDWORK


def test_the_moderation_page_sends_publication_to_the_confirmation_page(client, agreeing, lead):
    client.force_login(lead)
    html = client.get(reverse("moderation:inspection", args=[agreeing.pk])).content.decode()
    assert f'href="{check_url(agreeing)}"' in html
    response = client.post(reverse("moderation:advance", args=[agreeing.pk]), {})
    assert response.status_code == 302 and response.url == check_url(agreeing)
    assert status_of(agreeing) == M


@pytest.mark.parametrize("role", ["manager", "moderator"])
def test_those_who_see_the_inspection_but_do_not_run_it_may_not_publish(
    client, agreeing, make_user, role
):
    """A manager or moderator of its provider sees the inspection but may not publish it."""
    onlooker = make_user(role, providers=[agreeing.test_provider])
    client.force_login(onlooker)
    assert client.get(check_url(agreeing)).status_code == 403
    assert client.post(publish_url(agreeing), {}).status_code == 403
    assert status_of(agreeing) == M
    assert not Publication.objects.exists()


def test_those_who_cannot_see_it_get_a_404(client, agreeing, make_user):
    client.force_login(make_user("lead"))
    assert client.get(check_url(agreeing)).status_code == 404
    assert client.post(publish_url(agreeing), {}).status_code == 404
    assert status_of(agreeing) == M
