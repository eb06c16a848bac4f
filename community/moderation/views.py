"""Moderators' and safeguarding leads' pages."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.accounts.models import Region
from community.forum import permissions
from community.forum import selectors as forum_selectors

from . import actions, selectors
from .forms import (
    ConcernForm,
    DecisionForm,
    FlagForm,
    SanctionForm,
    ThreadStatusForm,
    TrustLevelForm,
    UserNoteForm,
    WatchedWordForm,
)
from .models import ReviewItem, SafeguardingConcern, UserNote, WatchedWord
from .readable import readable_log


def _end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def _moderator_only(request) -> None:
    if not permissions.is_moderator(request.user):
        raise Http404("No such page")  # never reveal the moderation area to members


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_POST
@login_required
def thread_status(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = forum_selectors.get_thread(viewer=request.user, thread_id=thread_id)
    form = ThreadStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose one of the offered actions."))
    status, mode = form.cleaned_data["action"].split(":")
    until = _end_of_day(form.cleaned_data["until"]) if form.cleaned_data["until"] else None
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
        return HttpResponseBadRequest(_errors(exc))
    messages.success(request, _("Thread updated."))
    return redirect(thread.get_absolute_url() + "?page=1")


@login_required
def flag(request: HttpRequest, post_id: int) -> HttpResponse:
    post = forum_selectors.get_post(viewer=request.user, post_id=post_id)
    if request.method == "POST":
        form = FlagForm(request.POST)
        if form.is_valid():
            try:
                actions.flag_post(flagger=request.user, post=post, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                if form.cleaned_data["reason"] == "safeguarding":
                    messages.success(
                        request,
                        _(
                            "Thank you. The post is hidden and the safeguarding leads have been alerted. If someone is in immediate danger, call 999."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Thank you. A moderator will review the post and you will be told the outcome."
                        ),
                    )
                # Back to the post that was flagged, not to the top of the thread.
                return redirect(post.thread.post_url(post.number) + f"#post-{post.number}")
        status = 400
    else:
        form = FlagForm()
        status = 200
    return render(request, "moderation/flag.html", {"post": post, "form": form}, status=status)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _moderator_only(request)
    filters = selectors.QueueFilters(
        kind=request.GET.get("kind", ""),
        region=request.GET.get("region", ""),
        priority=request.GET.get("priority", ""),
        age=request.GET.get("age", ""),
    )
    items = selectors.review_queue(filters=filters)
    return render(
        request,
        "moderation/queue.html",
        {
            "items": items,
            "filters": filters,
            "kinds": ReviewItem.Kind.choices,
            "priorities": ReviewItem.Priority.choices,
            "regions": Region.objects.all(),
            "can_see_safeguarding": actions.can_see_safeguarding(request.user),
        },
    )


@require_POST
@login_required
def decide(request: HttpRequest, item_id: int) -> HttpResponse:
    _moderator_only(request)
    item = get_object_or_404(ReviewItem, pk=item_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose approve, reject, hide, delete or dismiss."))
    try:
        actions.resolve_review_item(moderator=request.user, item=item, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request, _("Done: %(decision)s.") % {"decision": form.cleaned_data["decision"]}
        )
    return redirect(request.POST.get("next") or "moderation:queue")


@require_POST
@login_required
def approve_post(request: HttpRequest, post_id: int) -> HttpResponse:
    """Approve a held post from the thread page, as the queue would."""
    _moderator_only(request)
    post = forum_selectors.get_post(viewer=request.user, post_id=post_id)
    try:
        actions.approve_held_post(moderator=request.user, post=post)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The post was approved and is now visible."))
    return redirect(post.thread.post_url(post.number) + f"#post-{post.number}")


@login_required
def member(request: HttpRequest, username: str) -> HttpResponse:
    _moderator_only(request)
    subject = get_object_or_404(get_user_model(), username=username)
    note_form, sanction_form, trust_form = (
        UserNoteForm(),
        SanctionForm(),
        TrustLevelForm(initial={"level": subject.trust_level}),
    )
    status = 200
    if request.method == "POST":
        try:
            which = request.POST.get("form")
            if which == "note":
                note_form = UserNoteForm(request.POST)
                if note_form.is_valid():
                    actions.add_user_note(
                        moderator=request.user, user=subject, text=note_form.cleaned_data["text"]
                    )
                    return redirect("moderation:member", username)
            elif which == "sanction":
                sanction_form = SanctionForm(request.POST)
                if sanction_form.is_valid():
                    data = sanction_form.cleaned_data
                    act = (
                        actions.silence_user if data["kind"] == "silence" else actions.suspend_user
                    )
                    act(
                        moderator=request.user,
                        user=subject,
                        until=_end_of_day(data["until"]),
                        reason=data["reason"],
                    )
                    messages.success(request, _("Saved, and the member has been told."))
                    return redirect("moderation:member", username)
            elif which == "lift":
                actions.lift_sanctions(moderator=request.user, user=subject)
                return redirect("moderation:member", username)
            elif which == "trust":
                trust_form = TrustLevelForm(request.POST)
                if trust_form.is_valid():
                    actions.set_trust_level(
                        staff=request.user, user=subject, **trust_form.cleaned_data
                    )
                    return redirect("moderation:member", username)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        status = 400
    return render(
        request,
        "moderation/member.html",
        {
            "subject": subject,
            "notes": UserNote.objects.filter(user=subject).select_related("author"),
            "note_form": note_form,
            "sanction_form": sanction_form,
            "trust_form": trust_form,
            "log": readable_log(selectors.member_log(subject)),
        },
        status=status,
    )


@login_required
def concerns(request: HttpRequest) -> HttpResponse:
    if not actions.can_see_safeguarding(request.user):
        raise Http404("No such page")
    return render(
        request, "moderation/concerns.html", {"concerns": selectors.concerns_for(request.user)}
    )


@login_required
def concern(request: HttpRequest, concern_id: int) -> HttpResponse:
    if not actions.can_see_safeguarding(request.user):
        raise Http404("No such page")
    item = get_object_or_404(
        SafeguardingConcern.objects.select_related(
            "post__thread__space", "post__author", "raised_by", "author"
        ),
        pk=concern_id,
    )
    if request.method == "POST":
        form = ConcernForm(request.POST)
        if form.is_valid():
            try:
                actions.update_concern(actor=request.user, concern=item, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("Concern updated."))
                return redirect("moderation:concern", concern_id)
        status = 400
    else:
        form = ConcernForm(initial={"state": item.state, "referral": item.referral})
        status = 200
    return render(
        request,
        "moderation/concern.html",
        {"concern": item, "notes": item.notes.select_related("author"), "form": form},
        status=status,
    )


@login_required
def log(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_authenticated and request.user.is_centre_staff):
        raise Http404("No such page")
    entries = selectors.moderation_log(
        action=request.GET.get("action", ""), actor=request.GET.get("actor", "")
    )
    return render(
        request,
        "moderation/log.html",
        {
            "entries": readable_log(entries),
            "action": request.GET.get("action", ""),
            "actor": request.GET.get("actor", ""),
        },
    )


@login_required
def watched_words(request: HttpRequest) -> HttpResponse:
    _moderator_only(request)
    matches = None
    status = 200
    if request.method == "POST" and request.POST.get("remove"):
        word = get_object_or_404(WatchedWord, pk=request.POST["remove"])
        actions.remove_watched_word(moderator=request.user, word=word)
        return redirect("moderation:watched_words")
    if request.method == "POST":
        form = WatchedWordForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if "test" in request.POST:
                    matches = actions.try_watched_word(
                        pattern=data["pattern"], is_regex=data["is_regex"], sample=data["sample"]
                    )
                else:
                    actions.add_watched_word(
                        moderator=request.user,
                        pattern=data["pattern"],
                        is_regex=data["is_regex"],
                        action=data["action"],
                    )
                    messages.success(request, _("Watched word added."))
                    return redirect("moderation:watched_words")
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                status = 400
        else:
            status = 400
    else:
        form = WatchedWordForm()
    return render(
        request,
        "moderation/watched_words.html",
        {"form": form, "words": WatchedWord.objects.all(), "matches": matches},
        status=status,
    )


# Which input each tool's errors point at, by the action's error key ("" for the tool's first).
_TOOL_FIELDS = {
    "move": {"": "move-space", "space": "move-space", "topic": "move-topic"},
    "merge": {"": "merge-target", "target": "merge-target"},
    "split": {"": "split-numbers", "numbers": "split-numbers", "title": "split-title"},
    "slow": {"": "slow"},
    "timer": {"": "timer-at", "at": "timer-at", "action": "timer-action"},
}


def _tool_again(request: HttpRequest, thread, tool: str, errors: dict) -> HttpResponse:
    """The thread's tools again, open, with what went wrong and what was typed (status 400)."""
    from community.forum.models import Space, Topic

    fields = _TOOL_FIELDS.get(tool, {"": ""})
    problems = [
        (f"{fields.get(key, fields[''])}-{thread.pk}", message)
        for key, messages_ in errors.items()
        for message in messages_
    ]
    return render(
        request,
        "moderation/thread_tool.html",
        {
            "thread": thread,
            "tool": tool,
            "problems": problems,
            "spaces": Space.objects.all(),
            "topics": Topic.objects.all(),
            "open": True,
            "typed": request.POST,
        },
        status=400,
    )


@require_POST
@login_required
def thread_tool(request: HttpRequest, thread_id: int, tool: str) -> HttpResponse:
    """Move, merge, split, slow mode and timers, from the thread's moderator panel."""
    from django.utils.dateparse import parse_datetime

    from community.forum.models import Space, Thread, Topic

    _moderator_only(request)
    thread = forum_selectors.get_thread(viewer=request.user, thread_id=thread_id)
    data = request.POST
    destination = thread
    try:
        if tool == "move":
            space = get_object_or_404(Space, pk=data.get("space") or 0)
            topic = get_object_or_404(Topic, pk=data.get("topic") or 0)
            actions.move_thread(
                actor=request.user,
                thread=thread,
                space=space,
                topic=topic,
                reason=data.get("reason", ""),
            )
        elif tool == "merge":
            target = Thread.objects.filter(
                pk=int(data.get("target") or 0), deleted_at__isnull=True
            ).first()
            if target is None:
                raise ValidationError({"target": _("There is no thread with that number.")})
            destination = actions.merge_threads(actor=request.user, source=thread, target=target)
        elif tool == "split":
            numbers = [
                int(n) for n in data.get("numbers", "").replace(" ", "").split(",") if n.isdigit()
            ]
            destination = actions.split_posts(
                actor=request.user, thread=thread, numbers=numbers, title=data.get("title", "")
            )
        elif tool == "slow":
            actions.set_slow_mode(
                actor=request.user, thread=thread, seconds=int(data.get("minutes") or 0) * 60
            )
        elif tool == "timer":
            at = parse_datetime(data.get("at", "")) if data.get("at") else None
            if at is not None and timezone.is_naive(at):
                at = timezone.make_aware(at)
            actions.set_timer(
                actor=request.user, thread=thread, action=data.get("timer_action", ""), at=at
            )
        else:
            raise Http404("No such tool")
    except (ValueError, TypeError):
        return _tool_again(
            request, thread, tool, {"": [_("Those values are not numbers or dates we can read.")]}
        )
    except ValidationError as exc:
        return _tool_again(request, thread, tool, exc.message_dict if hasattr(exc, "error_dict")
                           else {"": exc.messages})  # fmt: skip
    messages.success(request, _("Thread updated."))
    destination.refresh_from_db()
    return redirect(destination.get_absolute_url() + "?page=1")
