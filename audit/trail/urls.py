"""The audit trail: included at /trail/ with the namespace "trail"."""

from django.urls import path

from audit.trail import views as trail

urlpatterns = [
    path("", trail.event_list, name="events"),
    path("events.csv", trail.event_csv, name="events_csv"),
]
