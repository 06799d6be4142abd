from django.urls import path

from bangfu.programmes import views

app_name = "programmes"
urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/terms/new/", views.term_add, name="term_add"),
    path("programmes/<int:pk>/terms/<int:term_pk>/edit/", views.term_edit, name="term_edit"),
    path("programmes/<int:pk>/obligations/new/", views.obligation_add, name="obligation_add"),
    path("programmes/<int:pk>/obligations/<int:obligation_pk>/edit/", views.obligation_edit, name="obligation_edit"),
    path("programmes/<int:pk>/pairings/new/", views.pairing_create, name="pairing_create"),
    path("programmes/<int:pk>/pairings/upload/", views.pairing_register_upload, name="pairing_register_upload"),
    path("programmes/<int:pk>/pairings/upload/report/<str:token>/", views.pairing_register_report,
         name="pairing_register_report"),
    path("programmes/pairing-register-template.xlsx", views.pairing_register_template,
         name="pairing_register_template"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("mine/", views.my_pairings, name="mine"),
]
