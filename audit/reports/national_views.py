"""The national picture's page, its CSV/XLSX downloads and its PDF (see audit/reports/national.py).

Thin like the other report views, whose helpers it shares: access checks, then the generator.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import InspectionStatus
from audit.reports.access import require_reports, visible_inspections
from audit.reports.national import NationalPictureReport
from audit.reports.pages import (
    audit_report,
    download_tables,
    pdf_audit,
    render_report,
    with_query,
)
from audit.reports.pdf_jobs import pdf_download
from audit.reports.replica import reads_from_replica
from audit.reports.rollup import RollupUnavailable
from audit.trail import trail
from cases.selectors import provider_ids_visible_to
from standards.models import Framework


def _national_report(request):
    require_reports(request.user)
    inspections = visible_inspections(request.user)
    published = inspections.filter(status=InspectionStatus.PUBLISHED)
    frameworks = list(
        Framework.objects.filter(id__in=published.values("framework_id")).order_by(
            "code", "-version"
        )
    )
    chosen = request.GET.get("framework", "")
    framework = next((f for f in frameworks if str(f.id) == chosen), None)
    if framework is None:
        latest = published.order_by("-period_end", "-id").first()
        framework = next((f for f in frameworks if latest and f.id == latest.framework_id), None)
    if framework is None:
        return None, frameworks
    try:
        report = NationalPictureReport(
            framework=framework,
            inspections=inspections,
            provider_ids=provider_ids_visible_to(request.user),
            sort=request.GET.get("sort", "provider"),
            descending=request.GET.get("order") == "desc",
            measure=request.GET.get("measure", ""),
        )
    except RollupUnavailable as exc:
        raise Http404(str(exc)) from exc
    return report, frameworks


@require_GET
@reads_from_replica
def national_picture(request):
    return _national_page(request)


def _national_page(request, *, pdf=False):
    report, frameworks = _national_report(request)
    if report is None and pdf:
        raise Http404("No published inspection yet.")
    if report is None:
        return render(
            request,
            "reports/national.html",
            {"page_title": "National picture", "report": None, "frameworks": frameworks},
        )
    if not pdf:
        audit_report(request, trail.Action.VIEWED, report, "", object_type="national_picture")

    def sort_url(key, descending):
        return with_query(request, sort=key, order="desc" if descending else None) + "#table-matrix"

    return render_report(
        request,
        report,
        "reports:national_download",
        [],
        frameworks=frameworks,
        funnel_keep=[(k, v) for k, vs in request.GET.lists() if k != "measure" for v in vs],
        formatter={"sort_url": sort_url, "sort": report.sort, "descending": report.descending},
        pdf=pdf_audit(None, "national_picture") if pdf else False,
        cover=[str(report.framework), "Each provider's latest published inspection"],
    )


@require_GET
@reads_from_replica
def national_download(request, slug, fmt):
    if fmt == "pdf":
        return pdf_download(
            request,
            slug,
            check=None,
            make=lambda: _national_page(request, pdf=True),
            title="PDF of the national picture",
        )
    report, _ = _national_report(request)
    if report is None:
        raise Http404("No published inspection yet.")
    return download_tables(request, report, slug, fmt, object_type="national_picture")
