from django.urls import path

from bangfu.procedures import views

app_name = "procedures"
urlpatterns = [
    path("procedures/overdue/", views.overdue, name="overdue"),
    path("procedures/notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("procedures/notices/<int:pk>/act/", views.notice_act, name="notice_act"),
    path("procedures/holidays/", views.holidays, name="holidays"),
]
