"""Page routes. Each one asks ``Library`` (the API's own calls) and renders a template;
Jinja autoescaping is on for every template, so article text always shows as text."""

from __future__ import annotations

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
from storyline.store.base import ArticleFilter
from storyline.web.charts import color, coverage_charts

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
    return LANGUAGE_NAMES.get(code or "", code or "unknown")


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


env.filters.update(lang_name=lang_name, date=fmt_date, snippet=snippet, paragraphs=paragraphs, safe_url=safe_url,
                   urlencode=lambda v: urllib.parse.quote(str(v), safe=""))
env.globals.update(span=span, color=color, kind_names=KIND_NAMES, qs=qs)


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    lib: Library = request.app.state.library
    html = env.get_template(template).render(request=request, token_required=bool(request.app.state.token),
                                          db_name=Path(lib.db).name, path=request.url.path, **ctx)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    titles = {404: "Not found", 413: "Too large", 401: "Token required", 403: "Not allowed", 422: "Invalid request"}
    return render(request, "error.html", status=status, status_code=status,
                  title=titles.get(status, "Something went wrong"), message=message)


pages = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def lib(request: Request) -> Library:
    library: Library = request.app.state.library
    return library


@pages.get("/")
def home(request: Request, lang: Annotated[str | None, Query(max_length=16)] = None,
         name: Annotated[str | None, Query(max_length=200)] = None,
         page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    L = lib(request)
    per = 20
    result = L.storylines(lang=lang or None, name=name or None, limit=per, offset=(page - 1) * per)
    return render(request, "home.html", title="Storylines", result=result, stats=L.stats(), lang=lang, name=name,
                  page=page, pages=max(1, math.ceil(result.total / per)))


@pages.get("/sources")
def sources_page(request: Request) -> HTMLResponse:
    """The followed sources and their record (``storyline watch``, ``serve --watch``)."""
    return render(request, "sources.html", result=lib(request).sources())


@pages.get("/storylines/{ident}")
def storyline_page(request: Request, ident: str,
                   entity: Annotated[str | None, Query(max_length=300)] = None) -> HTMLResponse:
    L = lib(request)
    sl = L.storyline(ident, entity=entity or None)
    timeline = L.timeline(ident, sentences=2)
    cov = L.coverage(ident)
    charts = coverage_charts([(p.date, p.lang, p.source, p.articles) for p in cov.points])
    by_kind: dict[str, list[Any]] = {}
    for e in sl.entities:
        by_kind.setdefault(e.kind, []).append(e)
    entity_label = next((e.label for e in sl.entities if e.key == entity), entity)
    return render(request, "storyline.html", title=sl.name, sl=sl, timeline=timeline, charts=charts,
                  by_kind=by_kind, entity=entity, entity_label=entity_label)


@pages.get("/events/{ident}")
def event_page(request: Request, ident: str, a: Annotated[str | None, Query(max_length=300)] = None,
               b: Annotated[str | None, Query(max_length=300)] = None) -> HTMLResponse:
    L = lib(request)
    ev = L.event(ident)
    groups: dict[str, dict[str, list[Any]]] = {}
    for art in ev.articles:
        groups.setdefault(art.lang, {}).setdefault(art.source or "Unknown outlet", []).append(art)
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
    return render(request, "event.html", title=ev.headline, ev=ev, groups=groups, choices=choices, own=set(
        x.id for x in ev.articles), a=a, b=b, explanation=explanation)


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
            by_kind.setdefault(e.kind, []).append(e)
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
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    sort: Annotated[Literal["relevance", "newest", "oldest"], Query()] = "relevance",
) -> HTMLResponse:
    L = lib(request)
    f = article_filter(q=q, lang=lang, source=source, date_from=date_from, date_to=date_to, entity=entity)
    per = 20
    searched = any([q, lang, source, date_from, date_to, entity])
    result = L.search(f, limit=per, offset=(page - 1) * per, order=sort) if searched else None
    params = {"q": q, "lang": lang, "source": source, "from": date_from, "to": date_to, "entity": entity,
              "sort": sort if sort != "relevance" else None}
    return render(request, "search.html", title=f"Search: {q}" if q else "Search", result=result, params=params,
                  stats=L.stats(), page=page, pages=max(1, math.ceil((result.total if result else 0) / per)))


@pages.get("/add")
def add_page(request: Request) -> HTMLResponse:
    return render(request, "add.html", title="Add articles",
                  max_mb=request.app.state.max_upload_bytes / 1_048_576, csrf=request.app.state.policy.csrf)


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
    records = []
    if text.strip():
        ident = "pasted-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        records.append(InputArticle(id=ident, text=text, title=title or None, lang=lang or None,
                                    source=source or None, published=published or None, url=None))
    if not data and not records:
        raise ApiError(400, "nothing to add: choose a file or paste a text")
    job = lib(request).submit(files=data, records=records)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@pages.get("/jobs/{ident}")
def job_page(request: Request, ident: str) -> HTMLResponse:
    job = lib(request).job(ident).out()
    return render(request, "job.html", title="Adding articles", job=job)
