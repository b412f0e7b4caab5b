"""Signing in to the pages of a server that has a token (``serve --token``, required beyond
loopback). The JSON API takes the token in a header; a browser cannot send one with a link, so it
signs in once here and carries a session cookie instead (``storyline.api.guard.Policy.session``).
Without a token there is nothing to sign in to and every page is open, as on loopback."""

from __future__ import annotations

import hmac
import urllib.parse
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from storyline.api.errors import ApiError
from storyline.api.guard import SESSION_COOKIE, GuardError, Policy
from storyline.web.pages import render

login = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

# Paths a signed-out browser may still reach: the sign-in itself, files, the health check, the
# API's documentation (no stored data in it) and the API, which answers with its own JSON 401.
OPEN = ("/login", "/logout", "/static/", "/healthz", "/docs", "/openapi.json", "/api/", "/favicon")


def _policy(request: Request) -> Policy:
    policy: Policy = request.app.state.policy
    return policy


def local_path(target: str | None) -> str:
    """Where to go after signing in: a path on this server only (never ``//elsewhere`` or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def needs_sign_in(request: Request) -> RedirectResponse | None:
    """For a page request to a server with a token, the way to /login unless already signed in."""
    policy = _policy(request)
    path = request.url.path
    headers = dict(request.headers)
    if not policy.token or path.startswith(OPEN) or policy.signed_in(headers):
        return None
    try:
        policy.check_token(headers)  # a script's header token opens the pages as it opens the API
    except GuardError:
        here = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?next=" + urllib.parse.quote(here, safe=""), status_code=303)
    return None


@login.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if not _policy(request).token:
        return RedirectResponse(local_path(next), status_code=303)
    return render(request, "login.html", title="Sign in", next=local_path(next), csrf=_policy(request).csrf)


@login.post("/login")
def login_submit(
    request: Request,
    token: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    policy = _policy(request)
    try:
        policy.check_same_origin(dict(request.headers), request.url.scheme)
        policy.check_csrf(csrf)
    except GuardError as e:
        raise ApiError(e.status, e.message) from None
    target = local_path(next)
    if not policy.token:
        return RedirectResponse(target, status_code=303)
    if not hmac.compare_digest(token.encode(), policy.token.encode()):
        return render(request, "login.html", status=403, title="Sign in", next=target, csrf=policy.csrf,
                      error="That is not this server's token (the one given to `storyline serve --token`).")
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(SESSION_COOKIE, policy.session, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", path="/")
    return resp


@login.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        _policy(request).check_same_origin(dict(request.headers), request.url.scheme)
        _policy(request).check_csrf(csrf)
    except GuardError as e:
        raise ApiError(e.status, e.message) from None
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
