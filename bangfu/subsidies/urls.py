from django.urls import path

from bangfu.subsidies import views

app_name = "subsidies"
urlpatterns = [
    path("subsidies/", views.scheme_list, name="scheme_list"),
    path("subsidies/new/", views.scheme_create, name="scheme_create"),
    path("subsidies/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("subsidies/<int:pk>/act/", views.scheme_act, name="scheme_act"),
    path("subsidies/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("subsidies/applications/<int:pk>/photos/", views.inspection_photos_add, name="inspection_photos_add"),
    path("subsidies/photos/<int:pk>/", views.inspection_photo, name="inspection_photo"),
    path("subsidies/batches/<int:pk>/bank.xlsx", views.batch_export, name="batch_export"),
]
