"""A provider's page (its figures across its inspections) and its CSV/XLSX and PDF downloads."""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.http import require_GET

from audit.reports.access import require_reports, visible_inspections, visible_provider_or_404
from audit.reports.pages import audit_report, download_tables, pdf_audit, render_report, with_query
from audit.reports.pdf_jobs import pdf_download
from audit.reports.provider import ProviderTrendReport
from audit.reports.replica import reads_from_replica
from audit.reports.rollup import RollupUnavailable
from audit.trail import trail
from cases.selectors import provider_ids_visible_to


def _provider_report(request, code):
    require_reports(request.user)
    provider = visible_provider_or_404(request.user, code)
    try:
        return ProviderTrendReport(
            provider,
            inspections=visible_inspections(request.user),
            include_provisional=request.GET.get("provisional") == "1",
            provider_ids=provider_ids_visible_to(request.user),
        )
    except RollupUnavailable as exc:
        raise Http404(str(exc)) from exc


@require_GET
@reads_from_replica
def provider_report(request, code):
    return _provider_page(request, code)


def _provider_page(request, code, *, pdf=False):
    report = _provider_report(request, code)
    if not pdf:
        audit_report(
            request,
            trail.Action.VIEWED,
            report,
            "",
            obj=report.provider,
            object_type="provider_report",
        )
    provider = report.provider
    return render_report(
        request,
        report,
        "reports:provider_download",
        [code],
        provider=report.provider,
        provisional_toggle=with_query(
            request, provisional=None if report.include_provisional else "1"
        )
        or request.path,
        pdf=pdf_audit(provider, "provider_report") if pdf else False,
        cover=[
            f"{provider.get_type_display()} · {provider.code}",
            "Published inspections and, marked, provisional ones"
            if report.include_provisional
            else "Published inspections",
        ],
    )


@require_GET
@reads_from_replica
def provider_download(request, code, slug, fmt):
    if fmt == "pdf":
        return pdf_download(
            request,
            slug,
            check=lambda: visible_provider_or_404(request.user, code),
            make=lambda: _provider_page(request, code, pdf=True),
            title=f"PDF of the report on {code}",
        )
    report = _provider_report(request, code)
    return download_tables(
        request, report, slug, fmt, obj=report.provider, object_type="provider_report"
    )
