"""Providers, caseload import and sampling pages. Thin: the work is in importers and sampling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ui.exports import safe_csv_writer
from ui.forms import form_status

from . import sampling, uploads
from .forms import CaseloadUploadForm, ConfirmImportForm, SampleForm
from .importers import COLUMNS, import_caseload
from .models import Case, Gender, Provider, RoshLevel, Sample, SentenceType
from .selectors import descendant_ids, provider_ids_visible_to, visible_providers
from .signals import case_data_event

MAX_ERRORS_SHOWN = 500


def _provider_or_404(user, code) -> Provider:
    return get_object_or_404(visible_providers(user), code=code)


def _visible_samples(user):
    """Samples all of whose providers the user may see."""
    ids = provider_ids_visible_to(user)
    samples = Sample.objects.prefetch_related(
        Prefetch("providers", queryset=Provider.objects.order_by("name"))
    )
    if ids is None:
        return samples
    return (
        samples.filter(providers__id__in=ids)
        .exclude(providers__in=Provider.objects.exclude(id__in=ids))
        .distinct()
    )


# Providers ---------------------------------------------------------------------------------


@require_safe
@permission_required("cases.view_provider", raise_exception=True)
def provider_list(request):
    """The providers the user may see, as the tree they form, with their case counts."""
    providers = list(visible_providers(request.user).order_by("name"))
    counts = dict(
        Case.objects.filter(provider__in=[p.pk for p in providers])
        .order_by()
        .values_list("provider_id")
        .annotate(n=Count("id"))
    )
    children: dict[int | None, list] = {}
    ids = {p.pk for p in providers}
    for provider in providers:
        parent = provider.parent_id if provider.parent_id in ids else None
        children.setdefault(parent, []).append(provider)

    def tree(parent_id):
        return [
            {"provider": p, "cases": counts.get(p.pk, 0), "children": tree(p.pk)}
            for p in children.get(parent_id, [])
        ]

    return render(
        request,
        "cases/provider_list.html",
        {
            "page_title": "Providers and caseloads",
            "tree": tree(None),
            "samples": list(_visible_samples(request.user)[:10]),
        },
    )


@require_safe
@permission_required("cases.view_provider", raise_exception=True)
def provider_detail(request, code):
    """One provider: its place in the tree and the strata of its caseload (with its units')."""
    provider = _provider_or_404(request.user, code)
    visible = provider_ids_visible_to(request.user)
    units = descendant_ids([provider.pk])
    cases = Case.objects.filter(provider_id__in=units)
    strata = sampling.strata_counts(cases)
    table = sampling.strata_table({s.key: n for s, n in strata.items()}, {})
    children = (
        Provider.objects.filter(parent=provider)
        .annotate(cases_held=Count("cases"))
        .order_by("name")
    )
    if visible is not None:
        children = children.filter(id__in=visible)
    return render(
        request,
        "cases/provider_detail.html",
        {
            "page_title": provider.name,
            "provider": provider,
            "ancestors": _ancestors(provider, visible),
            "children": children,
            "table": table,
            "samples": _visible_samples(request.user)
            .filter(providers__id__in=units)
            .distinct()[:10],
        },
    )


def _ancestors(provider, visible) -> list[Provider]:
    found, current = [], provider.parent
    while current is not None and (visible is None or current.pk in visible):
        found.append(current)
        current = current.parent
    return list(reversed(found))


# Caseload import ---------------------------------------------------------------------------


@permission_required("cases.add_case", raise_exception=True)
def caseload_upload(request, code=None):
    """Upload a caseload file; a valid file is kept and previewed for confirmation."""
    providers = visible_providers(request.user).order_by("name")
    chosen = _provider_or_404(request.user, code) if code else None
    posted = request.method == "POST"
    form = CaseloadUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        providers=providers,
        initial={"provider": chosen.code if chosen else None},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        provider = form.cleaned_data["provider"]
        result = import_caseload(
            data=data,
            filename=upload.name,
            default_provider=provider,
            allowed_provider_ids=provider_ids_visible_to(request.user),
            dry_run=True,
        )
        token = None
        if result.ok:
            token = uploads.stage(
                request,
                data=data,
                filename=upload.name,
                provider_code=provider.code if provider else "",
            )
        return _preview(
            request, result, upload.name, provider, token, status=200 if result.ok else 400
        )
    return render(
        request,
        "cases/caseload_upload.html",
        {
            "page_title": "Upload a caseload",
            "form": form,
            "provider": chosen,
            "columns": COLUMNS,
        },
        status=form_status(form),
    )


LABELS = {
    "sentence_type": dict(SentenceType.choices),
    "rosh_level": dict(RoshLevel.choices),
    "gender": dict(Gender.choices),
}


def _preview(request, result, filename, provider, token, status=200):
    rows = [
        {**row, **{name: labels.get(row[name], row[name]) for name, labels in LABELS.items()}}
        for row in result.preview
    ]
    return render(
        request,
        "cases/caseload_preview.html",
        {
            "preview_rows": rows,
            "page_title": "Check the caseload"
            if result.ok
            else "There is a problem with the caseload",
            "result": result,
            "filename": filename,
            "provider": provider,
            "confirm_form": ConfirmImportForm(initial={"upload": token}) if token else None,
            "errors_shown": result.errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(0, len(result.errors) - MAX_ERRORS_SHOWN),
        },
        status=status,
    )


@require_POST
@permission_required("cases.add_case", raise_exception=True)
def caseload_confirm(request):
    """Import a previewed file: it is validated again, then written in one transaction."""
    form = ConfirmImportForm(request.POST)
    # Claiming the upload lets one confirmation through; others sent at once find nothing.
    staged = uploads.claim(request, form.cleaned_data["upload"]) if form.is_valid() else None
    if staged is None:
        raise Http404("No caseload upload to confirm.")
    try:
        provider = None
        if staged.provider_code:
            provider = visible_providers(request.user).filter(code=staged.provider_code).first()
            if provider is None:
                raise Http404("No caseload upload to confirm.")
        result = import_caseload(
            data=staged.data,
            filename=staged.filename,
            default_provider=provider,
            allowed_provider_ids=provider_ids_visible_to(request.user),
        )
    finally:
        uploads.release(request, staged.token)
    if not result.ok:
        return _preview(request, result, staged.filename, provider, None, status=409)
    case_data_event.send(
        sender=Case,
        user=request.user,
        action="imported",
        object_type="caseload",
        object_id=provider.code if provider else "",
        label=f"Caseload {staged.filename}: {result.created} new cases, {result.updated} updated",
        request=request,
        detail={"by_provider": result.by_provider},
    )
    messages.success(
        request,
        f"Caseload imported from {staged.filename}: {result.created:,} new cases, "
        f"{result.updated:,} updated.",
    )
    if provider is not None:
        return redirect("cases:provider_detail", code=provider.code)
    return redirect("cases:provider_list")


@require_POST
@permission_required("cases.add_case", raise_exception=True)
def caseload_cancel(request):
    """Drop a previewed file: it is deleted now, not left to expire."""
    form = ConfirmImportForm(request.POST)
    if not form.is_valid() or not uploads.is_staged(request, form.cleaned_data["upload"]):
        raise Http404("No caseload upload to cancel.")
    uploads.discard(request, form.cleaned_data["upload"])
    messages.info(request, "The caseload was not imported, and the file you uploaded is deleted.")
    return redirect("cases:caseload_upload")


# Sampling ----------------------------------------------------------------------------------


@permission_required("cases.add_sample", raise_exception=True)
def sample_new(request):
    """Choose a caseload, see its size and the suggested sample size, then draw the sample."""
    providers = visible_providers(request.user).order_by("name")
    start, end = SampleForm.default_window()
    initial = {"window_start": start, "window_end": end, "confidence": 95, "margin": 5}
    if request.GET.get("provider"):
        initial["providers"] = [_provider_or_404(request.user, request.GET["provider"]).code]
    form = SampleForm(
        request.POST if request.method == "POST" else None, providers=providers, initial=initial
    )
    context = {"page_title": "Draw a sample", "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cases = sampling.eligible_cases(
            providers=data["providers"],
            window_start=data["window_start"],
            window_end=data["window_end"],
        )
        strata = sampling.strata_counts(cases)
        caseload = sum(strata.values())
        suggested = sampling.sample_size(caseload, data["confidence"], data["margin"])
        drawing = request.POST.get("action") == "draw"
        if drawing and data["size"] is None:
            form.add_error("size", "Enter the sample size")
        elif drawing and caseload == 0:
            form.add_error("providers", "There are no cases in this window to sample")
        elif drawing and data["size"] > caseload:
            form.add_error(
                "size", f"The sample size must be no more than the caseload ({caseload:,})"
            )
        elif drawing:
            sample = sampling.draw_sample(
                providers=data["providers"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                size=data["size"],
                seed=data["seed"],
                drawn_by=request.user.get_username(),
            )
            messages.success(request, f"Sample of {sample.requested_size:,} cases drawn.")
            return redirect("cases:sample_detail", pk=sample.pk)
        if not drawing and data["size"] is None:
            prefilled = request.POST.copy()
            prefilled["size"] = suggested or ""
            form = SampleForm(prefilled, providers=providers)
            form.is_valid()
        context.update(
            {
                "checked": True,
                "caseload": caseload,
                "suggested": suggested,
                "confidence": data["confidence"],
                "margin": data["margin"],
                "form": form,
                "table": sampling.strata_table({s.key: n for s, n in strata.items()}, {}),
            }
        )
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "cases/sample_new.html", context, status=status)


def _sample_or_404(user, pk) -> Sample:
    return get_object_or_404(_visible_samples(user), pk=pk)


@require_safe
@permission_required("cases.view_sample", raise_exception=True)
def sample_detail(request, pk):
    """The strata of the caseload beside the sample's, the margins of error, and the cases."""
    sample = _sample_or_404(request.user, pk)
    size = sample.cases.count()
    margins = []
    for level in reversed(sampling.CONFIDENCE_LEVELS):
        margin = sampling.margin_of_error(size, sample.caseload_size, level)
        margins.append({"confidence": level, "percent": None if margin is None else 100 * margin})
    return render(
        request,
        "cases/sample_detail.html",
        {
            "page_title": f"Sample of {sample.requested_size} cases",
            "sample": sample,
            "size": size,
            "margins": margins,
            "table": sampling.strata_table(sample.caseload_strata, sample.sample_strata),
            "cases": sample.cases.select_related("provider").order_by("crn"),
        },
    )


@require_safe
@permission_required("cases.view_sample", raise_exception=True)
def sample_csv(request, pk):
    """The sampled cases as CSV, one row per CRN, for the inspection and for checking."""
    sample = _sample_or_404(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sample-{sample.pk}-cases.csv"'
    writer = safe_csv_writer(response)  # cells a spreadsheet would run are escaped
    writer.writerow(
        [
            "crn",
            "provider",
            "sentence_type",
            "start_date",
            "rosh_level",
            "gender",
            "stratum",
            "seed",
        ]
    )
    for case in sample.cases.select_related("provider").order_by("crn"):
        stratum = sampling.Stratum.of(case.rosh_level, case.sentence_type, case.gender)
        writer.writerow(
            [
                case.crn,
                case.provider.code,
                case.sentence_type,
                case.start_date.isoformat(),
                case.rosh_level,
                case.gender,
                stratum.key,
                sample.seed,
            ]
        )
    case_data_event.send(
        sender=Sample,
        user=request.user,
        action="exported",
        object_type="sample",
        object_id=sample.pk,
        label=f"{sample}: cases CSV",
        request=request,
    )
    return response


@require_safe
@permission_required("cases.view_sample", raise_exception=True)
def sample_list(request):
    return render(
        request,
        "cases/sample_list.html",
        {
            "page_title": "Samples",
            "samples": _visible_samples(request.user),
            "can_draw": request.user.has_perm("cases.add_sample"),
            "new_url": reverse("cases:sample_new"),
        },
    )
