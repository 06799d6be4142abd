from django.urls import path

from bangfu.quality import views

app_name = "quality"
urlpatterns = [
    path("quality/", views.rates, name="rates"),
    path("quality/rates/<str:rate>/", views.rate_list, name="rate_list"),
    path("quality/summary/", views.summary, name="summary"),
    path("quality/targets/", views.targets, name="targets"),
    path("quality/villages/", views.villages, name="villages"),
    path("quality/villages/save/", views.villages_save, name="villages_save"),
    path("quality/households/<int:pk>/satisfaction/", views.satisfaction, name="satisfaction"),
    path("quality/households/<int:pk>/satisfaction/answer/", views.answer_record, name="answer_record"),
]
