"""Scoring pages: My cases, the review task list, case facts, one page per standard, check and
submit, return and reopen, history.

Each page loads the framework once (three queries) and the review's answers in two, so the
number of queries does not grow with the number of questions.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.accounts.access import refuse_unless_manager
from audit.models import CaseReview, InspectionPublished, ReviewEvent
from audit.scoring import held_saves, services
from audit.scoring.case_facts import is_asked, recorded_values, rules_of
from audit.scoring.feedback import review_feedback, reviews_with_feedback
from audit.scoring.forms import (
    CaseFactsForm,
    ReopenForm,
    ReturnForm,
    StandardForm,
    SubmitForm,
    fact_anchor,
    facts_initial,
    judgement_field_name,
    prompt_field_name,
    standard_initial,
)
from audit.scoring.pages import (
    FROM_CHECK,
    access_or_404,
    contents,
    form_or_held,
    last_return,
    next_url,
    nothing_saved,
    page_context,
    problem_href,
    record_view,
    refused,
    resaved_form,
    returning,
    review_urls,
    save_urls,
    saved_or_refused,
    standard_url,
    with_held,
)
from audit.scoring.rules import FACT_FIELDS, FACT_QUESTIONS, FACTS_SECTION
from audit.scoring.selectors import (
    assigned_reviews,
    case_standards,
    load_review_state,
    review_states,
    standard_by_code,
)
from standards.models import JudgementValue, PromptValue
from ui.forms import form_status

# --- My cases ------------------------------------------------------------------------------------


@require_safe
def my_cases(request):
    reviews = list(assigned_reviews(request.user))
    states = review_states(reviews)
    with_feedback = reviews_with_feedback(reviews)
    groups = []
    for inspection, items in groupby(reviews, key=lambda r: r.sampled_case.inspection):
        items = list(items)
        standards = states[items[0].pk].standards
        groups.append(
            {
                "inspection": inspection,
                "standards": standards,
                "rows": [
                    {
                        "review": r,
                        "url": review_urls(r)["tasks"],
                        "sections": states[r.pk].sections(),
                        "feedback": r.pk in with_feedback,
                    }
                    for r in items
                ],
            }
        )
    return render(
        request,
        "audit/my_cases.html",
        {"groups": groups, "with_feedback": len(with_feedback), "page_title": "My cases"},
    )


# --- the task list ------------------------------------------------------------------------------


@require_safe
def review_tasks(request, pk, crn):
    access = access_or_404(request, pk, crn)
    review = access.review
    state = load_review_state(review)
    sections = state.sections()
    tasks = [
        {
            "section": section,
            "url": review_urls(review)["facts"]
            if section.key == FACTS_SECTION
            else standard_url(review, section.key),
            "id": f"task-{index}",
        }
        for index, section in enumerate(sections)
    ]
    complete = all(s.status == "completed" for s in sections)
    record_view(request, review, "task list")
    return render(
        request,
        "audit/review_tasks.html",
        page_context(
            access,
            tasks=tasks,
            complete=complete,
            last_return=last_return(review),
            feedback=review_feedback(review) if review.status == "moderated" else None,
            page_title=f"Review of {review.sampled_case.case.crn}",
        ),
    )


# --- case facts ---------------------------------------------------------------------------------


def _save_facts(request, review, kwargs, *, draft):
    """Save the case facts: a redirect onwards, or (form, status, saved) to show again."""
    form = CaseFactsForm(request.POST, **kwargs)
    if not form.is_valid():
        return form, 400, False
    failed = saved_or_refused(
        request,
        review,
        form,
        kwargs,
        lambda: services.save_review(
            review=review,
            version=form.cleaned_data["version"],
            user=request.user,
            facts=form.facts(),
            case_dates=form.case_dates(),
        ),
    )
    if failed is not None:
        return failed
    held_saves.saved(user=request.user, review=review, page=FACTS_SECTION)
    if services.nothing_given(facts=form.facts()) and not any((form.case_dates() or {}).values()):
        return nothing_saved(request, review, FACTS_SECTION, draft=draft)
    if draft:
        messages.success(request, "Case facts saved as a draft.")
        return redirect(review_urls(review)["tasks"])
    state = load_review_state(review)
    problems = state.fact_problems()
    if not problems:
        return redirect(next_url(review, state.standards, FACTS_SECTION, request))
    form = resaved_form(CaseFactsForm, request, review, kwargs)
    for problem in problems:
        form.add_error(problem.field, problem.message)
    return form, 200, True


@require_http_methods(["GET", "POST"])
def review_facts(request, pk, crn):
    return _facts_page(request, pk, crn, draft=False)


@require_POST
def review_facts_draft(request, pk, crn):
    """The case facts' "Save as draft": the same save, then back to the task list."""
    return _facts_page(request, pk, crn, draft=True)


def _facts_page(request, pk, crn, *, draft):
    access = access_or_404(request, pk, crn)
    review = access.review
    if not access.can_edit:
        if request.method == "POST":
            messages.error(request, "This review cannot be changed now.")
        return redirect(review_urls(review)["check"])
    status, saved, held = 200, False, None
    kwargs = {"rules": rules_of(review), "case": review.sampled_case.case}
    if request.method == "POST":
        outcome = _save_facts(request, review, kwargs, draft=draft)
        if isinstance(outcome, HttpResponseRedirect):
            return outcome
        form, status, saved = outcome
    else:
        form, held = form_or_held(
            request, review, FACTS_SECTION, CaseFactsForm, kwargs, facts_initial(review)
        )
        record_view(request, review, "case facts")
    return with_held(
        request,
        held,
        render(
            request,
            "audit/review_facts.html",
            page_context(
                access,
                form=form,
                saved=saved,
                last_return=last_return(review),
                held=held,
                returning=returning(request),
                form_urls=save_urls(request, review, FACTS_SECTION),
                page_title=f"Case facts – {review.sampled_case.case.crn}",
            ),
            status=status,
        ),
    )


# --- one standard -------------------------------------------------------------------------------


def _save_standard(request, review, standards, standard, kwargs, *, draft):
    """Save a standard's answers: a redirect onwards, or (form, status, saved) to show again."""
    form = StandardForm(request.POST, **kwargs)
    if not form.is_valid():
        return form, 400, False
    failed = saved_or_refused(
        request,
        review,
        form,
        kwargs,
        lambda: services.save_review(
            review=review,
            version=form.cleaned_data["version"],
            user=request.user,
            standard_code=standard.code,
            answers=form.answers(),
            judgements=form.judgements(),
            standards=standards,
        ),
    )
    if failed is not None:
        return failed
    held_saves.saved(user=request.user, review=review, page=standard.code)
    if services.nothing_given(answers=form.answers(), judgements=form.judgements()):
        return nothing_saved(request, review, standard.code, standards, draft=draft)
    if draft:
        messages.success(request, f"{standard.code} {standard.title} saved as a draft.")
        return redirect(review_urls(review)["tasks"])
    state = load_review_state(review, standards)
    problems = state.judgement_problems(standard)
    if not problems:
        return redirect(next_url(review, standards, standard.code, request))
    form = resaved_form(StandardForm, request, review, {"standard": standard, "state": state})
    form.add_problems(problems)
    return form, 200, True


@require_http_methods(["GET", "POST"])
def review_standard(request, pk, crn, code):
    return _standard_page(request, pk, crn, code, draft=False)


@require_POST
def review_standard_draft(request, pk, crn, code):
    """A standard page's "Save as draft": the same save, then back to the task list."""
    return _standard_page(request, pk, crn, code, draft=True)


def _standard_page(request, pk, crn, code, *, draft):
    access = access_or_404(request, pk, crn)
    review = access.review
    standards = case_standards(review.sampled_case.inspection.framework_id)
    standard = standard_by_code(standards, code)
    if standard is None:
        raise Http404("No such standard")
    if not access.can_edit:
        if request.method == "POST":
            messages.error(request, "This review cannot be changed now.")
        return redirect(review_urls(review)["check"])
    state = load_review_state(review, standards)
    kwargs = {"standard": standard, "state": state}
    status, saved, held = 200, False, None
    if request.method == "POST":
        outcome = _save_standard(request, review, standards, standard, kwargs, draft=draft)
        if isinstance(outcome, HttpResponseRedirect):
            return outcome
        form, status, saved = outcome
    else:
        form, held = form_or_held(
            request,
            review,
            code,
            StandardForm,
            kwargs,
            standard_initial(standard, state, review.version),
        )
        record_view(request, review, f"standard {standard.code}")
    return with_held(
        request,
        held,
        render(
            request,
            "audit/review_standard.html",
            page_context(
                access,
                form=form,
                standard=standard,
                saved=saved,
                last_return=last_return(review),
                held=held,
                number=standards.index(standard) + 1,
                of=len(standards),
                contents=contents(standard, state),
                returning=returning(request),
                form_urls=save_urls(request, review, standard.code),
                page_title=f"{standard.code} {standard.title} – {review.sampled_case.case.crn}",
            ),
            status=status,
        ),
    )


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
        facts.append(
            {
                "question": FACT_QUESTIONS[name],
                "answer": label or "Not answered",
                "missing": not label,
                "href": f"{review_urls(review)['facts']}{FROM_CHECK}#{fact_anchor(name, rules)}",
            }
        )
    prompt_labels = dict(PromptValue.choices)
    judgement_labels = dict(JudgementValue.choices)
    standards = []
    for standard in state.standards:
        rows = []
        page = standard_url(review, standard.code)
        for kq in standard.key_questions.all():
            for prompt in kq.prompts.all():
                applies = state.prompt_applies(prompt)
                value = state.answers.get(prompt.pk, "")
                rows.append(
                    {
                        "question": f"{prompt.code} {prompt.wording}",
                        "answer": prompt_labels.get(value, "Not answered")
                        if applies
                        else "Not applicable to this case",
                        "missing": applies and not value,
                        "href": f"{page}{FROM_CHECK}#id_{prompt_field_name(prompt.code)}_1",
                        "editable": applies,
                    }
                )
            value, rationale = state.judgements.get(kq.pk, ("", ""))
            applies = state.key_question_applies(kq)
            rows.append(
                {
                    "question": f"{kq.code} {kq.wording}",
                    "answer": judgement_labels.get(value, "Not answered")
                    if applies
                    else "Not applicable to this case",
                    "rationale": rationale,
                    "missing": applies and not value,
                    "judgement": True,
                    "href": f"{page}{FROM_CHECK}#id_{judgement_field_name(kq.code)}_0",
                    "editable": applies,
                }
            )
        standards.append({"standard": standard, "rows": rows})
    return facts, standards


def _gaps(review, state, problems) -> list[dict]:
    """What is still to do, per section, for the top of Check answers: counts and a link to
    the first gap of each section."""
    titles = {
        FACTS_SECTION: "Case facts",
        **{s.code: f"{s.code} {s.title}" for s in state.standards},
    }
    gaps = []
    for key, items in groupby(problems, key=lambda p: p.section):
        items = list(items)
        kinds = [p.kind for p in items]
        parts = []
        for kind, one, many in (
            ("fact", "answer", "answers"),
            ("prompt", "prompt unanswered", "prompts unanswered"),
            ("judgement", "key question not judged", "key questions not judged"),
            ("rationale", "reason missing", "reasons missing"),
        ):
            count = kinds.count(kind)
            if count:
                parts.append(f"{count} {one if count == 1 else many}")
        gaps.append(
            {
                "key": key,
                "title": titles.get(key, key),
                "text": ", ".join(parts),
                "count": len(items),
                "href": problem_href(review, items[0]),
            }
        )
    return gaps


def _check_answers(access, state, problems, error) -> dict:
    """What the check-answers page shows: the answers by section and every gap left."""
    review = access.review
    facts, standards = _summary(review, state)
    error_links = [(problem_href(review, p), p.message) for p in problems]
    if error:
        error_links.insert(0, ("#submit", error))
    outstanding = state.problems() if not problems else problems
    gaps = _gaps(review, state, outstanding) if access.can_edit else []
    by_section = {gap["key"]: gap for gap in gaps}
    for block in standards:
        block["gap"] = by_section.get(block["standard"].code)
    return {
        "facts": facts,
        "standards": standards,
        "error_links": error_links,
        "outstanding": outstanding,
        "gaps": gaps,
        "facts_gap": by_section.get(FACTS_SECTION),
    }


@require_http_methods(["GET", "POST"])
def review_check(request, pk, crn):
    access = access_or_404(request, pk, crn)
    review = access.review
    state = load_review_state(review)
    form = SubmitForm(request.POST or None, initial={"version": review.version})
    problems = []
    error = ""
    status = 200
    if request.method == "POST":
        if not access.can_edit:
            messages.error(request, "This review cannot be submitted now.")
            return redirect(review_urls(review)["check"])
        if form.is_valid():
            try:
                services.submit_review(
                    review=review,
                    version=form.cleaned_data["version"],
                    user=request.user,
                    standards=state.standards,
                )
            except services.ReviewIncomplete as incomplete:
                problems = incomplete.problems
            except services.StaleReview as stale:
                error, status = stale.what_happened, 409
                error += " Check the answers below, then submit again."
                form = SubmitForm(initial={"version": stale.current_version})
                review.refresh_from_db()
                state = load_review_state(review, state.standards)
            except (services.ReviewLocked, InspectionPublished) as locked:
                return refused(request, review, locked)
            else:
                messages.success(request, f"Review of {crn} submitted.")
                if access.is_assessor:
                    return redirect("audit:my_cases")
                return redirect(review_urls(review)["tasks"])
        else:
            status = 400
    if request.method == "GET":
        record_view(request, review, "check answers")
    return render(
        request,
        "audit/review_check.html",
        page_context(
            access,
            form=form,
            **_check_answers(access, state, problems, error),
            last_return=last_return(review),
            feedback=review_feedback(review) if review.status == "moderated" else None,
            events=ReviewEvent.objects.filter(review=review).select_related("actor"),
            page_title=f"Check your answers – {crn}",
        ),
        status=status if not problems else 200,
    )


# --- lead: return and reopen --------------------------------------------------------------------


def _lead_action(request, pk, crn, *, form_class, service, template, done, title):
    access = access_or_404(request, pk, crn)
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
            return redirect(review_urls(review)["tasks"])
    return render(
        request,
        template,
        page_context(access, form=form, page_title=f"{title} – {crn}"),
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def review_return(request, pk, crn):
    return _lead_action(
        request,
        pk,
        crn,
        form_class=ReturnForm,
        service=services.return_review,
        template="audit/review_return.html",
        done="Review of {crn} returned to the assessor.",
        title="Return the review",
    )


@require_http_methods(["GET", "POST"])
def review_reopen(request, pk, crn):
    return _lead_action(
        request,
        pk,
        crn,
        form_class=ReopenForm,
        service=services.reopen_review,
        template="audit/review_reopen.html",
        done="Review of {crn} reopened.",
        title="Reopen the review",
    )
