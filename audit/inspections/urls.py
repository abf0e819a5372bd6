"""Inspections and case reviews. Cases are addressed by their CRN within an inspection."""

from django.urls import path

from audit.inspections import views as inspections
from audit.scoring import history
from audit.scoring import import_views as review_import
from audit.scoring import views as reviews

urlpatterns = [
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", inspections.inspection_edit, name="inspection_edit"),
    path(
        "inspections/<int:pk>/sample/",
        inspections.inspection_add_sample,
        name="inspection_add_sample",
    ),
    path("inspections/<int:pk>/assign/", inspections.inspection_assign, name="inspection_assign"),
    path(
        "inspections/<int:pk>/unassign/",
        inspections.inspection_unassign,
        name="inspection_unassign",
    ),
    path("inspections/<int:pk>/import/", review_import.inspection_import, name="inspection_import"),
    path(
        "inspections/<int:pk>/import/jobs/<int:job>/",
        review_import.review_import_job,
        name="review_import_job",
    ),
    path(
        "inspections/<int:pk>/import/confirm/",
        review_import.review_import_confirm,
        name="review_import_confirm",
    ),
    path(
        "inspections/<int:pk>/import/cancel/",
        review_import.review_import_cancel,
        name="review_import_cancel",
    ),
    path("my-cases/", reviews.my_cases, name="my_cases"),
    path("inspections/<int:pk>/cases/<str:crn>/", reviews.review_tasks, name="review_tasks"),
    path("inspections/<int:pk>/cases/<str:crn>/facts/", reviews.review_facts, name="review_facts"),
    path(
        "inspections/<int:pk>/cases/<str:crn>/facts/draft/",
        reviews.review_facts_draft,
        name="review_facts_draft",
    ),
    path(
        "inspections/<int:pk>/cases/<str:crn>/standards/<str:code>/",
        reviews.review_standard,
        name="review_standard",
    ),
    path(
        "inspections/<int:pk>/cases/<str:crn>/standards/<str:code>/draft/",
        reviews.review_standard_draft,
        name="review_standard_draft",
    ),
    path("inspections/<int:pk>/cases/<str:crn>/check/", reviews.review_check, name="review_check"),
    path(
        "inspections/<int:pk>/cases/<str:crn>/return/", reviews.review_return, name="review_return"
    ),
    path(
        "inspections/<int:pk>/cases/<str:crn>/reopen/", reviews.review_reopen, name="review_reopen"
    ),
    path(
        "inspections/<int:pk>/cases/<str:crn>/history/",
        history.review_history,
        name="review_history",
    ),
]
