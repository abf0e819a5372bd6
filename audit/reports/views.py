"""The inspection report, its CSV/XLSX/PDF downloads and JSON roll-up, the league table, and
the lead's standard ratings. (The index, provider, area and national pages have modules of
their own: index_views, provider_views, area_views, national_views; what they share is in pages.)

Views are thin: access checks, then a report generator or a service. Everything is scoped to the
user's providers; what the user may not see is a 404. Standard ratings change the inspection, so
they follow the rule for managing it (a 403 to those who may see its report but not manage it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.accounts.access import can_manage_inspection, inspection_to_manage_or_404
from audit.reports.access import (
    can_enter_standard_ratings,
    require_reports,
    visible_inspection_or_404,
    visible_inspections,
    visible_provider_or_404,
)
from audit.reports.area_forms import chosen_region, regions_visible_to
from audit.reports.breakdowns import DIMENSIONS, DIMENSIONS_BY_KEY
from audit.reports.forms import BreakdownFilterForm, LeagueFilterForm, StandardRatingForm
from audit.reports.inspection import InspectionReport, counted_ethnicities
from audit.reports.league import LeagueTableReport
from audit.reports.pages import audit_report, download_tables, pdf_audit, render_report, with_query
from audit.reports.pdf_jobs import pdf_download
from audit.reports.replica import reads_from_replica
from audit.reports.rollup import RollupUnavailable, rollup
from audit.reports.rollup_export import rollup_json
from audit.reports.standard_ratings import record_standard_rating, withdraw_standard_rating
from audit.trail import trail
from cases.selectors import provider_ids_visible_to
from standards.models import Framework, Standard


def _breakdown_dimensions(request, slug=None):
    """The page shows one breakdown (?by=); a download builds the one asked for, or all."""
    if slug == "all":
        return DIMENSIONS
    if slug is not None:
        head = next((h for h in ("breakdown-", "timeliness-") if slug.startswith(h)), None)
        key = slug.removeprefix(head or "").replace("-", "_")
        return (DIMENSIONS_BY_KEY[key],) if head and key in DIMENSIONS_BY_KEY else ()
    return (DIMENSIONS_BY_KEY.get(request.GET.get("by", ""), DIMENSIONS[0]),)


def _inspection_report(request, pk, slug=None):
    require_reports(request.user)
    inspection = visible_inspection_or_404(request.user, pk)
    ids = provider_ids_visible_to(request.user)
    try:
        result = rollup(inspection, provider_ids=ids)
    except RollupUnavailable as exc:
        raise Http404(str(exc)) from exc
    ethnicities = counted_ethnicities(inspection, ids, result)
    filters = BreakdownFilterForm(request.GET, ethnicities=ethnicities)
    report = InspectionReport(
        inspection,
        provider_ids=ids,
        provider_code=request.GET.get("provider", ""),
        breakdown_filter=filters.to_q(),
        filter_words=filters.active_filters(),
        result=result,
        dimensions=_breakdown_dimensions(request, slug),
    )
    if report.scope is None:
        raise Http404("No such provider in this inspection.")
    return inspection, report, filters


@require_GET
@reads_from_replica
def inspection_report(request, pk):
    return _inspection_page(request, pk)


def _inspection_page(request, pk, *, pdf=False):
    inspection, report, filters = _inspection_report(request, pk)
    if not pdf:
        audit_report(
            request,
            trail.Action.VIEWED,
            report,
            "",
            obj=inspection,
            object_type="inspection_report",
        )
    scopes = [("", "Whole inspection")] + [(p.code, p.name) for p in report.result.providers]
    shown = report.dimensions[0]
    dimension_links = [
        {
            "label": d.label,
            "href": with_query(request, by=d.key) + "#breakdowns",
            "current": d.key == shown.key,
        }
        for d in DIMENSIONS
    ]
    return render_report(
        request,
        report,
        "reports:inspection_download",
        [inspection.id],
        inspection=inspection,
        filters=filters,
        scopes=[
            {
                "code": code,
                "name": name,
                "href": with_query(request, provider=code or None),
                "current": (report.scope.code or "") == code,
            }
            for code, name in scopes
        ],
        dimension_links=dimension_links,
        breakdown_by=shown.key,
        can_enter=can_enter_standard_ratings(request.user)
        and can_manage_inspection(request.user, inspection),
        json_url=reverse("reports:inspection_json", args=[inspection.id]),
        pdf=pdf_audit(inspection, "inspection_report") if pdf else False,
        cover=[
            f"{report.scope_name[0].upper()}{report.scope_name[1:]}",
            report.result.framework_title,
            f"Period inspected: {inspection.period_start:%-d %B %Y} to "
            f"{inspection.period_end:%-d %B %Y}",
            f"Status: {inspection.get_status_display()}",
        ],
    )


@require_GET
@reads_from_replica
def inspection_download(request, pk, slug, fmt):
    if fmt == "pdf":
        return pdf_download(
            request,
            slug,
            check=lambda: visible_inspection_or_404(request.user, pk),
            make=lambda: _inspection_page(request, pk, pdf=True),
            title="PDF of an inspection report",
        )
    inspection, report, _ = _inspection_report(request, pk, slug)
    return download_tables(
        request, report, slug, fmt, obj=inspection, object_type="inspection_report"
    )


@require_GET
@reads_from_replica
def inspection_json(request, pk):
    """The roll-up for BI tools: read-only, behind sign-in, scoped to the user's providers."""
    require_reports(request.user)
    inspection = visible_inspection_or_404(request.user, pk)
    try:
        result = rollup(inspection, provider_ids=provider_ids_visible_to(request.user))
    except RollupUnavailable as exc:
        return JsonResponse({"error": str(exc)}, status=409)
    response = HttpResponse(rollup_json(result), content_type="application/json")
    trail.record(
        user=request.user,
        action=trail.Action.EXPORTED,
        obj=inspection,
        object_type="inspection_report",
        label=f"{inspection}: roll-up JSON",
        request=request,
    )
    return response


# ---------------------------------------------------------------------------------------------


def _league_report(request):
    require_reports(request.user)
    inspections = visible_inspections(request.user)
    frameworks = list(
        Framework.objects.filter(id__in=inspections.values("framework_id")).order_by(
            "code", "-version"
        )
    )
    latest = inspections.order_by("-period_end", "-id").first()
    data = request.GET.copy()
    if "framework" not in data and latest is not None:
        data["framework"] = str(latest.framework_id)
    regions = regions_visible_to(request.user)
    form = LeagueFilterForm(data, frameworks=frameworks, regions=regions)
    report = None
    if frameworks and form.is_valid():
        framework = next(f for f in frameworks if str(f.id) == form.cleaned_data["framework"])
        try:
            report = LeagueTableReport(
                framework=framework,
                inspections=inspections,
                provider_ids=provider_ids_visible_to(request.user),
                period_start=form.cleaned_data.get("period_start"),
                period_end=form.cleaned_data.get("period_end"),
                sort=request.GET.get("sort", "rank"),
                descending=request.GET.get("order") == "desc",
                include_provisional=form.cleaned_data.get("provisional", False),
                region=chosen_region(form, regions),
                measure=request.GET.get("measure", ""),
            )
        except RollupUnavailable as exc:
            raise Http404(str(exc)) from exc
    return report, form


@require_GET
@reads_from_replica
def league_table(request):
    report, form = _league_report(request)
    if report is None:
        return render(
            request,
            "reports/league.html",
            {
                "page_title": "League table",
                "form": form,
                "report": None,
            },
        )

    def sort_url(key, descending):
        return with_query(request, sort=key, order="desc" if descending else None)

    audit_report(request, trail.Action.VIEWED, report, "")

    return render_report(
        request,
        report,
        "reports:league_download",
        [],
        form=form,
        funnel_keep=[(k, v) for k, vs in request.GET.lists() if k != "measure" for v in vs],
        formatter={"sort_url": sort_url, "sort": report.sort, "descending": report.descending},
    )


@require_GET
@reads_from_replica
def league_download(request, slug, fmt):
    report, _ = _league_report(request)
    if report is None:
        raise Http404("Choose a framework version.")
    return download_tables(request, report, slug, fmt)


# ---------------------------------------------------------------------------------------------
# Lead-entered ratings


def _rating_context(request, pk, code):
    """The lead's rating pages change the inspection: seen by the report's rule (a 404 if not),
    changed only by those who manage it (a 403 to those who see its report but may not)."""
    if not can_enter_standard_ratings(request.user):
        raise Http404("No such page.")
    inspection = inspection_to_manage_or_404(
        request.user, pk, seen=visible_inspections(request.user)
    )
    provider = visible_provider_or_404(request.user, code)
    try:
        result = rollup(inspection, provider_ids={provider.id})
    except RollupUnavailable as exc:
        raise Http404(str(exc)) from exc
    provider_result = result.provider(provider.code)
    if provider_result is None:
        raise Http404("This provider is not part of the inspection.")
    return inspection, provider, provider_result


@require_GET
def standard_ratings(request, pk, code):
    inspection, provider, result = _rating_context(request, pk, code)
    return render(
        request,
        "reports/standard_ratings.html",
        {
            "page_title": f"Standard ratings: {provider.name}",
            "inspection": inspection,
            "provider": provider,
            "result": result,
        },
    )


@dataclass
class _RatingPage:
    """A standard's rating page: what it rates and where it leads."""

    inspection: object
    provider: object
    standard: object
    result: object
    is_override: bool
    back: str
    initial: dict


def _rating_page(request, pk, code, standard_code) -> _RatingPage:
    inspection, provider, result = _rating_context(request, pk, code)
    standard = Standard.objects.filter(
        framework_id=inspection.framework_id, code=standard_code
    ).first()
    standard_result = result.standard(standard_code)
    if standard is None or standard_result is None:
        raise Http404("No such standard in this inspection's framework.")
    initial = {}
    if standard_result.entered_rating is not None:
        initial = {
            "rating": standard_result.entered_rating.value,
            "rationale": standard_result.rationale,
        }
    return _RatingPage(
        inspection=inspection,
        provider=provider,
        standard=standard,
        result=standard_result,
        is_override=not standard_result.is_judgement_rated,
        back=reverse("reports:standard_ratings", args=[inspection.id, provider.code]),
        initial=initial,
    )


def _render_rating_page(request, page: _RatingPage, form):
    inspection, provider = page.inspection, page.provider
    return render(
        request,
        "reports/standard_rating_form.html",
        {
            "page_title": f"Rate standard {page.standard.code}: {provider.name}",
            "inspection": inspection,
            "provider": provider,
            "standard": page.result,
            "form": form,
            "is_override": page.is_override,
            "back": page.back,
            "report_url": reverse("reports:inspection", args=[inspection.id])
            + "?"
            + urlencode({"provider": provider.code}),
        },
    )


@require_http_methods(["GET", "POST"])
def standard_rating_edit(request, pk, code, standard_code):
    page = _rating_page(request, pk, code, standard_code)
    form = StandardRatingForm(
        request.POST if request.method == "POST" else None,
        initial=page.initial,
        is_override=page.is_override,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_standard_rating(
                inspection=page.inspection,
                provider=page.provider,
                standard=page.standard,
                rating=form.cleaned_data["rating"],
                rationale=form.cleaned_data["rationale"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"The rating of standard {page.standard.code} was saved.")
            return redirect(page.back)
    return _render_rating_page(request, page, form)


@require_POST
def standard_rating_withdraw(request, pk, code, standard_code):
    """Withdraw a lead's rating (or remove an override); a refusal is shown on the rating page."""
    page = _rating_page(request, pk, code, standard_code)
    try:
        withdraw_standard_rating(
            inspection=page.inspection,
            provider=page.provider,
            standard=page.standard,
            user=request.user,
        )
    except ValidationError as exc:
        form = StandardRatingForm(initial=page.initial, is_override=page.is_override)
        form.add_error(None, exc)
        return _render_rating_page(request, page, form)
    messages.success(request, f"The rating of standard {page.standard.code} was withdrawn.")
    return redirect(page.back)
