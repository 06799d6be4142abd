from django.urls import path

from bangfu.funds import views

app_name = "funds"
urlpatterns = [
    path("funds/", views.fund_list, name="fund_list"),
    path("funds/new/", views.fund_create, name="fund_create"),
    path("funds/allocations/new/", views.allocation_create, name="allocation_create"),
    path("funds/allocations/<int:pk>/", views.allocation_detail, name="allocation_detail"),
    path("funds/report/", views.execution_report, name="report"),
    path("funds/report.xlsx", views.execution_report_export, name="report_export"),
]
