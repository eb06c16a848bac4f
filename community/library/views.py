"""HTTP for the library: parse, call one action or selector, redirect or render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import pagecache
from community.forum import selectors as forum_selectors
from community.forum.assembly import layout_assets
from community.forum.permissions import can_read_thread
from community.fragments import Holes, assembled_page
from community.pagecache import cache_for_anonymous
from community.paging import page_number

from . import actions, forms, permissions, selectors
from .models import Resource


def _add_errors(form, exc: ValidationError) -> None:
    """Put an action's validation errors on the form, so the page keeps the user's text."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _invalid(request, template: str, context: dict) -> HttpResponse:
    return render(request, template, context, status=400)


LIBRARY_TEMPLATE = "library/library.html"


@cache_for_anonymous
def library(request: HttpRequest) -> HttpResponse:
    """The library's list: the same rows for everyone (``permissions.public_resources``).

    Visitors get it from the anonymous page cache. Members get one page per write generation
    and layout class (``permissions.library_page_class``) with their own holes filled: the
    header's name and bell, their messages, the sign-out form's token. Rendering the page in
    full was 16-18 ms of CPU per request (docs/bench-national.md, seventh pass)."""
    filters = selectors.LibraryFilters.from_query(request.GET)
    page = page_number(request)
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    context = {
        "title": _("Resource library"),
        "types": Resource.Type.choices,
        "ratings": Resource.EvidenceRating.choices,
        "reviewed_choices": [
            ("6", _("the last 6 months")),
            ("12", _("the last 12 months")),
            ("24", _("the last 2 years")),
        ],
        "base_query": query.urlencode(),
        "can_create": permissions.can_create_resource(user),
    }
    page_class = permissions.library_page_class(user)
    if page_class is None:
        listing = selectors.library_page(viewer=user, filters=filters, page=page)
        return render(request, LIBRARY_TEMPLATE, {**context, "listing": listing})
    holes = Holes(request)
    # Everything the page shows besides its holes: the rows follow from the write generation
    # (each library action's event starts a new one, as for the anonymous page cache) and the
    # path with its query; the layout's links from the class.
    parts = (
        page_class,
        pagecache.generation(),
        get_language(),
        request.get_full_path(),
        layout_assets(),
    )

    def render_shared() -> str:
        listing = selectors.library_page(viewer=user, filters=filters, page=page)
        return holes.render_shared(LIBRARY_TEMPLATE, {**context, "listing": listing})

    html = assembled_page(
        "library-page",
        request,
        None,
        parts,
        render_shared,
        holes,
        lifetime=settings.ANONYMOUS_PAGE_CACHE_SECONDS,
    )
    return HttpResponse(html)


def _resource(request, resource_id: int) -> Resource:
    return selectors.get_resource(viewer=request.user, resource_id=resource_id)


def resource_short(request: HttpRequest, resource_id: int) -> HttpResponse:
    return redirect(_resource(request, resource_id).get_absolute_url(), permanent=True)


def _resource_context(request, resource: Resource, **extra) -> dict:
    page = selectors.resource_page(viewer=request.user, resource=resource)
    user = request.user
    context = {
        "title": page.version.title if page.version else resource.title,
        "page": page,
        "resource": resource,
        "can_edit": permissions.can_edit_resource(user, resource),
        "can_submit": permissions.can_submit_for_review(user, resource),
        "can_review": permissions.can_review(user, resource),
        "can_publish": permissions.can_publish(user, resource),
        "can_archive": permissions.can_archive(user, resource),
        "can_unarchive": permissions.can_unarchive(user, resource),
        "can_rate": permissions.can_rate(user, resource),
        "thread_visible": resource.source_thread is not None
        and can_read_thread(user, resource.source_thread),
        "rate_form": forms.RateForm(
            initial={"useful": "yes" if page.my_rating and page.my_rating.useful else "no"}
            if page.my_rating
            else None
        ),
        "feedback_form": forms.FeedbackForm(),
        "review_form": forms.ReviewForm(),
        "publish_form": forms.PublishForm(),
        "archive_form": forms.ArchiveForm(),
        "unarchive_form": forms.UnarchiveForm(),
        "next_review_form": forms.NextReviewForm(
            initial={"next_review_at": resource.next_review_at}
        ),
    }
    context.update(extra)
    return context


def resource(request: HttpRequest, resource_id: int, slug: str) -> HttpResponse:
    item = _resource(request, resource_id)
    if slug != item.slug:
        return redirect(item.get_absolute_url(), permanent=True)
    return render(request, "library/resource.html", _resource_context(request, item))


def history(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)
    return render(
        request,
        "library/history.html",
        {
            "title": _("History of %(t)s") % {"t": item},
            "resource": item,
            "versions": selectors.resource_history(viewer=request.user, resource=item),
        },
    )


def version(request: HttpRequest, resource_id: int, number: int) -> HttpResponse:
    item = _resource(request, resource_id)
    found = selectors.get_version(viewer=request.user, resource=item, number=number)
    return render(
        request,
        "library/version.html",
        {"title": found.title, "resource": item, "version": found},
    )


def _resource_form_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["principle"] = data.get("principle") or ""
    return data


@login_required
def new_resource(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_resource(request.user):
        raise PermissionDenied(_("Only moderators and centre staff can add library resources."))
    form = forms.ResourceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                item = actions.create_resource(actor=request.user, **_resource_form_data(form))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Draft saved. Send it for review when it is ready."))
                return redirect(item.get_absolute_url())
        return _invalid(
            request, "library/edit.html", {"form": form, "title": _("New library resource")}
        )
    return render(request, "library/edit.html", {"form": form, "title": _("New library resource")})


@login_required
def edit_resource(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)
    if not permissions.can_edit_resource(request.user, item):
        raise PermissionDenied(_("You cannot edit this resource now."))
    context = {"title": _("Edit %(t)s") % {"t": item.title}, "resource": item}
    if request.method == "POST":
        form = forms.ResourceForm(request.POST)
        if form.is_valid():
            try:
                actions.update_resource(
                    actor=request.user, resource=item, **_resource_form_data(form)
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Changes saved to the draft."))
                return redirect(item.get_absolute_url())
        return _invalid(request, "library/edit.html", {**context, "form": form})
    form = forms.ResourceForm(initial=forms.ResourceForm.initial_for(item))
    return render(request, "library/edit.html", {**context, "form": form})


@login_required
def submit(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)
    if not permissions.can_submit_for_review(request.user, item):
        raise PermissionDenied(_("You cannot send this resource for review now."))
    form = forms.SubmitForm(
        request.POST or None,
        exclude_user=item.owner,
        initial={"reviewers": list(item.reviewers.all())},
    )
    context = {"title": _("Send for review"), "resource": item, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.submit_for_review(
                    actor=request.user, resource=item, reviewers=form.cleaned_data["reviewers"]
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Sent for review. The reviewers have been told."))
                return redirect(item.get_absolute_url())
        return _invalid(request, "library/submit.html", context)
    return render(request, "library/submit.html", context)


def _post_back(request, item, template_form_name: str, form, call) -> HttpResponse:
    """Run an action from a form on the resource page; on an error, show the page with it."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect(item.get_absolute_url())
    item = _resource(request, item.pk)
    context = _resource_context(request, item, **{template_form_name: form, "form_error": True})
    return _invalid(request, "library/resource.html", context)


@require_POST
@login_required
def review(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)

    def call(data):
        actions.review_resource(
            actor=request.user,
            resource=item,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
        messages.success(request, _("Your review was recorded and the owner told."))

    return _post_back(request, item, "review_form", forms.ReviewForm(request.POST), call)


@require_POST
@login_required
def publish(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)

    def call(data):
        actions.publish_resource(actor=request.user, resource=item, change_note=data["change_note"])
        messages.success(request, _("Published. Readers now see this version."))

    return _post_back(request, item, "publish_form", forms.PublishForm(request.POST), call)


@require_POST
@login_required
def archive(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)

    def call(data):
        actions.archive_resource(actor=request.user, resource=item, reason=data["reason"])
        messages.success(request, _("The resource was archived."))

    return _post_back(request, item, "archive_form", forms.ArchiveForm(request.POST), call)


@require_POST
@login_required
def unarchive(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)

    def call(data):
        actions.unarchive_resource(actor=request.user, resource=item, reason=data["reason"])
        messages.success(request, _("The resource is back from the archive."))

    return _post_back(request, item, "unarchive_form", forms.UnarchiveForm(request.POST), call)


@require_POST
@login_required
def next_review(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)

    def call(data):
        actions.set_next_review(
            actor=request.user, resource=item, next_review_at=data["next_review_at"]
        )
        messages.success(request, _("The next review date was changed."))

    return _post_back(request, item, "next_review_form", forms.NextReviewForm(request.POST), call)


@require_POST
@login_required
def rate(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)

    def call(data):
        actions.rate_resource(actor=request.user, resource=item, useful=data["useful"])
        messages.success(request, _("Thank you: your rating was saved."))

    return _post_back(request, item, "rate_form", forms.RateForm(request.POST), call)


@require_POST
@login_required
def feedback(request: HttpRequest, resource_id: int) -> HttpResponse:
    item = _resource(request, resource_id)

    def call(data):
        actions.leave_feedback(actor=request.user, resource=item, text=data["text"])
        messages.success(request, _("Thank you: your feedback goes to the resource's reviewers."))

    return _post_back(request, item, "feedback_form", forms.FeedbackForm(request.POST), call)


@login_required
def curate(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = forum_selectors.get_thread(viewer=request.user, thread_id=thread_id)
    posts = selectors.quotable_posts(viewer=request.user, thread=thread)
    form = forms.CurateForm(
        request.POST or None,
        posts=posts,
        initial={"title": thread.title, "posts": [p.pk for p in posts]},
    )
    context = {"title": _("Turn a thread into a resource"), "thread": thread, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                item = actions.curate_thread(
                    actor=request.user,
                    thread=thread,
                    post_ids=[p.pk for p in form.cleaned_data["posts"]],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Draft resource made. The authors quoted have been asked to agree."),
                )
                return redirect(item.get_absolute_url())
        return _invalid(request, "library/curate.html", context)
    return render(request, "library/curate.html", context)


@login_required
def credit(request: HttpRequest, credit_id: int) -> HttpResponse:
    found = selectors.get_credit(viewer=request.user, credit_id=credit_id)
    form = forms.CreditAnswerForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            agree = form.cleaned_data["answer"] == "agree"
            actions.answer_credit(actor=request.user, credit=found, consent=agree)
            messages.success(
                request,
                _("Thank you: you are credited and your words quoted.")
                if agree
                else _("Thank you: your words are left out of this resource."),
            )
            return redirect(reverse("library:credit", args=[found.pk]))
        return _invalid(
            request, "library/credit.html", {"credit": found, "form": form, "title": _("Credit")}
        )
    return render(
        request, "library/credit.html", {"credit": found, "form": form, "title": _("Credit")}
    )


@require_POST
@login_required
def withdraw(request: HttpRequest, credit_id: int, what: str) -> HttpResponse:
    found = selectors.get_credit(viewer=request.user, credit_id=credit_id)
    if what == "credit":
        actions.withdraw_credit(actor=request.user, credit=found)
        messages.success(request, _("Your name was taken off the resource."))
    else:
        actions.withdraw_words(actor=request.user, credit=found)
        messages.success(request, _("Your words were taken out of the resource."))
    return redirect(reverse("library:credit", args=[found.pk]))


@login_required
def my_credits(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "library/my_credits.html",
        {"title": _("Your library credits"), "credits": selectors.my_credits(viewer=request.user)},
    )


@login_required
def due(request: HttpRequest) -> HttpResponse:
    rows = selectors.due_resources(viewer=request.user)
    work = selectors.library_work(viewer=request.user)
    return render(
        request,
        "library/due.html",
        {"title": _("Library reviews due"), "rows": rows, "open": work["all_open"]},
    )


@login_required
def work(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "library/work.html",
        {"title": _("Your library work"), "work": selectors.library_work(viewer=request.user)},
    )
