"""The JSON shapes of the HTTP API. The web pages render these same objects."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from storyline.models import id_problem

T = TypeVar("T")


class ErrorBody(BaseModel):
    status: int = Field(description="The HTTP status, repeated for clients that only keep the body")
    code: str = Field(description="A stable machine-readable name: not_found, invalid_request, too_large, …")
    message: str = Field(description="What went wrong and what to do about it")
    details: list[dict[str, Any]] = Field(default_factory=list, description="Per-field problems (422)")


class ErrorOut(BaseModel):
    """Every error the API returns has this one shape."""

    error: ErrorBody


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class EntityCount(BaseModel):
    key: str = Field(description="Language-independent key, e.g. place:TR; use it as the `entity` filter")
    kind: str
    label: str
    articles: int
    variants: list[str] = Field(default=[], description="Other spellings of the same entity in these articles")


class EventOut(BaseModel):
    id: str
    storyline: str
    headline: str
    lang: str
    first: dt.date | None
    last: dt.date | None
    article_count: int
    languages: list[str]
    outlets: list[str]


class StorylineOut(BaseModel):
    id: str
    name: str
    first: dt.date | None
    last: dt.date | None
    event_count: int
    article_count: int
    languages: list[str]
    outlets: list[str]


class ArticleBrief(BaseModel):
    id: str
    title: str
    lang: str
    published: dt.date | None
    source: str | None
    event: str | None
    storyline: str | None
    url: str | None = None
    snippet: str = Field("", description="For search hits: the passage that matched, plain text")
    matches: list[str] = Field(default_factory=list, description="For search hits: the words that matched")


class StorylineDetail(StorylineOut):
    events: list[EventOut]
    entities: list[EntityCount]


class EventDetail(EventOut):
    storyline_name: str
    articles: list[ArticleBrief]


class EntityOut(BaseModel):
    key: str
    kind: str
    text: str


class ArticleOut(BaseModel):
    id: str
    title: str
    lang: str
    published: dt.date | None
    source: str | None
    url: str | None
    body: str
    removed: list[str] = Field(description="The boilerplate lines cleaning took out")
    entities: list[EntityOut]
    dates_mentioned: list[dt.date]
    event: str | None
    storyline: str | None
    encoding: str | None = Field(None, description="How the input's bytes were read when not plain UTF-8, "
                                 "e.g. 'cp1251 (guessed)' or 'utf-8, 2 bad bytes replaced'")


class TimelineSentenceOut(BaseModel):
    text: str
    article_id: str
    lang: str = Field(description="The language of the article the sentence comes from (ISO 639-1)")
    source: str | None = Field(None, description="The outlet that published it, when known")
    url: str | None = None


class TimelineEntryOut(BaseModel):
    date: dt.date
    summary: list[str] = Field(
        description="The entry's sentences in the token form timeline corpora are written and scored in "
        "(punctuation set apart); `sentences` has them as written"
    )
    article_ids: list[str]
    sentences: list[TimelineSentenceOut] = Field(
        default_factory=list, description="The summary's sentences in order, each with its article, language and outlet"
    )


class TimelineOut(BaseModel):
    storyline: str
    entries: list[TimelineEntryOut]


class CoveragePoint(BaseModel):
    date: dt.date | None
    lang: str
    source: str | None
    articles: int


class CoverageOut(BaseModel):
    storyline: str
    points: list[CoveragePoint]


class Facet(BaseModel):
    value: str
    count: int


class SearchOut(Page[ArticleBrief]):
    query: str
    facets: dict[str, list[Facet]] = Field(description="Counts of the matching articles per lang and source")
    storylines: list[StorylineOut] = Field(
        default=[], description="Storylines the matching articles belong to, most matches first (first page only)")
    events: list[EventOut] = Field(
        default=[], description="Events the matching articles belong to, most matches first (first page only)")


class StatsOut(BaseModel):
    articles: int
    events: int
    storylines: int
    languages: list[Facet]
    outlets: list[Facet]
    months: list[Facet]


class SourceErrorOut(BaseModel):
    at: dt.datetime
    url: str
    kind: str
    reason: str | None


class SourceOut(BaseModel):
    """A followed source (``storyline watch`` / ``serve --watch``) and its record."""

    url: str
    name: str | None
    lang: str | None
    interval_seconds: float
    kind: str | None = Field(description="rss, atom, sitemap, sitemapindex or html (a home page)")
    feeds: list[str] = Field(description="Feeds found on its home page, or the sitemaps of its index")
    last_poll: dt.datetime | None
    last_ok: dt.datetime | None
    last_new: dt.datetime | None = Field(description="When it last brought a new article")
    next_poll: dt.datetime | None
    articles: int
    articles_last_day: int
    articles_per_day: float = Field(description="New articles per day over the last 7 days")
    errors: int
    last_error: str | None
    recent_errors: list[SourceErrorOut]


class NewArticle(BaseModel):
    id: str
    title: str
    lang: str
    published: dt.date | None
    source: str | None
    url: str | None
    stored: dt.datetime


class NewOut(BaseModel):
    """What the watcher stored since a moment (the home page's "new since your last visit")."""

    since: float
    now: float = Field(description="The server's time: pass it as `since` next time")
    total: int
    items: list[NewArticle]


class SourcesOut(BaseModel):
    items: list[SourceOut]
    total: int
    pages: dict[str, int] = Field(description="Pages by state: queued, fetched, done, failed")


_ID_CHAR = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]"
# Printable, with at least one character that is not a dot or a space (so never "", "." or "..").
ID_PATTERN = rf"^{_ID_CHAR}*[^\s.\x00-\x1f\x7f-\x9f\u2028\u2029]{_ID_CHAR}*$"


class InputArticle(BaseModel):
    """One input article, as in CONTRACT.md: ``id`` and one of ``text``/``html`` are required."""

    # The schema says what ``storyline.models.id_problem`` refuses, so clients (and schemathesis)
    # know it: not blank, not "." or "..", no control characters or line separators.
    # (Documented, and enforced by the validator below with a reason rather than a regex.)
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": [k], "properties": {k: {"type": "string"}}} for k in ("text", "html")]})

    id: str = Field(min_length=1, max_length=300, json_schema_extra={"pattern": ID_PATTERN})
    text: str | None = None
    html: str | None = None
    title: str | None = None
    published: str | None = Field(None, description="ISO date or a raw string such as '20/05/2016'")
    lang: str | None = Field(None, max_length=16)
    source: str | None = Field(None, max_length=300)
    url: str | None = Field(None, max_length=4000)

    @model_validator(mode="after")
    def _has_content(self) -> InputArticle:
        if self.text is None and self.html is None:
            raise ValueError("an article needs `text` or `html`")
        problem = id_problem(self.id.strip())
        if problem:  # the same rule as every reader (storyline.models.id_problem)
            raise ValueError(f"bad id: {problem}")
        return self


class Placed(BaseModel):
    id: str
    event: str | None
    storyline: str | None
    title: str = ""
    event_headline: str = ""
    storyline_name: str = ""
    outcome: Literal["new event", "joined event", "already stored", "not linked"] = Field(
        default="not linked", description="Whether the article started an event of its own, joined one already "
        "stored, or was stored before this upload")
    new_storyline: bool = Field(default=False, description="The article's storyline did not exist before this upload")


class RejectedOut(BaseModel):
    input: str
    reason: str


class JobOut(BaseModel):
    """An ingest job: uploaded or posted articles going through the pipeline."""

    id: str
    state: Literal["queued", "running", "done", "failed"]
    inputs: list[str]
    total: int = Field(description="Input articles found in the upload (an estimate until read)")
    done: int
    added: int
    skipped: int
    rejected: list[RejectedOut]
    articles: list[Placed] = Field(description="Where each article of the upload sits now")
    error: str | None
    created: dt.datetime
    seconds: float


class PairIn(BaseModel):
    a: InputArticle
    b: InputArticle


class SimilarityOut(BaseModel):
    similarity: float = Field(ge=0, le=1, description="Higher = more alike; same event ≈ 1")


class ExplainOut(BaseModel):
    a: str
    b: str
    signals: dict[str, float | None]
    score: float
    event_threshold: float
    storyline_score: float
    storyline_threshold: float
    decision: str
    shared_entities: list[str]
    shared_numbers: list[str]
    stored: dict[str, dict[str, str | None]]
