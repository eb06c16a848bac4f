"""Screens a post passes through before it is written: moderation registers them here.

The forum only knows the verdicts (block with a reason, hold for review with reasons and
highlighted matches, or replace the text with a censored one), not the rules behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Verdict:
    blocked: str = ""
    held_reasons: list[str] = field(default_factory=list)
    # What matched, so a moderator sees it highlighted: [(reason, matched text), ...]
    matches: list[tuple[str, str]] = field(default_factory=list)
    censored_source: str | None = None
    # Published, but a moderator should look: [reason, ...]
    flag_reasons: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.held_reasons)


@dataclass(frozen=True)
class Submission:
    author: object
    space: object
    source: str
    html: str
    is_new_thread: bool
    is_edit: bool = False


Screen = Callable[[Submission, Verdict], None]
_screens: list[Screen] = []


def register(screen: Screen) -> Screen:
    if screen not in _screens:
        _screens.append(screen)
    return screen


_reads: list[Callable[[], list[str]]] = []


def register_reads(keys: Callable[[], list[str]]) -> None:
    """Say which shared-cache keys the screens read (through ``fragments.cached``): the
    action reads them with the poster's rate-limit count, in one round trip."""
    if keys not in _reads:
        _reads.append(keys)


def cache_reads() -> list[str]:
    return [key for keys in list(_reads) for key in keys()]


def screen(submission: Submission) -> Verdict:
    """Run every registered screen; each may block, hold or censor."""
    verdict = Verdict()
    for check in list(_screens):
        check(submission, verdict)
        if verdict.blocked:
            break
    return verdict
