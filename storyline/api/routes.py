"""The JSON API under /api. Every route translates arguments in and calls ``Library``."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from storyline.api.errors import ApiError
from storyline.api.guard import GuardError, Policy
from storyline.api.schemas import (
    ArticleBrief,
    ArticleOut,
    CoverageOut,
    ErrorOut,
    EventDetail,
    EventOut,
    ExplainOut,
    InputArticle,
    JobOut,
    NewOut,
    Page,
    PairIn,
    SearchOut,
    SimilarityOut,
    SourcesOut,
    StatsOut,
    StorylineDetail,
    StorylineOut,
    TimelineOut,
)
from storyline.api.service import Library
from storyline.store.base import ArticleFilter

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown id"},
    422: {"model": ErrorOut, "description": "Invalid parameters"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "A body that cannot be parsed at all (e.g. not UTF-8)"},
    401: {"model": ErrorOut, "description": "A token is required (server bound beyond loopback)"},
    403: {"model": ErrorOut, "description": "Wrong token, or a cross-site request"},
    405: {"model": ErrorOut, "description": "The server is read-only"},
    413: {"model": ErrorOut, "description": "Body over the upload limit"},
    422: {"model": ErrorOut, "description": "Invalid articles"},
}

Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="Items to skip")]  # SQLite takes 64-bit
Order = Literal["relevance", "newest", "oldest"]


def lib(request: Request) -> Library:
    library: Library = request.app.state.library
    return library


def _policy(request: Request) -> Policy:
    policy: Policy = request.app.state.policy
    return policy


def check_write(request: Request, form_token: str | None = None) -> None:
    """Write calls: refuse cross-site requests (a page elsewhere posting to this server through
    the user's browser) and writes to a read-only server, and when the server has a token,
    require it (``storyline.api.guard``)."""
    try:
        _policy(request).check_write(dict(request.headers), request.url.scheme, form_token)
    except GuardError as e:
        raise ApiError(e.status, e.message) from None


def path_id(request: Request, ident: str) -> str:
    """The id at the end of the URL, percent-decoded exactly once from the raw path. Ids are
    opaque (``/``, ``%``, ``?`` allowed, see ``storyline.models.id_problem``): a decoded path has
    lost the difference between ``a%2Fb`` and ``a/b``, and some servers decode twice."""
    raw = request.scope.get("raw_path")
    if not raw:
        return ident
    tail = raw.decode("latin-1").split("?", 1)[0].rsplit("/articles/", 1)[-1]
    return urllib.parse.unquote(tail, errors="strict")


def writer(request: Request) -> None:
    check_write(request)


def reader(request: Request) -> None:
    """Every call of the JSON API: the server's token when it has one (reads included)."""
    try:
        _policy(request).check_token(dict(request.headers))
    except GuardError as e:
        raise ApiError(e.status, e.message) from None


def _iso_only(v: Any) -> Any:
    """A date parameter is an ISO date ("2021-01-21"), not a number read as a Unix time."""
    if isinstance(v, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
        raise ValueError("expected an ISO date such as 2021-01-21")
    return v


IsoDate = Annotated[dt.date, BeforeValidator(_iso_only)]


def article_filter(
    q: Annotated[str | None, Query(max_length=500, description="Full-text query, any language")] = None,
    lang: Annotated[str | None, Query(max_length=16, description="ISO 639-1 code")] = None,
    source: Annotated[str | None, Query(max_length=300, description="Outlet name")] = None,
    date_from: Annotated[IsoDate | None, Query(alias="from", description="Published on or after")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to", description="Published on or before")] = None,
    entity: Annotated[str | None, Query(max_length=300, description="Entity key (place:TR) or name")] = None,
    event: Annotated[str | None, Query(max_length=100)] = None,
    storyline: Annotated[str | None, Query(max_length=100)] = None,
) -> ArticleFilter:
    return ArticleFilter(query=q or None, lang=lang or None, source=source or None, date_from=date_from,
                         date_to=date_to, entity=entity or None, event=event or None, storyline=storyline or None)


Filter = Annotated[ArticleFilter, Depends(article_filter)]
Lib = Annotated[Library, Depends(lib)]

router = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(reader)])


@router.get("/storylines", response_model=Page[StorylineOut], tags=["storylines"])
def list_storylines(
    L: Lib, limit: Limit = 20, offset: Offset = 0,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    name: Annotated[str | None, Query(max_length=200, description="Part of the storyline's name")] = None,
    sort: Annotated[Literal["recent", "size", "languages"], Query(
        description="recent: latest activity first; size: most articles first; languages: most languages first")
    ] = "recent",
    min_articles: Annotated[int, Query(ge=1, le=1_000_000, description="Only storylines with this many articles")] = 1,
) -> Page[StorylineOut]:
    """Storylines (latest activity first unless ``sort`` says otherwise): name, time span, counts,
    languages and outlets."""
    return L.storylines(lang=lang, name=name, limit=limit, offset=offset, sort=sort, min_articles=min_articles)


@router.get("/storylines/{ident}", response_model=StorylineDetail, tags=["storylines"])
def get_storyline(
    L: Lib, ident: str,
    entity: Annotated[str | None, Query(max_length=300, description="Only events mentioning this entity")] = None,
) -> StorylineDetail:
    """One storyline with its events and its main people, places and organisations."""
    return L.storyline(ident, entity=entity)


@router.get("/storylines/{ident}/timeline", response_model=TimelineOut, tags=["storylines"])
def get_timeline(
    L: Lib, ident: str,
    dates: Annotated[int | None, Query(ge=1, le=500, description="At most N dates")] = None,
    sentences: Annotated[int, Query(ge=1, le=10, description="Sentences per date")] = 2,
) -> TimelineOut:
    """The storyline as dated entries, each with short extractive summary sentences."""
    return L.timeline(ident, dates=dates, sentences=sentences)


@router.get("/storylines/{ident}/coverage", response_model=CoverageOut, tags=["storylines"])
def get_coverage(L: Lib, ident: str) -> CoverageOut:
    """Articles per publish date, language and outlet."""
    return L.coverage(ident)


@router.get("/events", response_model=Page[EventOut], tags=["events"])
def list_events(
    L: Lib, limit: Limit = 50, offset: Offset = 0, storyline: Annotated[str | None, Query(max_length=100)] = None
) -> Page[EventOut]:
    """Events, newest first (oldest first within one storyline)."""
    return L.events(storyline=storyline, limit=limit, offset=offset)


@router.get("/events/{ident}", response_model=EventDetail, tags=["events"])
def get_event(L: Lib, ident: str) -> EventDetail:
    """One event: its headline, dates, languages, outlets and every article reporting it."""
    return L.event(ident)


@router.get("/articles", response_model=Page[ArticleBrief], tags=["articles"])
def list_articles(L: Lib, f: Filter, limit: Limit = 20, offset: Offset = 0, order: Order = "newest"
                  ) -> Page[ArticleBrief]:
    """Articles, filtered (the same filters as search; `q` is full-text)."""
    return L.articles(f, limit=limit, offset=offset, order=order)


@router.get("/articles/{ident:path}", response_model=ArticleOut, tags=["articles"])
def get_article(L: Lib, request: Request, ident: str) -> ArticleOut:
    """One article: clean text, metadata, the boilerplate removed, the entities found. The id is
    percent-encoded in the path (``a%2Fb`` for the id ``a/b``)."""
    return L.article(path_id(request, ident))


@router.get("/search", response_model=SearchOut, tags=["articles"])
def search(
    L: Lib, f: Filter, limit: Limit = 20, offset: Offset = 0, order: Order = "relevance",
    sort: Annotated[Order | None, Query(description="Same as `order` (the pages' name for it)")] = None,
) -> SearchOut:
    """Full-text search across languages (diacritics folded), with filters and facet counts; on the
    first page, the storylines and events the best matches belong to (`storylines`, `events`)."""
    return L.search(f, limit=limit, offset=offset, order=sort or order)


@router.get("/stats", response_model=StatsOut, tags=["store"])
def stats(L: Lib) -> StatsOut:
    """Counts of articles, events and storylines; articles per language, outlet and month."""
    return L.stats()


@router.get("/sources", response_model=SourcesOut, tags=["sources"])
def sources(L: Lib) -> SourcesOut:
    """The sources followed (`storyline watch`, `serve --watch`): last poll, last new article,
    articles per day, errors with their reason."""
    return L.sources()


@router.get("/new", response_model=NewOut, tags=["sources"])
def new_articles(
    L: Lib,
    since: Annotated[float, Query(ge=0, description="Unix time; the `now` of the previous answer")] = 0,
    limit: Limit = 20,
) -> NewOut:
    """Articles the watcher stored since `since`, newest first: poll it with the `now` it returns."""
    return L.new_articles(since, limit=limit)


@router.get("/explain", response_model=ExplainOut, tags=["similarity"])
def explain(
    L: Lib, a: Annotated[str, Query(max_length=300)], b: Annotated[str, Query(max_length=300)]
) -> dict[str, Any]:
    """Why two stored articles are, or are not, one event: every signal and the decision."""
    return L.explain(a, b)


@router.post("/similarity", response_model=SimilarityOut, tags=["similarity"],
             dependencies=[Depends(writer)], responses=WRITE_ERRORS)
def similarity(L: Lib, pair: PairIn) -> SimilarityOut:
    """How alike two given articles are (not stored), in [0, 1]; same event ≈ 1."""
    return SimilarityOut(similarity=round(min(1.0, max(0.0, L.similarity(pair.a, pair.b))), 4))


@router.post("/articles", response_model=JobOut, tags=["ingest"], dependencies=[Depends(writer)],
             responses={**WRITE_ERRORS, 202: {"model": JobOut, "description": "Queued (wait=false): poll the job"}})
def post_articles(
    L: Lib,
    articles: Annotated[list[InputArticle], Body(min_length=1, max_length=10_000)],
    wait: Annotated[bool, Query(description="Answer when done (200) or at once with a job to poll (202)")] = True,
) -> Any:
    """Add articles (CONTRACT.md's input format): they go through the whole pipeline and land
    in their events and storylines. The answer says where each one sits."""
    job = L.submit(records=articles)
    if wait and job.future is not None:
        job.future.result()
        return job.out()
    return JSONResponse(job.out().model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)


@router.post("/uploads", response_model=JobOut, status_code=202, tags=["ingest"], dependencies=[Depends(writer)],
             responses={**WRITE_ERRORS, 400: {"model": ErrorOut, "description": "A file of a kind storyline does "
                                                   "not read (not .txt .html .htm .jsonl .jsonl.gz)"}})
async def upload(
    request: Request, files: Annotated[list[UploadFile], File(description=".txt .html .htm .jsonl .jsonl.gz")]
) -> JobOut:
    """Upload files; they are queued for the pipeline. Poll /api/jobs/{id} for progress."""
    L: Library = request.app.state.library
    data = [(f.filename or "upload.txt", await f.read()) for f in files]
    return L.submit(files=data).out()


@router.get("/jobs/{ident}", response_model=JobOut, tags=["ingest"])
def get_job(L: Lib, ident: str) -> JobOut:
    """Progress of an ingest job, and where its articles landed."""
    return L.job(ident).out()
