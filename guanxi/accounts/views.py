"""The signed-in user's own pages: profile and personal API tokens."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.errors import ValidationFailed
from guanxi.core.views import domain_errors_as_http

from . import selectors, services
from .forms import ApiTokenForm

NEW_TOKEN_SESSION_KEY = "accounts.new_api_token"  # nosec B105  # a session key's name, not a secret


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        try:
            token, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"],
                                                   expires_at=expires_at)
        except ValidationFailed as exc:
            for field, reason in exc.fields.items():
                form.add_error(field if field in form.fields else None, reason)
        else:
            # Shown once on the next page, then gone: only the digest is stored.
            request.session[NEW_TOKEN_SESSION_KEY] = {"name": token.name, "raw": raw}
            return redirect("accounts:profile")
    tokens = list(selectors.api_token_list(user=request.user))
    now = timezone.now()
    for token in tokens:
        token.is_active = token.revoked_at is None and (token.expires_at is None or token.expires_at > now)
    return render(request, "accounts/profile.html", {
        "form": form, "tokens": tokens, "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
    })


@login_required
@domain_errors_as_http
@require_POST
def revoke_token(request, token_id: int):
    token = services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:profile")
