"""HTTP for privacy, members' rights and the footer pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.accounts import permissions as member_permissions
from community.forum import permissions as forum_permissions
from community.forum import selectors as forum_selectors
from community.forum.models import Post
from community.paging import page_number

from . import actions, selectors
from .consents import TEXTS
from .forms import (
    AppealDecisionForm,
    AppealForm,
    DeleteAccountForm,
    StatementReviewForm,
    VerifyForm,
    VisitorReportForm,
)
from .models import Appeal, Consent, DataExport


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


# --- Footer pages -----------------------------------------------------------------------


def _page_view(template: str):
    def view(request: HttpRequest) -> HttpResponse:
        context = {
            "safeguarding_contact": settings.SAFEGUARDING_CONTACT,
            "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        }
        return render(request, template, context)

    view.__name__ = template.rsplit("/", 1)[-1].removesuffix(".html")
    return view


privacy_notice = _page_view("privacy/privacy_notice.html")
privacy_young_people = _page_view("privacy/privacy_young_people.html")
guidelines = _page_view("privacy/guidelines.html")
terms = _page_view("privacy/terms.html")
staying_safe = _page_view("privacy/staying_safe.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement; centre staff record its review date here."""
    can_review = bool(request.user.is_authenticated and request.user.is_centre_staff)
    form = StatementReviewForm() if can_review else None
    status = 200
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied(_("Only centre staff can update the accessibility statement."))
        form = StatementReviewForm(request.POST)
        if form.is_valid():
            try:
                actions.record_statement_review(staff=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The review date was updated."))
                return redirect("privacy:accessibility")
        status = 400
    return render(
        request,
        "privacy/accessibility.html",
        {"review": selectors.latest_statement_review(), "form": form},
        status=status,
    )


# --- Members ----------------------------------------------------------------------------


@login_required
def members(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:80]
    rows, has_next = selectors.member_directory(
        viewer=request.user, query=query, page=page_number(request)
    )
    return render(
        request,
        "privacy/members.html",
        {"members": rows, "has_next": has_next, "page": page_number(request), "query": query},
    )


def mention_suggest(request: HttpRequest) -> JsonResponse:
    """JSON for the composer's @mention suggestions (signed-in members only)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to mention members.")}, status=403)
    query = request.GET.get("q", "")[:40]
    return JsonResponse(
        {"members": selectors.mention_suggestions(viewer=request.user, query=query)}
    )


@login_required
def verification(request: HttpRequest) -> HttpResponse:
    """Centre staff verify professionals by hand."""
    if not member_permissions.can_verify_members(request.user):
        raise PermissionDenied(_("Only centre staff can verify members."))
    form = VerifyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            member = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
            if member is None:
                form.add_error("username", _("There is no member with that username."))
            else:
                try:
                    actions.set_verified(
                        staff=request.user, member=member,
                        verified=form.cleaned_data["verified"], reason=form.cleaned_data["reason"],
                    )  # fmt: skip
                except ValidationError as exc:
                    _form_errors(form, exc)
                else:
                    messages.success(
                        request, _("%(name)s was updated.") % {"name": member.display_name}
                    )
                    return redirect("privacy:verification")
        status = 400
    waiting = (
        get_user_model()
        .objects.filter(
            is_active=True, is_verified=False, role__in=get_user_model().PROFESSIONAL_ROLES
        )
        .select_related("local_authority")
        .order_by("date_joined")[:50]
    )
    return render(
        request, "privacy/verification.html", {"form": form, "waiting": waiting}, status=status
    )


# --- Your data: consents, export, deletion ----------------------------------------------


@login_required
def your_data(request: HttpRequest) -> HttpResponse:
    current, history = selectors.consents_of(request.user)
    consents = [
        {"kind": kind, "label": label, "text": TEXTS[kind][1], "current": current[kind]}
        for kind, label in Consent.Kind.choices
    ]
    return render(
        request,
        "privacy/your_data.html",
        {
            "consents": consents,
            "history": history,
            "exports": selectors.exports_of(request.user),
            "deletion": actions.scheduled_deletion(request.user),
        },
    )


@require_POST
@login_required
def set_consent(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Consent.Kind.values:
        raise Http404("No such consent")
    granted = request.POST.get("granted") == "1"
    actions.set_consent(user=request.user, kind=kind, granted=granted)
    label = Consent.Kind(kind).label
    messages.success(
        request,
        (_("You agreed to: %(what)s.") if granted else _("You withdrew: %(what)s."))
        % {"what": label},
    )
    return redirect("privacy:your_data")


@require_POST
@login_required
def request_export(request: HttpRequest) -> HttpResponse:
    actions.request_export(user=request.user)
    messages.success(
        request,
        _("We are preparing your data. You will get a notification when it is ready to download."),
    )
    return redirect("privacy:your_data")


@login_required
def download_export(request: HttpRequest, export_id: int) -> HttpResponse:
    export = DataExport.objects.filter(pk=export_id, user=request.user).first()
    if export is None:
        raise Http404("No such download")
    if request.method != "POST":
        # A GET shows the button: following a link (or a link preview) must not use it up.
        return render(request, "privacy/download.html", {"export": export})
    try:
        content = actions.take_export(user=request.user, export=export)
    except ValidationError as exc:
        return render(request, "privacy/download.html", {"export": export, "error": exc.messages[0]}, status=410)  # fmt: skip
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="family-hubs-network-my-data.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    deletion = actions.scheduled_deletion(request.user)
    form = DeleteAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            deletion = actions.request_deletion(user=request.user)
            messages.success(
                request,
                _("Your account will be deleted on %(date)s. Until then you can change your mind here.")
                % {"date": deletion.due_at.strftime("%-d %B %Y")},
            )  # fmt: skip
            return redirect("privacy:delete_account")
        status = 400
    return render(
        request,
        "privacy/delete_account.html",
        {"form": form, "deletion": deletion, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
         "held": deletion is not None and deletion.held_at is not None},
        status=status,
    )  # fmt: skip


@require_POST
@login_required
def cancel_deletion(request: HttpRequest) -> HttpResponse:
    try:
        actions.cancel_deletion(user=request.user)
    except ValidationError as exc:
        return HttpResponse(exc.messages[0], status=400)
    messages.success(request, _("Your account will not be deleted."))
    return redirect("privacy:delete_account")


# --- Reports and appeals ----------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def visitor_report(request: HttpRequest, post_id: int) -> HttpResponse:
    """Report public content without signing in (members use the flag form)."""
    from django.contrib.auth.models import AnonymousUser

    post = forum_selectors.get_post(viewer=AnonymousUser(), post_id=post_id)
    form = VisitorReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if form.cleaned_data["website"]:
                # A robot filled the honeypot: answer as if it worked, keep nothing.
                return render(request, "privacy/report_sent.html", {"post": post})
            try:
                actions.report_as_visitor(
                    post=post, reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"], ip=_client_ip(request),
                )  # fmt: skip
            except ValidationError as exc:  # a RateLimited one is answered 429 by the middleware
                _form_errors(form, exc)
            else:
                return render(request, "privacy/report_sent.html", {"post": post})
        status = 400
    return render(request, "privacy/report.html", {"form": form, "post": post}, status=status)


def _own_post(request: HttpRequest, post_id: int) -> Post:
    post = Post.objects.select_related("thread__space").filter(pk=post_id).first()
    if post is None or post.author_id != request.user.pk:
        raise Http404("No such post")
    return post


@login_required
def appeal(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _own_post(request, post_id)
    return _appeal_page(
        request,
        send=lambda statement: actions.appeal_decision(
            member=request.user, post=post, statement=statement
        ),
        done=lambda: redirect("privacy:appeal", post_id=post.pk),
        context={
            "post": post,
            "decision": actions.appealable_decision(post),
            "existing": Appeal.objects.filter(post=post).order_by("-created_at").first(),
            "can_appeal": actions.can_appeal(request.user, post),
        },
    )


@login_required
def appeal_message(request: HttpRequest, message_id: int) -> HttpResponse:
    """Appeal a moderator's decision to hide one of the member's own private messages."""
    from community.conversations.models import Message

    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, author_id=request.user.pk)
        .first()
    )
    if message is None:
        raise Http404("No such message")
    return _appeal_page(
        request,
        send=lambda statement: actions.appeal_message_decision(
            member=request.user, message=message, statement=statement
        ),
        done=lambda: redirect("privacy:appeal_message", message_id=message.pk),
        context={
            "message": message,
            "existing": Appeal.objects.filter(message=message).order_by("-created_at").first(),
            "can_appeal": actions.can_appeal_message(request.user, message),
        },
    )


def _appeal_page(request: HttpRequest, *, send, done, context: dict) -> HttpResponse:
    """The appeal form for a post or a message: send the statement, or show it again with
    the reason it was refused (the member's words kept)."""
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                send(form.cleaned_data["statement"])
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your appeal was sent. A different moderator will look at it and you will be told the outcome."),
                )  # fmt: skip
                return done()
        status = 400
    return render(request, "privacy/appeal.html", {**context, "form": form}, status=status)


@login_required
def appeals(request: HttpRequest) -> HttpResponse:
    if not forum_permissions.is_moderator(request.user):
        raise PermissionDenied(_("Only moderators and staff can see appeals."))
    items = list(selectors.open_appeals(viewer=request.user)[:50])
    for item in items:
        item.can_decide = actions.can_decide_appeal(request.user, item)
    return render(request, "privacy/appeals.html", {"appeals": items})


@login_required
def decide_appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    if not forum_permissions.is_moderator(request.user):
        raise PermissionDenied(_("Only moderators and staff can decide appeals."))
    item = get_object_or_404(
        Appeal.objects.select_related("post__thread", "message", "appellant", "decided_by"),
        pk=appeal_id,
    )
    form = AppealDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.decide_appeal(
                    moderator=request.user, appeal=item,
                    overturn=form.cleaned_data["outcome"] == "overturn",
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                messages.success(request, _("The appeal was decided and the member told."))
                return redirect("privacy:appeals")
        status = status if status != 200 else 400
    return render(
        request,
        "privacy/decide_appeal.html",
        {"appeal": item, "form": form, "can_decide": actions.can_decide_appeal(request.user, item)},
        status=status,
    )
