from django.urls import path

from audit.moderation import views as moderation

urlpatterns = [
    path("", moderation.index, name="index"),
    path("<int:pk>/", moderation.inspection_moderation, name="inspection"),
    path("<int:pk>/agreement.csv", moderation.agreement_csv, name="agreement_csv"),
    path("<int:pk>/disagreements/", moderation.disagreement_list, name="disagreements"),
    path("<int:pk>/disagreements/<str:crn>/<str:code>/", moderation.resolve, name="resolve"),
    path("<int:pk>/reads/<str:crn>/", moderation.second_read, name="read"),
]
