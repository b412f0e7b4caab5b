"""One JSON shape for every error: ``{"error": {"status", "code", "message", "details"}}``.

The handlers below turn every way a request can fail (a storyline error, FastAPI's validation,
Starlette's HTTP errors, an oversized body, a bug) into that shape, so a client needs one parser.
Pages for people get the same information as an HTML page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline.errors import InputError, NotFound, StorylineError, UsageError

log = logging.getLogger("storyline.api")

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_request",
    500: "internal_error", 503: "unavailable",
}


class ApiError(Exception):
    """Raised by routes for HTTP-level refusals (auth, size)."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "error")


def error_body(status: int, message: str, code: str | None = None, details: list[dict[str, Any]] | None = None
               ) -> dict[str, Any]:
    return {"error": {"status": status, "code": code or CODES.get(status, "error"), "message": message,
                      "details": details or []}}


HtmlRenderer = Callable[[Request, int, str], Response]


def install(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """Register the handlers; ``html`` renders the error for a person's browser on page routes."""

    def respond(request: Request, status: int, message: str, code: str | None = None,
                details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> Response:
        path = request.url.path
        # A page route answers with a page, whatever the client sent (curl's */*, a browser's
        # text/html, no Accept at all); only a client that asks for JSON and not HTML gets JSON there.
        accept = request.headers.get("accept", "")
        wants_html = "text/html" in accept or "json" not in accept
        machine = path.startswith(("/api", "/openapi", "/docs", "/static", "/healthz"))
        if html is not None and wants_html and not machine:
            return html(request, status, message)
        return JSONResponse(error_body(status, message, code, details), status_code=status, headers=headers)

    async def on_storyline(request: Request, exc: Exception) -> Response:
        if isinstance(exc, NotFound):
            db = getattr(getattr(request.app.state, "library", None), "db", None)
            return respond(request, 404, str(exc).replace(f" in {db}", "") if db else str(exc))
        if isinstance(exc, (UsageError, InputError)):
            return respond(request, 400, str(exc))
        from storyline.api.service import TooLarge, Unavailable

        if isinstance(exc, TooLarge):
            return respond(request, 413, str(exc))
        if isinstance(exc, Unavailable):
            return respond(request, 503, str(exc))
        return respond(request, 500, str(exc), "storyline_error")

    async def on_api(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return respond(request, exc.status, exc.message, exc.code, headers=headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = [
            {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"][1:] if len(first["loc"]) > 1 else first["loc"])
        return respond(request, 422, f"invalid request: {where + ': ' if where else ''}{first['msg']}",
                       details=details)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        msg = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and msg == "Not Found":
            msg = f"nothing at {request.url.path}; the API is under /api (see /docs)"
        return respond(request, exc.status_code, msg, headers=getattr(exc, "headers", None))

    async def on_bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return respond(request, 500, f"internal error ({type(exc).__name__}); the server log has the details")

    app.add_exception_handler(StorylineError, on_storyline)
    app.add_exception_handler(ApiError, on_api)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_bug)


class _TooBig(BaseException):  # not Exception: no framework handler may swallow it
    pass


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with a clear 413, whether or not the client
    announced the length (chunked uploads are counted as they arrive)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        mb = self.max_bytes / 1_048_576
        return (f"the request body is over this server's limit of {mb:g} MiB; send fewer or smaller files "
                "(or start `storyline serve` with a larger --max-upload-mb)")

    async def _reject(self, send: Send) -> None:
        body = json.dumps(error_body(413, self._message())).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    too_big = int(v) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._reject(send)
                    return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooBig
            return msg

        async def tracking(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited, tracking)
        except _TooBig:
            if not started:
                await self._reject(send)


Handler = Callable[[Request], Awaitable[Response]]
