"""Read `[poll ...]...[/poll]` blocks, Discourse's syntax, when a post is rendered.

    [poll type=regular|multiple|number|ranked_choice results=always|on_vote|on_close|staff_only
          public=true|false close=2026-12-01T17:00:00Z name=lunch min=1 max=2 step=1]
    # An optional question
    * an option
    * another option
    [/poll]

Rendering never fails: problems are collected on the spec, and the polls' post hook refuses
the post with them before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

TYPES = ("regular", "multiple", "number", "ranked_choice")
RESULTS = ("always", "on_vote", "on_close", "staff_only")
MAX_OPTIONS = 50
NAME_RE = re.compile(r"^[\w-]{1,50}$")
OPTION_RE = re.compile(r"^\s*(?:[*+-]|\d+[.)])\s+(.+?)\s*$")
TITLE_RE = re.compile(r"^\s*#+\s*(.+?)\s*$")
# Where a poll sits in a post's stored HTML; the thread page puts the member's form there.
STATIC_RE = re.compile(
    r'<div class="poll" data-poll-name="(?P<name>[^"]+)">.*?<span class="poll-end"></span></div>',
    re.DOTALL,
)


@dataclass
class PollSpec:
    name: str = "poll"
    type: str = "regular"
    results: str = "always"
    public: bool = False
    close_at: datetime | None = None
    min_choices: int | None = None
    max_choices: int | None = None
    step: int | None = None
    title: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)  # (html, text)
    problems: list[str] = field(default_factory=list)

    @property
    def option_texts(self) -> list[str]:
        return [text for _html, text in self.options]


def _int(value: str | None, name: str, problems: list[str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        problems.append(_("%(name)s= needs a whole number.") % {"name": name})
        return None
    if number < 0:
        problems.append(_("%(name)s= cannot be below 0.") % {"name": name})
        return None
    return number


def _close_at(value: str | None, problems: list[str]) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None and parse_date(value) is not None:
        moment = datetime.combine(parse_date(value), datetime.min.time())
    if moment is None:
        problems.append(
            _("close= needs a date and time, like 2026-12-01T17:00, or a date like 2026-12-01.")
        )
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse(attributes: dict[str, str], body: str, inline: Callable[[str], str]) -> PollSpec:
    """The poll a block describes, with any problems in plain words."""
    problems: list[str] = []
    spec = PollSpec(problems=problems)
    spec.name = attributes.get("name", "poll") or "poll"
    if not NAME_RE.match(spec.name):
        problems.append(_("name= can use letters, numbers, - and _ only (up to 50)."))
        spec.name = "poll"
    spec.type = attributes.get("type", "regular").lower()
    if spec.type not in TYPES:
        problems.append(_("type= can be regular, multiple, number or ranked_choice."))
        spec.type = "regular"
    spec.results = attributes.get("results", "always").lower()
    if spec.results not in RESULTS:
        problems.append(_("results= can be always, on_vote, on_close or staff_only."))
        spec.results = "always"
    public = attributes.get("public", "false").lower()
    if public not in ("true", "false"):
        problems.append(_("public= can be true or false."))
    spec.public = public == "true"
    spec.close_at = _close_at(attributes.get("close"), problems)
    spec.min_choices = _int(attributes.get("min"), "min", problems)
    spec.max_choices = _int(attributes.get("max"), "max", problems)
    spec.step = _int(attributes.get("step"), "step", problems)
    for line in body.splitlines():
        title = TITLE_RE.match(line)
        if title and not spec.title and not spec.options:
            spec.title = title.group(1)[:300]
            continue
        option = OPTION_RE.match(line)
        if option:
            text = option.group(1)[:500]
            spec.options.append((inline(text), text))
    if spec.type == "number":
        low = spec.min_choices if spec.min_choices is not None else 1
        high = spec.max_choices if spec.max_choices is not None else 10
        step = spec.step or 1
        if high < low:
            problems.append(_("In a number poll, max= must be at least min=."))
        numbers = list(range(low, high + 1, step))
        if len(numbers) > MAX_OPTIONS:
            problems.append(
                _(
                    "A number poll can offer up to %(max)d numbers: raise step= or narrow min= and max=."
                )
                % {"max": MAX_OPTIONS}
            )
            numbers = numbers[:MAX_OPTIONS]
        spec.options = [(str(n), str(n)) for n in numbers]
        spec.min_choices, spec.max_choices, spec.step = low, high, step
    else:
        texts = spec.option_texts
        if len(texts) < 2:
            problems.append(
                _("A poll needs at least two options, each on its own line starting with *.")
            )
        if len(texts) > MAX_OPTIONS:
            problems.append(_("A poll can have up to %(max)d options.") % {"max": MAX_OPTIONS})
        if len({t.strip().lower() for t in texts}) != len(texts):
            problems.append(_("Each option of a poll must be different."))
        if spec.type == "multiple":
            count = len(texts)
            low = spec.min_choices if spec.min_choices is not None else 1
            high = spec.max_choices if spec.max_choices is not None else count
            if not (1 <= low <= high <= max(count, 1)):
                problems.append(
                    _("In a multiple-choice poll, min= and max= must be between 1 and the number of options.")
                )  # fmt: skip
            spec.min_choices, spec.max_choices = low, high
        else:
            spec.min_choices = spec.max_choices = spec.step = None
    return spec


def render_block(attributes: dict[str, str], body: str, inline) -> tuple[str, PollSpec]:
    """The poll as the post's stored HTML: its question and options, the same for everyone.

    The thread page puts the member's voting form or the results in its place; search,
    feeds, emails and the API's `cooked` see this.
    """
    spec = parse(attributes, body, inline)
    parts = [f'<div class="poll" data-poll-name="{escape(spec.name)}">']
    if spec.title:
        parts.append(f'<p class="poll-title"><strong>{escape(spec.title)}</strong></p>')
    parts.append('<ul class="poll-options">')
    parts += [f"<li>{html}</li>" for html, _text in spec.options]
    parts.append('</ul><span class="poll-end"></span></div>')
    return "".join(parts), spec
