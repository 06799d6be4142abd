from django.urls import path

from bangfu.rules import views

app_name = "rules"
urlpatterns = [
    path("rules/", views.rule_sets, name="rule_sets"),
    path("rules/evaluations/", views.evaluations, name="evaluations"),
    path("rules/evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("rules/households/<int:pk>/", views.household, name="household"),
    path("rules/cases/", views.cases, name="cases"),
    path("rules/monitoring/", views.monitoring_list, name="monitoring_list"),
    path("rules/monitoring/<int:pk>/", views.monitoring_detail, name="monitoring_detail"),
]
