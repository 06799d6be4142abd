"""/api/v1/: one NinjaAPI; each app contributes a Router from its api.py.

Authentication: the browser session (with CSRF) or `Authorization: Bearer <token>`
(tokens made on the 接口令牌 page). Errors are JSON {"message", "field"?, "row"?}.
"""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer
from pydantic_core import to_json

from bangfu.accounts.models import ApiToken
from bangfu.errors import BangfuError
from bangfu.middleware import current_request_id

logger = logging.getLogger("django.request")


class Renderer(JSONRenderer):
    """Responses written by pydantic-core's serializer (Rust), which writes amounts and dates itself: with
    Python's json module, its encoder's `default` was called for each (550 times for a list of 50
    households), and the list's JSON took 0.3 ms against 0.09. Amounts are strings ("1234.50") and dates
    ISO, as Django's encoder writes them; times of day keep their microseconds (Django's cuts them to
    milliseconds); text is UTF-8, not \\u escapes. What it does not know (Django's lazy translations) goes
    to ninja's encoder."""

    def __init__(self):
        self._unknown = NinjaJSONEncoder().default

    def render(self, request, data, *, response_status):
        return to_json(data, fallback=self._unknown)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = (ApiToken.objects.select_related("user", "user__region")
                     .filter(key_hash=ApiToken.digest(token), revoked_at__isnull=True, user__is_active=True).first())
        if api_token is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None


api = NinjaAPI(
    title="帮扶 Bangfu API",
    version="1",
    description="结对帮扶工作平台接口。所有接口只返回调用者管辖范围内的数据。",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    renderer=Renderer(),
)


@api.exception_handler(BangfuError)
def bangfu_error(request, exc: BangfuError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Exception)
def unexpected_error(request, exc: Exception):
    """An error no handler expected: logged with its traceback and the request id, which the JSON
    carries so the caller can report it (the pages show it on the 500 page)."""
    request_id = getattr(request, "id", None) or current_request_id.get()
    logger.error("Internal Server Error: %s", request.path, exc_info=exc,
                 extra={"status_code": 500, "request": request})
    response = api.create_response(
        request, {"message": _("系统出错了，请把错误编号告诉系统管理员"), "request_id": request_id}, status=500)
    response._has_been_logged = True  # Django would log it a second time, without the traceback
    return response


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"message": _("请先登录或提供有效的接口令牌")}, status=401)


@api.exception_handler(NinjaValidationError)
def invalid_input(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
    return api.create_response(
        request,
        {"message": _("输入格式不正确：%(m)s") % {"m": first.get("msg", "")}, "field": ".".join(loc) or None,
         "errors": exc.errors},
        status=422,
    )


def _routers():
    from bangfu.accounts.api import router as accounts_router
    from bangfu.regions.api import router as regions_router
    from bangfu.registry.api import router as registry_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/regions", regions_router)
    api.add_router("/", registry_router)
    from bangfu.activities.api import router as activities_router
    from bangfu.compliance.api import router as compliance_router
    from bangfu.programmes.api import router as programmes_router

    api.add_router("/", programmes_router)
    api.add_router("/", activities_router)
    api.add_router("/", compliance_router)
    from bangfu.imports.api import router as imports_router

    api.add_router("/", imports_router)
    from bangfu.exports.api import router as exports_router

    api.add_router("/", exports_router)
    from bangfu.documents.api import router as documents_router

    api.add_router("/", documents_router)
    from bangfu.funds.api import router as funds_router
    from bangfu.procedures.api import router as procedures_router
    from bangfu.subsidies.api import router as subsidies_router

    api.add_router("/", procedures_router)
    api.add_router("/", funds_router)
    api.add_router("/", subsidies_router)
    from bangfu.measures.api import router as measures_router

    api.add_router("/", measures_router)
    from bangfu.crosschecks.api import router as crosschecks_router
    from bangfu.quality.api import router as quality_router

    api.add_router("/", crosschecks_router)
    api.add_router("/", quality_router)
    from bangfu.rules.api import router as rules_router

    api.add_router("/", rules_router)


_routers()
