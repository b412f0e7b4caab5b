"""A polite HTTP client for news pages and feeds, on httpx2 (robots.txt read with Protego).

What it promises a site: it says who it is (``User-Agent``), asks robots.txt first and obeys it
(and its ``Crawl-delay``), sends at most one request at a time to a host and waits ``delay``
seconds between two, asks with the validators it was given (``If-None-Match``,
``If-Modified-Since``) so an unchanged feed costs a 304, backs off on 429 and 5xx as the site
asks (``Retry-After``), and stops reading a page past ``max_bytes`` or ``total_timeout``.

What it promises the caller: a ``Response``, or a ``FetchError`` whose reason names what went
wrong (robots, status, timeout, size, type, redirect loop); never a hang, never a crash.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx2
from protego import Protego

from storyline import urls
from storyline.errors import FetchError

VERSION = "0.1"
USER_AGENT = f"storyline/{VERSION} (news follower; obeys robots.txt; +https://pypi.org/project/storyline/)"
ROBOTS_TOKEN = "storyline"  # the name robots.txt rules address
_HOLD = "nothing is fetched from this site until it can be read (RFC 9309)"
REDIRECTS = {301, 302, 303, 307, 308}
RETRY = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how patiently to fetch. Defaults suit real sites; tests shorten them."""

    user_agent: str = USER_AGENT
    delay: float = 1.0  # seconds between two requests to one host (robots.txt Crawl-delay may ask more)
    timeout: float = 20.0  # connect / read / write, each
    total_timeout: float = 60.0  # a whole response, however slowly it trickles
    retries: int = 2  # extra attempts on 429, 5xx, timeouts and dropped connections
    backoff: float = 5.0  # first wait before a retry without Retry-After; doubles each time
    max_retry_after: float = 300.0  # a Retry-After longer than this ends the attempt (try next pass)
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024
    max_crawl_delay: float = 60.0  # a larger robots.txt Crawl-delay is taken as this
    robots_ttl: float = 6 * 3600.0  # robots.txt is read again after this many seconds


@dataclass(frozen=True)
class Response:
    url: str  # as asked (normalised)
    final_url: str  # after redirects
    status: int  # 200, or 304 when not modified
    content: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    requests: int = 1  # HTTP requests this took (redirects and retries included)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0
    robots: Protego | None = None
    robots_until: float = 0.0
    robots_error: str | None = None  # robots.txt unreachable (5xx, timeout): nothing is fetched


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Fetcher:
    """One per process; safe to share between threads (one host's requests queue on its lock,
    different hosts go in parallel)."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[str, int | str], None] | None = None,
    ) -> None:
        self.options = options or FetchOptions()
        o = self.options
        self._client = httpx2.Client(
            headers={"User-Agent": o.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx2.Timeout(o.timeout),
            follow_redirects=False,  # each hop is checked against robots.txt and politeness
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._sleep = sleep
        self.on_request = on_request  # (url, status or error kind): a log of every request made
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- politeness -------------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            return self._hosts.setdefault(netloc, _Host())

    def _wait_turn(self, h: _Host) -> None:
        """Called holding the host's lock: wait until the host's delay since its last request."""
        pause = h.next_at - time.monotonic()
        if pause > 0:
            self._sleep(pause)

    def _done(self, h: _Host, extra: float = 0.0) -> None:
        delay = self.options.delay
        if h.robots is not None:
            asked = h.robots.crawl_delay(ROBOTS_TOKEN)
            if asked:
                delay = max(delay, min(float(asked), self.options.max_crawl_delay))
        h.next_at = time.monotonic() + max(delay, extra)

    # --- robots.txt ---------------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        """robots.txt lets this client fetch ``url`` (raises FetchError when robots.txt itself
        cannot be read for a server error: RFC 9309 says to fetch nothing then)."""
        h = self._host(url)
        with h.lock:
            self._load_robots(h, url)
            if h.robots_error:
                raise FetchError(url, h.robots_error, "robots")
            return h.robots is None or h.robots.can_fetch(url, ROBOTS_TOKEN)

    def _load_robots(self, h: _Host, url: str) -> None:
        """Called holding the host's lock. 4xx: no rules (everything allowed); 5xx or no answer:
        nothing allowed until it is read again (RFC 9309, 2.3.1)."""
        if time.monotonic() < h.robots_until:
            return
        p = urlsplit(url)
        where = f"{p.scheme}://{p.netloc}/robots.txt"
        h.robots, h.robots_error = None, None
        ttl = self.options.robots_ttl
        try:
            self._wait_turn(h)
            with self._client.stream("GET", where, follow_redirects=True) as r:
                self._count(where, r.status_code)
                if r.status_code >= 500:
                    h.robots_error = f"robots.txt answers HTTP {r.status_code}; {_HOLD}"
                    ttl = min(ttl, 600.0)
                elif r.status_code == 200:
                    body = self._read(r, where, 512 * 1024, lenient=True)
                    h.robots = Protego.parse(body.decode("utf-8", errors="replace"))
        except httpx2.TooManyRedirects:
            pass  # RFC 9309: robots.txt unavailable, as for a 4xx: no rules
        except httpx2.HTTPError as e:
            self._count(where, type(e).__name__)
            h.robots_error = (
                f"robots.txt cannot be read ({type(e).__name__}); nothing is fetched from this site until it is"
            )
            ttl = min(ttl, 600.0)
        finally:
            self._done(h)
        h.robots_until = time.monotonic() + ttl

    # --- fetching -----------------------------------------------------------------------------

    def _count(self, url: str, status: int | str) -> None:
        with self._hosts_lock:
            self.requests += 1
        if self.on_request:
            self.on_request(url, status)

    def get(
        self,
        url: str,
        *,
        accept: Iterable[str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET ``url`` politely. ``accept``: media types a 200 answer must have (others are refused
        unread). ``etag``/``last_modified``: validators from the last fetch; an unchanged answer
        comes back as status 304 without a body."""
        start = urls.normalise(url)
        if start is None:
            raise FetchError(url, "not an http(s) address", "url")
        wanted = tuple(accept or ())
        chain = [start]
        current = start
        requests = 0
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        while True:
            if not self.allowed(current):
                what = "" if current == start else f" (redirected from {start})"
                raise FetchError(current, f"robots.txt disallows this address{what}", "robots")
            status, location, resp, n = self._get_one(current, headers, wanted)
            requests += n
            if resp is not None:
                return Response(
                    start,
                    current,
                    resp.status,
                    resp.content,
                    resp.content_type,
                    resp.etag,
                    resp.last_modified,
                    requests,
                )
            nxt = urls.normalise(urljoin(current, location or ""))
            if not location or nxt is None:
                raise FetchError(current, f"HTTP {status} redirect without a usable Location", "redirect")
            if nxt in chain:
                loop = " → ".join([*chain[chain.index(nxt) :], nxt])
                raise FetchError(start, f"redirect loop: {loop}", "redirect")
            chain.append(nxt)
            if len(chain) > self.options.max_redirects + 1:
                raise FetchError(start, f"more than {self.options.max_redirects} redirects", "redirect")
            current = nxt

    def _get_one(
        self, url: str, headers: dict[str, str], accept: tuple[str, ...]
    ) -> tuple[int, str | None, Response | None, int]:
        """One address, with retries: (status, redirect location, final response or None, requests)."""
        o = self.options
        h = self._host(url)
        attempt = 0
        with h.lock:
            while True:
                attempt += 1
                self._wait_turn(h)
                wait = 0.0
                try:
                    with self._client.stream("GET", url, headers=headers) as r:
                        self._count(url, r.status_code)
                        status = r.status_code
                        if status in REDIRECTS:
                            return status, r.headers.get("Location"), None, attempt
                        if status == 304:
                            return status, None, self._response(url, r, b""), attempt
                        if status in RETRY:
                            asked = retry_after(r.headers.get("Retry-After"))
                            if asked is not None and asked > o.max_retry_after:
                                raise FetchError(
                                    url, f"HTTP {status}; the site asks to come back in {asked:.0f} s", "busy"
                                )
                            if attempt > o.retries:
                                raise FetchError(
                                    url, f"HTTP {status} {r.reason_phrase} after {attempt} attempts", "server"
                                )
                            wait = asked if asked is not None else o.backoff * 2 ** (attempt - 1)
                        elif status != 200:
                            raise FetchError(url, f"HTTP {status} {r.reason_phrase}".rstrip(), "http")
                        else:
                            media = _media(r.headers.get("Content-Type"))
                            if accept and media not in accept:
                                raise FetchError(
                                    url,
                                    f"not what was asked for: Content-Type {media or 'missing'} "
                                    f"(expected {', '.join(accept)})",
                                    "type",
                                )
                            return status, None, self._response(url, r, self._read(r, url, o.max_bytes)), attempt
                except httpx2.TimeoutException as e:
                    self._count(url, "timeout")
                    if attempt > o.retries:
                        raise FetchError(
                            url,
                            f"no answer within {o.timeout:g} s ({type(e).__name__}) after {attempt} attempts",
                            "timeout",
                        ) from e
                    wait = o.backoff * 2 ** (attempt - 1)
                except httpx2.TransportError as e:
                    self._count(url, "connection")
                    if attempt > o.retries:
                        raise FetchError(url, f"cannot connect ({e or type(e).__name__})", "connection") from e
                    wait = o.backoff * 2 ** (attempt - 1)
                finally:
                    self._done(h)
                self._sleep(wait)

    def _read(self, r: httpx2.Response, url: str, cap: int, lenient: bool = False) -> bytes:
        """The body, streamed: refused past ``cap`` bytes or ``total_timeout`` seconds (a page
        that never ends, or trickles); ``lenient`` keeps what came in time (robots.txt)."""
        declared = r.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap and not lenient:
            raise FetchError(
                url, f"page is {int(declared) // 1_048_576} MiB; the limit is {cap // 1_048_576} MiB", "size"
            )
        deadline = time.monotonic() + self.options.total_timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in r.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                if lenient:
                    break
                raise FetchError(url, f"page is larger than {cap // 1_048_576} MiB; stopped reading", "size")
            if time.monotonic() > deadline:
                raise FetchError(
                    url, f"page still arriving after {self.options.total_timeout:g} s; stopped reading", "slow"
                )
        return b"".join(chunks)[: cap if lenient else None]

    @staticmethod
    def _response(url: str, r: httpx2.Response, body: bytes) -> Response:
        return Response(
            url,
            url,
            r.status_code,
            body,
            r.headers.get("Content-Type"),
            r.headers.get("ETag"),
            r.headers.get("Last-Modified"),
        )
