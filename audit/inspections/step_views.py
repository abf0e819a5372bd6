"""The lifecycle steps the inspection page offers: Start fieldwork and Start moderation, each a
page that says what the step does (and what blocks it) with the button that takes it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.accounts.access import inspection_to_manage_or_404
from audit.inspections import lifecycle
from audit.models import InspectionStatus

STEPS = {
    InspectionStatus.FIELDWORK: {
        "title": "Start fieldwork",
        "from": InspectionStatus.PLANNING,
        "does": [
            "Assessors score the cases assigned to them; their submitted reviews count in the "
            "roll-up from now on.",
            "The framework version is fixed once the first review is started.",
        ],
        "service": lifecycle.start_fieldwork,
        "blockers": lifecycle.fieldwork_blockers,
    },
    InspectionStatus.MODERATION: {
        "title": "Start moderation",
        "from": InspectionStatus.FIELDWORK,
        "does": [
            "Fieldwork ends: reviews can no longer be returned or cases added, unless you "
            "reopen fieldwork from the moderation page.",
            "You then draw the moderation sample and assign its second reads.",
        ],
        "service": lifecycle.start_moderation,
        "blockers": lifecycle.moderation_blockers,
    },
}


def _step(request, pk, to):
    inspection = inspection_to_manage_or_404(request.user, pk)
    step = STEPS[to]
    errors = []
    if request.method == "POST":
        try:
            moved = step["service"](inspection=inspection, by=request.user)
        except lifecycle.TransitionRefused as refusal:
            errors = refusal.messages
        else:
            messages.success(request, f"{moved} is now in {moved.get_status_display().lower()}.")
            return redirect("audit:inspection_detail", pk=pk)
    in_place = inspection.status == step["from"]
    blockers = errors or (step["blockers"](inspection) if in_place else [])
    return render(
        request,
        "audit/inspection_step.html",
        {
            "inspection": inspection,
            "step": step,
            "in_place": in_place,
            "blockers": blockers,
            "refused": bool(errors),
            "page_title": f"{step['title']}: {inspection}",
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def start_fieldwork(request, pk):
    return _step(request, pk, InspectionStatus.FIELDWORK)


@require_http_methods(["GET", "POST"])
def start_moderation(request, pk):
    return _step(request, pk, InspectionStatus.MODERATION)
