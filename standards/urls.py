from django.urls import path

from . import views

app_name = "standards"

urlpatterns = [
    path("<slug:code>/<str:version>/", views.framework_detail, name="framework"),
]
