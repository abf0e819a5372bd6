"""Improvement action pages: the list and its export, recording an action from a report,
an action's page with its history, and moving it to another state.

Views are thin: access checks (access.py), then a selector or a service. One URL per change.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.improvement import selectors
from audit.improvement.access import (
    action_or_404,
    may_move,
    may_record,
    possible_owners,
    refuse_unless_may_move,
    refuse_unless_may_record,
    visible_actions,
)
from audit.improvement.exports import actions_table
from audit.improvement.findings import findings
from audit.improvement.forms import ActionForm, StateForm
from audit.improvement.services import change_state, record_action
from audit.reports.access import (
    require_reports,
    visible_inspection_or_404,
    visible_provider_or_404,
)
from audit.reports.formatters import EXPORT_FORMATTERS
from audit.reports.rollup import RollupUnavailable, rollup
from audit.trail import trail
from ui.forms import form_status


def _listed(request):
    """The actions the user may see, narrowed to one provider by ?provider=CODE. Offered, like
    the reports, to the roles that read reports (every possible owner holds one)."""
    require_reports(request.user)
    actions = visible_actions(request.user)
    provider = None
    code = request.GET.get("provider", "")
    if code:
        provider = visible_provider_or_404(request.user, code)
        actions = actions.filter(provider=provider)
    return selectors.with_overdue(actions.order_by("due_date", "pk")), provider


@require_GET
def action_list(request):
    actions, provider = _listed(request)
    query = f"?{urlencode({'provider': provider.code})}" if provider else ""
    return render(
        request,
        "improvement/action_list.html",
        {
            "page_title": "Improvement actions"
            + (f": {provider.name}" if provider is not None else ""),
            "provider": provider,
            "actions": actions,
            "counts": selectors.state_counts(actions),
            "csv_url": reverse("improvement:export", args=["csv"]) + query,
            "xlsx_url": reverse("improvement:export", args=["xlsx"]) + query,
        },
    )


@require_GET
def action_export(request, fmt):
    formatter = EXPORT_FORMATTERS.get(fmt)
    if formatter is None:
        raise Http404("No such format.")
    actions, provider = _listed(request)
    name = f"improvement-actions-{provider.code if provider else 'all'}"
    response = formatter().response([actions_table(actions)], name)
    trail.record(
        user=request.user,
        action=trail.Action.EXPORTED,
        object_type="improvement_actions",
        label=f"Improvement actions: {name}.{fmt}",
        request=request,
    )
    return response


def _report_url(inspection, provider) -> str:
    url = reverse("reports:inspection", args=[inspection.id])
    return f"{url}?{urlencode({'provider': provider.code})}"


@require_http_methods(["GET", "POST"])
def action_new(request, pk, code):
    """Record an action on a finding of a provider's report: seen by the report's rule (a 404
    if not), recorded only by a lead or manager of the provider (a 403 otherwise)."""
    require_reports(request.user)
    inspection = visible_inspection_or_404(request.user, pk)
    provider = visible_provider_or_404(request.user, code)
    refuse_unless_may_record(request.user, provider)
    try:
        result = rollup(inspection, provider_ids={provider.id}).provider(provider.code)
    except RollupUnavailable as exc:
        raise Http404(str(exc)) from exc
    if result is None:
        raise Http404("This provider is not part of the inspection.")
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        initial={"finding": request.GET.get("finding", "")},
        findings=findings(result),
        owners=possible_owners(provider),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = record_action(
                user=request.user,
                inspection=inspection,
                provider=provider,
                finding=data["finding"],
                description=data["description"],
                owner=data["owner"],
                due_date=data["due_date"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"The action was recorded and given to {action.owner}.")
            return redirect("improvement:detail", action.pk)
    return render(
        request,
        "improvement/action_form.html",
        {
            "page_title": f"Record an improvement action: {provider.name}",
            "inspection": inspection,
            "provider": provider,
            "form": form,
            "report_url": _report_url(inspection, provider),
        },
        status=form_status(form),
    )


def _render_detail(request, action, form=None):
    movable = may_move(request.user, action)
    if movable and form is None:
        form = StateForm(current=action.state)
    return render(
        request,
        "improvement/action_detail.html",
        {
            "page_title": f"Improvement action: {action.provider.name}",
            "action": action,
            "overdue": action.is_overdue(),
            "changes": action.changes.select_related("by"),
            "form": form if movable else None,
            "report_url": _report_url(action.inspection, action.provider),
            "may_record": may_record(request.user),
        },
        status=form_status(form),
    )


@require_GET
def action_detail(request, pk):
    return _render_detail(request, action_or_404(request.user, pk))


@require_POST
def action_state(request, pk):
    action = refuse_unless_may_move(request.user, action_or_404(request.user, pk))
    form = StateForm(request.POST, current=action.state)
    if form.is_valid():
        try:
            change_state(
                user=request.user,
                action=action,
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            action.refresh_from_db()
            messages.success(request, f"The action is now {action.get_state_display().lower()}.")
            return redirect("improvement:detail", action.pk)
    return _render_detail(request, action, form)
