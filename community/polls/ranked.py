"""Instant-runoff counting for ranked-choice polls, the way Discourse's ranked_choice works.

Each round counts every ballot for its highest-ranked option still in the race; an option
with more than half of those ballots wins; otherwise the option(s) with the fewest are
eliminated and their ballots move to their next choice. If every option left is tied, the
result is a tie.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Round:
    number: int
    counts: dict[int, int]  # option id -> ballots this round
    eliminated: list[int] = field(default_factory=list)


@dataclass
class Outcome:
    winner: int | None
    tied: list[int]
    rounds: list[Round]


def instant_runoff(ballots: list[list[int]], options: list[int]) -> Outcome:
    """Count ballots (option ids, most preferred first) over the poll's options."""
    remaining = list(options)
    rounds: list[Round] = []
    ballots = [b for b in ballots if b]
    while remaining:
        counts = dict.fromkeys(remaining, 0)
        for ballot in ballots:
            for choice in ballot:
                if choice in counts:
                    counts[choice] += 1
                    break
        current = Round(number=len(rounds) + 1, counts=counts)
        rounds.append(current)
        total = sum(counts.values())
        if total == 0:
            return Outcome(winner=None, tied=[], rounds=rounds)
        leader = max(remaining, key=lambda o: (counts[o], -remaining.index(o)))
        if counts[leader] * 2 > total or len(remaining) == 1:
            return Outcome(winner=leader, tied=[], rounds=rounds)
        fewest = min(counts.values())
        losers = [o for o in remaining if counts[o] == fewest]
        if len(losers) == len(remaining):
            return Outcome(winner=None, tied=list(remaining), rounds=rounds)
        current.eliminated = losers
        remaining = [o for o in remaining if o not in losers]
    return Outcome(winner=None, tied=[], rounds=rounds)
