"""Assigning an inspection's cases: to one assessor, back to nobody, or shared evenly among
several; each assessor's current load shown beside the list. One URL per change."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.accounts.access import inspection_to_manage_or_404
from audit.inspections import services
from audit.inspections.forms import AssignForm, ShareForm
from audit.inspections.selectors import assessor_choices, with_loads
from audit.models import InspectionPublished
from audit.scoring.selectors import inspection_reviews, review_states
from ui.forms import form_status


def _apply(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _published(request, inspection):
    if not inspection.is_published:
        return None
    messages.error(request, InspectionPublished(inspection).message)
    return redirect("audit:inspection_detail", pk=inspection.pk)


def _who(user) -> str:
    return user.get_full_name() or user.username


def _page(request, inspection, reviews, *, form=None, share_form=None):
    sampled = [r.sampled_case for r in reviews]
    assessors = assessor_choices(inspection)
    form = form or AssignForm(sampled_cases=sampled, assessors=assessors)
    share_form = share_form or ShareForm(sampled_cases=sampled, assessors=assessors)
    bound = form if form.is_bound else share_form
    selected = set(bound["cases"].value() or []) if bound.is_bound else set()
    sharing = {str(pk) for pk in (share_form["assessors"].value() or [])}
    states = review_states(reviews)
    rows = []
    for r in reviews:
        sections = states[r.pk].sections()
        rows.append(
            {
                "review": r,
                "sampled": r.sampled_case,
                "sections": sections,
                "done": sum(1 for s in sections if s.status == "completed"),
                "selected": str(r.sampled_case.pk) in selected,
            }
        )
    loads = [(a, str(a.pk) in sharing) for a in with_loads(assessors, inspection)]
    return render(
        request,
        "audit/inspection_assign.html",
        {
            "form": form,
            "share_form": share_form,
            "error_links": form.error_links() + share_form.error_links(),
            "inspection": inspection,
            "rows": rows,
            "assessors": loads,
            "editable": not inspection.is_published,
            "page_title": "Assign cases",
        },
        status=form_status(form, share_form),
    )


@require_http_methods(["GET", "POST"])
def inspection_assign(request, pk):
    """The assignment page; its form gives the selected cases to the chosen assessor."""
    return _assignment(request, pk, unassigning=False)


@require_POST
def inspection_unassign(request, pk):
    """Take the selected cases back from their assessors (the page's second button)."""
    return _assignment(request, pk, unassigning=True)


def _assignment(request, pk, *, unassigning):
    inspection = inspection_to_manage_or_404(request.user, pk)
    reviews = list(inspection_reviews(inspection))
    if request.method != "POST":
        return _page(request, inspection, reviews)
    if refusal := _published(request, inspection):
        return refusal
    form = AssignForm(
        request.POST,
        sampled_cases=[r.sampled_case for r in reviews],
        assessors=assessor_choices(inspection),
        unassigning=unassigning,
    )
    if form.is_valid():
        assessor = None if unassigning else form.cleaned_data["assessor"]
        try:
            changed = services.assign_cases(
                inspection=inspection,
                sampled_case_ids=[int(i) for i in form.cleaned_data["cases"]],
                assessor=assessor,
                user=request.user,
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            done = f"assigned to {_who(assessor)}" if assessor else "unassigned"
            messages.success(request, f"{changed} cases {done}.")
            return redirect("audit:inspection_assign", pk=pk)
    return _page(request, inspection, reviews, form=form)


@require_POST
def inspection_share(request, pk):
    """Share the selected cases evenly among the chosen assessors."""
    inspection = inspection_to_manage_or_404(request.user, pk)
    if refusal := _published(request, inspection):
        return refusal
    reviews = list(inspection_reviews(inspection))
    form = ShareForm(
        request.POST,
        sampled_cases=[r.sampled_case for r in reviews],
        assessors=assessor_choices(inspection),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            shared = services.share_cases(
                inspection=inspection,
                sampled_case_ids=[int(i) for i in data["cases"]],
                assessors=data["assessors"],
                avoid_own_provider=data["avoid_own_provider"],
                user=request.user,
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            split = "; ".join(f"{_who(a)} {n}" for a, n in shared.items())
            messages.success(request, f"{sum(shared.values())} cases shared: {split}.")
            return redirect("audit:inspection_assign", pk=pk)
    return _page(request, inspection, reviews, share_form=form)
