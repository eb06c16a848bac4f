"""What every API answer shares: Discourse's JSON content type, error shape, auth and limits."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from community.accounts.permissions import can_use_network

from .models import ApiKey, hash_key

CONTENT_TYPE = "application/json; charset=utf-8"


class ApiError(Exception):
    def __init__(self, status: int, error_type: str, *errors: str, extras: dict | None = None):
        super().__init__(*errors)
        self.status, self.error_type, self.errors, self.extras = status, error_type, errors, extras


def json_response(data: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, default=str), status=status, content_type=CONTENT_TYPE, headers=headers
    )
    return response


def error_response(error: ApiError, headers: dict | None = None) -> HttpResponse:
    body = {"errors": list(error.errors), "error_type": error.error_type}
    if error.extras:
        body["extras"] = error.extras
    return json_response(body, status=error.status, headers=headers)


def _validation_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


def authenticate(request: HttpRequest):
    """The acting user and the scope they may use: from the API key headers, else the session."""
    key = request.headers.get("Api-Key")
    if not key:
        user = getattr(request, "user", None) or AnonymousUser()
        return user, ("write" if user.is_authenticated else "read"), False
    api_key = (
        ApiKey.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if api_key is None:
        raise ApiError(
            403,
            "invalid_access",
            "You are not permitted to view the requested resource. The API key is not valid.",
        )
    username = request.headers.get("Api-Username", "")
    if api_key.user is not None:
        if username and username.lower() != api_key.user.username.lower():
            raise ApiError(403, "invalid_access", "This API key may only act as its own user.")
        user = api_key.user
    else:
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise ApiError(403, "invalid_access", "Api-Username does not name a member.")
    if not can_use_network(user):
        raise ApiError(403, "invalid_access", "That member's account is suspended or not active.")
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return user, api_key.scope, True


def _rate_key(group, request) -> str:
    user = getattr(request, "api_user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + request.META.get("REMOTE_ADDR", "")


def _check_rate(request: HttpRequest, write: bool) -> None:
    group, rate = ("api-write", settings.API_WRITE_RATE) if write else ("api", settings.API_RATE)
    usage = get_usage(request, group=group, key=_rate_key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        wait = max(int(usage["time_left"]), 1)
        raise ApiError(
            429, "rate_limit",
            f"You’ve performed this action too many times. Please wait {wait} seconds before trying again.",
            extras={"wait_seconds": wait},
        )  # fmt: skip


def endpoint(*methods: str, write: bool = False, signed_in: bool = False) -> Callable:
    """Wrap a view `(request, user, **kwargs) -> dict` as a Discourse-shaped JSON endpoint."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt  # API keys carry no CSRF token; session writes are checked below
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs) -> HttpResponse:
            headers = None
            try:
                if request.method not in methods:
                    raise ApiError(405, "invalid_parameters", f"Use {', '.join(methods)} here.")
                user, scope, by_key = authenticate(request)
                request.api_user = user
                try:
                    _check_rate(request, write)
                except ApiError as limited:
                    headers = {
                        "Discourse-Rate-Limit-Error-Code": "api_" + ("write" if write else "read")
                    }
                    raise limited
                if write or signed_in:
                    if not user.is_authenticated:
                        raise ApiError(403, "not_logged_in", "You need to be signed in to do that.")
                if write:
                    if scope != "write":
                        raise ApiError(403, "invalid_access", "This API key may only read.")
                    if not by_key:
                        reason = CsrfViewMiddleware(lambda r: None).process_view(
                            request, None, (), {}
                        )
                        if reason is not None:
                            raise ApiError(403, "invalid_access", "CSRF check failed.")
                return json_response(view(request, user, **kwargs))
            except ApiError as error:
                return error_response(error, headers=headers)
            except Http404:
                return error_response(
                    ApiError(404, "not_found", "The requested URL or resource could not be found.")
                )
            except PermissionDenied as denied:
                message = str(denied) or "You are not permitted to view the requested resource."
                return error_response(ApiError(403, "invalid_access", message))
            except ValidationError as invalid:
                return error_response(
                    ApiError(422, "invalid_parameters", *_validation_messages(invalid))
                )

        return wrapper

    return decorate
