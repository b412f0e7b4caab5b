"""`storyline serve`: the checks and the start-up message around uvicorn. Kept out of cli.py so
the CLI stays a thin shell and so tests can call the same checks."""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any

from storyline.api.guard import split_host
from storyline.errors import StoreError, UsageError
from storyline.pipeline import Pipeline
from storyline.store import shown as shown_store


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Beyond loopback anyone on the network could add articles: refuse without a token."""
    if not is_loopback(host) and not token:
        raise UsageError(
            f"binding to {host} makes the server reachable from other machines; give a token for write calls "
            "with --token TOKEN or the STORYLINE_TOKEN environment variable (or bind to 127.0.0.1)"
        )


def listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket before anything is said or opened, so a busy port is one clear
    line (exit 3) instead of a start-up message followed by the server's traceback."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise UsageError(f"--host {host}: not an address this machine can bind ({e.strerror})") from None
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        why = "the port is in use (another server is running there?)" if e.errno == errno.EADDRINUSE else (
            e.strerror or str(e))
        raise StoreError(f"cannot listen on {host}:{port}: {why}; choose another --port") from None
    sock.set_inheritable(True)
    return sock


def serve(pipeline: Pipeline, *, host: str, port: int, token: str | None, max_upload_mb: float,
          allowed_hosts: Sequence[str] = (), read_only: bool = False,
          say: Callable[[str], Any] = print, watch: str | None = None) -> None:
    check_binding(host, token)
    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: use a port between 1 and 65535")
    if max_upload_mb <= 0:
        raise UsageError("--max-upload-mb must be positive")
    for name in allowed_hosts:
        try:
            split_host(name)
        except ValueError:
            raise UsageError(f"--allowed-host {name!r}: give a host name or address, without scheme or path") from None
    import uvicorn

    from storyline.app import create_app

    if watch and read_only:
        raise UsageError("--watch writes what it follows into the store: it cannot go with --read-only")
    sock = listen(host, port)
    follower = None
    try:
        say(f"storyline: opening {shown_store(pipeline.settings.db)}{' read-only' if read_only else ''} "
            "(building the search index if needed)…")
        app = create_app(pipeline.settings.db, token=token, max_upload_bytes=int(max_upload_mb * 1_048_576),
                         pipeline=pipeline, bound=host, allowed_hosts=allowed_hosts, read_only=read_only)
        shown = f"[{host}]" if ":" in host else host
        say(f"storyline: serving {shown_store(pipeline.settings.db)} at http://{shown}:{port}/  "
            "(API: /api, docs: /docs)")
        if token:
            say("storyline: every API call and every write requires the token: "
                "`Authorization: Bearer TOKEN` (the upload page asks for it)")
        else:
            say("storyline: loopback only; no token needed. Binding to another address requires --token.")
        names = sorted(app.state.policy.hosts)
        say(f"storyline: answering only to Host {', '.join(names)}"
            + ("; add the names others use with --allowed-host NAME" if host in ("0.0.0.0", "::") else ""))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", server_header=False))
        follower = _follow(app.state.library, pipeline, watch, say) if watch else None
        if follower is not None:
            # Stop the watcher when the server is asked to stop, before the app closes its store.
            exit_server = server.handle_exit
            stop_following = follower

            def handle_exit(sig: int, frame: Any) -> None:
                stop_following()
                exit_server(sig, frame)

            server.handle_exit = handle_exit  # type: ignore[method-assign]
        server.run(sockets=[sock])
    finally:
        if follower is not None:
            follower()
        sock.close()


def _follow(library: Any, pipeline: Pipeline, sources: str, say: Callable[[str], Any]) -> Callable[[], None]:
    """``serve --watch``: follow ``sources`` in a thread, writing through the server's one writable
    store under its lock; returns the function that stops it (after the page in hand)."""
    import threading

    from storyline.watch import Watcher

    stop = threading.Event()
    watcher = Watcher(pipeline, sources, store=library.writer, write_lock=library.write_lock,
                      on_stored=library.stored, say=lambda m: say(f"storyline watch: {m}"), stop=stop)
    say(f"storyline: following {len(watcher.config.sources)} source(s) from {sources} (see /sources)")

    def loop() -> None:
        try:
            watcher.run(resilient=True)
        except Exception as e:  # reported, never a silent dead thread
            say(f"storyline watch: stopped by an error: {type(e).__name__}: {e}")

    thread = threading.Thread(target=loop, name="storyline-watch", daemon=True)
    thread.start()

    def end() -> None:
        if stop.is_set():
            return
        stop.set()
        thread.join(timeout=60)
        watcher.close()

    return end
