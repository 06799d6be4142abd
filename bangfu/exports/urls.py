from django.urls import path

from bangfu.exports import views

app_name = "exports"
urlpatterns = [
    path("exports/", views.job_list, name="jobs"),
    path("exports/jobs/<int:pk>/file/", views.job_download, name="download"),
    path("exports/<slug:listing>/", views.export_start, name="start"),
]
