"""PDF of a report page: the page's own template, laid out for A4 landscape by WeasyPrint.

The template extends `reports/pdf_base.html` (a cover, the stylesheets inline) instead of the
site's base, so the PDF shows what the page shows: the explained ratings, the charts, the tables
and the methods. Nothing is fetched over the network: the stylesheets are read from disk and the
charts are inline SVG.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from audit.reports.formatters import _attachment

PDF_BASE = "reports/pdf_base.html"
# WeasyPrint reports each step and each CSS property it skips (the screen-only ones); only its
# errors belong in the service's log.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)
STYLESHEETS = ("css/app.css", "css/pdf.css")


def _stylesheets() -> str:
    parts = []
    for name in STYLESHEETS:
        path = finders.find(name)
        with open(path, encoding="utf-8") as handle:
            parts.append(handle.read())
    return "\n".join(parts)


def _chart_rules(css: str) -> str:
    """The chart's rules, repeated inside each SVG: WeasyPrint styles SVG from its own CSS."""
    return "\n".join(
        line
        for line in css.splitlines()
        if (".app-chart" in line or ".app-trend" in line) and "{" in line
    )


def pdf_bytes(template_name: str, context: dict, request) -> bytes:
    from weasyprint import HTML  # imported here: Pango is loaded only when a PDF is made

    css = _stylesheets()
    html = render_to_string(
        template_name,
        {
            **context,
            "base_template": PDF_BASE,
            "pdf_css": css,
            "pdf_svg_css": _chart_rules(css),
            "pdf_made": timezone.localtime(),
        },
        request=request,
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_response(template_name: str, context: dict, request, filename: str) -> HttpResponse:
    response = HttpResponse(
        pdf_bytes(template_name, context, request), content_type="application/pdf"
    )
    return _attachment(response, f"{filename}.pdf")
