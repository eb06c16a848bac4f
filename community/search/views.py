"""The search page: the header box's results, and the advanced form that writes filters."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from community.paging import page_number

from .forms import AdvancedSearchForm
from .service import search as run_search

ADVANCED_FIELDS = {"words", "username", "category", "tags", "in", "status", "after", "before"}


def search(request: HttpRequest) -> HttpResponse:
    advanced = AdvancedSearchForm(request.GET if ADVANCED_FIELDS & set(request.GET) else None)
    if advanced.is_bound:
        if advanced.is_valid():
            # The form only writes the query text; the results page reads it back.
            return redirect(
                reverse("search:search") + "?" + urlencode({"q": advanced.query_text()})
            )
        return render(
            request, "search/search.html",
            {"form": advanced, "q": "", "results": None, "title": _("Search")}, status=400,
        )  # fmt: skip
    q = request.GET.get("q", "").strip()
    results = run_search(request.user, q, page=page_number(request)) if q else None
    status = 400 if results is not None and results.problems else 200
    return render(
        request,
        "search/search.html",
        {"form": advanced, "q": q, "results": results, "title": _("Search")},
        status=status,
    )
