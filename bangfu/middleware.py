"""Turn the application's NotFound/PermissionDenied into Django's 404/403 pages.

Views call services and selectors and let these errors rise; validation errors are
caught by the view that shows the form. One that escapes a view (a malformed filter in the
query string, such as a region code of no level's length) is a 400 page with its message.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import render

from bangfu.errors import BangfuError, NotFound, PermissionDenied


class BangfuErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message)
        if isinstance(exception, BangfuError) and exception.status == 400:  # e.g. a malformed region code
            return render(request, "400.html", {"exception": exception.message}, status=400)
        return None
