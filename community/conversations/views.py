"""HTTP for private messages: parse the form, call one action or selector, redirect or render.

A conversation someone does not take part in is a 404 on every path, for moderators too,
exactly as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.paging import page_number

from . import actions, permissions, selectors
from .forms import NewConversationForm, ReplyForm, ReportForm
from .models import Conversation, Message


def _conversation_or_404(request: HttpRequest, conversation_id: int) -> Conversation:
    conversation = (
        permissions.visible_conversations(request.user).filter(pk=conversation_id).first()
    )
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = page_number(request)
    rows, has_next = selectors.inbox(viewer=request.user, page=page)
    return render(
        request,
        "conversations/inbox.html",
        {"rows": rows, "page": page, "has_next": has_next, "title": _("Messages")},
    )


@login_required
def new_conversation(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = NewConversationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                recipients = selectors.recipients_by_username(
                    sender=request.user, usernames=selectors.parse_usernames(data["to"])
                )
                conversation = actions.start_conversation(
                    sender=request.user, recipients=recipients,
                    subject=data["subject"], source=data["source"],
                )  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            except PermissionDenied as exc:
                form.add_error("to", str(exc))
                status = 403
            else:
                messages.success(request, _("Your message was sent."))
                return redirect(conversation.get_absolute_url())
        else:
            status = 400
    else:
        form = NewConversationForm(initial={"to": request.GET.get("to", "")[:150]})
    return render(
        request,
        "conversations/new.html",
        {"form": form, "title": _("New private message")},
        status=status,
    )


def _conversation_response(
    request: HttpRequest, conversation: Conversation, *, form=None, status: int = 200
) -> HttpResponse:
    view = selectors.conversation_page(
        viewer=request.user, conversation=conversation, page=page_number(request, default=None)
    )
    others = [p.user for p in view.participants if p.user_id != request.user.pk and not p.left_at]
    refusal = next(
        (r for r in (actions.refusal(request.user, o) for o in others) if r),
        None if others else _("Everyone else has left this conversation."),
    )
    if status == 200 and view.messages:
        # Read up to the newest message on this page, not beyond what was shown.
        actions.mark_read(
            user=request.user, conversation=conversation, at=view.messages[-1].created_at
        )
    return render(
        request,
        "conversations/conversation.html",
        {
            "view": view,
            "conversation": conversation,
            "form": form or ReplyForm(),
            "refusal": refusal,
            "title": conversation.subject,
        },
        status=status,
    )


@login_required
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _conversation_response(request, _conversation_or_404(request, conversation_id))


@require_POST
@login_required
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation_or_404(request, conversation_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _conversation_response(request, conversation, form=form, status=400)
    try:
        message = actions.reply(
            author=request.user, conversation=conversation, source=form.cleaned_data["source"]
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _conversation_response(request, conversation, form=form, status=400)
    except PermissionDenied as exc:
        form.add_error("source", str(exc))
        return _conversation_response(request, conversation, form=form, status=403)
    return redirect(f"{conversation.get_absolute_url()}#message-{message.pk}")


@require_POST
@login_required
def leave(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation_or_404(request, conversation_id)
    actions.leave_conversation(user=request.user, conversation=conversation)
    messages.success(request, _("You left “%(subject)s”.") % {"subject": conversation.subject})
    return redirect("conversations:inbox")


@login_required
def report(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    conversation = _conversation_or_404(request, conversation_id)
    message = (
        Message.objects.select_related("author", "conversation")
        .filter(pk=message_id, conversation=conversation)
        .first()
    )
    if message is None:
        raise Http404("No such message")
    if message.author_id == request.user.pk:
        return render(
            request,
            "conversations/report.html",
            {"message": message, "conversation": conversation, "title": _("Report a message"),
             "refusal": _("You cannot report your own message.")},
            status=400,
        )  # fmt: skip
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                actions.report_message(reporter=request.user, message=message, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Thank you: your report was sent. A moderator will look at it and we will tell you what they decided."),
                )  # fmt: skip
                return redirect(
                    f"{reverse('conversations:conversation', args=[conversation.pk])}#message-{message.pk}"
                )
        status = 400
    else:
        form = ReportForm()
    return render(
        request,
        "conversations/report.html",
        {"form": form, "message": message, "conversation": conversation,
         "title": _("Report a message")},
        status=status,
    )  # fmt: skip
