"""The insight dashboard, the printable quarterly report and its CSV pack.

Only for centre staff (every section) and moderators (Safety only); everyone else, signed
in or not, gets 404 so the pages' existence is not revealed. Session sign-in only: the API's
keys do not open these pages.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import privacy, registry, selectors
from .filters import FilterForm, last_complete_quarter
from .permissions import can_view_insight


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _form(request: HttpRequest, *, default_quarter: bool) -> FilterForm:
    if not can_view_insight(request.user):
        raise Http404
    data = request.GET
    if not data and default_quarter:
        data = {"quarter": last_complete_quarter(timezone.localdate())}
    return FilterForm(data or None)


def _context(request: HttpRequest, form: FilterForm, *, with_charts: bool) -> dict:
    filters = form.filters()
    sections = selectors.insight(viewer=request.user, filters=filters, with_charts=with_charts)
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    return {
        "form": form,
        "filters": filters,
        "described": filters.describe(),
        "sections": sections,
        "suppression_note": privacy.NOTE,
        "query": query,
        "keep_message": "The figures below are for the default period until the filters are fixed.",
        "all_sections": registry.SECTIONS,
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _form(request, default_quarter=False)
    return _private(
        render(request, "insight/dashboard.html", _context(request, form, with_charts=True))
    )


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    form = _form(request, default_quarter=True)
    context = _context(request, form, with_charts=False)
    if not context["query"] and form.is_valid():
        context["query"] = f"quarter={form.cleaned_data.get('quarter', '')}"
    context["generated"] = timezone.localtime()
    return _private(render(request, "insight/report.html", context))


@require_GET
def report_pack(request: HttpRequest) -> HttpResponse:
    form = _form(request, default_quarter=True)
    filters = form.filters()
    sections = selectors.insight(viewer=request.user, filters=filters, with_charts=False)
    body = selectors.report_pack(sections=sections, filters=filters)
    response = HttpResponse(body, content_type="application/zip")
    name = f"insight-{filters.start:%Y-%m-%d}-to-{filters.end:%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)
