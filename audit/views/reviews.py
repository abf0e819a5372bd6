"""Scoring pages: My cases, the review task list, case facts, one page per standard, check and
submit, return and reopen, history.

Each page loads the framework once (three queries) and the review's answers in two, so the
number of queries does not grow with the number of questions.
"""
from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from standards.forms import form_status
from standards.models import JudgementValue, PromptValue

from .. import held_saves, services, trail
from ..forms import (
    CaseFactsForm,
    ReopenForm,
    fact_anchor,
    slug,
    ReturnForm,
    StandardForm,
    SubmitForm,
    facts_initial,
    judgement_field_name,
    prompt_field_name,
    rationale_field_name,
    standard_initial,
)
from ..case_facts import is_asked, recorded_values
from ..models import CaseReview, ReviewEvent
from ..selectors import (
    FACT_FIELDS,
    FACT_QUESTIONS,
    FACTS_SECTION,
    assigned_reviews,
    case_standards,
    load_review_state,
    refuse_unless_manager,
    review_access,
    review_states,
    rules_of,
    standard_by_code,
)


def _access_or_404(request, pk, crn):
    access = review_access(request.user, inspection_id=pk, crn=crn)
    if access is None:
        raise Http404("No such review")
    return access


def _viewed(request, review, page: str):
    """The audit trail: who opened which page of a review."""
    trail.record(user=request.user, action=trail.Action.VIEWED, obj=review, request=request,
                 detail={"page": page})


def _urls(review):
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


def _standard_url(review, code):
    sampled = review.sampled_case
    return reverse("audit:review_standard", args=[sampled.inspection_id, sampled.case.crn, code])


FROM_CHECK = "?from=check"  # pages opened from Check answers go back there when saved


def _problem_href(review, problem) -> str:
    """The control that fixes a problem, on its page opened from Check answers."""
    if problem.section == FACTS_SECTION:
        return (f"{_urls(review)['facts']}{FROM_CHECK}"
                f"#{fact_anchor(problem.field, rules_of(review))}")
    page = _standard_url(review, problem.section) + FROM_CHECK
    if problem.kind == "rationale":
        return f"{page}#id_{rationale_field_name(problem.field)}"
    if problem.kind == "prompt":
        return f"{page}#id_{prompt_field_name(problem.field)}_1"
    return f"{page}#id_{judgement_field_name(problem.field)}_0"


def _context(access, **extra):
    review = access.review
    return {
        "access": access,
        "review": review,
        "sampled": review.sampled_case,
        "case": review.sampled_case.case,
        "inspection": review.sampled_case.inspection,
        "urls": _urls(review),
        "last_return": extra.pop("last_return", None),
        **extra,
    }


def _last_return(review):
    if review.status != "returned":
        return None
    return (
        ReviewEvent.objects.filter(review=review, kind=ReviewEvent.Kind.RETURNED)
        .select_related("actor").order_by("-created_at", "-pk").first()
    )


def _returning(request) -> bool:
    """Whether the page was opened from a "Change" link on Check answers, to go back there."""
    return request.GET.get("from") == "check"


def _contents(standard, state) -> list[dict]:
    """The contents list of a standard page: each key question, with what is left to do."""
    items = []
    for kq in standard.key_questions.all():
        applies = state.key_question_applies(kq)
        items.append({
            "code": kq.code, "lens": kq.get_lens_display(), "anchor": slug(kq.code),
            "applies": applies,
            "prompts": sum(1 for p in kq.prompts.all() if state.prompt_applies(p)),
            "unanswered": len(state.unanswered_prompts(kq)),
            "judged": bool(state.judgements.get(kq.pk, ("", ""))[0]),
        })
    return items


def _next_url(review, standards, current, request=None):
    """The page after `current` (a standard code or the facts section): Check answers for a
    page opened from there."""
    if request is not None and _returning(request):
        return _urls(review)["check"]
    keys = [FACTS_SECTION] + [s.code for s in standards]
    index = keys.index(current) + 1
    if index < len(keys):
        return _standard_url(review, keys[index])
    return _urls(review)["check"]


# --- My cases ------------------------------------------------------------------------------------


@require_safe
def my_cases(request):
    reviews = list(assigned_reviews(request.user))
    states = review_states(reviews)
    groups = []
    for inspection, items in groupby(reviews, key=lambda r: r.sampled_case.inspection):
        items = list(items)
        standards = states[items[0].pk].standards
        groups.append({
            "inspection": inspection,
            "standards": standards,
            "rows": [
                {
                    "review": r,
                    "url": _urls(r)["tasks"],
                    "sections": states[r.pk].sections(),
                }
                for r in items
            ],
        })
    return render(request, "audit/my_cases.html", {"groups": groups, "page_title": "My cases"})


# --- the task list ------------------------------------------------------------------------------


@require_safe
def review_tasks(request, pk, crn):
    access = _access_or_404(request, pk, crn)
    review = access.review
    state = load_review_state(review)
    sections = state.sections()
    tasks = [
        {
            "section": section,
            "url": _urls(review)["facts"] if section.key == FACTS_SECTION
            else _standard_url(review, section.key),
            "id": f"task-{index}",
        }
        for index, section in enumerate(sections)
    ]
    complete = all(s.status == "completed" for s in sections)
    _viewed(request, review, "task list")
    return render(request, "audit/review_tasks.html", _context(
        access, tasks=tasks, complete=complete, last_return=_last_return(review),
        page_title=f"Review of {review.sampled_case.case.crn}",
    ))


# --- case facts ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_facts(request, pk, crn):
    access = _access_or_404(request, pk, crn)
    review = access.review
    if not access.can_edit:
        if request.method == "POST":
            messages.error(request, "This review cannot be changed now.")
        return redirect(_urls(review)["check"])
    status, saved, held = 200, False, None
    kwargs = {"rules": rules_of(review)}
    if request.method == "POST":
        form = CaseFactsForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.save_review(review=review, version=form.cleaned_data["version"],
                                     user=request.user, facts=form.facts())
            except services.StaleReview as stale:
                form, status = _stale_form(CaseFactsForm, request, stale, kwargs), 409
            except services.ReviewLocked as locked:
                messages.error(request, str(locked))
                return redirect(_urls(review)["check"])
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
                status = 400
            else:
                held_saves.saved(user=request.user, review=review, page=FACTS_SECTION)
                if services.nothing_given(facts=form.facts()):
                    return _nothing_saved(request, review, FACTS_SECTION)
                if request.POST.get("action") == "draft":
                    messages.success(request, "Case facts saved as a draft.")
                    return redirect(_urls(review)["tasks"])
                state = load_review_state(review)
                problems = state.fact_problems()
                if not problems:
                    return redirect(_next_url(review, state.standards, FACTS_SECTION, request))
                form = _resaved_form(CaseFactsForm, request, review, kwargs)
                for problem in problems:
                    form.add_error(problem.field, problem.message)
                saved = True
        else:
            status = 400
    else:
        form, held = _form_or_held(request, review, FACTS_SECTION, CaseFactsForm, kwargs,
                                   facts_initial(review))
        _viewed(request, review, "case facts")
    return _with_held(request, held, render(request, "audit/review_facts.html", _context(
        access, form=form, saved=saved, last_return=_last_return(review), held=held,
        returning=_returning(request),
        page_title=f"Case facts – {review.sampled_case.case.crn}",
    ), status=status))


def _form_or_held(request, review, page, form_class, kwargs, initial):
    """The page's form: with the answers held for it after the session ended, if there are
    any (`audit.held_saves`), else with what is saved."""
    held = held_saves.restore(user=request.user, review=review, page=page,
                              token=request.COOKIES.get(held_saves.COOKIE, ""))
    if held is None:
        return form_class(initial=initial, **kwargs), None
    form = form_class(held_saves.as_post(held), **kwargs)
    form.is_valid()
    return form, held


def _with_held(request, held, response):
    """The held-answers cookie is spent once its answers are back in their page."""
    if held is not None and held_saves.COOKIE in request.COOKIES:
        response.delete_cookie(held_saves.COOKIE, samesite="Lax")
    return response


def _nothing_saved(request, review, page, standards=()):
    """A page saved without a single answer: nothing was written, so say so, and go where the
    button leads."""
    if request.POST.get("action") == "draft":
        messages.info(request, "Nothing was saved: no question on that page was answered.")
        return redirect(_urls(review)["tasks"])
    standards = standards or load_review_state(review).standards
    return redirect(_next_url(review, standards, page, request))


def _stale_form(form_class, request, stale, kwargs):
    """The user's input, kept, against the current version, with the refusal at the top."""
    data = request.POST.copy()
    data["version"] = str(stale.current_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, str(stale))
    return form


def _resaved_form(form_class, request, review, kwargs):
    data = request.POST.copy()
    data["version"] = str(review.version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


# --- one standard -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_standard(request, pk, crn, code):
    access = _access_or_404(request, pk, crn)
    review = access.review
    standards = case_standards(review.sampled_case.inspection.framework_id)
    standard = standard_by_code(standards, code)
    if standard is None:
        raise Http404("No such standard")
    if not access.can_edit:
        if request.method == "POST":
            messages.error(request, "This review cannot be changed now.")
        return redirect(_urls(review)["check"])
    state = load_review_state(review, standards)
    kwargs = {"standard": standard, "state": state}
    status, saved, held = 200, False, None
    if request.method == "POST":
        form = StandardForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.save_review(
                    review=review, version=form.cleaned_data["version"], user=request.user,
                    standard_code=code, answers=form.answers(), judgements=form.judgements(),
                    standards=standards,
                )
            except services.StaleReview as stale:
                form, status = _stale_form(StandardForm, request, stale, kwargs), 409
            except services.ReviewLocked as locked:
                messages.error(request, str(locked))
                return redirect(_urls(review)["check"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
                status = 400
            else:
                held_saves.saved(user=request.user, review=review, page=code)
                if services.nothing_given(answers=form.answers(), judgements=form.judgements()):
                    return _nothing_saved(request, review, code, standards)
                if request.POST.get("action") == "draft":
                    messages.success(request, f"{standard.code} {standard.title} saved as a draft.")
                    return redirect(_urls(review)["tasks"])
                state = load_review_state(review, standards)
                problems = state.judgement_problems(standard)
                if not problems:
                    return redirect(_next_url(review, standards, code, request))
                form = _resaved_form(StandardForm, request, review,
                                     {"standard": standard, "state": state})
                form.add_problems(problems)
                saved = True
        else:
            status = 400
    else:
        form, held = _form_or_held(request, review, code, StandardForm, kwargs,
                                   standard_initial(standard, state, review.version))
        _viewed(request, review, f"standard {standard.code}")
    return _with_held(request, held, render(request, "audit/review_standard.html", _context(
        access, form=form, standard=standard, saved=saved, last_return=_last_return(review),
        held=held,
        number=standards.index(standard) + 1, of=len(standards),
        contents=_contents(standard, state),
        returning=_returning(request),
        page_title=f"{standard.code} {standard.title} – {review.sampled_case.case.crn}",
    ), status=status))


# --- check answers and submit -------------------------------------------------------------------


def _summary(review, state):
    """Rows for the check-your-answers summary lists."""
    facts = []
    rules = rules_of(review)
    values = recorded_values(review)
    for name in FACT_FIELDS:
        if not is_asked(rules, name, values):
            continue  # ruled out by the answers before it, so not asked
        field = CaseReview._meta.get_field(name)
        value = getattr(review, name)
        label = dict(field.choices).get(value, "") if value not in (None, "") else ""
        if not label and name == "mappa_category" and review.version:
            label = "Not MAPPA eligible"
        facts.append({"question": FACT_QUESTIONS[name], "answer": label or "Not answered",
                      "missing": not label,
                      "href": f"{_urls(review)['facts']}{FROM_CHECK}#{fact_anchor(name, rules)}"})
    prompt_labels = dict(PromptValue.choices)
    judgement_labels = dict(JudgementValue.choices)
    standards = []
    for standard in state.standards:
        rows = []
        page = _standard_url(review, standard.code)
        for kq in standard.key_questions.all():
            for prompt in kq.prompts.all():
                applies = state.prompt_applies(prompt)
                value = state.answers.get(prompt.pk, "")
                rows.append({
                    "question": f"{prompt.code} {prompt.wording}",
                    "answer": prompt_labels.get(value, "Not answered") if applies
                    else "Not applicable to this case",
                    "missing": applies and not value,
                    "href": f"{page}{FROM_CHECK}#id_{prompt_field_name(prompt.code)}_1",
                    "editable": applies,
                })
            value, rationale = state.judgements.get(kq.pk, ("", ""))
            applies = state.key_question_applies(kq)
            rows.append({
                "question": f"{kq.code} {kq.wording}",
                "answer": judgement_labels.get(value, "Not answered") if applies
                else "Not applicable to this case",
                "rationale": rationale,
                "missing": applies and not value,
                "judgement": True,
                "href": f"{page}{FROM_CHECK}#id_{judgement_field_name(kq.code)}_0",
                "editable": applies,
            })
        standards.append({"standard": standard, "rows": rows})
    return facts, standards


def _gaps(review, state, problems) -> list[dict]:
    """What is still to do, per section, for the top of Check answers: counts and a link to
    the first gap of each section."""
    titles = {FACTS_SECTION: "Case facts", **{s.code: f"{s.code} {s.title}"
                                              for s in state.standards}}
    gaps = []
    for key, items in groupby(problems, key=lambda p: p.section):
        items = list(items)
        kinds = [p.kind for p in items]
        parts = []
        for kind, one, many in (("fact", "answer", "answers"),
                                ("prompt", "prompt unanswered", "prompts unanswered"),
                                ("judgement", "key question not judged",
                                 "key questions not judged"),
                                ("rationale", "reason missing", "reasons missing")):
            count = kinds.count(kind)
            if count:
                parts.append(f"{count} {one if count == 1 else many}")
        gaps.append({"key": key, "title": titles.get(key, key), "text": ", ".join(parts),
                     "count": len(items), "href": _problem_href(review, items[0])})
    return gaps


@require_http_methods(["GET", "POST"])
def review_check(request, pk, crn):
    access = _access_or_404(request, pk, crn)
    review = access.review
    state = load_review_state(review)
    form = SubmitForm(request.POST or None, initial={"version": review.version})
    problems = []
    error = ""
    status = 200
    if request.method == "POST":
        if not access.can_edit:
            messages.error(request, "This review cannot be submitted now.")
            return redirect(_urls(review)["check"])
        if form.is_valid():
            try:
                services.submit_review(review=review, version=form.cleaned_data["version"],
                                       user=request.user, standards=state.standards)
            except services.ReviewIncomplete as incomplete:
                problems = incomplete.problems
            except services.StaleReview as stale:
                error, status = str(stale).split(" Your answers are shown")[0], 409
                error += " Check the answers below, then submit again."
                form = SubmitForm(initial={"version": stale.current_version})
                review.refresh_from_db()
                state = load_review_state(review, state.standards)
            except services.ReviewLocked as locked:
                messages.error(request, str(locked))
                return redirect(_urls(review)["check"])
            else:
                messages.success(request, f"Review of {crn} submitted.")
                if access.is_assessor:
                    return redirect("audit:my_cases")
                return redirect(_urls(review)["tasks"])
        else:
            status = 400
    facts, standards = _summary(review, state)
    if request.method == "GET":
        _viewed(request, review, "check answers")
    error_links = [(_problem_href(review, p), p.message) for p in problems]
    if error:
        error_links.insert(0, ("#submit", error))
    outstanding = state.problems() if not problems else problems
    gaps = _gaps(review, state, outstanding) if access.can_edit else []
    by_section = {gap["key"]: gap for gap in gaps}
    for block in standards:
        block["gap"] = by_section.get(block["standard"].code)
    return render(request, "audit/review_check.html", _context(
        access, form=form, facts=facts, standards=standards, error_links=error_links,
        outstanding=outstanding, gaps=gaps, facts_gap=by_section.get(FACTS_SECTION),
        last_return=_last_return(review),
        events=ReviewEvent.objects.filter(review=review).select_related("actor"),
        page_title=f"Check your answers – {crn}",
    ), status=status if not problems else 200)


# --- lead: return and reopen --------------------------------------------------------------------


def _lead_action(request, pk, crn, *, form_class, service, template, done, title):
    access = _access_or_404(request, pk, crn)
    if not access.is_lead:  # the assessor sees the review, but returns are the lead's
        refuse_unless_manager(request.user, access.inspection)
    review = access.review
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(review=review, user=request.user, comment=form.cleaned_data["comment"])
        except (services.ReviewLocked, ValidationError) as error:
            messages_list = error.messages if isinstance(error, ValidationError) else [str(error)]
            for message in messages_list:
                form.add_error(None, message)
        else:
            messages.success(request, done.format(crn=crn))
            return redirect(_urls(review)["tasks"])
    return render(request, template, _context(access, form=form, page_title=f"{title} – {crn}"),
                  status=form_status(form))


@require_http_methods(["GET", "POST"])
def review_return(request, pk, crn):
    return _lead_action(request, pk, crn, form_class=ReturnForm, service=services.return_review,
                        template="audit/review_return.html",
                        done="Review of {crn} returned to the assessor.",
                        title="Return the review")


@require_http_methods(["GET", "POST"])
def review_reopen(request, pk, crn):
    return _lead_action(request, pk, crn, form_class=ReopenForm, service=services.reopen_review,
                        template="audit/review_reopen.html", done="Review of {crn} reopened.",
                        title="Reopen the review")
