"""Who may talk to the server: the rules that keep a web page the user visits from reading or
writing their store through their own browser (docs/security.md has the reasoning).

1. **Known Host only** (every request): the ``Host`` header must name this server, i.e. the
   address it is bound to, ``localhost``/``127.0.0.1``/``[::1]``, or a name given with
   ``--allowed-host``. A DNS-rebinding page reaches 127.0.0.1 under its own name, so its
   requests carry that name and are refused before anything is read.
2. **Same-origin writes**: a write that carries ``Origin`` must come from this server's own origin
   (same scheme, host and port); ``Origin: null`` (sandboxed frames, ``data:`` pages, some
   redirects) is refused. Without ``Origin``, ``Sec-Fetch-Site`` and ``Referer`` are checked the same
   way; a request with none of the three is not from a browser page (curl, scripts) and passes.
3. **A CSRF token on the HTML form**: the upload form carries a per-server secret that a page
   elsewhere cannot read, so the form cannot be submitted from anywhere else.
4. **The server token**, when one is set (required beyond loopback): every write and every read
   of the JSON API must carry it (``Authorization: Bearer TOKEN`` or ``X-Storyline-Token``), and
   every page too: a browser signs in once at /login and then carries a session cookie
   (``HttpOnly``, ``SameSite=Strict``, a keyed hash of the token, never the token itself).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Iterable
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
SESSION_COOKIE = "storyline_session"
WILDCARDS = ("0.0.0.0", "::", "")


class GuardError(Exception):
    """A refusal: status and the sentence to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _norm(host: str) -> str:
    """A host name without brackets, port or trailing dot, lower-cased; IPv6 in its short form."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def split_host(value: str) -> tuple[str, int | None]:
    """``Host`` header value → (normalised name, port or None). Raises ValueError when malformed."""
    value = value.strip()
    if not value or any(c in value for c in "/\\@ ?#"):
        raise ValueError(value)
    parts = urlsplit("//" + value)
    if parts.hostname is None:
        raise ValueError(value)
    return _norm(parts.hostname), parts.port


class Policy:
    """The allow-list and the secrets of one running server."""

    def __init__(self, *, bound: str | None = None, allowed_hosts: Iterable[str] = (), token: str | None = None,
                 read_only: bool = False) -> None:
        names = {_norm(h) for h in LOOPBACK_NAMES}
        if bound and _norm(bound) not in {_norm(w) for w in WILDCARDS}:
            names.add(_norm(bound))
        names.update(_norm(h) for h in allowed_hosts if h.strip())
        self.hosts = frozenset(names)
        self.token = token or None
        self.read_only = read_only
        self.csrf = secrets.token_urlsafe(32)  # per server start: a page elsewhere cannot read it

    # --- rule 1 ------------------------------------------------------------------------------

    def check_host(self, host_header: str | None) -> None:
        if not host_header:
            raise GuardError(400, "the request has no Host header")
        try:
            name, _ = split_host(host_header)
        except ValueError:
            raise GuardError(400, f"malformed Host header {host_header!r}") from None
        if name not in self.hosts:
            raise GuardError(
                400,
                f"unknown Host {host_header!r}: this server answers only to {', '.join(sorted(self.hosts))} "
                "(a guard against DNS rebinding); to reach it under another name, start it with "
                "`storyline serve --allowed-host NAME`",
            )

    # --- rule 2 ------------------------------------------------------------------------------

    def check_same_origin(self, headers: dict[str, str], scheme: str) -> None:
        host = headers.get("host", "")
        origin = headers.get("origin")
        if origin is not None:
            if origin.strip().lower() == "null":
                raise GuardError(403, "cross-site write refused: Origin is null (a sandboxed or data: page); "
                                      "write from this server's own pages or without a browser")
            self._same(origin, host, scheme, "Origin")
            return
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            raise GuardError(403, f"cross-site write refused (Sec-Fetch-Site: {site})")
        referer = headers.get("referer")
        if referer:
            self._same(referer, host, scheme, "Referer")

    def _same(self, url: str, host: str, scheme: str, what: str) -> None:
        parts = urlsplit(url.strip())
        try:
            theirs = (parts.scheme.lower(), _norm(parts.hostname or ""), parts.port or _default_port(parts.scheme))
            name, port = split_host(host)
        except ValueError:
            raise GuardError(403, f"cross-site write refused ({what} {url!r} is not a valid origin)") from None
        ours = (scheme.lower(), name, port or _default_port(scheme))
        if theirs != ours or name not in self.hosts:
            raise GuardError(403, f"cross-site write refused ({what} {url} is not this server)")

    # --- rules 3 and 4 -------------------------------------------------------------------------

    def check_csrf(self, given: str | None) -> None:
        if not given or not hmac.compare_digest(given.encode(), self.csrf.encode()):
            raise GuardError(403, "the form has expired or did not come from this server (missing or wrong "
                                  "CSRF token); reload the page and submit it again")

    @functools.cached_property
    def session(self) -> str:
        """The page session cookie's value: a keyed hash of the token, so the cookie never holds the
        token itself, and a new token (a restart with another one) ends every session."""
        return hmac.new((self.token or "").encode(), b"storyline page session", hashlib.sha256).hexdigest()

    def signed_in(self, headers: dict[str, str]) -> bool:
        """Whether the request carries this server's page session cookie."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except CookieError:
            return False
        got = jar.get(SESSION_COOKIE)
        return bool(self.token and got and hmac.compare_digest(got.value.encode(), self.session.encode()))

    def check_token(self, headers: dict[str, str], form_token: str | None = None) -> None:
        if not self.token:
            return
        given = form_token
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        given = headers.get("x-storyline-token") or given
        if not given and self.signed_in(headers):
            return  # a signed-in browser (its cookie is SameSite=Strict: never sent cross-site)
        if not given:
            raise GuardError(401, "this server requires a token: send `Authorization: Bearer TOKEN`, "
                                  "or sign in at /login in a browser")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise GuardError(403, "wrong token")

    def check_write(self, headers: dict[str, str], scheme: str, form_token: str | None = None) -> None:
        if self.read_only:
            raise GuardError(405, "this server is read-only (started with --read-only); nothing can be added")
        self.check_same_origin(headers, scheme)
        self.check_token(headers, form_token)


def _default_port(scheme: str) -> int | None:
    return {"http": 80, "https": 443}.get(scheme.lower())


class HostGuard:
    """ASGI middleware for rule 1, ahead of everything (static files and docs included)."""

    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app, self.policy = app, policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), None)
            try:
                self.policy.check_host(host)
            except GuardError as e:
                if scope["type"] != "http":
                    return
                body = json.dumps({"error": {"status": e.status, "code": "bad_host", "message": e.message,
                                             "details": []}}).encode()
                await send({"type": "http.response.start", "status": e.status,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
