"""The audit trail in the service, for admins: events with filters, and a CSV export.

Anyone else gets a 404, as for any page they may not see. Exporting the trail is itself
recorded.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.accounts.roles import SEE_TRAIL, may
from audit.trail import trail
from audit.trail.forms import TrailFilterForm

PER_PAGE = 50


def _require_trail(user):
    if not may(user, SEE_TRAIL):
        raise Http404("No such page.")


def _filtered(request):
    form = TrailFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, trail.events(**form.filters()) if form.is_bound else trail.events()


@require_GET
def event_list(request):
    _require_trail(request.user)
    form, events = _filtered(request)
    page = None
    if events is not None:
        page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {
            "page_title": "Audit trail",
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
        status=400 if events is None else 200,
    )


@require_GET
def event_csv(request):
    _require_trail(request.user)
    form, events = _filtered(request)
    if events is None:
        return render(
            request,
            "audit/trail.html",
            {
                "page_title": "Audit trail",
                "form": form,
                "page": None,
                "query": "",
            },
            status=400,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    trail.write_csv(events, response)
    trail.record(
        user=request.user,
        action=trail.Action.EXPORTED,
        object_type="audit_trail",
        label="Audit trail as CSV",
        request=request,
        detail={key: value[:100] for key, value in list(request.GET.items())[:10]},
    )
    return response
