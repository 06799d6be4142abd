from django.urls import path

from bangfu.activities import views

app_name = "activities"
urlpatterns = [
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/households/<int:pk>/", views.household_log, name="household_log"),
    path("activities/persons/<int:pk>/", views.person_log, name="person_log"),
    path("activities/evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
