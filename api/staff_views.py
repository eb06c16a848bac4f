"""The centre staff's page for API keys: make (the secret shown once), scope, revoke, see use."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import actions
from .forms import ApiKeyForm
from .models import ApiKey
from .permissions import can_manage_api_keys


def _staff_only(request: HttpRequest) -> None:
    if not can_manage_api_keys(request.user):
        raise Http404("No such page")


@never_cache  # the page that shows a new key's secret must not be kept by any cache
@login_required
def keys(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    secret = None
    created = None
    status = 200
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                created, secret = actions.create_api_key(
                    actor=request.user,
                    description=form.cleaned_data["description"],
                    scope=form.cleaned_data["scope"],
                    user=form.cleaned_data["username"],
                )
                form = ApiKeyForm()
            except ValidationError as invalid:
                for field, messages in invalid.message_dict.items():
                    form.add_error("username" if field == "user" else field, messages)
        if secret is None:
            status = 400
    listed = ApiKey.objects.select_related("user", "created_by").order_by(
        "revoked_at", "-created_at"
    )
    return render(
        request,
        "api/keys.html",
        {"form": form, "keys": listed, "secret": secret, "created": created},
        status=status,
    )


@login_required
@require_POST
def revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    _staff_only(request)
    actions.revoke_api_key(actor=request.user, key=get_object_or_404(ApiKey, pk=key_id))
    return redirect("api_keys:keys")
