"""Every change to the forum: check permission, write in one transaction, publish on commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, signals
from django.db.models.functions import Lower
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from community import markup, ratelimits
from community.accounts import permissions as member_permissions
from community.compiled import CompiledQuery
from community.events import publish_on_commit
from community.fragments import answering

from . import permissions, post_hooks, screening
from .models import (
    Attachment,
    Bookmark,
    Draft,
    Membership,
    Post,
    PostRevision,
    Reaction,
    Space,
    Status,
    Thread,
    ThreadRead,
    ThreadViewFlush,
    Topic,
)
from .uploads import PreparedUpload, resolve_upload_references, upload_references

TITLE_MIN_LENGTH = 8
POST_MIN_LENGTH = 2
POST_MAX_LENGTH = 32_000
MAX_TAGS = 5


def _known_usernames(candidates: Iterable[str], author=None) -> set[str]:
    """Usernames to link as mentions: never a child's, unless a moderator or staff wrote it."""
    members = get_user_model().objects.filter(is_active=True)
    if author is not None:
        members = member_permissions.mentionable_members(author, members)
    return set(
        members.annotate(lname=Lower("username"))
        .filter(lname__in=list(candidates))
        .values_list("lname", flat=True)
    )


def _known_to(author):
    return lambda candidates: _known_usernames(candidates, author)


def _check_uploads(author, uploads: Sequence[PreparedUpload]) -> None:
    if uploads and not member_permissions.can_upload(author):
        raise ValidationError(
            {"attachments": _("Members under 18 cannot attach files. Your text is kept: post it without the attachment.")}
        )  # fmt: skip


def _render(source: str, author=None) -> markup.Rendered:
    source = (source or "").strip()
    if len(source) < POST_MIN_LENGTH:
        raise ValidationError({"source": _("Write a little more before posting.")})
    if len(source) > POST_MAX_LENGTH:
        raise ValidationError(
            {"source": _("Posts can be up to %(max)d characters.") % {"max": POST_MAX_LENGTH}}
        )
    return markup.render(source, known_usernames=_known_to(author))


def clean_title(title: str) -> str:
    """The title with its spaces tidied; a ValidationError when too short or too long."""
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN_LENGTH:
        raise ValidationError(
            {
                "title": _("Give the thread a title of at least %(min)d characters.")
                % {"min": TITLE_MIN_LENGTH}
            }
        )
    if len(title) > 200:
        raise ValidationError({"title": _("Keep the title under 200 characters.")})
    return title


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """Tags are lower-case slugs, so "SEND", "send" and " Send " are one tag."""
    names = []
    for raw in tags:
        name = slugify(raw)[:50]
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": _("Use at most %(max)d tags.") % {"max": MAX_TAGS}})
    return names


def _check_rate(author) -> dict:
    """Members post at most a few times a minute (POSTS_PER_MINUTE); moderators are not limited.

    Returns what the screens will read from the shared cache (``screening.cache_reads``),
    read in the same round trip as the count: one fewer before the readers' live event."""
    from django.conf import settings

    if author.is_moderator:
        return {}
    wait, found = ratelimits.hit_and_read(
        "post", author.pk, limit=settings.POSTS_PER_MINUTE, window=60,
        read=screening.cache_reads(),
    )  # fmt: skip
    if wait:
        raise ratelimits.RateLimited(
            {"source": _("You are posting very quickly. Please wait %(seconds)d seconds and try again: your text is kept.")
             % {"seconds": wait}},
            wait_seconds=wait,
        )  # fmt: skip
    return found


def _screen(
    *,
    author,
    space,
    source: str,
    rendered: markup.Rendered,
    is_new_thread: bool,
    is_edit: bool = False,
):
    """Run the registered screens; a block becomes a form error on the text, kept as written."""
    verdict = screening.screen(
        screening.Submission(
            author=author, space=space, source=source, html=rendered.html,
            is_new_thread=is_new_thread, is_edit=is_edit,
        )
    )  # fmt: skip
    if verdict.blocked:
        raise ValidationError({"source": verdict.blocked})
    if verdict.censored_source is not None:
        rendered = markup.render(verdict.censored_source, known_usernames=_known_to(author))
        source = verdict.censored_source
    return verdict, source, rendered


def _store_attachments(
    *, uploader, post: Post | None, uploads: Sequence[PreparedUpload]
) -> list[Attachment]:
    stored = []
    for upload in uploads:
        attachment = Attachment(
            post=post,
            uploader=uploader,
            kind=upload.kind,
            original_name=upload.name,
            content_type=upload.content_type,
            size=len(upload.content),
            width=upload.width,
            height=upload.height,
        )
        attachment.file.save(upload.name, ContentFile(upload.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


@transaction.atomic
def upload_attachment(*, uploader, upload: PreparedUpload) -> Attachment:
    """Store a file before the post it goes with exists (as API clients upload first).

    It is served to its uploader only (for the composer's preview) until a post holds it.
    The same rules as attaching to a post (members under 18 cannot), for members who may
    write, and at most UPLOADS_PER_HOUR: files no post holds yet are otherwise free storage.
    """
    if not member_permissions.can_write(uploader):
        raise PermissionDenied(_("You cannot write here at the moment."))
    _check_uploads(uploader, [upload])
    ratelimits.check(
        "upload", uploader.pk, limit=UPLOADS_PER_HOUR, window=3600,
        message={"attachments": _("You have uploaded many files in the last hour. Please wait %(wait)s.")},
    )  # fmt: skip
    return _store_attachments(uploader=uploader, post=None, uploads=[upload])[0]


UPLOADS_PER_HOUR = 60


def _stored_uploads(uploader, source: str) -> tuple[str, list[Attachment]]:
    """The uploads a post's Markdown names (`upload://<id>`) and the Markdown pointing at them.

    Only the writer's own uploads that no post holds yet can be named: a file keeps the
    permission of the one post it is in (the attachment view asks `can_read_post`), so a
    file cannot be moved into a more open space by naming it again.
    """
    wanted = upload_references(source)
    if not wanted:
        return source, []
    found = {
        a.pk: a
        for a in Attachment.objects.select_for_update().filter(
            pk__in=wanted, uploader=uploader, post__isnull=True
        )
    }
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {"source": _("%(refs)s is not a file you uploaded for this post (a file can be in one post only).")
             % {"refs": ", ".join(f"upload://{pk}" for pk in missing)}}
        )  # fmt: skip
    attachments = [found[pk] for pk in wanted]
    urls = {a.pk: a.get_absolute_url() for a in attachments}
    return resolve_upload_references(source, urls), attachments


def _hold_uploads(post: Post, attachments: Sequence[Attachment]) -> None:
    if attachments:
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).update(post=post)


def _mentioned_users(rendered: markup.Rendered, author) -> list:
    if not rendered.mentions:
        return []
    members = member_permissions.mentionable_members(author)
    return list(
        members.annotate(lname=Lower("username"))
        .filter(lname__in=list(rendered.mentions))
        .exclude(pk=author.pk)
    )


def _post_event(event_type: str, post: Post, **extra) -> dict:
    return {
        "type": event_type,
        "post_id": post.pk,
        "thread_id": post.thread_id,
        "space_id": post.thread.space_id,
        "number": post.number,
        "author_id": post.author_id,
        "status": post.status,
        **extra,
    }


@transaction.atomic
def start_thread(
    *,
    author,
    space: Space,
    topic: Topic,
    title: str,
    source: str,
    tags: Iterable[str] = (),
    uploads: Sequence[PreparedUpload] = (),
) -> Thread:
    """Start a thread in a space with its first post; held for approval where the space says so."""
    if not permissions.can_post_in_space(author, space):
        raise PermissionDenied(_("You cannot start threads in %(space)s.") % {"space": space.name})
    title = clean_title(title)
    tag_names = normalise_tags(tags)
    source, stored = _stored_uploads(author, source)
    _check_uploads(author, [*uploads, *stored])
    rendered = _render(source, author)
    with answering(_check_rate(author)):
        verdict, source, rendered = _screen(
            author=author, space=space, source=source.strip(), rendered=rendered,
            is_new_thread=True,
        )  # fmt: skip
    post_hooks.check(author=author, space=space, post=None, rendered=rendered)
    now = timezone.now()
    held = (space.premoderated and not author.is_moderator) or verdict.held
    status = Status.HELD if held else Status.PUBLISHED
    thread = Thread.objects.create(
        space=space,
        topic=topic,
        title=title,
        slug=slugify(title)[:80] or "thread",
        author=author,
        status=status,
        created_at=now,
        last_post_at=now,
        last_poster_name=author.display_name,
        last_poster=author,
        post_count=0 if held else 1,
        highest_post_number=1,
    )
    if tag_names:
        thread.tags.set(tag_names)
    post = Post.objects.create(
        thread=thread,
        number=1,
        author=author,
        source=source.strip(),
        html=rendered.html,
        text=rendered.text,
        status=status,
        created_at=now,
    )
    post_hooks.saved(post=post, rendered=rendered, created=True)
    mentioned = _mentioned_users(rendered, author)
    if mentioned:
        post.mentions.set(mentioned)
    _store_attachments(uploader=author, post=post, uploads=uploads)
    _hold_uploads(post, stored)
    if not held:
        Space.objects.filter(pk=space.pk).update(
            thread_count=F("thread_count") + 1, post_count=F("post_count") + 1, last_post_at=now
        )
    record_read(user=author, thread=thread, number=1)
    Draft.objects.filter(user=author, thread__isnull=True, space__in=[space]).delete()
    Draft.objects.filter(user=author, thread__isnull=True, space__isnull=True).delete()
    publish_on_commit(
        {
            **_post_event("thread.created", post),
            "title": title,
            "topic_id": topic.pk,
            "tags": tag_names,
            "mentioned_ids": [u.pk for u in mentioned],
            "held_reasons": verdict.held_reasons or (["premoderated space"] if held else []),
            "flag_reasons": verdict.flag_reasons,
            "matches": verdict.matches,
        }
    )
    return thread


# The thread row a reply locks, with its space: compiled to SQL once per process and
# connection (community/compiled.py), as the same query is every reply's first statement
# (building and compiling it was ~1 ms of the poster's CPU before anything was sent).
_locked_thread_rows = CompiledQuery(
    lambda shape, thread_id: (
        Thread.objects.select_for_update().select_related("space").filter(pk=thread_id)
    ),
    "thread_id",
)


def _locked_thread(thread_id: int) -> Thread:
    """The thread, locked FOR UPDATE until the transaction ends, with its space."""
    rows = _locked_thread_rows(None, thread_id=thread_id)
    if not rows:
        raise Thread.DoesNotExist("Thread matching query does not exist.")
    return rows[0]


def _write_reply(*, post: Post, thread: Thread, author, held: bool, now) -> None:
    """Insert the reply; move the thread's counters (and the space's, unless it is held), the
    author's read position, and drop their draft of it.

    On PostgreSQL that is ONE statement (data-modifying `WITH`), where the ORM sends five: each
    is a round trip, and the readers' thread event waits behind all of them (with the ORM's
    work building each, ~4 ms of the poster's ~17 before the send, docs/bench-live.md). The
    post's INSERT is still Django's own (its compiler and field values); the rest is the SQL
    the ORM sent. SQLite cannot modify data inside `WITH`, and a raw statement sends no model
    signals: there, or when anything listens to Post's save or Draft's delete signals, the
    ORM does it statement by statement.
    """
    drafts = Draft.objects.filter(user=author, thread=thread)
    if connection.vendor != "postgresql" or any(
        signal.has_listeners(model)
        for signal, model in (
            (signals.pre_save, Post),
            (signals.post_save, Post),
            (signals.pre_delete, Draft),
            (signals.post_delete, Draft),
        )
    ):
        post.save(force_insert=True)
        updates = {"highest_post_number": post.number}
        if not held:
            updates.update(
                post_count=F("post_count") + 1,
                last_post_at=now,
                last_poster_name=author.display_name,
                last_poster=author,
            )
            Space.objects.filter(pk=thread.space_id).update(
                post_count=F("post_count") + 1, last_post_at=now
            )
        Thread.objects.filter(pk=thread.pk).update(**updates)
        record_read(user=author, thread=thread, number=post.number)
        drafts.delete()
        return
    meta = Post._meta
    query = InsertQuery(Post)
    query.insert_values(
        [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field],
        [post],
    )
    compiler = query.get_compiler(using=connection.alias)
    compiler.returning_fields = returning = list(meta.db_returning_fields)
    [(insert_sql, insert_params)] = compiler.as_sql()
    q, when = connection.ops.quote_name, connection.ops.adapt_datetimefield_value(now)

    def column(model, name: str) -> str:
        return q(model._meta.get_field(name).column)

    thread_sets, thread_params = [f"{column(Thread, 'highest_post_number')} = %s"], [post.number]
    parts = []
    if not held:
        count = column(Thread, "post_count")
        thread_sets += [
            f"{count} = {q(Thread._meta.db_table)}.{count} + 1",
            f"{column(Thread, 'last_post_at')} = %s",
            f"{column(Thread, 'last_poster_name')} = %s",
            f"{column(Thread, 'last_poster')} = %s",
        ]
        thread_params += [when, author.display_name, author.pk]
        count = column(Space, "post_count")
        parts.append(
            (
                f"UPDATE {q(Space._meta.db_table)} SET {count} = {q(Space._meta.db_table)}.{count}"
                f" + 1, {column(Space, 'last_post_at')} = %s WHERE {q(Space._meta.pk.column)} = %s",
                [when, thread.space_id],
            )
        )
    parts.append(
        (
            f"UPDATE {q(Thread._meta.db_table)} SET {', '.join(thread_sets)} "
            f"WHERE {q(Thread._meta.pk.column)} = %s",
            [*thread_params, thread.pk],
        )
    )
    if (read := _read_position(user=author, thread=thread, number=post.number)) is not None:
        parts.append(read)
    parts.append(
        (
            f"DELETE FROM {q(Draft._meta.db_table)} WHERE {column(Draft, 'user')} = %s "
            f"AND {column(Draft, 'thread')} = %s",
            [author.pk, thread.pk],
        )
    )
    sql = "WITH new_post AS (" + insert_sql + ")"
    params = list(insert_params)
    for index, (part, part_params) in enumerate(parts):
        sql += f", step_{index} AS ({part})"
        params += part_params
    with connection.cursor() as cursor:
        cursor.execute(sql + " SELECT * FROM new_post", params)
        row = cursor.fetchone()
    for field, value in zip(returning, row, strict=True):
        setattr(post, field.attname, value)
    post._state.adding = False
    post._state.db = connection.alias


@transaction.atomic
def create_post(
    *,
    author,
    thread: Thread,
    source: str,
    reply_to: Post | None = None,
    uploads: Sequence[PreparedUpload] = (),
) -> Post:
    """Reply in a thread, optionally to one post of it."""
    # Lock the thread row: post numbers and counters are assigned under it.
    thread = _locked_thread(thread.pk)
    if not permissions.can_reply(author, thread):
        if thread.is_closed:
            raise PermissionDenied(_("This thread is closed to new replies."))
        raise PermissionDenied(_("You cannot reply in this thread."))
    if thread.slow_mode_seconds and not author.is_moderator:
        since = timezone.now() - timedelta(seconds=thread.slow_mode_seconds)
        if Post.objects.filter(thread=thread, author=author, created_at__gte=since).exists():
            raise ValidationError(
                {"source": _("This thread is in slow mode: you can post once every %(minutes)s minutes. Your text is kept.")
                 % {"minutes": max(thread.slow_mode_seconds // 60, 1)}}
            )  # fmt: skip
    if reply_to is not None and (
        reply_to.thread_id != thread.pk or not permissions.can_read_post(author, reply_to)
    ):
        raise ValidationError({"reply_to": _("You can only reply to a post in this thread.")})
    source, stored = _stored_uploads(author, source)
    _check_uploads(author, [*uploads, *stored])
    rendered = _render(source, author)
    with answering(_check_rate(author)):
        verdict, source, rendered = _screen(
            author=author,
            space=thread.space,
            source=source.strip(),
            rendered=rendered,
            is_new_thread=False,
        )
    post_hooks.check(author=author, space=thread.space, post=None, rendered=rendered)
    now = timezone.now()
    held = (thread.space.premoderated and not author.is_moderator) or verdict.held
    number = thread.highest_post_number + 1
    post = Post(
        thread=thread,
        number=number,
        author=author,
        source=source.strip(),
        html=rendered.html,
        text=rendered.text,
        status=Status.HELD if held else Status.PUBLISHED,
        reply_to=reply_to,
        reply_to_number=reply_to.number if reply_to else None,
        reply_to_name=reply_to.author.display_name if reply_to else "",
        created_at=now,
    )
    _write_reply(post=post, thread=thread, author=author, held=held, now=now)
    post_hooks.saved(post=post, rendered=rendered, created=True)
    mentioned = _mentioned_users(rendered, author)
    if mentioned:
        post.mentions.set(mentioned)
    _store_attachments(uploader=author, post=post, uploads=uploads)
    _hold_uploads(post, stored)
    quoted_numbers = [n for (_u, n, t) in rendered.quotes if n and (t in (None, thread.pk))]
    publish_on_commit(
        _post_event(
            "post.created",
            post,
            reply_to_author_id=reply_to.author_id if reply_to else None,
            mentioned_ids=[u.pk for u in mentioned],
            quoted_numbers=quoted_numbers,
            held_reasons=verdict.held_reasons or (["premoderated space"] if held else []),
            flag_reasons=verdict.flag_reasons,
            matches=verdict.matches,
        )
    )
    return post


@transaction.atomic
def edit_post(*, editor, post: Post, source: str, reason: str = "") -> Post:
    """Change a post's text, keeping what it said before as a revision."""
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post.pk)
    if not permissions.can_edit_post(editor, post):
        raise PermissionDenied(_("You cannot edit this post."))
    source, stored = _stored_uploads(editor, source)
    _check_uploads(post.author, stored)
    rendered = _render(source, post.author)
    source = source.strip()
    if source == post.source:
        return post
    verdict, source, rendered = _screen(
        author=post.author, space=post.thread.space, source=source, rendered=rendered,
        is_new_thread=post.number == 1, is_edit=True,
    )  # fmt: skip
    post_hooks.check(author=post.author, space=post.thread.space, post=post, rendered=rendered)
    newly_held = verdict.held and post.status == Status.PUBLISHED and not editor.is_moderator
    revision_number = post.revision_count + 1
    PostRevision.objects.create(
        post=post,
        number=revision_number,
        editor=editor,
        source_before=post.source,
        source_after=source,
        reason=(reason or "").strip()[:200],
    )
    post.source = source
    post.html = rendered.html
    post.text = rendered.text
    post.edited_at = timezone.now()
    post.revision_count = revision_number
    fields = ["source", "html", "text", "edited_at", "revision_count"]
    if newly_held:
        # An edit that adds what screening holds takes the post back out of view until reviewed.
        adjust_counters(post.thread, post, -1)
        post.status = Status.HELD
        fields.append("status")
    post.save(update_fields=fields)
    _hold_uploads(post, stored)
    post_hooks.saved(post=post, rendered=rendered, created=False)
    previously = set(post.mentions.values_list("pk", flat=True))
    mentioned = _mentioned_users(rendered, post.author)
    post.mentions.set(mentioned)
    publish_on_commit(
        _post_event(
            "post.edited",
            post,
            editor_id=editor.pk,
            new_mentioned_ids=[u.pk for u in mentioned if u.pk not in previously],
            held_reasons=verdict.held_reasons if newly_held else [],
            flag_reasons=verdict.flag_reasons,
            matches=verdict.matches,
        )
    )
    return post


@transaction.atomic
def edit_opening_post(
    *,
    editor,
    post: Post,
    title: str,
    topic: Topic,
    tags: Iterable[str],
    source: str,
    reason: str = "",
) -> Post:
    """Edit a thread's title, topic and tags and its first post together: both or neither.

    A body the rules refuse (too short, say) leaves the title as it was.
    """
    if post.number != 1:
        raise ValidationError({"source": _("Only a thread's first post carries its title.")})
    edit_thread(editor=editor, thread=post.thread, title=title, topic=topic, tags=tags)
    return edit_post(editor=editor, post=post, source=source, reason=reason)


@transaction.atomic
def edit_thread(*, editor, thread: Thread, title: str, topic: Topic, tags: Iterable[str]) -> Thread:
    """Retitle, re-topic or re-tag a thread (its author or a moderator)."""
    first = thread.posts.get(number=1)
    if not permissions.can_edit_post(editor, first):
        raise PermissionDenied(_("You cannot edit this thread."))
    thread.title = clean_title(title)
    thread.slug = slugify(thread.title)[:80] or "thread"
    thread.topic = topic
    thread.save(update_fields=["title", "slug", "topic"])
    thread.tags.set(normalise_tags(tags))
    publish_on_commit(
        {"type": "thread.edited", "thread_id": thread.pk, "space_id": thread.space_id}
    )
    return thread


def adjust_counters(thread: Thread, post: Post, delta: int) -> None:
    """Add or remove a published post from the thread's and space's counters."""
    if post.status != Status.PUBLISHED:
        return
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + delta)
    Space.objects.filter(pk=thread.space_id).update(post_count=F("post_count") + delta)
    if post.number == 1:
        Space.objects.filter(pk=thread.space_id).update(thread_count=F("thread_count") + delta)


@transaction.atomic
def delete_post(*, actor, post: Post) -> Post:
    """Soft-delete a post; deleting the first post deletes the thread. Content is kept."""
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post.pk)
    if not permissions.can_delete_post(actor, post):
        raise PermissionDenied(_("You cannot delete this post."))
    if post.deleted_at is not None:
        return post
    now = timezone.now()
    post.deleted_at = now
    post.deleted_by = actor
    post.save(update_fields=["deleted_at", "deleted_by"])
    thread = post.thread
    if post.number == 1:
        thread.deleted_at = now
        thread.save(update_fields=["deleted_at"])
        if post.status == Status.PUBLISHED:
            Space.objects.filter(pk=thread.space_id).update(
                thread_count=F("thread_count") - 1, post_count=F("post_count") - thread.post_count
            )
    else:
        adjust_counters(thread, post, -1)
        # A deleted reply is no longer the answer: the question is open again.
        Thread.objects.filter(pk=thread.pk, accepted_answer=post).update(accepted_answer=None)
    publish_on_commit(_post_event("post.deleted", post, actor_id=actor.pk))
    return post


@transaction.atomic
def restore_post(*, actor, post: Post) -> Post:
    """Undo a soft delete (the author, or a moderator)."""
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post.pk)
    if post.deleted_at is None:
        return post
    if not permissions.can_restore_post(actor, post):
        raise PermissionDenied(_("Only a moderator can restore a post someone else deleted."))
    post.deleted_at = None
    post.deleted_by = None
    post.save(update_fields=["deleted_at", "deleted_by"])
    thread = post.thread
    if post.number == 1:
        thread.deleted_at = None
        thread.save(update_fields=["deleted_at"])
        if post.status == Status.PUBLISHED:
            Space.objects.filter(pk=thread.space_id).update(
                thread_count=F("thread_count") + 1, post_count=F("post_count") + thread.post_count
            )
    else:
        adjust_counters(thread, post, +1)
    publish_on_commit(_post_event("post.restored", post, actor_id=actor.pk))
    return post


@transaction.atomic
def approve_post(*, moderator, post: Post) -> Post:
    """Publish a post that was held for approval (its thread too, if it is the first post)."""
    if not permissions.is_moderator(moderator):
        raise PermissionDenied(_("Only moderators can approve posts."))
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post.pk)
    if post.status != Status.HELD:
        return post
    post.status = Status.PUBLISHED
    post.save(update_fields=["status"])
    thread = post.thread
    if post.number == 1:
        thread.status = Status.PUBLISHED
        thread.save(update_fields=["status"])
    if post.deleted_at is None:
        adjust_counters(thread, post, +1)
        Thread.objects.filter(pk=thread.pk, last_post_at__lt=post.created_at).update(
            last_post_at=post.created_at,
            last_poster_name=post.author.display_name,
            last_poster=post.author,
        )
    publish_on_commit(_post_event("post.approved", post, moderator_id=moderator.pk))
    return post


PREVIEWS_PER_MINUTE = 30
DRAFT_SAVES_PER_MINUTE = 30


def render_preview(
    *,
    author,
    source: str,
    thread: Thread | None = None,
    space: Space | None = None,
    post: Post | None = None,
) -> markup.Rendered:
    """Render what the member is writing exactly as posting (or, given `post`, saving their
    edit of it) would, and nothing they could not post: the same permission, length, mention,
    screening and composer checks.

    Writes nothing. Raises PermissionDenied where they may not post, ValidationError for what
    posting would refuse, RateLimited past PREVIEWS_PER_MINUTE.
    """
    writer = author
    if post is not None:
        if not permissions.can_edit_post(author, post):
            raise PermissionDenied(_("You cannot edit this post."))
        # An edit is rendered and screened as its author's words, as edit_post does.
        writer, space = post.author, post.thread.space
    elif thread is not None:
        if not permissions.can_reply(author, thread):
            raise PermissionDenied(_("You cannot reply in this thread."))
        space = thread.space
    elif space is None or not permissions.can_post_in_space(author, space):
        raise PermissionDenied(_("You cannot start threads in this space."))
    ratelimits.check(
        "preview", author.pk, limit=PREVIEWS_PER_MINUTE, window=60,
        message={"source": _("You have asked for many previews. Please wait %(wait)s.")},
    )  # fmt: skip
    source = _previewed_uploads(author, source)
    rendered = _render(source, writer)
    _verdict, _source, rendered = _screen(
        author=writer, space=space, source=source.strip(), rendered=rendered,
        is_new_thread=post.number == 1 if post is not None else thread is None,
        is_edit=post is not None,
    )  # fmt: skip
    post_hooks.check(author=writer, space=space, post=post, rendered=rendered)
    return rendered


def _previewed_uploads(uploader, source: str) -> str:
    """The Markdown with the writer's own not-yet-posted uploads (`upload://<id>`) pointing at
    where they are served (to the uploader only, until a post holds them), as posting will."""
    wanted = upload_references(source)
    if not wanted:
        return source
    pending = Attachment.objects.filter(pk__in=wanted, uploader=uploader, post__isnull=True)
    return resolve_upload_references(source, {a.pk: a.get_absolute_url() for a in pending})


@transaction.atomic
def save_draft(
    *, author, source: str, title: str = "", thread: Thread | None = None,
    space: Space | None = None,
) -> Draft | None:  # fmt: skip
    """Keep what the member is writing (a reply to a thread, or a new thread in a space or not
    placed yet); empty text removes the draft. Returns the draft, or None when removed."""
    if not member_permissions.can_write(author):
        raise PermissionDenied(_("You cannot write here at the moment."))
    if thread is not None:
        if not permissions.can_read_thread(author, thread):
            raise PermissionDenied(_("You cannot reply in this thread."))
        space = None
    elif space is not None and not permissions.can_read_space(author, space):
        raise PermissionDenied(_("You cannot start threads in this space."))
    if len(source) > POST_MAX_LENGTH:
        raise ValidationError(
            {"source": _("Posts can be up to %(max)d characters.") % {"max": POST_MAX_LENGTH}}
        )
    ratelimits.check(
        "draft", author.pk, limit=DRAFT_SAVES_PER_MINUTE, window=60,
        message={"source": _("Your draft is saved often enough. Please wait %(wait)s.")},
    )  # fmt: skip
    lookup = {"user": author, "thread": thread}
    if thread is None:
        lookup["space"] = space
    if not source.strip() and not title.strip():
        Draft.objects.filter(**lookup).delete()
        return None
    draft = Draft.objects.select_for_update().filter(**lookup).first() or Draft(**lookup)
    draft.source, draft.title, draft.updated_at = source, title[:200], timezone.now()
    draft.save()
    return draft


@transaction.atomic
def toggle_reaction(*, user, post: Post, kind: str) -> bool:
    """Add the reaction if the member has not given it, remove it if they have. True if added."""
    if kind not in Reaction.Kind.values:
        raise ValidationError({"kind": _("That reaction is not available.")})
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post.pk)
    if not permissions.can_react(user, post):
        raise PermissionDenied(_("You cannot react to this post."))
    deleted, _n = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    added = not deleted
    if added:
        Reaction.objects.create(post=post, user=user, kind=kind)
    counts = dict(post.reaction_counts)
    counts[kind] = max(counts.get(kind, 0) + (1 if added else -1), 0)
    post.reaction_counts = {k: v for k, v in counts.items() if v}
    post.save(update_fields=["reaction_counts"])
    if kind == Reaction.Kind.LIKE:
        Thread.objects.filter(pk=post.thread_id).update(
            like_count=F("like_count") + (1 if added else -1)
        )
    publish_on_commit(
        _post_event(
            "reaction.added" if added else "reaction.removed",
            post,
            user_id=user.pk,
            kind=kind,
            counts=post.reaction_counts,
        )
    )
    return added


@transaction.atomic
def accept_answer(*, actor, post: Post) -> Thread:
    """Mark a reply as the answer to its thread's question (replacing any earlier one)."""
    post = Post.objects.select_related("thread__space", "author").get(pk=post.pk)
    thread = Thread.objects.select_for_update().select_related("space").get(pk=post.thread_id)
    if not permissions.can_accept_answer(actor, thread):
        raise PermissionDenied(_("You cannot choose the answer in this thread."))
    if not permissions.is_answerable_reply(post) or not permissions.can_read_post(actor, post):
        raise ValidationError(
            {"post": _("Only a published reply in this thread can be marked as the answer.")}
        )
    if thread.accepted_answer_id == post.pk:
        return thread
    previous_id = thread.accepted_answer_id
    thread.accepted_answer = post
    thread.save(update_fields=["accepted_answer"])
    publish_on_commit(
        {
            **_post_event("answer.accepted", post),
            "actor_id": actor.pk,
            "previous_post_id": previous_id,
            "thread_author_id": thread.author_id,
        }
    )
    return thread


@transaction.atomic
def unaccept_answer(*, actor, thread: Thread) -> Thread:
    """Take away the thread's accepted answer: the question is open again."""
    thread = Thread.objects.select_for_update().select_related("space").get(pk=thread.pk)
    if not permissions.can_accept_answer(actor, thread):
        raise PermissionDenied(_("You cannot choose the answer in this thread."))
    if thread.accepted_answer_id is None:
        return thread
    post = Post.objects.select_related("thread").get(pk=thread.accepted_answer_id)
    thread.accepted_answer = None
    thread.save(update_fields=["accepted_answer"])
    publish_on_commit({**_post_event("answer.unaccepted", post), "actor_id": actor.pk})
    return thread


@transaction.atomic
def toggle_bookmark(*, user, post: Post) -> bool:
    """Bookmark a post the member can read, or remove the bookmark. True if added."""
    if not permissions.can_read_post(user, post):
        raise PermissionDenied(_("You cannot bookmark this post."))
    deleted, _n = Bookmark.objects.filter(post=post, user=user).delete()
    if deleted:
        return False
    Bookmark.objects.create(post=post, user=user)
    return True


@transaction.atomic
def join_space(*, user, space: Space) -> Membership:
    if not permissions.can_join_space(user, space):
        raise PermissionDenied(_("You cannot join %(space)s yourself.") % {"space": space.name})
    membership, _created = Membership.objects.get_or_create(user=user, space=space)
    publish_on_commit({"type": "membership.joined", "user_id": user.pk, "space_id": space.pk})
    return membership


@transaction.atomic
def add_member(*, actor, user, space: Space) -> Membership:
    """Staff add a member to a group whose membership is not open."""
    if not permissions.is_moderator(actor):
        raise PermissionDenied(_("Only moderators and staff can add members to a group."))
    membership, _created = Membership.objects.get_or_create(user=user, space=space)
    publish_on_commit({"type": "membership.joined", "user_id": user.pk, "space_id": space.pk})
    return membership


@transaction.atomic
def remove_member(*, actor, user, space: Space) -> None:
    """Staff take a member out of a group (the twin of `add_member`)."""
    if not permissions.is_moderator(actor):
        raise PermissionDenied(_("Only moderators and staff can remove members from a group."))
    deleted, _n = Membership.objects.filter(user=user, space=space).delete()
    if deleted:
        permissions.forget_cached_access(user)
        publish_on_commit({"type": "membership.left", "user_id": user.pk, "space_id": space.pk})


@transaction.atomic
def set_space_visibility(*, actor, space: Space, visibility: str) -> Space:
    """Staff change who may read a space; open sockets re-check what they may still read."""
    if not permissions.is_moderator(actor):
        raise PermissionDenied(_("Only moderators and staff can change who may read a space."))
    if visibility not in Space.Visibility.values:
        raise ValidationError(_("Choose who may read the space."))
    space = Space.objects.select_for_update().get(pk=space.pk)
    if space.visibility != visibility:
        space.visibility = visibility
        space.save(update_fields=["visibility"])
        publish_on_commit(
            {"type": "space.visibility_changed", "space_id": space.pk, "visibility": visibility}
        )
    return space


@transaction.atomic
def set_default_topic(*, actor, space: Space, topic: Topic | None) -> Space:
    """Set the practice topic a thread started here through the API gets when its client
    names none (None: such a client is asked to name one). The site's form always asks."""
    if not permissions.can_manage_space(actor, space):
        raise PermissionDenied(_("Only moderators and staff can change a space's settings."))
    space = Space.objects.select_for_update().get(pk=space.pk)
    if space.default_topic_id != (topic.pk if topic else None):
        previous = space.default_topic_id
        space.default_topic = topic
        space.save(update_fields=["default_topic"])
        publish_on_commit(
            {"type": "space.settings_changed", "space_id": space.pk, "actor_id": actor.pk,
             "setting": "default_topic", "before": previous, "after": space.default_topic_id}
        )  # fmt: skip
    return space


@transaction.atomic
def create_space(
    *,
    actor,
    name: str,
    description: str = "",
    visibility: str = Space.Visibility.MEMBERS,
    open_membership: bool = True,
    default_topic: Topic | None = None,
) -> Space:
    """Add a community space (centre staff). Regional groups come with their regions."""
    if not permissions.can_create_space(actor):
        raise PermissionDenied(_("Only centre staff can add a space."))
    name = " ".join((name or "").split())
    if not 3 <= len(name) <= 120:
        raise ValidationError({"name": _("Give the space a name of 3 to 120 characters.")})
    if visibility not in Space.Visibility.values:
        raise ValidationError({"visibility": _("Choose who may read the space.")})
    base = slugify(name)[:40] or "space"
    slug, n = base, 1
    while Space.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    space = Space.objects.create(
        slug=slug, name=name, description=(description or "").strip()[:2000],
        kind=Space.Kind.COMMUNITY, visibility=visibility, open_membership=open_membership,
        default_topic=default_topic or Topic.objects.filter(slug="hub-model-access").first(),
        position=(Space.objects.order_by("-position").values_list("position", flat=True).first()
                  or 0) + 1,
    )  # fmt: skip
    publish_on_commit(
        {"type": "space.created", "space_id": space.pk, "actor_id": actor.pk,
         "visibility": visibility}
    )  # fmt: skip
    return space


@transaction.atomic
def leave_space(*, user, space: Space) -> None:
    Membership.objects.filter(user=user, space=space).delete()
    publish_on_commit({"type": "membership.left", "user_id": user.pk, "space_id": space.pk})


def record_read(*, user, thread: Thread, number: int) -> None:
    """Move the member's read position forward (never back), in one upsert."""
    read = _read_position(user=user, thread=thread, number=number)
    if read is not None:
        with connection.cursor() as cursor:
            cursor.execute(*read)


def _read_position(*, user, thread: Thread, number: int) -> tuple[str, list] | None:
    """The upsert that moves a read position forward, or None when there is nothing to move."""
    if not (user and user.is_authenticated) or number <= 0:
        return None
    table = ThreadRead._meta.db_table
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return (
        f"INSERT INTO {table} (user_id, thread_id, last_read_number, updated_at) "
        f"VALUES (%s, %s, %s, %s) ON CONFLICT (user_id, thread_id) DO UPDATE SET "
        f"last_read_number = {greatest}({table}.last_read_number, EXCLUDED.last_read_number), "
        f"updated_at = EXCLUDED.updated_at",
        [user.pk, thread.pk, number, connection.ops.adapt_datetimefield_value(timezone.now())],
    )


def add_thread_views(*, slot: int, counts: Mapping[int, int]) -> bool:
    """Add one buffered slot's views to its threads' counts, once.

    Returns False, adding nothing, when the slot was added before (the job run twice, or two
    workers at once): its ThreadViewFlush row is written first in the same transaction and
    is unique, so a second flush fails on it (on PostgreSQL it waits for the first to commit)
    and rolls back. Publishes nothing: a view changes no page a reader must see at once, and
    an event would empty the anonymous page cache every minute (the lists show the new
    counts when their cached copies expire, within ANONYMOUS_PAGE_CACHE_SECONDS).
    """
    counts = {int(thread_id): int(n) for thread_id, n in counts.items() if n > 0}
    try:
        with transaction.atomic():
            ThreadViewFlush.objects.create(slot=slot, views=sum(counts.values()))
            # One UPDATE per distinct count (most threads get one or two views a minute), not
            # one per thread; a thread deleted since its view is simply not matched.
            by_views: dict[int, list[int]] = {}
            for thread_id, n in counts.items():
                by_views.setdefault(n, []).append(thread_id)
            for n, ids in sorted(by_views.items()):
                for start in range(0, len(ids), 500):
                    Thread.objects.filter(pk__in=ids[start : start + 500]).update(
                        view_count=F("view_count") + n
                    )
    except IntegrityError:
        return False
    return True


def flush_thread_views(*, now: float | None = None) -> int:
    """Add every finished slot of buffered views to the threads (the flush_thread_views job);
    return how many views were added. Safe to run again and from several workers at once."""
    from . import viewcounts

    now = viewcounts.now() if now is None else now
    buffer = viewcounts.buffer()
    added = 0
    for slot in buffer.pending_slots(viewcounts.closed_before(now)):
        counts = buffer.counts(slot)
        if counts and add_thread_views(slot=slot, counts=counts):
            added += sum(counts.values())
        # Added now or before: either way the slot is in the threads' counts.
        buffer.forget(slot)
    # Slots this old have left the buffer (VIEW_COUNT_KEEP_SECONDS): their rows guard nothing.
    ThreadViewFlush.objects.filter(slot__lt=now - 2 * settings.VIEW_COUNT_KEEP_SECONDS).delete()
    return added


def sync_thread(thread: Thread) -> Thread:
    """Recompute a thread's counters from its posts (after moves, merges and splits)."""
    from django.db.models import Count, Max, Q

    published = Q(status=Status.PUBLISHED, deleted_at__isnull=True, kind=Post.Kind.POST)
    agg = Post.objects.filter(thread=thread).aggregate(
        count=Count("pk", filter=published),
        highest=Max("number"),
        last=Max("created_at", filter=published),
    )
    last_post = (
        Post.objects.filter(thread=thread)
        .filter(published)
        .select_related("author")
        .order_by("-number")
        .first()
    )
    Thread.objects.filter(pk=thread.pk).update(
        post_count=agg["count"],
        highest_post_number=agg["highest"] or 0,
        last_post_at=agg["last"] or thread.created_at,
        last_poster_name=last_post.author.display_name if last_post else "",
        last_poster=last_post.author if last_post else None,
    )
    thread.refresh_from_db()
    return thread


def sync_space(space: Space) -> Space:
    """Recompute a space's counters from its threads."""
    from django.db.models import Count, Max, Sum

    live = Thread.objects.filter(space=space, status=Status.PUBLISHED, deleted_at__isnull=True)
    agg = live.aggregate(n=Count("pk"), posts=Sum("post_count"), last=Max("last_post_at"))
    Space.objects.filter(pk=space.pk).update(
        thread_count=agg["n"] or 0, post_count=agg["posts"] or 0, last_post_at=agg["last"]
    )
    space.refresh_from_db()
    return space


def append_moderator_note(*, actor, thread: Thread, text: str) -> Post:
    """Add a small note to the thread saying what a moderator (or the system) did.

    Not counted as a reply. The thread row is locked while the note takes the next number,
    so two notes, or a note and a reply, never claim the same number. Runs inside the
    caller's transaction (the moderation action that the note records).
    """
    highest = (
        Thread.objects.select_for_update()
        .filter(pk=thread.pk)
        .values_list("highest_post_number", flat=True)
        .get()
    )
    rendered = markup.render(text)
    note = Post.objects.create(
        thread_id=thread.pk,
        number=highest + 1,
        author=actor,
        kind=Post.Kind.NOTE,
        source=text,
        html=rendered.html,
        text=rendered.text,
        status=Status.PUBLISHED,
    )
    Thread.objects.filter(pk=thread.pk).update(highest_post_number=highest + 1)
    return note


def move_posts(*, posts: list[Post], target: Thread) -> None:
    """Give posts the next numbers in the target thread, oldest first (a merge or a split).

    The caller holds the lock on both threads and parks the posts' old numbers first.
    """
    highest = (
        Thread.objects.select_for_update()
        .filter(pk=target.pk)
        .values_list("highest_post_number", flat=True)
        .get()
    )
    for offset, post in enumerate(sorted(posts, key=lambda p: (p.created_at, p.number)), start=1):
        post.thread = target
        post.number = highest + offset
        post.reply_to_number = None  # numbers refer to the old thread; the link is kept by reply_to
        post.save(update_fields=["thread", "number", "reply_to_number"])
    Thread.objects.filter(pk=target.pk).update(highest_post_number=highest + len(posts))
