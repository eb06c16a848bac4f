from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.forum import selectors

from . import actions
from .forms import ThreadStatusForm


@require_POST
@login_required
def thread_status(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = selectors.get_thread(viewer=request.user, thread_id=thread_id)
    form = ThreadStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose one of the offered actions."))
    status, mode = form.cleaned_data["action"].split(":")
    until = None
    if form.cleaned_data["until"]:
        until = timezone.make_aware(datetime.combine(form.cleaned_data["until"], time(23, 59)))
    try:
        actions.set_thread_status(
            actor=request.user,
            thread=thread,
            status=status,
            enabled=mode in ("on", "global"),
            globally=mode == "global",
            until=until if status == "pinned" else None,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    messages.success(request, _("Thread updated."))
    return redirect(thread.get_absolute_url() + "?page=1")
