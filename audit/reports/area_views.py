"""An area's page (figures pooled across the inspections of the providers beneath it), its
CSV/XLSX downloads, its PDF and its JSON. Thin like the other report views, whose helpers it
shares: access checks, then the pooled roll-up and the generator.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from audit.reports.access import require_reports, visible_inspections, visible_provider_or_404
from audit.reports.area import AreaReport, area_to_dict
from audit.reports.area_forms import AreaFilterForm
from audit.reports.pages import (
    audit_report,
    download_tables,
    pdf_audit,
    render_report,
    with_query,
)
from audit.reports.pdf_jobs import pdf_download
from audit.reports.pooled import (
    MixedFrameworks,
    area_rollup,
    candidate_inspections,
    frameworks_of,
    providers_beneath,
)
from audit.reports.replica import reads_from_replica
from audit.reports.rollup import RollupUnavailable
from audit.trail import trail
from cases.selectors import provider_ids_visible_to


class _Refused(Exception):
    """The figures cannot be pooled as asked; the page says why."""

    def __init__(self, message: str, frameworks=()):
        super().__init__(message)
        self.frameworks = frameworks


def _area(request, code):
    """(area provider, filter form, AreaRollup or None when the filters are wrong)."""
    require_reports(request.user)
    area = visible_provider_or_404(request.user, code)
    ids = provider_ids_visible_to(request.user)
    inspections = visible_inspections(request.user)
    beneath = providers_beneath(area, ids)
    frameworks = frameworks_of(candidate_inspections(inspections, beneath))
    form = AreaFilterForm(request.GET, frameworks=frameworks)
    if not form.is_valid():
        return area, form, None
    try:
        pooled = area_rollup(
            area,
            inspections=inspections,
            provider_ids=ids,
            period_start=form.cleaned_data.get("period_start"),
            period_end=form.cleaned_data.get("period_end"),
            every_inspection=form.cleaned_data.get("every", False),
            framework=form.chosen_framework(),
            beneath=beneath,
        )
    except MixedFrameworks as exc:
        raise _Refused(str(exc), exc.frameworks) from exc
    except RollupUnavailable as exc:
        raise Http404(str(exc)) from exc
    return area, form, pooled


def _refused_page(request, area, form, refused: _Refused):
    choices = [
        {"name": str(f), "href": with_query(request, framework=str(f.id))}
        for f in refused.frameworks
    ]
    return render(
        request,
        "reports/area.html",
        {
            "page_title": area.name,
            "provider": area,
            "form": form,
            "report": None,
            "refused": str(refused),
            "framework_links": choices,
        },
        status=409,
    )


@require_GET
@reads_from_replica
def area_report(request, code):
    return _area_page(request, code)


def _area_page(request, code, *, pdf=False):
    try:
        area, form, pooled = _area(request, code)
    except _Refused as refused:
        if pdf:
            raise Http404(str(refused)) from refused
        area = visible_provider_or_404(request.user, code)
        form = AreaFilterForm(request.GET, frameworks=refused.frameworks)
        form.is_valid()
        return _refused_page(request, area, form, refused)
    if pooled is None:
        if pdf:
            raise Http404("Correct the filters first.")
        context = {"page_title": area.name, "provider": area, "form": form, "report": None}
        return render(request, "reports/area.html", context)
    report = AreaReport(pooled, measure=request.GET.get("measure", ""))
    if not pdf:
        audit_report(request, trail.Action.VIEWED, report, "", obj=area, object_type="area_report")
    keep = [(k, v) for k, values in request.GET.lists() if k != "measure" for v in values]
    return render_report(
        request,
        report,
        "reports:area_download",
        [code],
        provider=area,
        form=form,
        funnel_keep=keep,
        json_url=reverse("reports:area_json", args=[code]) + with_query(request, measure=None),
        pdf=pdf_audit(area, "area_report") if pdf else False,
        cover=[
            f"{area.get_type_display()} · {area.code}",
            str(pooled.framework) if pooled.framework else "",
            "Every published inspection in the period"
            if pooled.every_inspection
            else "The latest published inspection of each provider",
        ],
    )


@require_GET
@reads_from_replica
def area_download(request, code, slug, fmt):
    if fmt == "pdf":
        return pdf_download(
            request,
            slug,
            check=lambda: visible_provider_or_404(request.user, code),
            make=lambda: _area_page(request, code, pdf=True),
            title=lambda area: f"PDF of the figures of {area.name}",
        )
    try:
        area, _, pooled = _area(request, code)
    except _Refused as refused:
        raise Http404(str(refused)) from refused
    if pooled is None:
        raise Http404("Correct the filters first.")
    report = AreaReport(pooled, measure=request.GET.get("measure", ""))
    return download_tables(request, report, slug, fmt, obj=area, object_type="area_report")


@require_GET
@reads_from_replica
def area_json(request, code):
    """The pooled figures for BI tools: read-only, behind sign-in, scoped to the user's
    providers; a mix of framework versions is a 409 naming them."""
    try:
        area, form, pooled = _area(request, code)
    except _Refused as refused:
        return JsonResponse({"error": str(refused)}, status=409)
    if pooled is None:
        return JsonResponse(
            {"error": "The filters are not valid.", "fields": form.errors.get_json_data()},
            status=400,
        )
    trail.record(
        user=request.user,
        action=trail.Action.EXPORTED,
        obj=area,
        object_type="area_report",
        label=f"{area.name}: pooled figures JSON",
        request=request,
    )
    return JsonResponse(area_to_dict(pooled), json_dumps_params={"indent": 2})
