"""Project what the network knows onto one of Discourse's documented answer shapes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """The fields Discourse documents for one answer (see api/spec/make_shapes.py)."""

    required: dict
    optional: tuple[str, ...]
    types: dict[str, tuple[str, ...]]  # each field's JSON types, as documented
    open: bool  # whether Discourse allows fields beyond those it documents
    # For fields holding objects (or lists of them) with a closed set of keys: those keys.
    nested: dict[str, tuple[str, ...]]

    def project(self, known: dict, extra: dict | None = None) -> dict:
        """Discourse's fields: ours where we know them, else the neutral value for a feature
        the network does not have; then `extra` (registered extension fields)."""
        data = {}
        for key, neutral in self.required.items():
            data[key] = known.get(key, neutral)
        for key in self.optional:
            # An optional field the network has no value for is left out, as Discourse does.
            if known.get(key) is not None:
                data[key] = known[key]
        if self.open:
            # Where Discourse allows more than it documents, what we know goes too (Discourse
            # sends a topic's tags in lists, for instance, though its document omits them).
            for key, value in known.items():
                if key not in data and value is not None:
                    data[key] = value
        for key, allowed in self.nested.items():
            value = data.get(key)
            if isinstance(value, dict):
                data[key] = {k: v for k, v in value.items() if k in allowed}
            elif isinstance(value, list):
                data[key] = [
                    {k: v for k, v in item.items() if k in allowed}
                    if isinstance(item, dict) else item
                    for item in value
                ]  # fmt: skip
        for key, value in data.items():
            data[key] = _as_documented(value, self.types.get(key, ()))
        if extra:
            data.update(extra)
        return data


def _as_documented(value, types: tuple[str, ...]):
    """The value in a JSON type the document allows for its field: Discourse documents some
    ids as strings, and some flags as strings or null in one answer and booleans in another."""
    if not types or value is None:
        return value
    if isinstance(value, bool):
        if "boolean" in types:
            return value
        if "null" in types and not value:
            return None
        return "true" if value else "false" if "string" in types else value
    if isinstance(value, int) and "integer" not in types and "number" not in types:
        return str(value) if "string" in types else value
    return value
