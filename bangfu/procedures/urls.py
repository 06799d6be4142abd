from django.urls import path

from bangfu.procedures import views

app_name = "procedures"
urlpatterns = [
    path("procedures/overdue/", views.overdue, name="overdue"),
    path("procedures/notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("procedures/holidays/", views.holidays, name="holidays"),
]
