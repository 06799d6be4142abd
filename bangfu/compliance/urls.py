from django.urls import path

from bangfu.compliance import views

app_name = "compliance"
urlpatterns = [
    path("compliance/", views.rollup, name="rollup"),
    path("compliance/rows/", views.rows, name="rows"),
    path("compliance/behind/", views.behind, name="behind"),
    path("compliance/week/", views.this_week, name="this_week"),
]
