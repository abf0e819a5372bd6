"""A review's history: every change to its case facts, answers and judgements, who made it
and when, with the workflow (submitted, returned, reopened) alongside."""

from __future__ import annotations

from itertools import groupby

from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.models import CaseReview, Judgement, PromptAnswer, ReviewEvent
from audit.scoring.case_facts import FACT_FIELDS, FACT_QUESTIONS
from audit.scoring.pages import access_or_404, page_context, record_view
from standards.models import JudgementValue, PromptValue


def _fact_label(name, value):
    if value in (None, ""):
        return "Not answered"
    return str(dict(CaseReview._meta.get_field(name).choices).get(value, value))


@require_safe
def review_history(request, pk, crn):
    """Every change to the case facts, answers and judgements: who, when, old and new."""
    access = access_or_404(request, pk, crn)
    review = access.review
    changes = []
    records = list(
        CaseReview.history.filter(id=review.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for old, new in zip(records, records[1:]):
        for name in FACT_FIELDS + ["status"]:
            before, after = getattr(old, name), getattr(new, name)
            if before != after:
                changes.append(
                    {
                        "at": new.history_date,
                        "who": new.history_user,
                        "question": "Status" if name == "status" else FACT_QUESTIONS[name],
                        "old": _fact_label(name, before),
                        "new": _fact_label(name, after),
                    }
                )
    prompt_labels = dict(PromptValue.choices)
    changes += _answer_changes(
        PromptAnswer.history.filter(review_id=review.pk).select_related("history_user", "prompt"),
        question=lambda r: f"{r.prompt.code} {r.prompt.wording}",
        show=lambda r: prompt_labels.get(r.value, r.value),
    )
    judgement_labels = dict(JudgementValue.choices)
    changes += _answer_changes(
        Judgement.history.filter(review_id=review.pk).select_related(
            "history_user", "key_question"
        ),
        question=lambda r: f"{r.key_question.code} {r.key_question.wording}",
        show=lambda r: (
            judgement_labels.get(r.value, r.value) + (f" – “{r.rationale}”" if r.rationale else "")
        ),
    )
    changes.sort(key=lambda c: c["at"], reverse=True)
    record_view(request, review, "history")
    return render(
        request,
        "audit/review_history.html",
        page_context(
            access,
            changes=changes,
            events=ReviewEvent.objects.filter(review=review)
            .select_related("actor")
            .order_by("-created_at", "-pk"),
            page_title=f"History – {crn}",
        ),
    )


def _answer_changes(records, *, question, show):
    changes = []
    records = sorted(records, key=lambda r: (r.id, r.history_date, r.history_id))
    for _, items in groupby(records, key=lambda r: r.id):
        previous = None
        for record in items:
            new = "Deleted" if record.history_type == "-" else show(record)
            old = show(previous) if previous is not None else "Not answered"
            if previous is None or old != new:
                changes.append(
                    {
                        "at": record.history_date,
                        "who": record.history_user,
                        "question": question(record),
                        "old": old,
                        "new": new,
                    }
                )
            previous = record
    return changes
