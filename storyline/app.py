"""The web application: the JSON API (``storyline.api``) under /api, OpenAPI at /docs, and the pages
for people (``storyline.web``) at /.

    from storyline.app import create_app
    app = create_app("storyline.db")          # any ASGI server; `storyline serve` uses uvicorn

It lives above both packages so that neither imports the other's factory: the pages use the API's
service and schemas, and the API never imports the pages.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from storyline import __version__
from storyline.api import errors
from storyline.api.guard import HostGuard, Policy
from storyline.api.routes import router
from storyline.api.service import READER_LANG, Library
from storyline.pipeline import Pipeline
from storyline.web.login import login, needs_sign_in
from storyline.web.pages import error_page, pages

STATIC = Path(__file__).resolve().parent / "web" / "static"
DEFAULT_MAX_UPLOAD = 25 * 1024 * 1024


_LANG_CODE = re.compile(r"[a-z]{2,3}")


class ReaderLang:
    """The reader's language for names and headlines (``service.READER_LANG``): ``?hl=es``
    (remembered in an ``hl`` cookie; ``?hl=`` clears it), the ``hl`` cookie, else the ``lang``
    setting. Anything but a language code is ignored. Plain ASGI, so streamed bodies and the
    body limit pass through untouched."""

    def __init__(self, app: Any, default: str | None) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from http.cookies import SimpleCookie
        from urllib.parse import parse_qs

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        asked = query["hl"][-1].strip().lower() if "hl" in query else None
        cookie = SimpleCookie()
        for k, v in scope.get("headers", []):
            if k == b"cookie":
                with contextlib.suppress(Exception):
                    cookie.load(v.decode("latin-1"))
        had = cookie["hl"].value.strip().lower() if "hl" in cookie else None
        chosen = asked if asked is not None else had
        chosen = chosen if chosen and _LANG_CODE.fullmatch(chosen) else None

        async def send_with_cookie(message: Any) -> None:
            if message["type"] == "http.response.start" and asked is not None:
                value = f"hl={chosen}; Max-Age=31536000" if chosen else "hl=; Max-Age=0"
                cookie_header = (b"set-cookie", f"{value}; Path=/; SameSite=Lax".encode())
                headers = [*message.get("headers", []), cookie_header]
                message = {**message, "headers": headers}
            await send(message)

        token = READER_LANG.set(chosen or self.default)
        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            READER_LANG.reset(token)


def create_app(
    db: str | Path = "storyline.db",
    *,
    token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    pipeline: Pipeline | None = None,
    bound: str | None = None,
    allowed_hosts: Sequence[str] = (),
    read_only: bool = False,
    lang: str | None = None,
) -> FastAPI:
    """The whole web application over one store. ``token``, when set, is required by every
    write call, every read of the JSON API and every page (a browser signs in at /login; `storyline
    serve` requires a token whenever it binds beyond loopback). Requests are answered only under a
    known Host: ``bound`` (the address served on), the loopback names and ``allowed_hosts``
    (``storyline.api.guard``). ``read_only`` opens the store read-only and refuses every write."""
    policy = Policy(bound=bound, allowed_hosts=allowed_hosts, token=token, read_only=read_only)
    library = Library(db, pipeline, read_only=read_only)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        library.start()
        yield
        library.close()

    app = FastAPI(
        lifespan=lifespan,
        title="storyline",
        version=__version__,
        description=(
            "Raw news in any language → articles, events (the same happening across languages and "
            "outlets), storylines (events over time) and timelines. Every error has one shape: "
            '`{"error": {"status", "code", "message", "details"}}`.'
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.library = library
    app.state.token = token or None
    app.state.policy = policy
    app.state.max_upload_bytes = max_upload_bytes
    reader_lang_default = lang or (pipeline.settings.lang if pipeline is not None else None)

    app.add_middleware(ReaderLang, default=reader_lang_default)
    errors.install(app, html=error_page)
    app.add_middleware(errors.BodyLimit, max_bytes=max_upload_bytes)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="storyline API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
        # A way back to the app from the API reference (Swagger UI's own page has none).
        back = ('<nav class="docs-back" style="font:15px system-ui,sans-serif;padding:10px 20px;background:#1f3b73">'
                '<a href="/" style="color:#fff;text-decoration:none">← storyline: back to the storylines</a></nav>')
        return HTMLResponse(bytes(page.body).decode().replace("<body>", "<body>" + back, 1))

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, Any]:
        return {"ok": True, **library.store.counts()}

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        resp: Response = await call_next(request)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the
        # page's own form posts, which the write guard must refuse (storyline.api.guard). Links
        # out to article URLs still carry no referrer.
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/docs"):
            resp.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
            )
        return resp

    @app.middleware("http")
    async def pages_need_sign_in(request: Request, call_next: Any) -> Response:
        # With a token, pages show stored articles as much as the API does: a browser signs in first.
        way: Response | None = needs_sign_in(request)
        return way if way is not None else await call_next(request)

    app.include_router(router)
    app.include_router(login)
    app.include_router(pages)
    app.add_middleware(HostGuard, policy=policy)  # added last: runs first, before any route or file
    return app


__all__ = ["create_app"]
