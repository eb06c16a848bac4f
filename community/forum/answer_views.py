"""HTTP for accepted answers: choose a reply as the answer, or unmark it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, permissions, selectors
from .models import Post


@login_required
def choose_answer(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = selectors.get_thread(viewer=request.user, thread_id=thread_id)
    if not permissions.can_accept_answer(request.user, thread):
        raise PermissionDenied(_("You cannot choose the answer in this thread."))
    error = ""
    if request.method == "POST":
        try:
            post_id = int(request.POST.get("post", ""))
        except ValueError:
            post_id = None
        post = Post.objects.filter(pk=post_id, thread=thread).first() if post_id else None
        if post is None:
            error = _("Choose one of the replies.")
        else:
            try:
                actions.accept_answer(actor=request.user, post=post)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("Marked as the answer."))
                return redirect(thread.get_absolute_url() + "#accepted-answer")
    replies = selectors.answerable_replies(viewer=request.user, thread=thread)
    return render(
        request,
        "forum/choose_answer.html",
        {"thread": thread, "replies": replies, "error": error},
        status=400 if error else 200,
    )


@require_POST
@login_required
def remove_answer(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = selectors.get_thread(viewer=request.user, thread_id=thread_id)
    actions.unaccept_answer(actor=request.user, thread=thread)
    messages.success(request, _("The answer was unmarked: the question is open again."))
    return redirect(thread.get_absolute_url())
