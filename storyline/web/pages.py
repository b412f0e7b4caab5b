"""Page routes. Each one asks ``Library`` (the API's own calls) and renders a template;
Jinja autoescaping is on for every template, so article text always shows as text."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import math
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from storyline.api.errors import ApiError
from storyline.api.guard import GuardError
from storyline.api.routes import article_filter, check_write, path_id
from storyline.api.schemas import InputArticle
from storyline.api.service import Library
from storyline.clean.meta import undo_ptb
from storyline.enrich.gazetteer import entity_label
from storyline.errors import NotFound
from storyline.store.base import ArticleFilter
from storyline.urls import outlet
from storyline.web.charts import color, coverage_charts, timeline_axis

TEMPLATES = Path(__file__).resolve().parent / "templates"
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), trim_blocks=True,
                  lstrip_blocks=True)

LANGUAGE_NAMES = {
    "en": "English", "vi": "Vietnamese", "fr": "French", "de": "German", "es": "Spanish", "ru": "Russian",
    "tr": "Turkish", "zh": "Chinese", "ar": "Arabic", "it": "Italian", "pt": "Portuguese", "ja": "Japanese",
    "ko": "Korean", "nl": "Dutch", "pl": "Polish", "uk": "Ukrainian", "fa": "Persian", "hi": "Hindi",
    "id": "Indonesian", "th": "Thai", "el": "Greek", "sv": "Swedish", "cs": "Czech", "ro": "Romanian",
}
KIND_NAMES = {"person": "People", "place": "Places", "org": "Organisations", "other": "Other names"}


def lang_name(code: str | None) -> str:
    """A language's English name: the common ones from the table, any other from CLDR ("fi" is
    "Finnish", not "fi"), the code itself when CLDR has none."""
    if not code:
        return "unknown"
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        from babel import Locale

        return Locale("en").languages.get(code.replace("-", "_").split("_")[0]) or code
    except Exception:  # a malformed code: say it as given
        return code


def fmt_date(d: dt.date | None, empty: str = "undated") -> str:
    return d.strftime("%-d %b %Y") if d else empty


def span(a: dt.date | None, b: dt.date | None) -> str:
    if not a:
        return "undated"
    if not b or a == b:
        return fmt_date(a)
    if a.year == b.year:
        return f"{a.strftime('%-d %b')} – {fmt_date(b)}"
    return f"{fmt_date(a)} – {fmt_date(b)}"


def snippet(text: str, matches: Sequence[str] = ()) -> Markup:
    """A search snippet: escape everything, then mark the words that matched."""
    out = str(escape(text))
    words = sorted({str(escape(w)) for w in matches if w.strip()}, key=len, reverse=True)
    if words:
        pat = re.compile("|".join(re.escape(w) for w in words))
        out = pat.sub(lambda m: f"<mark>{m.group(0)}</mark>", out)
    return Markup(out)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def safe_url(url: str | None) -> str | None:
    return url if url and urllib.parse.urlsplit(url).scheme in ("http", "https") else None


def qs(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urllib.parse.urlencode({k: v for k, v in merged.items() if v not in (None, "", 0)})


def count(n: int, word: str, plural: str | None = None) -> str:
    """"1 storyline", "36 storylines", "1,118 articles": every count the pages print goes here."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


env.filters.update(readable=undo_ptb, lang_name=lang_name, outlet=outlet, date=fmt_date, snippet=snippet,
                   paragraphs=paragraphs, safe_url=safe_url, urlencode=lambda v: urllib.parse.quote(str(v), safe=""))
env.globals.update(span=span, color=color, kind_names=KIND_NAMES, qs=qs, count=count)


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    lib: Library = request.app.state.library
    policy = request.app.state.policy
    signed_in = policy.signed_in(dict(request.headers))  # a browser signed in at /login (server with a token)
    ctx.setdefault("csrf", policy.csrf)
    html = env.get_template(template).render(request=request, token_required=bool(policy.token) and not signed_in,
                                          signed_in=signed_in, db_name=Path(lib.db).name, path=request.url.path,
                                          **ctx)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    titles = {404: "Not found", 413: "Too large", 401: "Token required", 403: "Not allowed", 422: "Invalid request"}
    return render(request, "error.html", status=status, status_code=status,
                  title=titles.get(status, "Something went wrong"), message=message)


pages = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def lib(request: Request) -> Library:
    library: Library = request.app.state.library
    return library


HOME_SORTS = {"size": "Most articles", "recent": "Latest update", "languages": "Most languages"}


def page_number(raw: int | None) -> int:
    """A page number from the address, forgiving: anything below 1 is page 1 (a person editing
    the address should land on a page, not on a validation error)."""
    return max(1, raw or 1)


@pages.get("/")
def home(request: Request, lang: Annotated[str | None, Query(max_length=16)] = None,
         name: Annotated[str | None, Query(max_length=200)] = None,
         sort: Annotated[str, Query(max_length=20)] = "size",
         min: Annotated[int, Query(ge=0, le=1_000_000)] = 1,
         page: Annotated[int | None, Query(le=100_000)] = None) -> HTMLResponse:
    """Storylines, biggest first by default (a 200-article story before one-article ones), with
    the order and filters in links, so the page works without script."""
    L = lib(request)
    per = 20
    sort = sort if sort in HOME_SORTS else "size"
    n = page_number(page)
    result = L.storylines(lang=lang or None, name=name or None, limit=per, offset=(n - 1) * per, sort=sort,
                          min_articles=max(1, min))
    stats = L.stats()
    params = {"lang": lang, "name": name, "sort": sort if sort != "size" else None, "min": min if min > 1 else None}
    return render(request, "home.html", title="Storylines", result=result, stats=stats, lang=lang, name=name,
                  sort=sort, min=max(1, min), sorts=HOME_SORTS, params=params, page=n,
                  pages=max(1, math.ceil(result.total / per)), bigger=L.storylines(limit=1, min_articles=2).total)


@pages.get("/sources")
def sources_page(request: Request) -> HTMLResponse:
    """The followed sources and their record (``storyline watch``, ``serve --watch``)."""
    return render(request, "sources.html", result=lib(request).sources())


EVENTS_PER_PAGE = 20
SINGLES_PER_PAGE = 30
FOLD_FROM = 12  # a storyline with more events than this folds its one-article events


def outlet_links(ids: Sequence[str], briefs: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The articles behind a timeline entry as a reader names them: (id, language, outlet or,
    without one, a short title, the full title). Never "source 1"."""
    out: list[tuple[str, str, str, str]] = []
    seen: collections.Counter[str] = collections.Counter()
    for i in ids:
        b = briefs.get(i)
        if b is None:
            continue
        title = b.title or b.id
        label = outlet(b.source, getattr(b, "url", None)) or (
            title if len(title) <= 40 else title[:38].rsplit(" ", 1)[0] + "…")
        seen[label] += 1
        if seen[label] > 1:  # the same outlet twice: say which article
            label = f"{label} ({seen[label]})"
        out.append((b.id, b.lang, label, title))
    return out


@pages.get("/storylines/{ident}")
def storyline_page(request: Request, ident: str,
                   entity: Annotated[str | None, Query(max_length=300)] = None,
                   page: Annotated[int | None, Query(le=100_000)] = None,
                   singles: Annotated[int | None, Query(le=100_000)] = None) -> HTMLResponse:
    """One storyline. An entity filter applies to every panel (timeline, axis, coverage, events);
    events are paged, and in a big storyline the one-article events are folded away."""
    L = lib(request)
    entity = entity or None
    sl = L.storyline(ident, entity=entity)
    timeline = L.timeline(ident, sentences=2, entity=entity)
    cov = L.coverage(ident, entity=entity)
    charts = coverage_charts([(p.date, p.lang, p.source, p.articles) for p in cov.points])
    hits = L.storyline_articles(ident, entity)
    briefs = {h.id: h for h in hits}
    sources = {e.date: outlet_links(e.article_ids, briefs) for e in timeline.entries}
    per_day: collections.Counter[dt.date] = collections.Counter(h.published for h in hits if h.published)
    axis = None
    if per_day and sl.first and sl.last:
        args = dict(first=min(sl.first, *per_day), last=max(sl.last, *per_day))
        dates = [e.date for e in timeline.entries]
        axis = (timeline_axis(sorted(per_day.items()), dates, slots=48, max_labels=12, css="wide", **args),
                timeline_axis(sorted(per_day.items()), dates, slots=16, max_labels=5, css="narrow", **args))
    by_kind: dict[str, list[Any]] = {}
    for e in sl.entities:
        by_kind.setdefault(e.kind, []).append(e)
    entity_label = next((e.label for e in sl.entities if e.key == entity), entity)
    events = list(sl.events)
    fold = len(events) > FOLD_FROM and any(e.article_count > 1 for e in events)
    main = [e for e in events if e.article_count > 1] if fold else events
    single = [e for e in events if e.article_count == 1] if fold else []
    n_main = max(1, math.ceil(len(main) / EVENTS_PER_PAGE))
    n_single = max(1, math.ceil(len(single) / SINGLES_PER_PAGE))
    pg, spg = min(page_number(page), n_main), min(page_number(singles), n_single)
    params = {"entity": entity, "singles": singles}
    return render(request, "storyline.html", title=sl.name, sl=sl, timeline=timeline, charts=charts,
                  by_kind=by_kind, entity=entity, entity_label=entity_label, axis=axis, sources=sources,
                  matching=len(hits), main=main[(pg - 1) * EVENTS_PER_PAGE: pg * EVENTS_PER_PAGE],
                  main_total=len(main), single=single[(spg - 1) * SINGLES_PER_PAGE: spg * SINGLES_PER_PAGE],
                  single_total=len(single), fold=fold, page=pg, pages=n_main, spage=spg, spages=n_single,
                  params=params, open_singles=singles is not None)


SIGNAL_LABELS = {
    "cosine": ("Same meaning", "how close the two texts are in meaning, across languages"),
    "entities": ("Same names", "share of people, places and organisations both name"),
    "numbers": ("Same figures", "share of numbers (tolls, sums, counts) both give"),
    "time": ("Close in time", "1 when published the same day, falling with the days between"),
    "title": ("Similar headlines", "words the two headlines share (same language only)"),
    "words": ("Shared words", "the rarer words both use (same language only)"),
    "duplicate": ("Copied text", "share of word runs copied from one to the other"),
}
"""The explanation's signals as the event page names them: (label, what the number means). The
``crosslingual`` flag is said in the verdict line, not drawn as a bar."""


@pages.get("/events/{ident}")
def event_page(request: Request, ident: str, a: Annotated[str | None, Query(max_length=300)] = None,
               b: Annotated[str | None, Query(max_length=300)] = None) -> HTMLResponse:
    L = lib(request)
    ev = L.event(ident)
    groups: dict[str, dict[str, list[Any]]] = {}
    for art in ev.articles:
        groups.setdefault(art.lang, {}).setdefault(outlet(art.source, art.url) or "Unknown outlet", []).append(art)
    # Candidates for the comparison: this event's articles, then others of the same storyline.
    others = [x for x in L.articles(ArticleFilter(storyline=ev.storyline), limit=200).items
              if x.event != ident]
    choices = list(ev.articles) + others
    ids = [x.id for x in choices]
    # By default a representative pair of this event (another language when it has one), so the
    # panel answers its question before anything is pressed; explain reads two articles.
    own_ids = [x.id for x in ev.articles]
    if not a and ids:
        a = ids[0]
    if not b and len(ids) > 1:
        langs = {x.id: x.lang for x in choices}
        pool = [i for i in own_ids if i != a] or [i for i in ids if i != a]
        b = next((i for i in pool if langs[i] != langs.get(a or "")), pool[0])
    explanation = L.explain(a, b) if a and b and a != b else None
    names: dict[str, str] = {}
    if explanation:  # the shared names as the two articles write them, never as raw keys
        for ident_ in (a, b):
            with contextlib.suppress(NotFound):
                for e in L.article(str(ident_)).entities:
                    names.setdefault(e.key, e.text)
    signals = [(SIGNAL_LABELS.get(k, (k, ""))[0], SIGNAL_LABELS.get(k, (k, ""))[1], k, v)
               for k, v in (explanation or {}).get("signals", {}).items() if k in SIGNAL_LABELS]
    return render(request, "event.html", title=ev.headline, ev=ev, groups=groups, choices=choices, own=set(
        x.id for x in ev.articles), a=a, b=b, explanation=explanation, names=names, signals=signals,
        titles={x.id: x.title or x.id for x in choices})


@pages.get("/articles/{ident:path}")
def article_page(request: Request, ident: str) -> HTMLResponse:
    L = lib(request)
    art = L.article(path_id(request, ident))
    ev = L.event(art.event) if art.event else None
    sl_name = ev.storyline_name if ev else None
    by_kind: dict[str, list[Any]] = {}
    seen: set[str] = set()
    for e in art.entities:
        if e.key not in seen:
            seen.add(e.key)
            # A country's chip by its name, as the storyline page labels it ("Russia", not the
            # "Russian" the article wrote); any other name as written.
            by_kind.setdefault(e.kind, []).append(e.model_copy(update={"text": entity_label(e.key, {e.text: 1})}))
    return render(request, "article.html", title=art.title or art.id, art=art, ev=ev, sl_name=sl_name,
                  by_kind=by_kind)


@pages.get("/search")
def search_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=500)] = None,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    source: Annotated[str | None, Query(max_length=300)] = None,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    entity: Annotated[str | None, Query(max_length=300)] = None,
    page: Annotated[int | None, Query(le=10_000)] = None,
    sort: Annotated[Literal["relevance", "newest", "oldest"], Query()] = "relevance",
) -> HTMLResponse:
    L = lib(request)
    page = page_number(page)
    f = article_filter(q=q, lang=lang, source=source, date_from=date_from, date_to=date_to, entity=entity)
    per = 20
    searched = any([q, lang, source, date_from, date_to, entity])
    result = L.search(f, limit=per, offset=(page - 1) * per, order=sort) if searched else None
    params = {"q": q, "lang": lang, "source": source, "from": date_from, "to": date_to, "entity": entity,
              "sort": sort if sort != "relevance" else None}
    return render(request, "search.html", title=f"Search: {q}" if q else "Search", result=result, params=params,
                  stats=L.stats(), page=page, pages=max(1, math.ceil((result.total if result else 0) / per)))


def add_form(request: Request, status: int = 200, error: str = "", form: dict[str, str] | None = None
             ) -> HTMLResponse:
    """The upload form; after a refused submit, again with the reason beside it and what was typed
    kept (files cannot be kept: a browser never lets a page re-select them)."""
    return render(request, "add.html", status=status, title="Add articles", error=error, form=form or {},
                  max_mb=request.app.state.max_upload_bytes / 1_048_576, csrf=request.app.state.policy.csrf)


@pages.get("/add")
def add_page(request: Request) -> HTMLResponse:
    return add_form(request)


@pages.post("/add")
async def add_submit(
    request: Request,
    files: Annotated[list[UploadFile] | None, Form()] = None,
    text: Annotated[str, Form(max_length=5_000_000)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    lang: Annotated[str, Form(max_length=16)] = "",
    source: Annotated[str, Form(max_length=300)] = "",
    published: Annotated[str, Form(max_length=100)] = "",
    token: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_write(request, form_token=token or None)
    try:
        request.app.state.policy.check_csrf(csrf)
    except GuardError as e:
        raise ApiError(e.status, e.message) from None
    import hashlib

    data = [(f.filename or "upload.txt", await f.read()) for f in files or [] if f.filename]
    form = {"title": title, "text": text, "lang": lang, "source": source, "published": published}
    if lang.strip() and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?", lang.strip()):
        return add_form(request, 400, f"“{lang}” is not a language code: write one like en, fr or vi, "
                        "or leave it empty to detect it.", form)
    records = []
    if text.strip():
        ident = "pasted-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        records.append(InputArticle(id=ident, text=text, title=title or None, lang=lang.strip() or None,
                                    source=source or None, published=published or None, url=None))
    if not records and not any(blob.strip() for _, blob in data):
        had_files = bool(data)
        return add_form(request, 400, "The chosen files are empty: choose another file or paste a text."
                        if had_files else "Nothing to add yet: choose a file or paste a text.", form)
    job = lib(request).submit(files=data, records=records)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@pages.get("/jobs/{ident}")
def job_page(request: Request, ident: str) -> HTMLResponse:
    job = lib(request).job(ident).out()
    return render(request, "job.html", title="Adding articles", job=job)
