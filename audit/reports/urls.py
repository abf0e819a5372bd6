"""Reports: included at /reports/ with the namespace "reports"."""

from django.urls import path, register_converter

from audit.reports import views as reports


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export")

urlpatterns = [
    path("", reports.index, name="index"),
    path("inspections/<int:pk>/", reports.inspection_report, name="inspection"),
    path("inspections/<int:pk>/rollup.json", reports.inspection_json, name="inspection_json"),
    path(
        "inspections/<int:pk>/<slug:slug>.<export:fmt>",
        reports.inspection_download,
        name="inspection_download",
    ),
    path(
        "inspections/<int:pk>/providers/<str:code>/standards/",
        reports.standard_ratings,
        name="standard_ratings",
    ),
    path(
        "inspections/<int:pk>/providers/<str:code>/standards/<str:standard_code>/",
        reports.standard_rating_edit,
        name="standard_rating_edit",
    ),
    path("providers/<str:code>/", reports.provider_report, name="provider"),
    path(
        "providers/<str:code>/<slug:slug>.<export:fmt>",
        reports.provider_download,
        name="provider_download",
    ),
    path("league/", reports.league_table, name="league"),
    path("league/<slug:slug>.<export:fmt>", reports.league_download, name="league_download"),
]
