from django.urls import path

from bangfu.measures import views

app_name = "measures"
urlpatterns = [
    path("measures/households/<int:pk>/", views.household_plan, name="household_plan"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("measures/evidence/<int:pk>/", views.measure_evidence, name="measure_evidence"),
    path("measures/<int:pk>/deliver/", views.measure_deliver, name="measure_deliver"),
]
