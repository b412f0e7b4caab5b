"""The store interface: the only place that does I/O for results.

A batch is written in one transaction (articles, their assignments, and the event and storyline
summaries they touch), so a run killed half-way keeps every batch it committed and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from storyline.models import Article, Assignment, Event, Storyline


class Store(Protocol):
    path: str

    def known_ids(self, ids: Iterable[str]) -> set[str]: ...

    def write_batch(
        self,
        articles: Sequence[Article],
        assignments: Sequence[Assignment],
        events: Sequence[Event],
        storylines: Sequence[Storyline],
        drop_events: Sequence[str] = (),
        drop_storylines: Sequence[str] = (),
    ) -> None: ...

    def articles(
        self,
        *,
        ids: Sequence[str] | None = None,
        event: str | None = None,
        storyline: str | None = None,
        with_body: bool = True,
    ) -> Iterator[Article]: ...

    def assignments(self) -> list[Assignment]: ...

    def events(self, *, storyline: str | None = None, ids: Sequence[str] | None = None) -> list[Event]: ...

    def storylines(self) -> list[Storyline]: ...

    def storyline(self, ident: str) -> Storyline: ...

    def event(self, ident: str) -> Event: ...

    def counts(self) -> dict[str, int]: ...

    def close(self) -> None: ...
