"""Report pages, their CSV/XLSX downloads, the JSON roll-up, and the lead's standard ratings.

Views are thin: access checks, then a report generator or a service. Everything is scoped to the
user's providers; what the user may not see is a 404. Standard ratings change the inspection, so
they follow the rule for managing it (a 403 to those who may see its report but not manage it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.accounts.access import can_manage_inspection, inspection_to_manage_or_404
from audit.models import CountKind, RollupCount
from audit.reports.access import (
    can_enter_standard_ratings,
    require_reports,
    visible_inspection_or_404,
    visible_inspections,
    visible_provider_or_404,
)
from audit.reports.area_forms import chosen_region, regions_visible_to
from audit.reports.breakdowns import DIMENSIONS, DIMENSIONS_BY_KEY
from audit.reports.formatters import EXPORT_FORMATTERS, HTMLFormatter
from audit.reports.forms import BreakdownFilterForm, LeagueFilterForm, StandardRatingForm
from audit.reports.inspection import InspectionReport, counted_ethnicities
from audit.reports.league import LeagueTableReport
from audit.reports.links import sampled_providers
from audit.reports.pdf import pdf_response
from audit.reports.pdf_jobs import pdf_or_job
from audit.reports.provider import ProviderTrendReport
from audit.reports.replica import reads_from_replica
from audit.reports.rollup import RollupUnavailable, rollup
from audit.reports.rollup_export import rollup_json
from audit.reports.standard_ratings import record_standard_rating, withdraw_standard_rating
from audit.trail import trail
from cases.models import Provider
from cases.selectors import provider_ids_visible_to
from standards.models import Framework, Standard


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def _download(request, report, slug: str, fmt: str, **audit):
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
    _audit(request, trail.Action.EXPORTED, report, f"{name}.{fmt}", **audit)
    return response


def _audit(request, action, report, what: str, *, obj=None, object_type="league_table"):
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


def _render_report(
    request, report, download_name: str, download_args: list, *, cover=(), pdf=False, **extra
):
    """The report's page or, with `pdf`, the same page as a PDF with a cover (`cover` lines)."""
    query = request.GET.urlencode()

    def download_url(slug, fmt):
        url = reverse(download_name, args=[*download_args, slug, fmt])
        return f"{url}?{query}" if query else url

    formatter = HTMLFormatter(download_url=download_url, **extra.pop("formatter", {}))
    table_list = [formatter.format(t) for t in report.tables]
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
        _audit(request, trail.Action.EXPORTED, report, f"{name}.pdf", **pdf)
        context.update(pdf_title=report.title, pdf_cover=cover)
        return pdf_response(report.template_name, context, request, name)
    return render(request, report.template_name, context)


# ---------------------------------------------------------------------------------------------


@require_GET
@reads_from_replica
def index(request):
    require_reports(request.user)
    ids = provider_ids_visible_to(request.user)
    # Counted reviews from the maintained counts: a few rows per inspection, not every review.
    counted = RollupCount.objects.filter(inspection=OuterRef("pk"), kind=CountKind.REVIEWS)
    if ids is not None:
        counted = counted.filter(provider_id__in=ids)
    counted = counted.order_by().values("inspection").annotate(total=Sum("n")).values("total")
    inspections = (
        visible_inspections(request.user)
        .annotate(reviews_counted=Coalesce(Subquery(counted), 0))
        .order_by("-period_end", "title")
    )
    shown = list(inspections.values_list("id", flat=True))
    sampled_from = {provider for _, provider in sampled_providers(shown)}
    providers = (
        Provider.objects.filter(Q(inspections__in=shown) | Q(id__in=sampled_from))
        .distinct()
        .order_by("name")
    )
    if ids is not None:
        providers = providers.filter(id__in=ids)
    return render(
        request,
        "reports/index.html",
        {
            "page_title": "Reports",
            "inspections": inspections,
            "providers": providers,
            "can_enter": can_enter_standard_ratings(request.user),
        },
    )


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


def _pdf_audit(obj, object_type):
    return {"obj": obj, "object_type": object_type}


def _inspection_page(request, pk, *, pdf=False):
    inspection, report, filters = _inspection_report(request, pk)
    if not pdf:
        _audit(
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
            "href": _query(request, by=d.key) + "#breakdowns",
            "current": d.key == shown.key,
        }
        for d in DIMENSIONS
    ]
    return _render_report(
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
                "href": _query(request, provider=code or None),
                "current": (report.scope.code or "") == code,
            }
            for code, name in scopes
        ],
        dimension_links=dimension_links,
        breakdown_by=shown.key,
        can_enter=can_enter_standard_ratings(request.user)
        and can_manage_inspection(request.user, inspection),
        json_url=reverse("reports:inspection_json", args=[inspection.id]),
        pdf=_pdf_audit(inspection, "inspection_report") if pdf else False,
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
        if slug != "report":
            raise Http404("A PDF is made of a whole report.")
        require_reports(request.user)
        visible_inspection_or_404(request.user, pk)
        return pdf_or_job(
            request,
            lambda: _inspection_page(request, pk, pdf=True),
            title="PDF of an inspection report",
        )
    inspection, report, _ = _inspection_report(request, pk, slug)
    return _download(request, report, slug, fmt, obj=inspection, object_type="inspection_report")


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
        _audit(
            request,
            trail.Action.VIEWED,
            report,
            "",
            obj=report.provider,
            object_type="provider_report",
        )
    provider = report.provider
    return _render_report(
        request,
        report,
        "reports:provider_download",
        [code],
        provider=report.provider,
        provisional_toggle=_query(request, provisional=None if report.include_provisional else "1")
        or request.path,
        pdf=_pdf_audit(provider, "provider_report") if pdf else False,
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
        if slug != "report":
            raise Http404("A PDF is made of a whole report.")
        require_reports(request.user)
        visible_provider_or_404(request.user, code)
        return pdf_or_job(
            request,
            lambda: _provider_page(request, code, pdf=True),
            title=f"PDF of the report on {code}",
        )
    report = _provider_report(request, code)
    return _download(request, report, slug, fmt, obj=report.provider, object_type="provider_report")


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
        return _query(request, sort=key, order="desc" if descending else None)

    _audit(request, trail.Action.VIEWED, report, "")

    return _render_report(
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
    return _download(request, report, slug, fmt)


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
