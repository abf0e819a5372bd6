from django.urls import path

from audit.moderation import views as moderation

urlpatterns = [
    path("", moderation.index, name="index"),
    path("<int:pk>/", moderation.inspection_moderation, name="inspection"),
    path("<int:pk>/draw/", moderation.moderation_draw, name="draw"),
    path("<int:pk>/choose/", moderation.moderation_choose, name="choose"),
    path("<int:pk>/assign/", moderation.moderation_assign, name="assign"),
    path("<int:pk>/advance/", moderation.moderation_advance, name="advance"),
    path("<int:pk>/reopen-fieldwork/", moderation.moderation_reopen, name="reopen"),
    path("<int:pk>/agreement.csv", moderation.agreement_csv, name="agreement_csv"),
    path("<int:pk>/disagreements/", moderation.disagreement_list, name="disagreements"),
    path("<int:pk>/disagreements/<str:crn>/<str:code>/", moderation.resolve, name="resolve"),
    path("<int:pk>/reads/<str:crn>/", moderation.second_read, name="read"),
    path("<int:pk>/reads/<str:crn>/draft/", moderation.second_read_draft, name="read_draft"),
]
