"""HTTP for the forum: parse, call one action or selector, redirect or render."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from taggit.models import Tag

from community.accounts import permissions as member_permissions
from community.markup import quote_source
from community.pagecache import cache_for_anonymous
from community.paging import page_number

from . import actions, assembly, composer, permissions, selectors
from .forms import (
    EditPostForm,
    EditThreadForm,
    ReactionForm,
    ReplyForm,
    SpaceSettingsForm,
    ThreadForm,
)
from .models import Attachment, Post, Space, Topic
from .viewcounts import counts_views

LIST_TABS = [("latest", _("Latest")), ("new", _("New")), ("unread", _("Unread")), ("top", _("Top"))]


def _render_list(
    request, listing, *, title, tab=None, space=None, extra=None, kept_key=None
) -> HttpResponse:
    context = {
        "title": title,
        "tab": tab,
        "tabs": LIST_TABS,
        "can_start": request.user.is_authenticated,
        **(extra or {}),
    }
    return assembly.list_page(request, listing, context, space=space, kept_key=kept_key)


@cache_for_anonymous
def latest(request: HttpRequest) -> HttpResponse:
    kept_key = assembly.list_key(request)
    warm = assembly.warm_list_page(request, kept_key)
    if warm is not None:
        return warm
    listing = selectors.latest_threads(viewer=request.user, page=page_number(request))
    return _render_list(request, listing, title=_("Latest"), tab="latest", kept_key=kept_key)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    listing = selectors.new_threads(viewer=request.user, page=page_number(request))
    return _render_list(request, listing, title=_("New threads"), tab="new")


@login_required
def unread(request: HttpRequest) -> HttpResponse:
    listing = selectors.unread_threads(viewer=request.user, page=page_number(request))
    return _render_list(request, listing, title=_("Unread"), tab="unread")


@cache_for_anonymous
def top(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "week")
    if period not in selectors.TOP_PERIODS:
        period = "week"
    listing = selectors.top_threads(viewer=request.user, period=period, page=page_number(request))
    return _render_list(
        request,
        listing,
        title=_("Top threads"),
        tab="top",
        extra={"period": period, "periods": list(selectors.TOP_PERIODS)},
    )


def _readable_space(request, slug: str) -> Space:
    space = (
        permissions.visible_spaces(request.user).select_related("region").filter(slug=slug).first()
    )
    if space is None:
        raise Http404("No such space")
    return space


def _space_listing(request, space: Space, kept_key: tuple | None) -> HttpResponse:
    topic = None
    if request.GET.get("topic"):
        topic = Topic.objects.filter(slug=request.GET["topic"]).first()
    tag = request.GET.get("tag") or None
    # Answered or not, where the space has accepted answers (`?status=solved|unsolved`).
    status = request.GET.get("status") if space.accepted_answers else None
    solved = {"solved": True, "unsolved": False}.get(status or "")
    listing = selectors.latest_threads(
        viewer=request.user,
        page=page_number(request),
        space=space,
        topic=topic,
        tag=tag,
        solved=solved,
    )
    # Whether the member may start, join or leave is theirs alone: forum/holes.py fills it.
    return _render_list(
        request,
        listing,
        title=space.name,
        space=space,
        extra={
            "topics": list(Topic.objects.all()),
            "selected_topic": topic,
            "selected_status": status if solved is not None else "",
        },
        kept_key=kept_key,
    )


@cache_for_anonymous
def space(request: HttpRequest, slug: str) -> HttpResponse:
    kept_key = assembly.list_key(request)
    warm = assembly.warm_list_page(request, kept_key)
    if warm is not None:
        return warm
    return _space_listing(request, _readable_space(request, slug), kept_key)


@cache_for_anonymous
def region(request: HttpRequest, slug: str) -> HttpResponse:
    kept_key = assembly.list_key(request)
    warm = assembly.warm_list_page(request, kept_key)
    if warm is not None:
        return warm
    group = selectors.region_group(viewer=request.user, slug=slug)
    if group is None:
        raise Http404("No such region")
    return _space_listing(request, group, kept_key)


@cache_for_anonymous
def spaces(request: HttpRequest) -> HttpResponse:
    visible = list(permissions.visible_spaces(request.user).select_related("region"))
    member_of = permissions.member_space_ids(request.user)
    return render(
        request,
        "forum/spaces.html",
        {
            "national": [s for s in visible if s.kind == Space.Kind.NATIONAL],
            "regional": [s for s in visible if s.kind == Space.Kind.REGIONAL],
            "community": [s for s in visible if s.kind == Space.Kind.COMMUNITY],
            "member_of": member_of,
            # Moderators and staff may manage every space they read: a link to its settings.
            "can_manage": permissions.is_moderator(request.user),
        },
    )


@cache_for_anonymous
def topics(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/topics.html", {"topics": Topic.objects.all()})


@cache_for_anonymous
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    listing = selectors.latest_threads(viewer=request.user, page=page_number(request), topic=topic)
    return _render_list(request, listing, title=topic.name, extra={"topic": topic})


@cache_for_anonymous
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    if not permissions.can_see_tag(request.user, tag):
        raise Http404("No such tag")  # the same answer as for a tag nobody used
    listing = selectors.latest_threads(viewer=request.user, page=page_number(request), tag=tag.slug)
    return _render_list(
        request, listing, title=_("Tagged “%(tag)s”") % {"tag": tag.name}, extra={"tag_obj": tag}
    )


def user_activity(request: HttpRequest, username: str) -> HttpResponse:
    member = (
        get_user_model().objects.select_related("home_region").filter(username=username).first()
    )
    if member is None or not member_permissions.can_view_profile(request.user, member):
        # A hidden child's profile looks exactly like one that does not exist.
        response = render(request, "404.html", status=404)
        response["X-Robots-Tag"] = "noindex"
        return response
    posts, has_next = selectors.user_posts(
        viewer=request.user, author=member, page=page_number(request)
    )
    response = render(
        request,
        "forum/user.html",
        {"member": member, "posts": posts, "has_next": has_next, "page": page_number(request)},
    )
    if member.is_minor:
        response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def bookmarks(request: HttpRequest) -> HttpResponse:
    posts, has_next = selectors.bookmarked_posts(viewer=request.user, page=page_number(request))
    return render(
        request,
        "forum/bookmarks.html",
        {"posts": posts, "has_next": has_next, "page": page_number(request)},
    )


def _thread_or_where_it_went(request: HttpRequest, thread_id: int):
    """The thread, or a permanent redirect to the thread it was merged into."""
    try:
        thread = selectors.get_thread(viewer=request.user, thread_id=thread_id)
    except Http404:
        thread = None
    if thread is None or (thread.deleted_at is not None and thread.merged_into_id):
        destination = selectors.merged_destination(viewer=request.user, thread_id=thread_id)
        if destination is not None:
            return redirect(destination.get_absolute_url(), permanent=True)
        if thread is None:
            raise Http404("No such thread")
    return thread


@counts_views  # outside the page cache: a page served from it is a view too
@cache_for_anonymous
def thread(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    opens_at_unread = "page" not in request.GET
    try:
        page = page_number(request)
    except Http404:  # said by the full path, after a merged thread's redirect
        page = None
    if page is not None:
        warm = assembly.warm_thread_page(
            request, thread_id=thread_id, slug=slug, page_number=page,
            opens_at_unread=opens_at_unread,
        )  # fmt: skip
        if warm is not None:
            return warm
    thread = _thread_or_where_it_went(request, thread_id)
    if isinstance(thread, HttpResponse):
        return thread
    if slug != thread.slug:
        return redirect(thread.get_absolute_url(), permanent=True)
    if opens_at_unread:
        unread_number = selectors.first_unread_number(viewer=request.user, thread=thread)
        if unread_number and unread_number > 1:
            return redirect(thread.post_url(unread_number) + f"#post-{unread_number}")
    return assembly.thread_page(request, thread, page_number(request))


@counts_views
@cache_for_anonymous
def post(request: HttpRequest, slug: str, thread_id: int, number: int) -> HttpResponse:
    page = selectors.page_of_post(number)
    warm = assembly.warm_thread_page(
        request, thread_id=thread_id, slug=slug, page_number=page, target_number=number
    )
    if warm is not None:
        return warm
    thread = _thread_or_where_it_went(request, thread_id)
    if isinstance(thread, HttpResponse):
        return thread
    if slug != thread.slug:
        return redirect(thread.post_url(number), permanent=True)
    return assembly.thread_page(request, thread, page, target_number=number)


def post_fragment(request: HttpRequest, post_id: int) -> HttpResponse:
    """One post as the thread page shows it, for the live script to insert or replace."""
    post = selectors.get_post(viewer=request.user, post_id=post_id)
    thread = selectors.get_thread(viewer=request.user, thread_id=post.thread_id)
    return assembly.post_fragment(request, thread, post)


def thread_short(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = _thread_or_where_it_went(request, thread_id)
    if isinstance(thread, HttpResponse):
        return thread
    return redirect(thread.get_absolute_url())


@login_required
def reply(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = selectors.get_thread(viewer=request.user, thread_id=thread_id)
    reply_to, draft_kept = None, False
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            if form.cleaned_data.get("reply_to"):
                reply_to = Post.objects.filter(
                    pk=form.cleaned_data["reply_to"], thread=thread
                ).first()
            try:
                post = actions.create_post(
                    author=request.user,
                    thread=thread,
                    source=composer.expand(form.cleaned_data["source"], request.POST),
                    reply_to=reply_to,
                    uploads=form.cleaned_data["attachments"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You cannot reply in this thread."))
            else:
                if post.status != "published":
                    messages.info(
                        request,
                        _("Thanks. Your reply will appear once a moderator has approved it."),
                    )
                else:
                    messages.success(request, _("Your reply has been posted."))
                return redirect(thread.post_url(post.number) + f"#post-{post.number}")
        status = 400
    else:
        initial = {}
        if request.GET.get("quote"):
            quoted = _readable_post_or_none(request, request.GET["quote"], thread)
            if quoted is not None:
                # A young person's username is not shown to other members (their posts show
                # only the display name): the quote's label is that name for them.
                author = quoted.author
                initial["source"] = quote_source(
                    username=author.display_name if author.is_minor else author.username,
                    post_number=quoted.number,
                    thread_id=thread.pk,
                    source=quoted.source,
                )
                initial["reply_to"] = quoted.pk
        if request.GET.get("to"):
            target = _readable_post_or_none(request, request.GET["to"], thread)
            if target is not None:
                initial["reply_to"] = target.pk
                reply_to = target
        draft_kept = False
        if "source" not in initial:
            draft = selectors.draft_for(viewer=request.user, thread=thread)
            if draft is not None and draft.source:
                initial["source"], draft_kept = draft.source, True
        form = ReplyForm(initial=initial)
        status = 200
        if not permissions.can_reply(request.user, thread):
            raise PermissionDenied(_("You cannot reply in this thread."))
    if reply_to is None and form.initial.get("reply_to"):
        reply_to = Post.objects.filter(pk=form.initial["reply_to"]).select_related("author").first()
    return render(
        request,
        "forum/reply.html",
        {
            "thread": thread,
            "form": form,
            "reply_to": reply_to,
            "draft_kept": status == 200 and draft_kept,
        },
        status=status,
    )


def _readable_post_or_none(request, raw_id: str, thread) -> Post | None:
    try:
        post = Post.objects.select_related("author", "thread__space").get(
            pk=int(raw_id), thread=thread
        )
    except (Post.DoesNotExist, ValueError):
        return None
    return post if permissions.can_read_post(request.user, post) else None


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.error_dict.items():
            target = field_name if field_name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
def start_thread(request: HttpRequest) -> HttpResponse:
    spaces = permissions.startable_spaces(request.user)
    if not spaces:
        raise PermissionDenied(_("There is no space where you can start a thread yet."))
    draft_kept = False
    if request.method == "POST":
        form = ThreadForm(request.POST, request.FILES, spaces=spaces)
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = actions.start_thread(
                    author=request.user,
                    space=data["space"],
                    topic=data["topic"],
                    title=data["title"],
                    source=composer.expand(data["source"], request.POST),
                    tags=data["tags"],
                    uploads=data["attachments"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("space", str(exc))
            else:
                if thread.status != "published":
                    messages.info(
                        request,
                        _("Thanks. Your thread will appear once a moderator has approved it."),
                    )
                return redirect(thread.get_absolute_url())
        status = 400
    else:
        initial = {}
        wanted = request.GET.get("space")
        for space in spaces:
            if space.slug == wanted:
                initial["space"] = space.pk
        if request.GET.get("topic"):
            initial["topic"] = Topic.objects.filter(slug=request.GET["topic"]).first()
        chosen = next((s for s in spaces if s.pk == initial.get("space")), None)
        draft = selectors.draft_for(viewer=request.user, space=chosen)
        if draft is None and chosen is not None:
            draft = selectors.draft_for(viewer=request.user, space=None)
        if draft is not None:
            initial.update(title=draft.title, source=draft.source)
            draft_kept = True
        form = ThreadForm(initial=initial, spaces=spaces)
        status = 200
    return render(
        request,
        "forum/start_thread.html",
        {"form": form, "draft_kept": status == 200 and draft_kept},
        status=status,
    )


@login_required
def edit_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_post(viewer=request.user, post_id=post_id)
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied(_("You cannot edit this post."))
    thread_form = None
    if request.method == "POST":
        form = EditPostForm(request.POST)
        if post.number == 1:
            thread_form = EditThreadForm(request.POST, prefix="thread")
        if form.is_valid() and (thread_form is None or thread_form.is_valid()):
            try:
                if thread_form is not None:
                    actions.edit_opening_post(
                        editor=request.user,
                        post=post,
                        title=thread_form.cleaned_data["title"],
                        topic=thread_form.cleaned_data["topic"],
                        tags=thread_form.cleaned_data["tags"],
                        source=form.cleaned_data["source"],
                        reason=form.cleaned_data["reason"],
                    )
                else:
                    actions.edit_post(
                        editor=request.user,
                        post=post,
                        source=form.cleaned_data["source"],
                        reason=form.cleaned_data["reason"],
                    )
            except ValidationError as exc:
                _add_errors(thread_form if "title" in getattr(exc, "error_dict", {}) else form, exc)
            else:
                post.thread.refresh_from_db()
                return redirect(post.thread.post_url(post.number) + f"#post-{post.number}")
        status = 400
    else:
        form = EditPostForm(initial={"source": post.source})
        if post.number == 1:
            thread_form = EditThreadForm(
                prefix="thread",
                initial={
                    "title": post.thread.title,
                    "topic": post.thread.topic_id,
                    "tags": ", ".join(post.thread.tags.names()),
                },
            )
        status = 200
    return _edit_page(request, post, form, thread_form, status=status)


def _edit_page(request, post: Post, form, thread_form, *, status: int, **extra) -> HttpResponse:
    return render(
        request,
        "forum/edit_post.html",
        {"post": post, "form": form, "thread_form": thread_form, **extra},
        status=status,
    )


def revisions(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_post(viewer=request.user, post_id=post_id)
    return render(
        request,
        "forum/revisions.html",
        {"post": post, "revisions": selectors.post_revisions(viewer=request.user, post=post)},
    )


def _back_to(post: Post) -> HttpResponse:
    return redirect(post.thread.post_url(post.number) + f"#post-{post.number}")


@require_POST
@login_required
def delete_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_post(viewer=request.user, post_id=post_id)
    actions.delete_post(actor=request.user, post=post)
    if post.number == 1:
        messages.success(request, _("The thread was deleted."))
        return redirect(post.thread.space.get_absolute_url())
    messages.success(request, _("The post was deleted."))
    return _back_to(post)


@require_POST
@login_required
def restore_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_post(viewer=request.user, post_id=post_id)
    actions.restore_post(actor=request.user, post=post)
    messages.success(request, _("The post was restored."))
    return _back_to(post)


@require_POST
@login_required
def react(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_post(viewer=request.user, post_id=post_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose one of the offered reactions."), status=400)
    actions.toggle_reaction(user=request.user, post=post, kind=form.cleaned_data["kind"])
    return _back_to(post)


@require_POST
@login_required
def bookmark(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_post(viewer=request.user, post_id=post_id)
    added = actions.toggle_bookmark(user=request.user, post=post)
    messages.success(request, _("Bookmarked.") if added else _("Bookmark removed."))
    return _back_to(post)


@require_POST
@login_required
def join(request: HttpRequest, slug: str) -> HttpResponse:
    space = _readable_space(request, slug)
    actions.join_space(user=request.user, space=space)
    messages.success(request, _("You joined %(space)s.") % {"space": space.name})
    return redirect(space.get_absolute_url())


@require_POST
@login_required
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    space = _readable_space(request, slug)
    actions.leave_space(user=request.user, space=space)
    messages.success(request, _("You left %(space)s.") % {"space": space.name})
    if permissions.can_read_space(request.user, space):
        return redirect(space.get_absolute_url())
    return redirect(reverse("forum:spaces"))


@login_required
def space_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """A space's settings for moderators and centre staff (its default practice topic)."""
    space = _readable_space(request, slug)
    if not permissions.can_manage_space(request.user, space):
        raise Http404("No such page")
    form = SpaceSettingsForm(
        request.POST or None, initial={"default_topic": space.default_topic_id}
    )
    if request.method == "POST" and form.is_valid():
        actions.set_default_topic(
            actor=request.user, space=space, topic=form.cleaned_data["default_topic"]
        )
        messages.success(request, _("The settings of %(space)s are saved.") % {"space": space.name})
        return redirect(reverse("forum:space_settings", args=[space.slug]))
    return render(
        request,
        "forum/space_settings.html",
        {"space": space, "form": form},
        status=400 if form.errors else 200,
    )


def attachment(request: HttpRequest, attachment_id: int, name: str) -> HttpResponse:
    """Serve an upload only to those who may read its post."""
    user = request.user
    # A file no post holds yet (uploaded from the composer) is its uploader's alone: they see
    # it in their preview; everyone else learns nothing of it.
    own_pending = Q(post__isnull=True, uploader_id=user.pk) if user.is_authenticated else Q()
    item = (
        Attachment.objects.select_related("post__thread__space")
        .filter(Q(pk=attachment_id), Q(post__isnull=False) | own_pending)
        .first()
    )
    if item is None or (item.post is not None and not permissions.can_read_post(user, item.post)):
        raise Http404("No such file")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    disposition = "inline" if item.kind == Attachment.Kind.IMAGE else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{item.original_name}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---- the composer: preview, drafts, completion ------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _edited_post(request: HttpRequest) -> Post | None:
    """The post an edit preview is for; 404 for one this member may not read."""
    raw = request.POST.get("post", "")
    if not (raw.isdigit() and len(raw) < 12):
        return None
    return selectors.get_post(viewer=request.user, post_id=int(raw))


def _composer_target(request: HttpRequest) -> tuple:
    """The thread being replied to or the space a thread is started in, from the form; 404
    for one this member may not read (never confirm that a private thing exists)."""
    raw_thread, raw_space = request.POST.get("thread", ""), request.POST.get("space", "")
    if raw_thread.isdigit() and len(raw_thread) < 12:
        return selectors.get_thread(viewer=request.user, thread_id=int(raw_thread)), None
    if raw_space.isdigit() and len(raw_space) < 12:
        space = permissions.visible_spaces(request.user).filter(pk=int(raw_space)).first()
        if space is None:
            raise Http404("No such space")
        return None, space
    return None, None


def _composer_form(request: HttpRequest, thread):
    if thread is not None:
        return ReplyForm(request.POST)
    return ThreadForm(request.POST, spaces=permissions.startable_spaces(request.user))


@require_POST
@login_required
def preview(request: HttpRequest) -> HttpResponse:
    """The one preview: what the composer holds, rendered by the code that renders posts.

    The composer script asks for JSON and shows it in place; without JavaScript the Preview
    button posts the whole form here and gets it back, text kept, with the preview above.
    """
    from django.http import JsonResponse

    from community.ratelimits import RateLimited

    edited = _edited_post(request)
    thread, space = (None, None) if edited is not None else _composer_target(request)
    html, errors, status = "", [], 200
    try:
        if edited is not None:
            # An edit is previewed as saving it would render it (edit_post adds no poll).
            source = request.POST.get("source", "")
        elif thread is None and space is None:
            raise ValidationError(_("Choose a space for your thread first."))
        else:
            source = composer.expand(request.POST.get("source", ""), request.POST)
        html = actions.render_preview(
            author=request.user, source=source, thread=thread, space=space, post=edited
        ).html
    except RateLimited as exc:
        errors, status = exc.messages, 429
    except ValidationError as exc:
        errors, status = exc.messages, 400
    except PermissionDenied as exc:
        if _wants_json(request):
            return JsonResponse({"errors": [str(exc)]}, status=403)
        raise
    if _wants_json(request):
        return JsonResponse({"html": html, "errors": errors}, status=status)
    if edited is not None:
        return _edit_page(
            request,
            edited,
            EditPostForm(request.POST),
            EditThreadForm(request.POST, prefix="thread") if edited.number == 1 else None,
            status=status,
            preview_html=html,
            preview_errors=errors,
        )
    form = _composer_form(request, thread)
    context = {"form": form, "preview_html": html, "preview_errors": errors}
    if thread is not None:
        reply_to = _readable_post_or_none(request, request.POST.get("reply_to", ""), thread)
        context.update(thread=thread, reply_to=reply_to)
        return render(request, "forum/reply.html", context, status=status)
    return render(request, "forum/start_thread.html", context, status=status)


@require_POST
@login_required
def save_draft(request: HttpRequest) -> HttpResponse:
    """Keep the composer's text on the server (the script saves as the member types)."""
    from django.http import JsonResponse

    thread, space = _composer_target(request)
    try:
        draft = actions.save_draft(
            author=request.user,
            source=request.POST.get("source", ""),
            title=request.POST.get("title", ""),
            thread=thread,
            space=space,
        )
    except ValidationError as exc:
        status = 429 if hasattr(exc, "wait_seconds") else 400
        if _wants_json(request):
            return JsonResponse({"saved": False, "errors": exc.messages}, status=status)
        messages.error(request, " ".join(exc.messages))
        draft = False
    except PermissionDenied as exc:
        if _wants_json(request):
            return JsonResponse({"saved": False, "errors": [str(exc)]}, status=403)
        raise
    if _wants_json(request):
        return JsonResponse({"saved": draft is not None})
    if draft is not False:
        messages.success(request, _("Your draft was saved.") if draft else _("Draft removed."))
    if thread is not None:
        return redirect(reverse("forum:reply", args=[thread.pk]))
    back = reverse("forum:start_thread")
    return redirect(f"{back}?space={space.slug}" if space else back)


@require_POST
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Upload one file from the composer (pasted or dropped) and answer the Markdown that shows
    it where the cursor was: `![name](upload://12.png)` for an image, a link for a PDF. The
    post names it by that short URL, as Discourse's composer does (actions._stored_uploads).

    JSON only: the script calls it. Without JavaScript the form's own file input attaches files.
    """
    from django.http import JsonResponse

    from community.ratelimits import RateLimited

    from .uploads import prepare_upload

    file = request.FILES.get("file")
    if file is None:
        return JsonResponse({"errors": [_("Choose a file to upload.")]}, status=400)
    try:
        stored = actions.upload_attachment(uploader=request.user, upload=prepare_upload(file))
    except RateLimited as exc:
        return JsonResponse({"errors": exc.messages}, status=429)
    except ValidationError as exc:
        return JsonResponse({"errors": exc.messages}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"errors": [str(exc)]}, status=403)
    extension = stored.original_name.rsplit(".", 1)[-1].lower()
    short_url = f"upload://{stored.pk}.{extension}"
    name = re.sub(r"[\[\]|\n]", "", stored.original_name)
    if stored.kind == Attachment.Kind.IMAGE:
        # The file's name stands in as the alt text until the member describes the image.
        alt = name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ").strip() or "image"
        markdown = f"![{alt}]({short_url})"
    else:
        markdown = f"[{name}]({short_url})"
    return JsonResponse(
        {
            "markdown": markdown,
            "short_url": short_url,
            "url": stored.get_absolute_url(),
            "name": stored.original_name,
            "kind": stored.kind,
            "width": stored.width,
            "height": stored.height,
        }
    )


COMPLETIONS = 8


@login_required
def complete(request: HttpRequest) -> HttpResponse:
    """@mention and #tag suggestions: only members this member may mention and find, and tags
    on threads they may list (none from a private region they are not in)."""
    from django.http import JsonResponse

    from community import ratelimits

    q = request.GET.get("q", "").strip().lstrip("@#")[:50]
    kind = request.GET.get("kind", "member")
    if kind not in ("member", "tag"):
        return JsonResponse({"errors": [_("Ask for members or tags.")]}, status=400)
    if ratelimits.hit("complete", request.user.pk, limit=120, window=60):
        return JsonResponse({"results": [], "errors": [_("Too many requests.")]}, status=429)
    if not q:
        return JsonResponse({"results": []})
    if kind == "tag":
        tags = permissions.visible_tags(request.user).filter(name__istartswith=q)
        results = [
            {"value": t.name, "label": f"#{t.name}"} for t in tags.order_by("name")[:COMPLETIONS]
        ]
    else:
        members = member_permissions.mentionable_members(
            request.user, member_permissions.visible_members(request.user)
        )
        members = (
            members.filter(Q(username__istartswith=q) | Q(display_name__istartswith=q))
            .exclude(username__startswith="~")
            .order_by("username")
        )
        results = [
            {"value": m.username, "label": f"{m.display_name} (@{m.username})"}
            for m in members[:COMPLETIONS]
        ]
    return JsonResponse({"results": results})


def reactions(request: HttpRequest, post_id: int) -> HttpResponse:
    """Who reacted to a post, by reaction, as far as this viewer may know them."""
    post = selectors.get_post(viewer=request.user, post_id=post_id)
    return render(
        request,
        "forum/reactions.html",
        {"post": post, "groups": selectors.post_reactors(viewer=request.user, post=post)},
    )
