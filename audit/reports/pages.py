"""What the report views share: links that change the page's query, the CSV/XLSX downloads of a
report's tables, the audit trail of who viewed or exported which report, and rendering a report
as its page or as a PDF."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from audit.reports.formatters import EXPORT_FORMATTERS, HTMLFormatter, formatted_tables
from audit.reports.pdf import pdf_response
from audit.trail import trail


def with_query(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def download_tables(request, report, slug: str, fmt: str, **audit):
    if fmt == "pdf":
        raise Http404("A PDF is made of a whole report.")
    formatter = EXPORT_FORMATTERS.get(fmt)
    if formatter is None:
        raise Http404("No such format.")
    if slug == "all" and fmt == "xlsx":
        tables, name = report.tables, report.filename("all")
    else:
        table = report.table(slug)
        if table is None:
            raise Http404("No such table.")
        tables, name = [table], report.filename(slug)
    response = formatter().response(tables, name)
    audit_report(request, trail.Action.EXPORTED, report, f"{name}.{fmt}", **audit)
    return response


def audit_report(request, action, report, what: str, *, obj=None, object_type="league_table"):
    """The audit trail: who viewed or exported which report, with the filters applied."""
    trail.record(
        user=request.user,
        action=action,
        obj=obj,
        object_type=object_type,
        label=f"{report.title}: {what}" if what else report.title,
        request=request,
        detail={key: value[:100] for key, value in list(request.GET.items())[:20]},
    )


def render_report(
    request, report, download_name: str, download_args: list, *, cover=(), pdf=False, **extra
):
    """The report's page or, with `pdf`, the same page as a PDF with a cover (`cover` lines)."""
    query = request.GET.urlencode()

    def download_url(slug, fmt):
        url = reverse(download_name, args=[*download_args, slug, fmt])
        return f"{url}?{query}" if query else url

    formatter = HTMLFormatter(download_url=download_url, **extra.pop("formatter", {}))
    table_list = formatted_tables(report, formatter, query)
    context = {
        "report": report,
        # Keyed by slug with underscores, for templates: tables.key_questions.
        "tables": {t.slug.replace("-", "_"): t for t in table_list},
        "table_list": table_list,
        "page_title": report.title,
        "download_all": download_url("all", "xlsx"),
        "pdf_url": download_url("report", "pdf"),
        **report.context(),
        **extra,
    }
    if pdf:
        name = report.filename("report")
        audit_report(request, trail.Action.EXPORTED, report, f"{name}.pdf", **pdf)
        context.update(pdf_title=report.title, pdf_cover=cover)
        return pdf_response(report.template_name, context, request, name)
    return render(request, report.template_name, context)


def pdf_audit(obj, object_type):
    return {"obj": obj, "object_type": object_type}
