"""One list of event types (community.events.EVENT_TYPES): everything listened for is on it
and is published somewhere; everything published is on it."""

from __future__ import annotations

import ast
from pathlib import Path

from community.events import EVENT_TYPES
from notifications import push, recording

ROOT = Path(__file__).resolve().parents[2]


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def published_types() -> dict[str, str]:
    """Event types the domain publishes: the "type" of event dicts and the first argument of
    event-building helpers, in every module that calls publish_on_commit."""
    found: dict[str, str] = {}
    paths = [
        *ROOT.glob("community/**/*.py"),
        *ROOT.glob("api/**/*.py"),
        *ROOT.glob("notifications/**/*.py"),
        *ROOT.glob("webhooks/**/*.py"),
        *ROOT.glob("ops/**/*.py"),
    ]
    for path in paths:
        if "migrations" in path.parts or path.name == "events.py":
            continue
        text = path.read_text()
        if "publish_on_commit" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            values: set[str] = set()
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "type":
                        values |= _strings(value)
            elif isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name.endswith("event"):
                    values |= _strings(node.args[0])
            for value in values:
                found.setdefault(value, str(path.relative_to(ROOT)))
    return found


def listened_types() -> set[str]:
    return recording.handled_types() | set(push.LISTENED_TYPES)


def test_every_type_listened_for_is_on_the_list():
    assert listened_types() - EVENT_TYPES == set()


def test_every_type_listened_for_is_published_somewhere():
    assert listened_types() - set(published_types()) == set()


def test_every_published_type_is_on_the_list():
    assert set(published_types()) - EVENT_TYPES == set()


def test_access_changes_are_published():
    published = published_types()
    for kind in ("access.changed", "thread.hidden", "space.visibility_changed", "member.verified"):
        assert kind in published


def test_push_device_actions_are_published():
    published = published_types()
    for kind in ("push.device_added", "push.device_removed", "push.preferences_changed"):
        assert published.get(kind) == "notifications/actions.py"
