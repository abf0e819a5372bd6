from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from audit.accounts.access import MayNotChange
from audit.accounts.work import work_for
from jobs.selectors import recent_jobs
from standards.models import Framework


@require_safe
def home(request):
    frameworks = Framework.objects.all()
    return render(
        request,
        "home.html",
        {
            "frameworks": frameworks,
            "jobs": recent_jobs(request.user),
            "work": work_for(request.user),
        },
    )


@login_not_required
@never_cache
@require_GET
def health(request):
    """For load balancers: 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def permission_denied(request, exception):
    """The 403 page. For something the user may see but not change, it says who may; any other
    refusal says nothing about the object."""
    context = {}
    if isinstance(exception, MayNotChange):
        context = {"what": exception.what, "who_may": exception.who_may}
    return render(request, "403.html", context, status=403)
