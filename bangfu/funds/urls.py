from django.urls import path

from bangfu.funds import views

app_name = "funds"
urlpatterns = [
    path("funds/", views.fund_list, name="fund_list"),
    path("funds/report/", views.execution_report, name="report"),
    path("funds/report.xlsx", views.execution_report_export, name="report_export"),
]
