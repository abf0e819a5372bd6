"""Drawing a sample from inside an inspection: its providers and period, the sample-size
calculator's suggestion, and straight back to the inspection with the sample's cases added.

Checking the caseload (the page's own URL) writes nothing; drawing has a URL of its own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.accounts.access import inspection_to_manage_or_404
from audit.inspections import services
from audit.inspections.forms import InspectionSampleForm
from audit.models import InspectionPublished, InspectionStatus
from cases import sampling
from cases.models import Provider
from cases.selectors import descendant_ids, provider_ids_visible_to
from ui.forms import form_status


def _providers(user, inspection):
    """The inspection's providers and the units beneath them that the user may see."""
    ids = descendant_ids(inspection.providers.values_list("pk", flat=True))
    visible = provider_ids_visible_to(user)
    if visible is not None:
        ids = set(ids) & set(visible)
    return Provider.objects.filter(pk__in=ids).order_by("name")


def _form(request, inspection):
    initial = {
        "providers": [p.code for p in inspection.providers.all()],
        "window_start": inspection.period_start,
        "window_end": inspection.period_end,
        "confidence": 95,
        "margin": 5,
    }
    return InspectionSampleForm(
        request.POST if request.method == "POST" else None,
        inspection=inspection,
        providers=_providers(request.user, inspection),
        initial=initial,
    )


def plan(data) -> dict:
    """The eligible caseload, the suggested size and the margin of error the chosen size gives."""
    cases = sampling.eligible_cases(
        providers=data["providers"],
        window_start=data["window_start"],
        window_end=data["window_end"],
    )
    strata = sampling.strata_counts(cases)
    caseload = sum(strata.values())
    confidence, margin, size = data["confidence"], data["margin"], data.get("size")
    suggested = sampling.sample_size(caseload, confidence, margin)
    found = {
        "checked": True,
        "caseload": caseload,
        "suggested": suggested,
        "confidence": confidence,
        "margin": margin,
        "table": sampling.strata_table({s.key: n for s, n in strata.items()}, {}),
        "smaller": None,
    }
    if size and caseload and size < suggested:
        achieved = sampling.margin_of_error(min(size, caseload), caseload, confidence)
        found["smaller"] = (
            f"A sample of {size:,} from {caseload:,} eligible cases gives a margin of error of "
            f"{100 * achieved:.1f}% at {confidence}% confidence, wider than the {margin}% asked "
            f"for: {suggested:,} cases are suggested."
        )
    return found


def _refused(request, inspection):
    """A published inspection or one in moderation takes no new cases: say so and go back."""
    if inspection.is_published:
        messages.error(request, InspectionPublished(inspection).message)
    elif inspection.status == InspectionStatus.MODERATION:
        messages.error(request, "Cases can be added only during planning or fieldwork.")
    else:
        return None
    return redirect("audit:inspection_detail", pk=inspection.pk)


def _page(request, inspection, form, found=None):
    context = {
        "page_title": f"Draw a sample: {inspection}",
        "inspection": inspection,
        "form": form,
        **(found or {}),
    }
    return render(request, "audit/inspection_draw_sample.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
def inspection_draw_sample(request, pk):
    """The form, and (on POST) the caseload checked: its size, strata and suggested sample."""
    inspection = inspection_to_manage_or_404(request.user, pk)
    if refusal := _refused(request, inspection):
        return refusal
    form = _form(request, inspection)
    if request.method != "POST" or not form.is_valid():
        return _page(request, inspection, form)
    found = plan(form.cleaned_data)
    if form.cleaned_data["size"] is None and found["suggested"]:
        prefilled = request.POST.copy()
        prefilled["size"] = found["suggested"]
        form = InspectionSampleForm(
            prefilled, inspection=inspection, providers=_providers(request.user, inspection)
        )
        form.is_valid()
    return _page(request, inspection, form, found)


def _draw_problem(form, found) -> tuple[str, str] | None:
    size, caseload = form.cleaned_data["size"], found["caseload"]
    if size is None:
        return "size", "Enter the sample size"
    if caseload == 0:
        return "providers", "There are no cases of these providers in this window to sample"
    if size > caseload:
        return "size", f"The sample size must be no more than the caseload ({caseload:,})"
    if found["smaller"] and not form.cleaned_data["accept_smaller"]:
        return "accept_smaller", (
            f"{found['smaller']} Tick the box to draw it anyway, or enter a larger size"
        )
    return None


@require_POST
def inspection_draw_sample_confirm(request, pk):
    """Draw the sample into the inspection and go back to it."""
    inspection = inspection_to_manage_or_404(request.user, pk)
    if refusal := _refused(request, inspection):
        return refusal
    form = _form(request, inspection)
    if not form.is_valid():
        return _page(request, inspection, form)
    data = form.cleaned_data
    found = plan(data)
    if problem := _draw_problem(form, found):
        form.add_error(*problem)
        return _page(request, inspection, form, found)
    try:
        sample, added = services.draw_sample_into(
            inspection=inspection,
            providers=data["providers"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            size=data["size"],
            seed=data["seed"],
            user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, inspection, form, found)
    messages.success(
        request,
        f"Sample of {sample.requested_size:,} cases drawn (seed {sample.seed}): {added:,} cases "
        "added to the inspection. Assign them next.",
    )
    return redirect("audit:inspection_detail", pk=inspection.pk)
