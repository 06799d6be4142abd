from django.urls import path

from bangfu.crosschecks import views

app_name = "crosschecks"
urlpatterns = [
    path("crosschecks/", views.clue_list, name="clue_list"),
    path("crosschecks/clues/<int:pk>/", views.clue_detail, name="clue_detail"),
    path("crosschecks/clues/<int:pk>/assign/", views.clue_assign, name="clue_assign"),
    path("crosschecks/clues/<int:pk>/verify/", views.clue_verify, name="clue_verify"),
    path("crosschecks/clues/<int:pk>/close/", views.clue_close, name="clue_close"),
    path("crosschecks/clues/<int:pk>/exempt/", views.clue_exempt, name="clue_exempt"),
]
