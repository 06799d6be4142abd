from django.urls import path

from bangfu.imports import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.import_list, name="list"),
    path("imports/upload/", views.import_upload, name="upload"),
    path("imports/templates/<str:register>/", views.template_download, name="template"),
    path("imports/<int:pk>/", views.import_detail, name="detail"),
    path("imports/<int:pk>/status/", views.import_status, name="status"),
    path("imports/<int:pk>/mapping/", views.import_map, name="map"),
    path("imports/<int:pk>/start/", views.import_start, name="start"),
    path("imports/<int:pk>/report/", views.import_report, name="report"),
]
