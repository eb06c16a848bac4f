"""The composer's "Add a poll" fields, written out as Discourse's poll syntax for the member."""

from __future__ import annotations

from collections.abc import Mapping

from .parsing import RESULTS, TYPES


def expand_poll_fields(data: Mapping[str, str]) -> str:
    """`[poll ...]...[/poll]` from the builder's fields; nothing when they were left empty."""
    question = " ".join((data.get("poll_question") or "").split())[:300]
    kind = data.get("poll_type") or "regular"
    options = [
        line.strip().lstrip("*-+ ").strip()
        for line in (data.get("poll_options") or "").splitlines()
        if line.strip()
    ]
    if not options and not (kind == "number" and question):
        return ""
    kind = kind if kind in TYPES else "regular"
    results = data.get("poll_results") or "always"
    results = results if results in RESULTS else "always"
    attributes = [f"type={kind}", f"results={results}"]
    close = (data.get("poll_close") or "").strip()
    if close:
        attributes.append(f"close={close.split()[0]}")
    lines = [f"[poll {' '.join(attributes)}]"]
    if question:
        lines.append(f"# {question}")
    if kind != "number":
        lines += [f"* {option}" for option in options]
    lines.append("[/poll]")
    return "\n".join(lines)
