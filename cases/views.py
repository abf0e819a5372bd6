"""Providers, caseload import and sampling pages. Thin: the work is in importers and sampling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ui.exports import safe_csv_writer

from . import sampling
from .forms import SampleForm
from .models import Case, Provider, Sample
from .selectors import descendant_ids, provider_ids_visible_to, visible_providers
from .signals import case_data_event


def provider_or_404(user, code) -> Provider:
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
    provider = provider_or_404(request.user, code)
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


# Sampling ----------------------------------------------------------------------------------


def _sample_form(request):
    providers = visible_providers(request.user).order_by("name")
    start, end = SampleForm.default_window()
    initial = {"window_start": start, "window_end": end, "confidence": 95, "margin": 5}
    if request.GET.get("provider"):
        initial["providers"] = [provider_or_404(request.user, request.GET["provider"]).code]
    data = request.POST if request.method == "POST" else None
    return SampleForm(data, providers=providers, initial=initial)


def _caseload_check(data) -> dict:
    """The eligible caseload of the chosen providers and window, by stratum, and the suggested
    sample size."""
    cases = sampling.eligible_cases(
        providers=data["providers"],
        window_start=data["window_start"],
        window_end=data["window_end"],
    )
    strata = sampling.strata_counts(cases)
    caseload = sum(strata.values())
    return {
        "checked": True,
        "caseload": caseload,
        "suggested": sampling.sample_size(caseload, data["confidence"], data["margin"]),
        "confidence": data["confidence"],
        "margin": data["margin"],
        "table": sampling.strata_table({s.key: n for s, n in strata.items()}, {}),
    }


def _sample_page(request, form, check=None):
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    context = {
        "page_title": "Draw a sample",
        "form": form,
        # Each button posts to its own URL, keeping the provider the page was opened for.
        "check_url": reverse("cases:sample_new") + query,
        "draw_url": reverse("cases:sample_draw") + query,
        **(check or {}),
    }
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "cases/sample_new.html", context, status=status)


@permission_required("cases.add_sample", raise_exception=True)
def sample_new(request):
    """Choose a caseload, see its size and the suggested sample size ("Check the caseload"),
    then draw the sample (`sample_draw`)."""
    form = _sample_form(request)
    if request.method != "POST" or not form.is_valid():
        return _sample_page(request, form)
    check = _caseload_check(form.cleaned_data)
    if form.cleaned_data["size"] is None:
        prefilled = request.POST.copy()
        prefilled["size"] = check["suggested"] or ""
        form = SampleForm(prefilled, providers=form.fields["providers"].queryset)
        form.is_valid()
    return _sample_page(request, form, check)


@require_POST
@permission_required("cases.add_sample", raise_exception=True)
def sample_draw(request):
    """Draw the sample chosen on the new-sample page, or show that page again saying why not."""
    form = _sample_form(request)
    if not form.is_valid():
        return _sample_page(request, form)
    data = form.cleaned_data
    check = _caseload_check(data)
    caseload = check["caseload"]
    if data["size"] is None:
        form.add_error("size", "Enter the sample size")
    elif caseload == 0:
        form.add_error("providers", "There are no cases in this window to sample")
    elif data["size"] > caseload:
        form.add_error("size", f"The sample size must be no more than the caseload ({caseload:,})")
    else:
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
    return _sample_page(request, form, check)


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
