"""Second reads saved as drafts: partial, resumed, not counted until submitted, and a save from
a page opened before another save refused."""

import pytest
from django.urls import reverse

from audit.models import InspectionStatus, ModerationJudgement, ModerationRead, ReviewStatus
from audit.moderation.agreement import agreement_table
from audit.moderation.drafts import (
    STALE,
    StaleDraft,
    draft_judgements,
    save_second_read_draft,
)
from audit.moderation.services import progress_by_inspection, record_second_read
from tests.audit.moderation_support import (
    N,
    S,
    inspection_for,
    published_framework,
    submitted_review,
)


@pytest.fixture
def setup(make_user):
    lead = make_user("lead", username="leigh")
    assessor = make_user("assessor", username="asha")
    moderator = make_user("moderator", username="mo")
    framework = published_framework()
    inspection = inspection_for(
        framework, status=InspectionStatus.MODERATION, title="Wolverhampton 2026", lead=lead
    )
    moderator.providers.add(inspection.test_provider)
    review = submitted_review(inspection, assessor, [S, S, S], crn="X123456")
    read = ModerationRead.objects.create(
        review=review, moderator=moderator, reason=ModerationRead.Reason.RANDOM
    )
    return {"inspection": inspection, "read": read, "moderator": moderator, "assessor": assessor}


def test_a_partial_draft_is_kept_and_not_counted(setup):
    read, moderator = setup["read"], setup["moderator"]
    saved = save_second_read_draft(
        read=read, by=moderator, judgements={"2.1.1": (N, "Risk missed.")}, version=0
    )
    assert saved.version == 1 and saved.completed_at is None
    assert draft_judgements(saved) == {"2.1.1": (N, "Risk missed.")}
    # A disagreement in the draft is not a pair: no agreement figures, no disagreement.
    assert agreement_table(setup["inspection"]).overall.pairs == 0
    progress = progress_by_inspection([setup["inspection"].pk])[setup["inspection"].pk]
    assert (progress["completed"], progress["disagreements"]) == (0, 0)


def test_resuming_replaces_the_draft_and_submitting_counts_it(setup):
    read, moderator = setup["read"], setup["moderator"]
    save_second_read_draft(read=read, by=moderator, judgements={"2.1.1": (N, "x")}, version=0)
    save_second_read_draft(
        read=read, by=moderator, judgements={"2.1.1": (S, ""), "2.1.2": (S, "")}, version=1
    )
    assert draft_judgements(read) == {"2.1.1": (S, ""), "2.1.2": (S, "")}
    record_second_read(
        read=read, by=moderator, judgements={"2.1.1": (S, ""), "2.1.2": (N, "y"), "2.1.3": (S, "")}
    )
    assert ModerationJudgement.objects.filter(read=read).count() == 3
    assert agreement_table(setup["inspection"]).overall.pairs == 3
    assert read.review.__class__.objects.get(pk=read.review_id).status == ReviewStatus.MODERATED


def test_a_stale_save_is_refused_and_changes_nothing(setup):
    read, moderator = setup["read"], setup["moderator"]
    save_second_read_draft(read=read, by=moderator, judgements={"2.1.1": (N, "x")}, version=0)
    with pytest.raises(StaleDraft):
        save_second_read_draft(read=read, by=moderator, judgements={"2.1.1": (S, "")}, version=0)
    assert draft_judgements(read) == {"2.1.1": (N, "x")}


def test_only_the_assigned_moderator_saves_a_draft(setup, make_user):
    other = make_user("moderator", providers=[setup["inspection"].test_provider])
    with pytest.raises(Exception, match="Only the moderator assigned"):
        save_second_read_draft(
            read=setup["read"], by=other, judgements={"2.1.1": (S, "")}, version=0
        )
    assert not ModerationJudgement.objects.exists()


def draft_url(setup):
    return reverse("moderation:read_draft", args=[setup["inspection"].pk, "X123456"])


def read_url(setup):
    return reverse("moderation:read", args=[setup["inspection"].pk, "X123456"])


def test_the_page_saves_a_draft_and_shows_it_again(client, setup):
    client.force_login(setup["moderator"])
    response = client.post(
        draft_url(setup), {"version": "0", "kq_2_1_1": N, "rationale_2_1_1": "Risk missed."}
    )
    assert response.status_code == 302 and response.url == read_url(setup)
    html = client.get(read_url(setup)).content.decode()
    assert "saved as a draft" in html
    assert "1 key question answered so far" in html
    assert "Risk missed." in html
    assert 'name="version" value="1"' in html


def test_the_page_refuses_a_stale_draft_keeping_what_was_typed(client, setup):
    client.force_login(setup["moderator"])
    client.post(draft_url(setup), {"version": "0", "kq_2_1_1": S})
    response = client.post(
        draft_url(setup), {"version": "0", "kq_2_1_1": N, "rationale_2_1_1": "Typed again."}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "saved elsewhere after you opened it" in html and "Typed again." in html
    assert draft_judgements(setup["read"]) == {"2.1.1": (S, "")}
    assert STALE


def test_a_lead_who_sees_the_read_may_not_save_its_draft(client, setup):
    client.force_login(setup["inspection"].lead)
    setup["inspection"].lead.providers.add(setup["inspection"].test_provider)
    response = client.post(draft_url(setup), {"version": "0", "kq_2_1_1": S})
    assert response.status_code == 403
    assert not ModerationJudgement.objects.exists()
