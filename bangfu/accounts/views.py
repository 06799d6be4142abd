from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts import services
from bangfu.errors import ValidationError


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
