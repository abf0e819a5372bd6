"""Improvement actions: included at /improvement/ with the namespace "improvement"."""

from django.urls import path

from audit.improvement import views

urlpatterns = [
    path("", views.action_list, name="list"),
    path("actions.<str:fmt>", views.action_export, name="export"),
    path("inspections/<int:pk>/providers/<str:code>/new/", views.action_new, name="new"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/state/", views.action_state, name="state"),
]
