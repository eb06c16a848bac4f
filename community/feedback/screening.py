"""Feedback is screened like a post: personal details hold it, safeguarding words alert the leads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from community.moderation.screening import find_personal_data

# Words that may mean a child or adult is at risk. A match never blocks what someone tells
# us: it flags the response and alerts the designated safeguarding leads.
SAFEGUARDING_WORDS = (
    r"abus\w*", r"self[- ]?harm\w*", r"suicid\w*", r"kill (?:my|him|her)sel(?:f|ves)",
    r"hurt(?:s|ing)? (?:me|myself|us|my (?:child|son|daughter|baby))", r"hits? (?:me|us)",
    r"not safe", r"unsafe at home", r"scared to go home", r"neglect\w*", r"groom\w*",
    r"want to die", r"end my life", r"domestic violence",
)  # fmt: skip
SAFEGUARDING_RE = re.compile(r"\b(?:" + "|".join(SAFEGUARDING_WORDS) + r")\b", re.IGNORECASE)


@dataclass
class Screened:
    held_reasons: list[str] = field(default_factory=list)
    matches: list[tuple[str, str]] = field(default_factory=list)
    safeguarding: bool = False


def screen(text: str) -> Screened:
    result = Screened()
    personal = find_personal_data(text)
    if personal:
        kinds = sorted({m.kind for m in personal})
        result.held_reasons.append(
            _("It may contain personal details (%(kinds)s).") % {"kinds": ", ".join(kinds)}
        )
        result.matches += [(m.kind, m.text) for m in personal]
    found = [m.group(0) for m in SAFEGUARDING_RE.finditer(text)]
    if found:
        result.safeguarding = True
        result.matches += [("safeguarding", word) for word in found]
    return result
