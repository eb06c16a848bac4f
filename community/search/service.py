"""search(viewer, text): the one entry point, for the search page and the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import backends, registry
from .query import ParsedQuery, parse

PER_PAGE = 20


@dataclass
class SearchResults:
    query: ParsedQuery
    hits: list[registry.Hit] = field(default_factory=list)
    page: int = 1
    has_next: bool = False

    @property
    def problems(self) -> list[str]:
        return self.query.problems

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search(
    viewer, text: str, *, page: int = 1, per_page: int = PER_PAGE, kinds: list[str] | None = None
) -> SearchResults:
    """Find what this viewer may read that matches the text, ranked, with snippets."""
    query = parse(text)
    page = max(page, 1)
    results = SearchResults(query=query, page=page)
    if query.problems or not (query.has_terms or query.has_filters):
        return results
    candidates = {}
    for kind, provider in registry.providers().items():
        if kinds is not None and kind not in kinds:
            continue
        ids = provider.candidates(viewer, query)
        if ids is not None:
            candidates[kind] = ids
    matches = backends.match(
        candidates=candidates, query=query, offset=(page - 1) * per_page, limit=per_page + 1
    )
    results.has_next = len(matches) > per_page
    matches = matches[:per_page]
    loaded: dict[str, dict[int, registry.Hit]] = {}
    for kind in {m.kind for m in matches}:
        ids = [m.object_id for m in matches if m.kind == kind]
        loaded[kind] = registry.get(kind).load(viewer, ids)
    for m in matches:
        hit = loaded.get(m.kind, {}).get(m.object_id)
        if hit is not None:
            hit.snippet = m.snippet
            results.hits.append(hit)
    return results
