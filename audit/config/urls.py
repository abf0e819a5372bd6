from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audit.accounts import session
from audit.accounts import views as home
from audit.accounts.forms import SignInForm

handler403 = home.permission_denied

admin.site.site_header = "Case Supervision Audit administration"
admin.site.site_title = "Case Supervision Audit"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/session/", session.extend_session, name="session_extend"),
    path("admin/", admin.site.urls),
    path("frameworks/", include("standards.urls")),
    path("cases/", include("cases.urls")),
    path("jobs/", include("jobs.urls")),
    path("", include(("audit.inspections.urls", "audit"), namespace="audit")),
    path("reports/", include(("audit.reports.urls", "reports"), namespace="reports")),
    path("moderation/", include(("audit.moderation.urls", "moderation"), namespace="moderation")),
    path(
        "improvement/",
        include(("audit.improvement.urls", "improvement"), namespace="improvement"),
    ),
    path("trail/", include(("audit.trail.urls", "trail"), namespace="trail")),
    path("notifications/", include("audit.notifications.urls", namespace="notifications")),
]
