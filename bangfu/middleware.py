"""Middleware of the whole site: a request id on every request, NUL bytes refused, and the
application's NotFound/PermissionDenied turned into Django's 404/403 pages (other BangfuErrors
that reach a page, such as a malformed id in a query string, into a 400 page with their message).

Views call services and selectors and let these errors rise; validation errors are
caught by the view that shows the form.
"""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied, RequestDataTooBig
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from bangfu import reference
from bangfu.errors import BangfuError, NotFound, PermissionDenied

# The id of the request being served, for log records and error pages; "-" outside a request.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("bangfu_request_id", default="-")
# An id a proxy in front of us gave the request (nginx's $request_id) is kept if it looks like one.
_PROXY_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _record_factory(factory):
    def make(*args, **kwargs):
        record = factory(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    return make


# Every log record carries the request id (LOGGING's format shows it), whichever logger wrote it.
logging.setLogRecordFactory(_record_factory(logging.getLogRecordFactory()))


class RequestIdMiddleware:
    """Name each request: the id goes into every log record written while it is served, into the
    X-Request-ID response header, and onto the 500 page and the API's 500 JSON, so a user can
    report it and an administrator can find the traceback in the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if _PROXY_ID.match(given) else uuid.uuid4().hex[:16]
        token = current_request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


class NulByteMiddleware:
    """Refuse a NUL byte in the query string or a form field with 400: PostgreSQL cannot store or
    compare text holding one, and no user types it. JSON bodies of the API are checked for the
    escaped form too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = self._refused(request)
        except RequestDataTooBig:
            return self._bad_request(request, _("提交的内容太大(超过 %(mb)s MB)，请删减后再提交")
                                     % {"mb": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20, 1)})
        if refused:
            return self._bad_request(request, _("请求中含有不允许的控制字符(NUL)，请检查输入"))
        return self.get_response(request)

    @staticmethod
    def _bad_request(request, message: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"message": message, "request_id": getattr(request, "id", "")}, status=400)
        return HttpResponseBadRequest(loader.render_to_string("400.html", {"message": message}, request))

    @staticmethod
    def _refused(request) -> bool:
        if "\x00" in request.path or _has_nul(request.GET):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        if request.content_type == "application/json":
            body = request.body
            return b"\\u0000" in body.lower() or b"\x00" in body
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _has_nul(request.POST)
        return False


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
        if isinstance(exception, BangfuError):  # bad input no form caught (a query string's id): say so
            return HttpResponse(loader.render_to_string("400.html", {"message": exception.message}, request),
                                status=exception.status)
        return None


class ReferenceStampMiddleware:
    """A GET or HEAD request changes no reference data (regions, programmes, obligations, periods, exemptions):
    it reads their stamp once, however many kept reads it makes (bangfu/reference.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with reference.stamp_once():
            return self.get_response(request)
