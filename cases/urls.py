from django.urls import path

from . import import_views, views

app_name = "cases"

urlpatterns = [
    path("", views.provider_list, name="provider_list"),
    path("providers/<str:code>/", views.provider_detail, name="provider_detail"),
    path("import/", import_views.caseload_upload, name="caseload_upload"),
    path("import/jobs/<int:pk>/", import_views.caseload_job, name="caseload_job"),
    path("import/confirm/", import_views.caseload_confirm, name="caseload_confirm"),
    path("import/cancel/", import_views.caseload_cancel, name="caseload_cancel"),
    path(
        "providers/<str:code>/import/",
        import_views.caseload_upload,
        name="provider_caseload_upload",
    ),
    path("samples/", views.sample_list, name="sample_list"),
    path("samples/new/", views.sample_new, name="sample_new"),
    path("samples/new/draw/", views.sample_draw, name="sample_draw"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/cases.csv", views.sample_csv, name="sample_csv"),
]
