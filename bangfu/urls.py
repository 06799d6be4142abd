from django.urls import include, path
from django.views.generic import RedirectView

from bangfu.api import api
from bangfu.registry.views import home

urlpatterns = [
    path("accounts/", include("bangfu.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the switch in the footer
    # /api/v1/ itself leads to the browsable docs (docs/api.md)
    path("api/v1/", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api_root"),
    path("api/v1/", api.urls),
    path("", home, name="home"),
    path("", include("bangfu.registry.urls")),
    path("", include("bangfu.programmes.urls")),
    path("", include("bangfu.activities.urls")),
    path("", include("bangfu.compliance.urls")),
    path("", include("bangfu.imports.urls")),
    path("", include("bangfu.exports.urls")),
    path("", include("bangfu.documents.urls")),
    path("", include("bangfu.procedures.urls")),
    path("", include("bangfu.funds.urls")),
    path("", include("bangfu.subsidies.urls")),
    path("", include("bangfu.measures.urls")),
    path("", include("bangfu.rules.urls")),
    path("", include("bangfu.privacy.urls")),
    path("", include("bangfu.crosschecks.urls")),
    path("", include("bangfu.quality.urls")),
]

handler500 = "bangfu.views.server_error"
