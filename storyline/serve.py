"""`storyline serve`: the checks and the start-up message around uvicorn. Kept out of cli.py so
the CLI stays a thin shell and so tests can call the same checks."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from storyline.errors import UsageError
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


def serve(pipeline: Pipeline, *, host: str, port: int, token: str | None, max_upload_mb: float,
          say: Callable[[str], Any] = print, watch: str | None = None) -> None:
    check_binding(host, token)
    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: use a port between 1 and 65535")
    if max_upload_mb <= 0:
        raise UsageError("--max-upload-mb must be positive")
    import uvicorn

    from storyline.app import create_app

    say(f"storyline: opening {shown_store(pipeline.settings.db)} (building the search index if needed)…")
    app = create_app(pipeline.settings.db, token=token, max_upload_bytes=int(max_upload_mb * 1_048_576),
                     pipeline=pipeline)
    shown = f"[{host}]" if ":" in host else host
    say(f"storyline: serving {shown_store(pipeline.settings.db)} at http://{shown}:{port}/  (API: /api, docs: /docs)")
    if token:
        say("storyline: write calls (uploads, POST /api/…) require the token: "
            "`Authorization: Bearer TOKEN` (the upload page asks for it)")
    else:
        say("storyline: loopback only; no token needed. Binding to another address requires --token.")
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", server_header=False))
    follower = _follow(app.state.library, pipeline, watch, say) if watch else None
    if follower is not None:
        # Stop the watcher when the server is asked to stop, before the app closes its store.
        exit_server = server.handle_exit

        def handle_exit(sig: int, frame: Any) -> None:
            follower()
            exit_server(sig, frame)

        server.handle_exit = handle_exit  # type: ignore[method-assign]
    try:
        server.run()
    finally:
        if follower is not None:
            follower()


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
