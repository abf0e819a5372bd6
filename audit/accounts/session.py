"""The session: kept alive from the timeout warning (static/js/timeout-warning.mjs)."""

from django.http import JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def extend_session(request):
    """ "Stay signed in": the request itself starts the session's time again (sessions are
    saved on every request); the answer says how long it now has."""
    request.session.modified = True
    return JsonResponse({"seconds": request.session.get_expiry_age()})
