"""What every review page shares: finding the review the user may open, recording the view,
the page's links and its template context.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from audit.models import InspectionPublished, ReviewEvent
from audit.scoring import held_saves, services
from audit.scoring.case_facts import rules_of
from audit.scoring.forms import (
    fact_anchor,
    judgement_field_name,
    prompt_field_name,
    rationale_field_name,
    slug,
)
from audit.scoring.rules import FACTS_SECTION
from audit.scoring.selectors import load_review_state, review_access
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


def save_urls(request, review, page) -> dict:
    """Where a review page's form posts: the page itself ("Save and continue") and its "Save as
    draft", both keeping `?from=check`, so a page shown again goes back to Check answers."""
    sampled = review.sampled_case
    args = [sampled.inspection_id, sampled.case.crn]
    names = ("audit:review_facts", "audit:review_facts_draft")
    if page != FACTS_SECTION:
        args.append(page)
        names = ("audit:review_standard", "audit:review_standard_draft")
    tail = FROM_CHECK if returning(request) else ""
    return {
        "save": reverse(names[0], args=args) + tail,
        "draft": reverse(names[1], args=args) + tail,
    }


def standard_url(review, code):
    sampled = review.sampled_case
    return reverse("audit:review_standard", args=[sampled.inspection_id, sampled.case.crn, code])


FROM_CHECK = "?from=check"  # pages opened from Check answers go back there when saved


def problem_href(review, problem) -> str:
    """The control that fixes a problem, on its page opened from Check answers."""
    if problem.section == FACTS_SECTION:
        return (
            f"{review_urls(review)['facts']}{FROM_CHECK}"
            f"#{fact_anchor(problem.field, rules_of(review))}"
        )
    page = standard_url(review, problem.section) + FROM_CHECK
    if problem.kind == "rationale":
        return f"{page}#id_{rationale_field_name(problem.field)}"
    if problem.kind == "prompt":
        return f"{page}#id_{prompt_field_name(problem.field)}_1"
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


def next_url(review, standards, current, request=None):
    """The page after `current` (a standard code or the facts section): Check answers for a
    page opened from there."""
    if request is not None and returning(request):
        return review_urls(review)["check"]
    keys = [FACTS_SECTION] + [s.code for s in standards]
    index = keys.index(current) + 1
    if index < len(keys):
        return standard_url(review, keys[index])
    return review_urls(review)["check"]


def returning(request) -> bool:
    """Whether the page was opened from a "Change" link on Check answers, to go back there."""
    return request.GET.get("from") == "check"


def contents(standard, state) -> list[dict]:
    """The contents list of a standard page: each key question, with what is left to do."""
    items = []
    for kq in standard.key_questions.all():
        applies = state.key_question_applies(kq)
        items.append(
            {
                "code": kq.code,
                "lens": kq.get_lens_display(),
                "anchor": slug(kq.code),
                "applies": applies,
                "prompts": sum(1 for p in kq.prompts.all() if state.prompt_applies(p)),
                "unanswered": len(state.unanswered_prompts(kq)),
                "judged": bool(state.judgements.get(kq.pk, ("", ""))[0]),
            }
        )
    return items


def form_or_held(request, review, page, form_class, kwargs, initial):
    """The page's form: with the answers held for it after the session ended, if there are
    any (`audit.held_saves`), else with what is saved."""
    held = held_saves.restore(
        user=request.user,
        review=review,
        page=page,
        token=request.COOKIES.get(held_saves.COOKIE, ""),
    )
    if held is None:
        return form_class(initial=initial, **kwargs), None
    form = form_class(held_saves.as_post(held), **kwargs)
    form.is_valid()
    return form, held


def with_held(request, held, response):
    """The held-answers cookie is spent once its answers are back in their page."""
    if held is not None and held_saves.COOKIE in request.COOKIES:
        response.delete_cookie(held_saves.COOKIE, samesite="Lax")
    return response


def nothing_saved(request, review, page, standards=(), *, draft=False):
    """A page saved without a single answer: nothing was written, so say so, and go where the
    button leads."""
    if draft:
        messages.info(request, "Nothing was saved: no question on that page was answered.")
        return redirect(review_urls(review)["tasks"])
    standards = standards or load_review_state(review).standards
    return redirect(next_url(review, standards, page, request))


# --- saving a page ---------------------------------------------------------------------------


def refused(request, review, error):
    """A change the review's state refuses: say why on its check-answers page."""
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)
    return redirect(review_urls(review)["check"])


def saved_or_refused(request, review, form, kwargs, save):
    """Run a page's save: None once saved, else what a refusal shows, the check-answers page
    (review locked or inspection published) or the form again (stale 409, invalid 400)."""
    try:
        save()
    except services.StaleReview as stale:
        return stale_form(type(form), request, stale, kwargs), 409, False
    except (services.ReviewLocked, InspectionPublished) as locked:
        return refused(request, review, locked)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            for message in error.messages:
                form.add_error(None, message)
        return form, 400, False
    return None


def stale_form(form_class, request, stale, kwargs):
    """The user's input, kept, against the current version, with the refusal at the top."""
    data = request.POST.copy()
    data["version"] = str(stale.current_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, str(stale))
    return form


def resaved_form(form_class, request, review, kwargs):
    data = request.POST.copy()
    data["version"] = str(review.version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form
