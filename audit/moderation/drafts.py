"""Second reads saved part-way: a draft of the moderator's judgements, resumed later.

A draft is the read's judgements while the read is not complete (`completed_at` empty). Pairs
of first and second reads take only completed reads (`audit.scoring.pairs`), so a draft never
counts in agreement, kappa or disagreements until `record_second_read` completes the read.

Each save carries the read's version as the page loaded it; a save from a page opened before
another save is refused with a message, so nothing is overwritten unseen (as on the scoring
pages).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from audit.inspections.lifecycle import lock
from audit.models import ModerationJudgement, ModerationRead
from audit.moderation.services import ModerationRefused, _require_open, moderation_key_questions
from standards.models import JudgementValue

STALE = (
    "This second read was saved elsewhere after you opened it. Your answers are shown below "
    "and have not been saved; check them against the saved draft and save again."
)


class StaleDraft(ModerationRefused):
    """The draft was saved since the page was loaded."""


def draft_judgements(read: ModerationRead) -> dict:
    """The draft's answers: key-question code -> (value, rationale)."""
    return {
        code: (value, rationale)
        for code, value, rationale in read.judgements.values_list(
            "key_question__code", "value", "rationale"
        )
    }


@transaction.atomic
def save_second_read_draft(
    *, read: ModerationRead, by, judgements: dict, version: int
) -> ModerationRead:
    """Keep the judgements given so far (any may be missing); refuse a stale save."""
    read = ModerationRead.objects.select_related(
        "review__sampled_case__case", "review__sampled_case__inspection"
    ).get(pk=read.pk)
    inspection = lock(read.review.sampled_case.inspection)
    _require_open(inspection, "Second reads can only be saved")
    read = ModerationRead.objects.select_for_update().get(pk=read.pk)
    if read.moderator_id is None or read.moderator_id != by.pk:
        raise ModerationRefused("Only the moderator assigned to this second read can save it.")
    if read.completed_at is not None:
        raise ModerationRefused("This second read is already complete.")
    if read.version != version:
        raise StaleDraft(STALE)
    questions = {kq.code: kq for kq in moderation_key_questions(read.review)}
    errors = {}
    rows = []
    for code, (value, rationale) in judgements.items():
        kq = questions.get(code)
        if kq is None:
            errors[code] = [f"{code} is not a key question of this review."]
        elif value and value not in kq.allowed_values():
            errors[code] = [f"{code} cannot be judged “{JudgementValue(value).label}”."]
        elif value:
            rows.append(
                ModerationJudgement(
                    read=read, key_question=kq, value=value, rationale=(rationale or "").strip()
                )
            )
    if errors:
        raise ModerationRefused(errors)
    ModerationJudgement.objects.filter(read=read).delete()
    ModerationJudgement.objects.bulk_create(rows)
    ModerationRead.objects.filter(pk=read.pk).update(version=F("version") + 1)
    read.refresh_from_db()
    return read
