"""Keep a post's Poll rows in step with the `[poll]` blocks of its text (the forum's post hook)."""

from __future__ import annotations

import bleach
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from community import markup

from . import permissions
from .models import Poll, PollOption
from .parsing import PollSpec

MAX_POLLS_PER_POST = 10


def _specs(rendered) -> list[PollSpec]:
    return list(rendered.blocks.get("poll", []))


def _same_choices(poll: Poll, spec: PollSpec) -> bool:
    texts = [o.text for o in poll.options.all()]
    return poll.type == spec.type and texts == [_plain(html) for html, _t in spec.options]


def _plain(html: str) -> str:
    return bleach.clean(markup.sanitise(html), tags=set(), strip=True).strip()[:500]


class PollPostHook:
    """Refuses a post whose polls are wrong, and writes its polls once it is saved."""

    def check(self, *, author, space, post, rendered) -> None:
        specs = _specs(rendered)
        problems: list[str] = []
        names = [s.name for s in specs]
        if len(specs) > MAX_POLLS_PER_POST:
            problems.append(_("A post can hold up to %(max)d polls.") % {"max": MAX_POLLS_PER_POST})
        if len(set(names)) != len(names):
            problems.append(_("Each poll in a post needs its own name, like [poll name=second]."))
        for spec in specs:
            for problem in spec.problems:
                problems.append(
                    _("Poll “%(name)s”: %(problem)s") % {"name": spec.name, "problem": problem}
                )
            if spec.public and not permissions.allows_public_polls(space):
                problems.append(
                    _("Poll “%(name)s”: public=true shows who voted, so it can only be used in spaces that members under 18 cannot read (such as LA leads). Remove public=true to keep votes anonymous.")
                    % {"name": spec.name}
                )  # fmt: skip
        if post is not None and post.pk:
            wanted = {s.name: s for s in specs}
            voted = Poll.objects.filter(post=post, voter_count__gt=0).prefetch_related("options")
            for poll in voted:
                spec = wanted.get(poll.name)
                if spec is None or not _same_choices(poll, spec):
                    problems.append(
                        _("The poll “%(name)s” already has votes, so its options can no longer be changed or removed. Your text is kept: put the poll's options back as they were, or close it and add a new poll with another name.")
                        % {"name": poll.name}
                    )  # fmt: skip
        if problems:
            raise ValidationError({"source": problems})

    def saved(self, *, post, rendered, created: bool) -> None:
        specs = _specs(rendered)
        if created and not specs:
            return  # a new post without a poll has no rows to keep in step: no query
        existing = {} if created else {p.name: p for p in Poll.objects.filter(post=post)}
        for name, poll in existing.items():
            if name not in {s.name for s in specs}:
                poll.delete()  # only polls without votes get here: check() refused the rest
        for spec in specs:
            poll = existing.get(spec.name) or Poll(post=post, name=spec.name)
            keep_options = poll.pk is not None and _same_choices(poll, spec)
            poll.title = spec.title
            poll.type = spec.type
            poll.results = spec.results
            poll.public = spec.public
            poll.close_at = spec.close_at
            poll.min_choices, poll.max_choices, poll.step = (
                spec.min_choices, spec.max_choices, spec.step,
            )  # fmt: skip
            poll.save()
            if not keep_options:
                poll.options.all().delete()
                PollOption.objects.bulk_create(
                    PollOption(poll=poll, position=i, html=markup.sanitise(html), text=_plain(html))
                    for i, (html, _text) in enumerate(spec.options, start=1)
                )
