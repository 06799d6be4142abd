from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from django.core.paginator import Paginator

from bangfu.accounts import selectors, services
from bangfu.accounts.forms import UserForm
from bangfu.errors import BangfuError, ValidationError


@login_required
def tokens(request):
    new_key = None
    error = None
    if request.method == "POST":
        try:
            _token, new_key = services.api_token_create(user=request.user, name=request.POST.get("name", ""))
        except ValidationError as exc:
            error = exc.message
    items = request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": items, "new_key": new_key, "error": error})


@login_required
@require_POST
def token_revoke(request, pk: int):
    services.api_token_revoke(user=request.user, pk=pk)
    messages.success(request, _("令牌已停用"))
    return redirect("accounts:tokens")


@login_required
def user_list(request):
    scope = request.user.scope
    services.users_check(scope)
    form = UserForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(scope=scope, by=request.user, **form.cleaned_data)
        except BangfuError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已创建账号 %(u)s") % {"u": user.username})
            return redirect("accounts:users")
    users = selectors.user_list(scope=scope)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"form": form, "page_obj": page, "querystring_base": ""},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def user_active(request, pk: int):
    scope = request.user.scope
    services.users_check(scope)
    user = selectors.user_get(scope=scope, pk=pk)
    active = request.POST.get("active") == "1"
    services.user_set_active(scope=scope, by=request.user, user=user, active=active)
    messages.success(request, (_("已启用 %(u)s") if active else _("已停用 %(u)s")) % {"u": user.username})
    return redirect("accounts:users")
