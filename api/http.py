"""What every API answer shares: Discourse's JSON content type, error shape, auth and limits."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from community import ratelimits
from community.accounts.permissions import can_use_network

from .models import ApiKey, hash_key

CONTENT_TYPE = "application/json; charset=utf-8"


class ApiError(Exception):
    def __init__(
        self, status: int, error_type: str, *errors: str, extras=None, headers=None
    ) -> None:
        super().__init__(*errors)
        self.status, self.error_type, self.errors, self.extras = status, error_type, errors, extras
        self.headers = headers


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


RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """`"120/m"` as (120 hits, 60 seconds)."""
    count, _, period = rate.partition("/")
    return int(count), RATE_PERIODS[period[-1:] or "m"] * int(period[:-1] or 1)


def rate_limited(wait: int, code: str | None = None) -> ApiError:
    return ApiError(
        429, "rate_limit",
        f"You’ve performed this action too many times. Please wait {wait} seconds before trying again.",
        extras={"wait_seconds": wait}, headers={"Discourse-Rate-Limit-Error-Code": code or "rate_limit"},
    )  # fmt: skip


def _check_rate(request: HttpRequest, user, write: bool) -> None:
    """Count the request on the one limiter (`community.ratelimits`), per member or address."""
    who = (
        f"user:{user.pk}" if user.is_authenticated else "ip:" + request.META.get("REMOTE_ADDR", "")
    )
    scope, rate = ("api-write", settings.API_WRITE_RATE) if write else ("api", settings.API_RATE)
    limit, window = parse_rate(rate)
    wait = ratelimits.hit(scope, who, limit=limit, window=window)
    if wait:
        raise rate_limited(wait, "api_" + ("write" if write else "read"))


def _flatten(value, prefix: str, out: QueryDict) -> None:
    """A JSON body as Discourse's form keys: {"post": {"raw": x}} is post[raw], lists are k[]."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}[{key}]" if prefix else str(key), out)
    elif isinstance(value, list):
        keys = [prefix] if prefix.endswith("[]") else [prefix + "[]", prefix]
        for inner in value:
            for key in keys:
                out.appendlist(key, "" if inner is None else str(inner))
    elif isinstance(value, bool):
        out.appendlist(prefix, "true" if value else "false")
    else:
        out.appendlist(prefix, "" if value is None else str(value))


def request_data(request: HttpRequest) -> QueryDict:
    """The request's parameters, whether sent as a form, multipart or JSON (Discourse takes all
    three), with the query string's beneath them."""
    data = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        data.setlist(key, values)
    content_type = request.content_type or ""
    if content_type == "application/json":
        body = request.body.decode(request.encoding or "utf-8") if request.body else ""
        if body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                raise ApiError(400, "invalid_parameters", "The body is not valid JSON.") from None
            if not isinstance(parsed, dict):
                raise ApiError(400, "invalid_parameters", "The JSON body must be an object.")
            body_data = QueryDict(mutable=True)
            _flatten(parsed, "", body_data)
            for key, values in body_data.lists():
                data.setlist(key, values)
    elif request.method == "POST":
        for key, values in request.POST.lists():
            data.setlist(key, values)
    elif content_type == "application/x-www-form-urlencoded":
        for key, values in QueryDict(request.body, encoding=request.encoding or "utf-8").lists():
            data.setlist(key, values)
    elif content_type == "multipart/form-data":
        request.method, method = "POST", request.method  # Django parses multipart on POST only
        try:
            request._load_post_and_files()
        finally:
            request.method = method
        for key, values in request.POST.lists():
            data.setlist(key, values)
    return data


def wants_json(request: HttpRequest) -> bool:
    """An API request: a `.json` path, an `Accept: application/json` header or an API key."""
    accept = request.headers.get("Accept", "")
    return (
        request.path.endswith(".json")
        or accept.split(",")[0].strip().startswith("application/json")
        or "Api-Key" in request.headers
    )


def not_applicable(reason: str) -> Callable:
    """A view for a Discourse operation that cannot apply to this network: a JSON 501 saying why."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        return error_response(ApiError(501, "not_applicable", reason))

    view.not_applicable = reason
    return view


def handle(request: HttpRequest, call: Callable[[], dict | list]) -> HttpResponse:
    """Answer `call()` as JSON, and every failure as Discourse's JSON error: never HTML, never 500."""
    try:
        return json_response(call())
    except ApiError as error:
        return error_response(error, headers=error.headers)
    except Http404:
        return error_response(
            ApiError(404, "not_found", "The requested URL or resource could not be found.")
        )
    except PermissionDenied as denied:
        message = str(denied) or "You are not permitted to view the requested resource."
        return error_response(ApiError(403, "invalid_access", message))
    except ratelimits.RateLimited as limited:
        error = rate_limited(limited.wait_seconds)
        error.errors = tuple(_validation_messages(limited))
        return error_response(error, headers=error.headers)
    except ValidationError as invalid:
        return error_response(ApiError(422, "invalid_parameters", *_validation_messages(invalid)))
    except RequestDataTooBig:
        return error_response(ApiError(413, "too_large", "The request is too large."))
    except (TooManyFieldsSent, MultiPartParserError, UnicodeDecodeError):
        return error_response(
            ApiError(400, "invalid_parameters", "The request body cannot be read.")
        )


def endpoint(*methods: str, write: bool = False, signed_in: bool = False) -> Callable:
    """Wrap a view `(request, user, **kwargs) -> dict` as a Discourse-shaped JSON endpoint.

    The view reads its parameters from `request.data` (form, multipart or JSON alike).
    """

    def decorate(view: Callable) -> Callable:
        @csrf_exempt  # API keys carry no CSRF token; session writes are checked below
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs) -> HttpResponse:
            def call():
                if request.method not in methods:
                    raise ApiError(405, "invalid_parameters", f"Use {', '.join(methods)} here.")
                user, scope, by_key = authenticate(request)
                request.api_user = user
                _check_rate(request, user, write)
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
                request.data = request_data(request)
                return view(request, user, **kwargs)

            return handle(request, call)

        wrapper.api_methods = methods
        return wrapper

    return decorate


def by_method(**views: Callable) -> Callable:
    """One path, a view per method (as Discourse routes GET, PUT and DELETE of one resource)."""

    @csrf_exempt  # each view it dispatches to checks CSRF for session writes
    def dispatch(request: HttpRequest, **kwargs) -> HttpResponse:
        view = views.get(request.method.lower())
        if view is None:
            allowed = ", ".join(m.upper() for m in views)
            return error_response(
                ApiError(405, "invalid_parameters", f"Use {allowed} here."),
                headers={"Allow": allowed},
            )
        return view(request, **kwargs)

    return dispatch
