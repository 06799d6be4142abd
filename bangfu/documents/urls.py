from django.urls import path

from bangfu.documents import views

app_name = "documents"
urlpatterns = [
    path("documents/", views.index, name="index"),
    path("documents/batch/", views.batch_start, name="batch"),
    path("documents/templates/", views.templates, name="templates"),
    path("documents/templates/<slug:kind>/download/", views.template_download, name="template_download"),
    path("documents/templates/<slug:kind>/upload/", views.template_upload, name="template_upload"),
    path("documents/templates/<slug:kind>/revert/", views.template_revert, name="template_revert"),
    path("documents/records/<int:pk>/regenerate/", views.regenerate, name="regenerate"),
    path("documents/plans/", views.plans, name="plans"),
    path("documents/plans/draft/", views.plan_draft, name="plan_draft"),
    path("documents/plans/<int:pk>/", views.plan, name="plan"),
    path("documents/plans/<int:pk>/issue/", views.plan_issue, name="plan_issue"),
    path("documents/<slug:kind>/", views.generate, name="generate"),
]
