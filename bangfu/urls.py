from django.urls import include, path

from bangfu.api import api
from bangfu.registry.views import home

urlpatterns = [
    path("accounts/", include("bangfu.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the switch in the footer
    path("api/v1/", api.urls),
    path("", home, name="home"),
    path("", include("bangfu.registry.urls")),
    path("", include("bangfu.programmes.urls")),
    path("", include("bangfu.activities.urls")),
    path("", include("bangfu.compliance.urls")),
    path("", include("bangfu.imports.urls")),
    path("", include("bangfu.exports.urls")),
]

handler500 = "bangfu.views.server_error"
