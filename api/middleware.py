"""Discourse's content negotiation: the same paths answer HTML to browsers and JSON to clients."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from .http import ApiError, error_response, wants_json

JSON_ERRORS = {
    400: (400, "invalid_parameters", "The request cannot be read."),
    403: (403, "invalid_access", "You are not permitted to view the requested resource."),
    404: (404, "not_found", "The requested URL or resource could not be found."),
    405: (405, "invalid_parameters", "That method is not allowed here."),
    413: (413, "too_large", "The request is too large."),
}


class DiscourseJsonMiddleware:
    """Route `Accept: application/json` requests for `/latest`, `/t/{slug}/{id}` and the like to
    their `.json` endpoint, and answer API requests that match nothing with a JSON 404 (never the
    HTML page, never a redirect)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not wants_json(request):
            return self.get_response(request)
        path = request.path_info
        if not path.endswith(".json"):
            match = _api_match(path.rstrip("/") + ".json") or _api_match(path)
            if match is not None:
                return match.func(request, *match.args, **match.kwargs)
        response = self.get_response(request)
        if path.endswith(".json") and response.status_code in (301, 302, 308):
            # An API client never follows a redirect: a .json path nothing answers is a 404
            # (the Django admin would send it to its sign-in page).
            response = error_response(ApiError(*JSON_ERRORS[404]))
        if response.status_code in JSON_ERRORS and "html" in response.get("Content-Type", ""):
            status, error_type, message = JSON_ERRORS[response.status_code]
            return error_response(ApiError(status, error_type, message))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not wants_json(request) or settings.DEBUG:
            return None
        # A page's own "not there" or "not yours" stays that, in JSON: only what really
        # went wrong is a 500.
        if isinstance(exception, Http404):
            return error_response(ApiError(*JSON_ERRORS[404]))
        if isinstance(exception, PermissionDenied):
            return error_response(ApiError(*JSON_ERRORS[403]))
        return error_response(ApiError(500, "server_error", "Something went wrong on our side."))


def _api_match(path: str):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match if match.app_name == "api" else None
