"""What every review page shares: finding the review the user may open, recording the view,
the page's links and its template context.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from audit.models import ReviewEvent
from audit.scoring.forms import judgement_field_name, rationale_field_name
from audit.scoring.selectors import FACTS_SECTION, review_access
from audit.trail import trail


def access_or_404(request, pk, crn):
    access = review_access(request.user, inspection_id=pk, crn=crn)
    if access is None:
        raise Http404("No such review")
    return access


def record_view(request, review, page: str):
    """The audit trail: who opened which page of a review."""
    trail.record(
        user=request.user,
        action=trail.Action.VIEWED,
        obj=review,
        request=request,
        detail={"page": page},
    )


def review_urls(review):
    sampled = review.sampled_case
    args = [sampled.inspection_id, sampled.case.crn]
    return {
        "tasks": reverse("audit:review_tasks", args=args),
        "facts": reverse("audit:review_facts", args=args),
        "check": reverse("audit:review_check", args=args),
        "history": reverse("audit:review_history", args=args),
        "return": reverse("audit:review_return", args=args),
        "reopen": reverse("audit:review_reopen", args=args),
    }


def standard_url(review, code):
    sampled = review.sampled_case
    return reverse("audit:review_standard", args=[sampled.inspection_id, sampled.case.crn, code])


def problem_href(review, problem) -> str:
    if problem.section == FACTS_SECTION:
        page = review_urls(review)["facts"]
        if problem.field in ("mappa_category", "mappa_level"):
            return f"{page}#id_{problem.field}"
        return f"{page}#id_{problem.field}_1"
    page = standard_url(review, problem.section)
    if problem.kind == "rationale":
        return f"{page}#id_{rationale_field_name(problem.field)}"
    return f"{page}#id_{judgement_field_name(problem.field)}_0"


def page_context(access, **extra):
    review = access.review
    return {
        "access": access,
        "review": review,
        "sampled": review.sampled_case,
        "case": review.sampled_case.case,
        "inspection": review.sampled_case.inspection,
        "urls": review_urls(review),
        "last_return": extra.pop("last_return", None),
        **extra,
    }


def last_return(review):
    if review.status != "returned":
        return None
    return (
        ReviewEvent.objects.filter(review=review, kind=ReviewEvent.Kind.RETURNED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def next_url(review, standards, current):
    """The page after `current` (a standard code or the facts section)."""
    keys = [FACTS_SECTION] + [s.code for s in standards]
    index = keys.index(current) + 1
    if index < len(keys):
        return standard_url(review, keys[index])
    return review_urls(review)["check"]
