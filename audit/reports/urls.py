"""Reports: included at /reports/ with the namespace "reports"."""

from django.urls import path, register_converter

from audit.reports import (
    area_views,
    index_views,
    national_views,
    provider_views,
    publish_views,
)
from audit.reports import views as reports


class ExportFormat:
    regex = "csv|xlsx|pdf"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export")

urlpatterns = [
    path("", index_views.index, name="index"),
    path("inspections/<int:pk>/", reports.inspection_report, name="inspection"),
    path("inspections/<int:pk>/rollup.json", reports.inspection_json, name="inspection_json"),
    path(
        "inspections/<int:pk>/<slug:slug>.<export:fmt>",
        reports.inspection_download,
        name="inspection_download",
    ),
    path("inspections/<int:pk>/publish/", publish_views.publish_check, name="publish_check"),
    path("inspections/<int:pk>/publish/confirm/", publish_views.publish, name="publish"),
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
    path(
        "inspections/<int:pk>/providers/<str:code>/standards/<str:standard_code>/withdraw/",
        reports.standard_rating_withdraw,
        name="standard_rating_withdraw",
    ),
    path("providers/<str:code>/", provider_views.provider_report, name="provider"),
    path(
        "providers/<str:code>/<slug:slug>.<export:fmt>",
        provider_views.provider_download,
        name="provider_download",
    ),
    path("areas/<str:code>/", area_views.area_report, name="area"),
    path("areas/<str:code>/figures.json", area_views.area_json, name="area_json"),
    path(
        "areas/<str:code>/<slug:slug>.<export:fmt>",
        area_views.area_download,
        name="area_download",
    ),
    path("national/", national_views.national_picture, name="national"),
    path(
        "national/<slug:slug>.<export:fmt>",
        national_views.national_download,
        name="national_download",
    ),
    path("league/", reports.league_table, name="league"),
    path("league/<slug:slug>.<export:fmt>", reports.league_download, name="league_download"),
]
