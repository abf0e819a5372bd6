"""Moderation pages: the lead's page per inspection, blind second reads, disagreements.

The lead's pages follow the one rule for managing an inspection
(`access.manageable_inspections`): a 404 to those who cannot see the inspection, a 403 to
those who can but may not manage it. Moderators see the second reads assigned to them and only
they record them. Anything else is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.accounts.access import MayNotChange, inspection_to_manage_or_404, manageable_inspections
from audit.accounts.roles import READ_SECOND, may
from audit.inspections import lifecycle
from audit.models import InspectionStatus, ModerationRead
from audit.moderation.agreement import MIN_PAIRS_TO_JUDGE, agreement_table
from audit.moderation.drafts import draft_judgements, save_second_read_draft
from audit.moderation.forms import (
    AssignModeratorForm,
    ChooseReviewForm,
    DrawSampleForm,
    LifecycleForm,
    ResolutionForm,
    SecondReadForm,
    field_name,
)
from audit.moderation.services import (
    OPEN_STATUSES,
    assign_moderator,
    display_name,
    draw_moderation_sample,
    moderation_key_questions,
    progress_by_inspection,
    reads_for_moderator,
    record_second_read,
    resolve_disagreement,
    sample_by_assessor,
    select_for_moderation,
)
from audit.moderation.services import disagreements as find_disagreements
from audit.trail import trail
from cases.selectors import provider_ids_visible_to
from standards.models import JudgementValue
from ui.exports import safe_csv_writer

INVALID = 400  # a form re-shown with its errors


def _require_moderation_role(user):
    if not may(user, READ_SECOND):
        raise Http404


def _led_inspection(request, pk):
    """The lead's moderation pages: by the one rule for managing an inspection (a 403 to those
    who see the inspection but may not manage it)."""
    _require_moderation_role(request.user)
    return inspection_to_manage_or_404(request.user, pk)


@require_GET
def index(request):
    _require_moderation_role(request.user)
    inspections = list(manageable_inspections(request.user).prefetch_related("providers"))
    progress = progress_by_inspection([i.pk for i in inspections])
    return render(
        request,
        "moderation/index.html",
        {
            "page_title": "Moderation",
            "inspections": [(i, progress[i.pk]) for i in inspections],
            "reads": list(reads_for_moderator(request.user)),
        },
    )


def _reads(inspection):
    return (
        ModerationRead.objects.filter(review__sampled_case__inspection=inspection)
        .select_related("review__sampled_case__case", "review__sampled_case__assessor", "moderator")
        .order_by("review__sampled_case__case__crn")
    )


def _open_reads(inspection):
    return list(_reads(inspection).filter(completed_at__isnull=True))


def _inspection_context(inspection, **forms):
    reads = list(_reads(inspection))
    open_reads = [read for read in reads if read.completed_at is None]
    is_open = inspection.status in OPEN_STATUSES
    target = lifecycle.next_status(inspection)
    context = {
        "page_title": f"Moderation: {inspection}",
        "inspection": inspection,
        "is_open": is_open,
        "sample": sample_by_assessor(inspection),
        "seeds": sorted({r.selection_seed for r in reads if r.selection_seed is not None}),
        "reads": reads,
        "agreement": agreement_table(inspection),
        "progress": progress_by_inspection([inspection.pk])[inspection.pk],
        "next_action": lifecycle.ACTION_LABELS.get(target),
        "publish_url": (
            reverse("reports:publish_check", args=[inspection.pk])
            if target == InspectionStatus.PUBLISHED
            else None
        ),
        "blockers": lifecycle.blockers(inspection),
        "can_reopen": inspection.status == InspectionStatus.MODERATION,
        "weak_below": "0.6",
        "min_pairs": MIN_PAIRS_TO_JUDGE,
    }
    context["draw_form"] = forms.get("draw_form") or DrawSampleForm()
    context["choose_form"] = forms.get("choose_form") or ChooseReviewForm(inspection=inspection)
    context["assign_form"] = forms.get("assign_form") or AssignModeratorForm(
        inspection=inspection, open_reads=open_reads
    )
    context["lifecycle_form"] = forms.get("lifecycle_form") or LifecycleForm()
    context["failed_form"] = next(
        (form for form in forms.values() if form is not None and form.errors), None
    )
    return context


@require_GET
def inspection_moderation(request, pk):
    """The lead's page: sample, assignments, agreement statistics and the lifecycle. Each of its
    forms posts to a view of its own, below."""
    inspection = _led_inspection(request, pk)
    return render(request, "moderation/inspection.html", _inspection_context(inspection))


def _lead_step(request, pk, name, make_form, act):
    """One of the lead's steps on the moderation page: `act(inspection, form)` on a valid form
    returns the message to show on the page; a refused step re-shows the page with the form's
    errors."""
    inspection = _led_inspection(request, pk)
    form = make_form(request, inspection)
    try:
        if form.is_valid():
            messages.success(request, act(inspection, form))
            return redirect("moderation:inspection", pk=inspection.pk)
    except ValidationError as exc:
        form.add_error(None, exc)
    inspection.refresh_from_db()
    context = _inspection_context(inspection, **{name: form})
    return render(request, "moderation/inspection.html", context, status=INVALID)


@require_POST
def moderation_draw(request, pk):
    def act(inspection, form):
        result = draw_moderation_sample(
            inspection=inspection, by=request.user, seed=form.cleaned_data["seed"]
        )
        return f"{len(result.selected)} reviews selected for moderation with seed {result.seed}."

    return _lead_step(request, pk, "draw_form", lambda r, i: DrawSampleForm(r.POST), act)


@require_POST
def moderation_choose(request, pk):
    def act(inspection, form):
        select_for_moderation(review=form.review, by=request.user)
        return f"{form.cleaned_data['crn']} added to the moderation sample."

    def make_form(request, inspection):
        return ChooseReviewForm(request.POST, inspection=inspection)

    return _lead_step(request, pk, "choose_form", make_form, act)


@require_POST
def moderation_assign(request, pk):
    def act(inspection, form):
        moderator = form.cleaned_data["moderator"]
        count = assign_moderator(reads=form.selected_reads(), moderator=moderator, by=request.user)
        return (
            f"{count} second {'read' if count == 1 else 'reads'} assigned to "
            f"{display_name(moderator)}."
        )

    def make_form(request, inspection):
        return AssignModeratorForm(
            request.POST, inspection=inspection, open_reads=_open_reads(inspection)
        )

    return _lead_step(request, pk, "assign_form", make_form, act)


MOVED_MESSAGES = {
    InspectionStatus.FIELDWORK: "Fieldwork has started on {}.",
    InspectionStatus.MODERATION: "Moderation has started on {}.",
}


def _moved(moved) -> str:
    return MOVED_MESSAGES[moved.status].format(moved)


@require_POST
def moderation_advance(request, pk):
    """The next step; publication has its own confirmation page, so it is sent there."""
    inspection = _led_inspection(request, pk)
    if lifecycle.next_status(inspection) == InspectionStatus.PUBLISHED:
        return redirect("reports:publish_check", pk=inspection.pk)

    def act(inspection, form):
        return _moved(lifecycle.advance(inspection=inspection, by=request.user))

    return _lead_step(request, pk, "lifecycle_form", lambda r, i: LifecycleForm(r.POST), act)


@require_POST
def moderation_reopen(request, pk):
    def act(inspection, form):
        reopened = lifecycle.reopen_fieldwork(inspection=inspection, by=request.user)
        return f"Fieldwork on {reopened} is open again: reviews can be returned and changed."

    return _lead_step(request, pk, "lifecycle_form", lambda r, i: LifecycleForm(r.POST), act)


def _read_for(request, pk, crn):
    """The read, and whether the user is its moderator and/or a lead of its inspection."""
    _require_moderation_role(request.user)
    read = get_object_or_404(
        ModerationRead.objects.select_related(
            "review__sampled_case__case",
            "review__sampled_case__provider",
            "review__sampled_case__assessor",
            "review__sampled_case__inspection__framework",
            "moderator",
        ),
        review__sampled_case__inspection_id=pk,
        review__sampled_case__case__crn=crn,
    )
    visible = provider_ids_visible_to(request.user)
    in_scope = visible is None or read.review.sampled_case.provider_id in visible
    is_moderator = in_scope and read.moderator_id == request.user.pk
    is_lead = manageable_inspections(request.user).filter(pk=pk).exists()
    if not (is_moderator or is_lead):
        raise Http404
    return read, is_moderator, is_lead


@require_http_methods(["GET", "POST"])
def second_read(request, pk, crn):
    """Blind scoring for the assigned moderator; after completion, both reads side by side."""
    read, is_moderator, is_lead = _read_for(request, pk, crn)
    review = read.review
    inspection = review.sampled_case.inspection
    if request.method == "GET":
        trail.record(
            user=request.user,
            action=trail.Action.VIEWED,
            obj=review,
            request=request,
            detail={"page": "second read"},
        )
    if read.completed_at is None:
        return _blind_read(request, read, is_moderator, crn)
    if request.method == "POST":
        messages.info(request, f"The second read of {crn} is already complete.")
        return redirect("moderation:read", pk=pk, crn=crn)
    return render(
        request,
        "moderation/read_compare.html",
        {
            "read": read,
            "inspection": inspection,
            "rows": _both_reads(read),
            "is_lead": is_lead,
            "page_title": f"Second read of {crn}",
        },
    )


def _blind_read(request, read, is_moderator, crn):
    """The second read not yet recorded: its moderator scores blind; others see it pending."""
    review = read.review
    inspection = review.sampled_case.inspection
    if not is_moderator:
        if request.method == "POST":
            raise MayNotChange(
                "this second read",
                f"Only the moderator it is assigned to ({display_name(read.moderator)}) "
                "can record it."
                if read.moderator
                else "Only the moderator it is assigned to can record it; it has none yet.",
            )
        return render(
            request,
            "moderation/read_pending.html",
            {"read": read, "inspection": inspection, "page_title": f"Second read of {crn}"},
        )
    form = SecondReadForm(
        request.POST or None,
        key_questions=moderation_key_questions(review),
        initial=_draft_initial(read),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record_second_read(read=read, by=request.user, judgements=form.judgements())
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    form.add_service_errors(exc.message_dict)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, f"Second read of {crn} recorded.")
                return redirect("moderation:read", pk=inspection.pk, crn=crn)
        status = INVALID
    return _render_blind(request, read, form, status)


def _render_blind(request, read, form, status=200):
    review = read.review
    inspection = review.sampled_case.inspection
    crn = review.sampled_case.case.crn
    return render(
        request,
        "moderation/read_blind.html",
        {
            "read": read,
            "case": review.sampled_case.case,
            "inspection": inspection,
            "form": form,
            "is_open": inspection.status in OPEN_STATUSES,
            "page_title": f"Second read of {crn}",
            "draft_answers": read.judgements.count(),
        },
        status=status,
    )


def _draft_initial(read) -> dict:
    initial = {}
    for code, (value, rationale) in draft_judgements(read).items():
        initial[field_name(code)] = value
        initial[field_name(code, "rationale")] = rationale
    return initial


@require_POST
def second_read_draft(request, pk, crn):
    """Save the moderator's second read as it stands, to finish later; nothing is required."""
    read, is_moderator, _ = _read_for(request, pk, crn)
    if read.completed_at is not None:
        messages.info(request, f"The second read of {crn} is already complete.")
        return redirect("moderation:read", pk=pk, crn=crn)
    if not is_moderator:
        raise MayNotChange("this second read", "Only the moderator it is assigned to can save it.")
    form = SecondReadForm(request.POST, key_questions=moderation_key_questions(read.review))
    form.partial()
    if form.is_valid():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            save_second_read_draft(
                read=read, by=request.user, judgements=form.draft_judgements(), version=version
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_service_errors(exc.message_dict)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Your second read of {crn} is saved as a draft. It does not count "
                "until you submit it.",
            )
            return redirect("moderation:read", pk=pk, crn=crn)
    read.refresh_from_db()
    return _render_blind(request, read, form, status=INVALID)


def _both_reads(read) -> list[dict]:
    """The first and second reads side by side, key question by key question."""
    review = read.review
    firsts = {
        j.key_question_id: j
        for j in review.judgements.select_related("key_question__standard", "resolution")
    }
    seconds = {
        j.key_question_id: j for j in read.judgements.select_related("key_question__standard")
    }
    rows = []
    for kq_id in sorted(
        set(firsts) | set(seconds),
        key=lambda k: _kq_sort((firsts.get(k) or seconds.get(k)).key_question),
    ):
        first, second = firsts.get(kq_id), seconds.get(kq_id)
        resolution = getattr(first, "resolution", None) if first is not None else None
        rows.append(
            {
                "key_question": (first or second).key_question,
                "first": first,
                "second": second,
                "agree": first is not None and second is not None and first.value == second.value,
                "resolution": resolution,
            }
        )
    return rows


def _kq_sort(kq):
    return (kq.standard.order, kq.standard.code, kq.order, kq.code)


@require_GET
def disagreement_list(request, pk):
    inspection = _led_inspection(request, pk)
    found = find_disagreements(inspection)
    found.sort(key=lambda d: d.resolution is not None)  # unresolved first, stable otherwise
    return render(
        request,
        "moderation/disagreements.html",
        {
            "inspection": inspection,
            "disagreements": found,
            "unresolved": sum(1 for d in found if d.resolution is None),
            "page_title": f"Disagreements: {inspection}",
        },
    )


@require_http_methods(["GET", "POST"])
def resolve(request, pk, crn, code):
    inspection = _led_inspection(request, pk)
    found = find_disagreements(inspection, crn=crn, key_question_code=code)
    if not found:
        raise Http404
    disagreement = found[0]
    existing = disagreement.resolution
    initial = {"value": existing.value, "note": existing.note} if existing else None
    form = ResolutionForm(request.POST or None, initial=initial, disagreement=disagreement)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                resolve_disagreement(
                    judgement=disagreement.judgement,
                    value=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        for error in errors:
                            form.add_error(field if field in form.fields else None, error)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"{code} for {crn} resolved as "
                    f"{JudgementValue(form.cleaned_data['value']).label.lower()}.",
                )
                return redirect("moderation:disagreements", pk=inspection.pk)
        status = INVALID
    return render(
        request,
        "moderation/resolve.html",
        {
            "inspection": inspection,
            "disagreement": disagreement,
            "form": form,
            "is_open": inspection.status in OPEN_STATUSES,
            "page_title": f"Resolve {code} for {crn}",
        },
        status=status,
    )


AGREEMENT_CSV_HEADER = [
    "breakdown",
    "code",
    "label",
    "pairs",
    "agreeing_pairs",
    "both_sufficient",
    "first_sufficient_second_not",
    "first_not_second_sufficient",
    "both_not_sufficient",
    "percentage_agreement",
    "kappa",
    "agreement_flag",
    "applicability_disagreements",
]


@require_GET
def agreement_csv(request, pk):
    inspection = _led_inspection(request, pk)
    table = agreement_table(inspection)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="moderation-agreement-inspection-{inspection.pk}.csv"'
    )
    writer = safe_csv_writer(response)  # cells a spreadsheet would run are escaped
    writer.writerow(AGREEMENT_CSV_HEADER)
    for breakdown, row in table.rows():
        result, counts = row.agreement, row.agreement.counts
        writer.writerow(
            [
                breakdown,
                row.code,
                row.label,
                result.pairs,
                counts.agreeing_pairs,
                counts.both_sufficient,
                counts.first_sufficient_second_not,
                counts.first_not_second_sufficient,
                counts.both_not_sufficient,
                "" if result.percentage is None else f"{result.percentage:.1f}",
                result.kappa_display,
                result.flag,
                counts.applicability_disagreements,
            ]
        )
    trail.record(
        user=request.user,
        action=trail.Action.EXPORTED,
        obj=inspection,
        label=f"{inspection}: moderation agreement CSV",
        request=request,
    )
    return response
