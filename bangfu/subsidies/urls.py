from django.urls import path

from bangfu.subsidies import views

app_name = "subsidies"
urlpatterns = [
    path("subsidies/", views.scheme_list, name="scheme_list"),
    path("subsidies/new/", views.scheme_create, name="scheme_create"),
    path("subsidies/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("subsidies/batches/<int:pk>/bank.xlsx", views.batch_export, name="batch_export"),
]
