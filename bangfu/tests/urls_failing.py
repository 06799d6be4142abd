"""The site's URLs plus a page and an API operation that fail as an unexpected bug would
(test_errors.py), so that the logging and the 500 responses of every such bug are tested."""

from django.urls import path
from ninja import NinjaAPI

from bangfu.api import unexpected_error
from bangfu.urls import handler500, urlpatterns as site_urls  # noqa: F401 (handler500 is read by Django)


def failing_page(request):
    raise ZeroDivisionError("a bug in a page")


failing_api = NinjaAPI(urls_namespace="failing-api", auth=None)
failing_api.add_exception_handler(Exception, unexpected_error)


@failing_api.get("/fail")
def failing_operation(request):
    raise ZeroDivisionError("a bug in an API operation")


urlpatterns = [path("failing/", failing_page), path("api/failing/", failing_api.urls), *site_urls]
