from django.conf import settings

from audit.accounts.navigation import sections_for


def service(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "navigation": sections_for(request),
        "session_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_TIMEOUT_WARNING,
    }
