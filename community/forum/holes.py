"""The member's own parts of shared forum pages, filled by string assembly.

Each function here fills one kind of hole (see community/fragments.py): the base layout's
member link, search box and messages, and on the thread page each post's reactions, tools
and (for young authors) author line, and the reply box. The page templates call the same
functions through ``{% hole %}`` when they render in full, so the HTML is the same either way.
What a member may do is asked of permissions.py; nothing here queries the database.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from community.fragments import CSRF_INPUT, Holes, csrf_placeholder, register_hole

from . import permissions
from .models import Post, Reaction, Status
from .selectors import MemberState

_SENTINEL = 987654321


@functools.cache
def _url_around(name: str, *args) -> tuple[str, str]:
    """A URL with one integer argument as the text before and after that argument, reversed
    once per process (reverse() for every link of every post was a tenth of the page)."""
    url = reverse(name, args=[*args, _SENTINEL])
    before, after = url.split(str(_SENTINEL))
    return before, after


def _url(name: str, pk: int) -> str:
    before, after = _url_around(name)
    return f"{before}{pk}{after}"


# ---- base layout --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _activity_url(username: str) -> str:
    return escape(reverse("forum:user_activity", args=[username]))


def _member_link(holes: Holes, arg: str) -> str:
    user = getattr(holes.request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return f'<a href="{_activity_url(user.username)}">{escape(user.display_name)}</a>'


def _search_query(holes: Holes, arg: str) -> str:
    request = holes.request
    return escape(request.GET.get("q", "")) if request is not None else ""


def _messages(holes: Holes, arg: str) -> str:
    if holes.request is None:
        return ""
    storage = get_messages(holes.request)
    if not storage:
        return ""
    lines = "".join(f'<p class="message message-{escape(m.tags)}">{escape(m)}</p>' for m in storage)
    return f'<div class="messages" role="status">\n      {lines}\n    </div>'


# ---- thread page --------------------------------------------------------------------------


def _state(holes: Holes) -> MemberState:  # the thread page's member state (selectors)
    return holes.state


def _post(holes: Holes, arg: str) -> Post:
    return holes.items[arg]


def _post_author(holes: Holes, arg: str) -> str:
    """A young person's name is not a link to their activity, except for moderators and
    themselves (the visibility rule for minors' identities)."""
    post, state = _post(holes, arg), _state(holes)
    author = post.author
    name = escape(author.display_name)
    if (
        author.is_minor
        and not state.is_moderator
        and post.author_id != getattr(state.user, "pk", None)
    ):
        return f'<span id="post-{post.number}-author" class="author">{name}</span>'
    href = reverse("forum:user_activity", args=[author.username])
    return f'<a id="post-{post.number}-author" class="author" href="{escape(href)}">{name}</a>'


# Reactions as inline SVG (24-unit grid, drawn in the text colour): emoji characters render as
# empty boxes where a device has no emoji font.
_REACTION_PATHS = {
    "like": '<path d="M12 20.5s-7.5-4.6-9.2-9.3A5 5 0 0 1 12 6.3a5 5 0 0 1 9.2 4.9c-1.7 4.7-9.2 9.3-9.2 9.3z"/>',
    "thanks": '<circle cx="12" cy="12" r="9"/><path d="M8 14.5s1.5 2 4 2 4-2 4-2M9 9.5h.01M15 9.5h.01"/>',
    "insightful": '<path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-3.8 10.6c.6.6.8 1.4.8 2.4h6c0-1 .2-1.8.8-2.4A6 6 0 0 0 12 3z"/>',
    "agree": '<path d="M7 10v11H3V10zm0 0 4-8a3 3 0 0 1 3 3v4h5.2a2 2 0 0 1 2 2.3l-1.3 8a2 2 0 0 1-2 1.7H7"/>',
    "celebrate": '<path d="m12 2.5 2.9 6 6.6.8-4.9 4.6 1.3 6.6L12 17.2l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z"/>',
}  # fmt: skip


def reaction_icon(kind: str) -> str:
    return (
        '<svg class="icon reaction-icon" width="20" height="20" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        f'aria-hidden="true" focusable="false">{_REACTION_PATHS[kind]}</svg>'
    )


@functools.cache
def _reaction_kinds(language: str | None) -> tuple[tuple[str, str, str], ...]:
    """(kind, icon, escaped label) for each reaction, translated once per process and
    language (resolving the lazy labels for every post was most of this hole's cost)."""
    return tuple(
        (kind, reaction_icon(kind), str(escape(Reaction.LABELS[kind])))
        for kind in Reaction.Kind.values
    )


# A post's reactions and tools depend on a handful of values (the post's number and counts,
# what this member may do to it and has done); many members of a page share the same ones.
# Their markup is kept per process under those values, with the CSRF placeholder in place of
# the member's token (filled in as the page is put together). Bounded: cleared when full.
_RENDERED_LIMIT = 50_000
_rendered: dict[tuple, str] = {}


def _kept(key: tuple, build) -> str:
    html = _rendered.get(key)
    if html is None:
        if len(_rendered) >= _RENDERED_LIMIT:
            _rendered.clear()
        html = _rendered[key] = build()
    return html


def _abilities(state: MemberState, post: Post) -> permissions.PostAbilities:
    abilities = state.abilities.get(post.pk)
    if abilities is None:  # a post the page's selector did not ask about
        abilities = permissions.post_abilities(state.user, post.thread, [post])[post.pk]
    return abilities


def _post_reactions(holes: Holes, arg: str) -> str:
    post, state = _post(holes, arg), _state(holes)
    can_react = _abilities(state, post).react
    mine = state.my_reactions.get(post.pk)
    counts = post.reaction_counts
    key = (
        "reactions",
        post.pk,
        post.number,
        can_react,
        tuple(sorted(mine)) if mine else (),
        tuple(counts.items()),
        holes.language(),
    )
    return _kept(key, lambda: _reactions_html(post, can_react, mine or (), counts, key[-1]))


def _reactions_html(post: Post, can_react: bool, mine, counts: dict, language) -> str:
    out = []
    if can_react:
        action, csrf_input = _url("forum:react", post.pk), CSRF_INPUT.format(csrf_placeholder())
    for kind, icon, label in _reaction_kinds(language):
        count = counts.get(kind, 0)
        if can_react:
            pressed = kind in mine
            out.append(
                f'<li><form method="post" action="{action}" class="inline-form">'
                f'{csrf_input}<input type="hidden" name="kind" value="{kind}">'
                f'<button type="submit" class="reaction{" mine" if pressed else ""}" '
                f'aria-pressed="{"true" if pressed else "false"}" data-kind="{kind}">'
                f'{icon} <span class="visually-hidden">{label}</span> '
                f'<span class="count">{count}</span></button></form></li>'
            )
        elif count:
            out.append(
                f'<li class="reaction" data-kind="{kind}">{icon} '
                f'<span class="visually-hidden">{label}:</span> <span class="count">{count}</span></li>'
            )
    if any(counts.values()):
        out.append(
            f'<li class="who-reacted"><a href="{_url("forum:reactions", post.pk)}">Who reacted'
            f'<span class="visually-hidden"> to post {post.number}</span></a></li>'
        )
    return "".join(out)


def _button_form(action: str, label: str, number: int) -> str:
    csrf_input = CSRF_INPUT.format(csrf_placeholder())  # filled in as the page is put together
    return (
        f'<li><form method="post" action="{action}" class="inline-form">{csrf_input}'
        f'<button type="submit" class="link-button">{label}<span class="visually-hidden"> post '
        f"{number}</span></button></form></li>"
    )


def _post_tools(holes: Holes, arg: str) -> str:
    post, state = _post(holes, arg), _state(holes)
    n, pk = post.number, post.pk
    deleted = post.deleted_at is not None
    if not state.is_authenticated:
        if deleted:
            return ""
        return (
            f'<ul class="tools" aria-label="Post tools"><li><a href="'
            f'{_url("privacy:visitor_report", pk)}" rel="nofollow">Report<span '
            f'class="visually-hidden"> post {n}</span></a></li></ul>'
        )
    user = state.user
    own = post.author_id == user.pk
    key = (
        "tools",
        pk,
        n,
        post.thread_id,
        deleted,
        own,
        state.can_reply,
        pk in state.my_bookmarks,
        _abilities(state, post),
        state.is_moderator and post.status == Status.HELD,
        own and (post.status == Status.HIDDEN or (deleted and post.deleted_by_id != user.pk)),
    )
    return _kept(key, lambda: _tools_html(*key[1:]))


def _tools_html(
    pk, n, thread_id, deleted, own, can_reply, marked, abilities, approvable, appealable
) -> str:
    out = ['<ul class="tools" aria-label="Post tools">']
    csrf_input = CSRF_INPUT.format(csrf_placeholder())
    if can_reply and not deleted:
        reply = _url("forum:reply", thread_id)
        out.append(
            f'<li><a href="{reply}?to={pk}">Reply<span class="visually-hidden"> to post {n}'
            f'</span></a></li><li><a href="{reply}?quote={pk}">Quote<span '
            f'class="visually-hidden"> post {n}</span></a></li>'
        )
    if not deleted:
        out.append(
            f'<li><form method="post" action="{_url("forum:bookmark", pk)}" class="inline-form">'
            f'{csrf_input}<button type="submit" class="link-button" aria-pressed="'
            f'{"true" if marked else "false"}">{"Bookmarked" if marked else "Bookmark"}<span '
            f'class="visually-hidden"> post {n}</span></button></form></li>'
        )
    if not deleted and abilities.edit:
        out.append(
            f'<li><a href="{_url("forum:edit_post", pk)}">Edit<span class="visually-hidden"> '
            f"post {n}</span></a></li>"
        )
    if not deleted and abilities.delete:
        out.append(_button_form(_url("forum:delete_post", pk), "Delete", n))
    if deleted and abilities.restore:
        out.append(_button_form(_url("forum:restore_post", pk), "Restore", n))
    if not deleted and not own:
        out.append(
            f'<li><a href="{_url("moderation:flag", pk)}">Flag<span class="visually-hidden"> '
            f"post {n}</span></a></li>"
        )
    if approvable:
        out.append(_button_form(_url("moderation:approve_post", pk), "Approve", n))
    if appealable:
        out.append(
            f'<li><a href="{_url("privacy:appeal", pk)}">Appeal<span class="visually-hidden"> '
            f"the decision on post {n}</span></a></li>"
        )
    out.append("</ul>")
    return "".join(out)


@functools.cache
def blank_reply_form() -> str:
    # The same for every member and thread, and rendering a form through Django's form
    # templates costs about 2 ms: render it once per process.
    from .forms import ReplyForm

    return ReplyForm().render()


def composer_buttons(*, thread_id: int | None = None) -> str:
    """Preview and Save draft beside Post: both work without JavaScript (formaction), and the
    composer script does the same in place."""
    target = f'<input type="hidden" name="thread" value="{thread_id}">' if thread_id else ""
    return target + _composer_buttons()


@functools.cache
def _composer_buttons() -> str:  # reversed once per process, not on every thread page
    return (
        f'<button type="submit" class="button secondary" formaction="'
        f'{reverse("forum:preview")}" formnovalidate data-composer-preview>Preview</button> '
        f'<button type="submit" class="button secondary" formaction="{reverse("forum:save_draft")}"'
        " formnovalidate data-composer-save>Save draft</button>"
    )


def _reply_box(holes: Holes, arg: str) -> str:
    """The reply form, or why there is none: who may reply is the member's own (and so is the
    draft it opens with)."""
    state, thread = _state(holes), holes.items["thread"]
    if state.can_reply:
        draft = getattr(thread, "draft_source", None)
        if draft:
            from .forms import ReplyForm

            form = ReplyForm(initial={"source": draft}).render()
            note = '<p class="draft-note" data-draft-note>Your unsent reply was kept.</p>\n      '
        else:
            form, note = blank_reply_form(), ""
        return (
            '<h2 id="reply-heading">Reply</h2>\n    <form method="post" action="'
            f'{_url("forum:reply", thread.pk)}" enctype="multipart/form-data" class="composer" '
            f'data-composer data-draft-key="thread-{thread.pk}">'
            f"\n      {holes.csrf_input()}\n      {note}{form}\n      "
            '<div class="composer-actions"><button type="submit" class="button">Post reply</button> '
            f"{composer_buttons(thread_id=thread.pk)}</div>\n    </form>"
        )
    if thread.is_archived:
        return (
            '<h2 id="reply-heading">Replies</h2>\n    <p>This thread is archived: it is kept for '
            "reference and closed to replies.</p>"
        )
    if thread.is_closed:
        return (
            '<h2 id="reply-heading">Replies</h2>\n    <p>This thread is closed to new replies.</p>'
        )
    if not state.is_authenticated:
        here = quote(holes.request.get_full_path(), safe="/") if holes.request else ""
        return (
            '<h2 id="reply-heading">Join the conversation</h2>\n    <p><a href="'
            f'{reverse("account_login")}?next={escape(here)}">Sign in</a> or <a href="'
            f'{reverse("account_signup")}">join the network</a> to reply.</p>'
        )
    return (
        '<h2 id="reply-heading">Replies</h2>\n    <p>You can read this thread but not reply in '
        "this space.</p>"
    )


def _thread_first_unread(holes: Holes, arg: str) -> str:
    """A jump to the member's first unread post, when they have one (read with the thread)."""
    thread = holes.items["thread"]
    last = getattr(thread, "last_read", None)
    if last is None or last >= thread.highest_post_number:
        return ""
    number = last + 1
    # Reading this page marks it read: a jump only to unread posts past it.
    on_page = [p.number for p in holes.items.values() if isinstance(p, Post)]
    if on_page and number <= max(on_page):
        return ""
    href = reverse("forum:post", args=[thread.slug, thread.pk, number])
    return f'<li><a href="{escape(href)}#post-{number}">First unread (post {number})</a></li>'


# ---- thread lists -------------------------------------------------------------------------


def _row_unread_class(holes: Holes, arg: str) -> str:
    return " has-unread" if holes.items[arg].unread_count else ""


@functools.lru_cache(maxsize=4096)
def _post_url_around(slug: str, thread_id: int) -> tuple[str, str]:
    """A thread's post URL around the post's number (a list's unread badges asked reverse()
    for each row, for every member)."""
    return _url_around.__wrapped__("forum:post", slug, thread_id)


def _row_badge(holes: Holes, arg: str) -> str:
    """ "New" for a thread the member has not opened, or a link to their first unread post."""
    thread = holes.items[arg]
    user = getattr(holes.request, "user", None)
    if thread.last_read is None and user is not None and user.is_authenticated:
        return '<span class="badge new">New</span>'
    if thread.unread_count:
        before, after = _post_url_around(thread.slug, thread.pk)
        href = f"{before}{thread.last_read + 1}{after}"
        return f'<a class="badge unread" href="{href}">{thread.unread_count} unread</a>'
    return ""


def _space_actions(holes: Holes, arg: str) -> str:
    """Start a thread, join or leave: what this member may do in the space."""
    space, user = holes.items["space"], getattr(holes.request, "user", None)
    is_member = space.pk in permissions.member_space_ids(user)
    out = []
    if permissions.can_post_in_space(user, space):
        href = f"{reverse('forum:start_thread')}?space={escape(space.slug)}"
        out.append(f'<a class="button" href="{href}">Start a thread</a>')
    if permissions.can_join_space(user, space) and not is_member:
        action, label = reverse("forum:join", args=[space.slug]), "Join this group"
    elif is_member and space.open_membership:
        action, label = reverse("forum:leave", args=[space.slug]), "Leave this group"
    else:
        return "\n      ".join(out)
    out.append(
        f'<form method="post" action="{action}" class="inline-form">{holes.csrf_input()}'
        f'<button type="submit" class="button secondary">{label}</button></form>'
    )
    return "\n      ".join(out)


def _accepted_answer(holes: Holes, arg: str) -> str:
    """The accepted answer under the first post, and whether this member may change it.

    A hole because both are the viewer's: the answer only if they may read it, the tools only
    if they may choose. No query for a thread without an answer.
    """
    from django.template.loader import render_to_string

    from .selectors import accepted_answer

    thread, user = holes.items["thread"], holes.request.user
    answer = accepted_answer(viewer=user, thread=thread)
    can_choose = permissions.can_accept_answer(user, thread)
    if answer is None and not can_choose:
        return ""
    return render_to_string(
        "forum/_accepted_answer.html",
        {
            "thread": thread,
            "answer": answer,
            "can_choose": can_choose,
            # Only a member who may change the answer gets a form (and so a CSRF token):
            # a visitor's page stays free of tokens, so the anonymous page cache can keep it.
            "csrf_token": holes.csrf_token() if can_choose else "",
        },
    )


register_hole("accepted_answer", _accepted_answer)
register_hole("row_unread_class", _row_unread_class)
register_hole("row_badge", _row_badge)
register_hole("space_actions", _space_actions)
register_hole("reply_box", _reply_box)
register_hole("thread_first_unread", _thread_first_unread)
register_hole("member_link", _member_link)
register_hole("search_q", _search_query)
register_hole("messages", _messages)
register_hole("post_author", _post_author)
register_hole("post_reactions", _post_reactions)
register_hole("post_tools", _post_tools)
