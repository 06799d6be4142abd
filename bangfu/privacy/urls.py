from django.urls import path

from bangfu.privacy import views

app_name = "privacy"
urlpatterns = [
    path("privacy/reads/", views.access_log, name="access_log"),
]
