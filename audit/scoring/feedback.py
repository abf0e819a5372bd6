"""What moderation says back to the assessor: once the second read of a review is complete, the
second reader's judgement of each key question beside the assessor's, and the lead's resolution
of each disagreement with its note. Read-only, and only after the read is complete, so the
second read stays blind while it is made."""

from __future__ import annotations

from dataclasses import dataclass

from audit.models import Judgement, ModerationJudgement, ModerationRead
from standards.models import JudgementValue

LABELS = dict(JudgementValue.choices)


@dataclass(frozen=True)
class KeyQuestionFeedback:
    code: str
    wording: str
    first: str  # the assessor's judgement, as a label
    first_rationale: str
    second: str  # the second reader's
    second_rationale: str
    resolved: str = ""  # the lead's resolution, if the readers disagreed and it is resolved
    note: str = ""
    resolved_by: str = ""
    resolved_at: object = None

    @property
    def agreed(self) -> bool:
        return self.first == self.second


@dataclass(frozen=True)
class Feedback:
    read: ModerationRead
    key_questions: list[KeyQuestionFeedback]

    @property
    def disagreements(self) -> int:
        return sum(1 for kq in self.key_questions if not kq.agreed)


def review_feedback(review) -> Feedback | None:
    """The completed second read of the review, key question by key question: three queries."""
    read = (
        ModerationRead.objects.filter(review=review, completed_at__isnull=False)
        .select_related("moderator")
        .first()
    )
    if read is None:
        return None
    second = {
        j.key_question_id: j
        for j in ModerationJudgement.objects.filter(read=read).select_related("key_question")
    }
    first = Judgement.objects.filter(review=review, key_question_id__in=second).select_related(
        "resolution__resolved_by"
    )
    rows = []
    for judgement in first:
        other = second[judgement.key_question_id]
        resolution = getattr(judgement, "resolution", None)
        by = resolution.resolved_by if resolution is not None else None
        rows.append(
            KeyQuestionFeedback(
                code=other.key_question.code,
                wording=other.key_question.wording,
                first=LABELS.get(judgement.value, judgement.value),
                first_rationale=judgement.rationale,
                second=LABELS.get(other.value, other.value),
                second_rationale=other.rationale,
                resolved=LABELS.get(resolution.value, "") if resolution else "",
                note=resolution.note if resolution else "",
                resolved_by=(by.get_full_name() or by.username) if by else "",
                resolved_at=resolution.resolved_at if resolution else None,
            )
        )
    rows.sort(key=lambda row: [int(p) if p.isdigit() else p for p in row.code.split(".")])
    return Feedback(read, rows)


def reviews_with_feedback(reviews) -> set[int]:
    """Which of these reviews have a completed second read: one query."""
    return set(
        ModerationRead.objects.filter(
            review__in=[r.pk for r in reviews], completed_at__isnull=False
        ).values_list("review_id", flat=True)
    )
