"""Inspection pages for leads: list, create, sample, assign, import scores."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from audit.accounts.access import (
    can_manage_inspection,
    inspection_to_manage_or_404,
    inspections_visible_to,
)
from audit.accounts.roles import CREATE_INSPECTIONS, may
from audit.inspections import services
from audit.inspections.forms import AddSampleForm, InspectionForm
from audit.inspections.steps import inspection_steps
from audit.models import InspectionPublished, ReviewStatus
from audit.scoring.selectors import (
    review_status_counts,
    scoring_started,
)
from cases.models import Provider, Sample
from cases.selectors import descendant_ids, provider_ids_visible_to
from ui.forms import form_status


def _inspection_or_404(request, pk):
    inspection = inspections_visible_to(request.user).filter(pk=pk).first()
    if inspection is None:
        raise Http404("No such inspection")
    return inspection


def _managed_inspection_or_404(request, pk):
    """Pages that change the inspection: a 404 to those who cannot see it, a 403 to those who
    can but may not manage it."""
    return inspection_to_manage_or_404(request.user, pk)


def _refused_as_published(request, inspection):
    """A published inspection is frozen: say so and go back to it (None when it is not)."""
    if not inspection.is_published:
        return None
    messages.error(request, InspectionPublished(inspection).message)
    return redirect("audit:inspection_detail", pk=inspection.pk)


def _apply_validation_error(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


@require_safe
def inspection_list(request):
    inspections = (
        inspections_visible_to(request.user)
        .annotate(
            cases=Count("sampled_cases", distinct=True),
            submitted=Count(
                "sampled_cases",
                filter=Q(
                    sampled_cases__review__status__in=[
                        ReviewStatus.SUBMITTED,
                        ReviewStatus.MODERATED,
                    ]
                ),
                distinct=True,
            ),
        )
        .prefetch_related("providers")
    )
    return render(
        request,
        "audit/inspection_list.html",
        {
            "inspections": inspections,
            "can_create": may(request.user, CREATE_INSPECTIONS),
            "page_title": "Inspections",
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_create(request):
    if not may(request.user, CREATE_INSPECTIONS):
        raise PermissionDenied("Only leads create inspections.")
    form = InspectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.create_inspection(
                title=data["title"],
                framework=data["framework"],
                providers=data["providers"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                lead=request.user,
                team=data["team"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, f"Inspection “{inspection}” created. Add a sample next.")
            return redirect("audit:inspection_detail", pk=inspection.pk)
    return render(
        request,
        "audit/inspection_form.html",
        {
            "form": form,
            "page_title": "Create an inspection",
            "inspection": None,
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def inspection_edit(request, pk):
    inspection = _managed_inspection_or_404(request, pk)
    if refusal := _refused_as_published(request, inspection):
        return refusal
    fixed = scoring_started(inspection)
    initial = {
        "title": inspection.title,
        "framework": inspection.framework_id,
        "providers": list(inspection.providers.all()),
        "period_start": inspection.period_start,
        "period_end": inspection.period_end,
        "team": list(inspection.team.all()),
    }
    form = InspectionForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        framework_fixed=inspection.framework if fixed else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_inspection(
                inspection=inspection,
                title=data["title"],
                framework=data.get("framework", inspection.framework),
                providers=data["providers"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                team=data["team"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, "Inspection details saved.")
            return redirect("audit:inspection_detail", pk=pk)
    return render(
        request,
        "audit/inspection_form.html",
        {
            "form": form,
            "page_title": f"Change {inspection}",
            "inspection": inspection,
        },
        status=form_status(form),
    )


@require_safe
def inspection_detail(request, pk):
    inspection = _inspection_or_404(request, pk)
    can_manage = can_manage_inspection(request.user, inspection)
    by_status = review_status_counts(inspection)
    statuses = [(label, by_status.get(value, 0)) for value, label in ReviewStatus.choices]
    per_provider = (
        inspection.sampled_cases.values("provider__code", "provider__name")
        .annotate(
            cases=Count("pk"),
            assigned=Count("pk", filter=Q(assessor__isnull=False)),
            submitted=Count(
                "pk", filter=Q(review__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.MODERATED])
            ),
        )
        .order_by("provider__name")
    )
    return render(
        request,
        "audit/inspection_detail.html",
        {
            "inspection": inspection,
            "providers": inspection.providers.all(),
            "team": inspection.team.all(),
            "statuses": statuses,
            "total": sum(by_status.values()),
            "per_provider": per_provider,
            "can_manage": can_manage,
            "steps": inspection_steps(inspection, manage=can_manage),
            "scoring_started": scoring_started(inspection),
            "page_title": str(inspection),
        },
    )


def _samples_visible_to(user, inspection):
    """Drawn samples whose providers the user can all see, of the inspection's providers (or
    units beneath them) and within the period it inspects."""
    covered = descendant_ids(inspection.providers.values_list("pk", flat=True))
    samples = (
        Sample.objects.annotate(n_cases=Count("cases", distinct=True))
        .prefetch_related("providers")
        .exclude(providers__in=Provider.objects.exclude(pk__in=covered))
        .filter(window_start__gte=inspection.period_start, window_end__lte=inspection.period_end)
    )
    visible = provider_ids_visible_to(user)
    if visible is not None:
        samples = samples.exclude(providers__in=Provider.objects.exclude(pk__in=visible))
    return samples.order_by("-drawn_at")


@require_http_methods(["GET", "POST"])
def inspection_add_sample(request, pk):
    inspection = _managed_inspection_or_404(request, pk)
    if refusal := _refused_as_published(request, inspection):
        return refusal
    samples = _samples_visible_to(request.user, inspection)
    form = AddSampleForm(request.POST or None, samples=samples)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_sample(
                inspection=inspection, sample=form.cleaned_data["sample"], user=request.user
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, f"{added} cases added to the inspection.")
            return redirect("audit:inspection_assign", pk=pk)
    return render(
        request,
        "audit/inspection_sample.html",
        {
            "form": form,
            "inspection": inspection,
            "samples": samples,
            "page_title": "Add a sample",
        },
        status=form_status(form),
    )
