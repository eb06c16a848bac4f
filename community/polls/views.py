"""HTTP for polls: vote (a plain form, no JavaScript needed), the poll on its own page, the
widget the live script refreshes, open/close, and the staff's CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, selectors
from .models import Poll


def _back(poll: Poll) -> str:
    post = poll.post
    return post.thread.post_url(post.number) + f"#poll-{post.pk}-{poll.name}"


def chosen_options(poll: Poll, data) -> list[int]:
    """The options a submitted form chose: ranks for a ranked ballot, else the ticked ones."""
    if poll.type == Poll.Type.RANKED_CHOICE:
        ranks = []
        for key, value in data.items():
            if key.startswith("rank-") and value:
                try:
                    ranks.append((int(value), int(key[5:])))
                except ValueError:
                    continue
        if len({r for r, _o in ranks}) != len(ranks):
            raise ValidationError({"options": _("Give each option you rank a different number.")})
        return [option for _rank, option in sorted(ranks)]
    try:
        return [int(v) for v in data.getlist("option")]
    except ValueError:
        raise ValidationError({"options": _("Choose from the poll's options.")}) from None


def poll_page(request: HttpRequest, post_id: int, name: str, *, status: int = 200,
              error: str = "") -> HttpResponse:  # fmt: skip
    poll = selectors.get_poll(viewer=request.user, post_id=post_id, name=name)
    view = selectors.poll_view(viewer=request.user, poll=poll)
    return render(
        request, "polls/poll.html", {"view": view, "poll": poll, "error": error}, status=status
    )


def widget(request: HttpRequest, post_id: int, name: str) -> HttpResponse:
    """The poll as this member sees it, for the live script to put in place."""
    poll = selectors.get_poll(viewer=request.user, post_id=post_id, name=name)
    view = selectors.poll_view(viewer=request.user, poll=poll)
    response = render(request, "polls/_widget.html", {"view": view})
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def vote(request: HttpRequest, post_id: int, name: str) -> HttpResponse:
    poll = selectors.get_poll(viewer=request.user, post_id=post_id, name=name)
    try:
        if request.POST.get("remove"):
            actions.remove_vote(voter=request.user, poll=poll)
            messages.success(request, _("Your vote was removed."))
        else:
            actions.cast_vote(
                voter=request.user, poll=poll, option_ids=chosen_options(poll, request.POST)
            )
            messages.success(request, _("Thank you: your vote was counted."))
    except ValidationError as exc:
        return poll_page(request, post_id, name, status=400, error=" ".join(exc.messages))
    except PermissionDenied as exc:
        return poll_page(request, post_id, name, status=403, error=str(exc))
    if request.headers.get("X-Requested-With") == "fetch":
        return widget(request, post_id, name)
    return redirect(_back(poll))


@require_POST
@login_required
def toggle_status(request: HttpRequest, post_id: int, name: str) -> HttpResponse:
    poll = selectors.get_poll(viewer=request.user, post_id=post_id, name=name)
    closed = request.POST.get("status") == "closed"
    actions.set_poll_status(actor=request.user, poll=poll, closed=closed)
    messages.success(request, _("The poll is closed.") if closed else _("The poll is open again."))
    return redirect(_back(poll))


@login_required
def export(request: HttpRequest, post_id: int, name: str) -> HttpResponse:
    poll = selectors.get_poll(viewer=request.user, post_id=post_id, name=name)
    body = selectors.results_csv(viewer=request.user, poll=poll)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{post_id}-{poll.name}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
