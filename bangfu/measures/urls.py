from django.urls import path

from bangfu.measures import views

app_name = "measures"
urlpatterns = [
    path("measures/households/<int:pk>/", views.household_plan, name="household_plan"),
    path("measures/evidence/<int:pk>/", views.measure_evidence, name="measure_evidence"),
    path("measures/<int:pk>/deliver/", views.measure_deliver, name="measure_deliver"),
]
