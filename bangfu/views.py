"""Site-wide views: the 500 page, which names the request so a user can report it."""

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from bangfu.middleware import current_request_id


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """Django's own handler renders 500.html without any context; this one passes the request id.
    Plain on purpose: no base template, no database, nothing that may be what failed."""
    request_id = getattr(request, "id", None) or current_request_id.get()
    return HttpResponseServerError(loader.get_template(template_name).render({"request_id": request_id}))
