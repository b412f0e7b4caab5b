"""The command line: translates arguments in and errors out; all work is done by ``Pipeline``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from storyline import render
from storyline.config import load_settings
from storyline.encoding import encoding_note
from storyline.errors import InputError, StorylineError, UsageError
from storyline.models import Article, RawArticle, Rejected
from storyline.pipeline import Pipeline
from storyline.sources.files import count_inputs, missing_paths
from storyline.sources.jsonl import parse_record, read_lines
from storyline.store import shown
from storyline.urls import outlet

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Turn raw news articles in any language into events, storylines and timelines, offline.",
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="SQLite database file or postgresql:// URL (env STORYLINE_DB) [default: ./storyline.db]"),
]
FormatOpt = Annotated[str, typer.Option("--format", help="Output format: jsonl")]
ConfigOpt = Annotated[str | None, typer.Option("--config", help="Settings file [default: ./storyline.toml]")]


def _pipeline(db: str | None = None, config: str | None = None, **kw: Any) -> Pipeline:
    return Pipeline(load_settings(config, db=db, **kw))


def _say_rejected(r: Rejected) -> None:
    err.print(f"[yellow]rejected[/] {escape(r.origin)}: {escape(r.reason)}", markup=True, soft_wrap=True)


def _say_note(text: str) -> None:
    err.print(f"[cyan]note[/] {escape(text)}", markup=True, highlight=False, soft_wrap=True)


def _say_encoding(origin: str, encoding: str | None) -> None:
    if encoding:
        _say_note(f"{origin}: {encoding_note(encoding)}")


def _inputs_exist(paths: list[str]) -> None:
    """A missing input path is a usage error (exit 2), said before any work starts."""
    missing = missing_paths(paths)
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")


def _jsonl_only(fmt: str) -> None:
    if fmt != "jsonl":
        raise UsageError(f"unknown --format {fmt!r}; this command writes jsonl")


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _article_json(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "lang": a.lang,
        "title": a.title,
        "published": a.published.isoformat() if a.published else None,
        "body": a.body,
    }


@app.command()
def run(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files, directories or web pages: .txt .html .htm .jsonl(.gz) .warc(.gz) https://…"),
    ],
    db: DbOpt = None,
    batch_size: Annotated[int | None, typer.Option(help="Articles per transaction")] = None,
    config: ConfigOpt = None,
    engine: Annotated[
        str, typer.Option(help="Where articles are cleaned and encoded: local (this process) or dask")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address tcp://HOST:PORT [default: a local cluster]")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Workers of the local Dask cluster (1 thread each) [default: one per core]")
    ] = None,
) -> None:
    """The main job: ingest, clean, enrich, cluster into events and storylines, keep it in the database."""
    from storyline.engines import get_engine

    _inputs_exist(inputs)
    pipe = _pipeline(db, config, batch_size=batch_size)
    eng = get_engine(engine, scheduler=scheduler, workers=workers)
    total = count_inputs(inputs) if err.is_terminal else None
    try:
        with render.progress(err, total) as tick:
            summary = pipe.run(inputs, progress=tick, reading=tick, on_reject=_say_rejected, on_note=_say_note,
                               engine=eng)
    finally:
        close = getattr(eng, "close", None)
        if close is not None:
            close()
    render.run_summary(out, summary, shown(pipe.settings.db))
    if summary.rejected:
        raise typer.Exit(1)


@app.command()
def export(db: DbOpt = None, format: FormatOpt = "jsonl", config: ConfigOpt = None) -> None:
    """Every stored article with its event and storyline, one JSON object per line."""
    _jsonl_only(format)
    pipe = _pipeline(db, config)
    store = pipe.open_store(readonly=True)
    where = {a.article_id: a for a in store.assignments()}
    for a in store.articles():
        row = _article_json(a)
        asg = where.get(a.id)
        row["event"] = asg.event if asg else None
        row["storyline"] = asg.storyline if asg else None
        line = {k: row[k] for k in ("id", "lang", "title", "published", "event", "storyline", "body")}
        # CONTRACT.md: exported articles carry url and source when known.
        line.update({k: v for k, v in (("url", a.url), ("source", a.source)) if v})
        _emit(line)


@app.command("clean")
def clean_cmd(
    inputs: Annotated[list[str], typer.Argument(help="Files or directories")],
    format: FormatOpt = "jsonl",
) -> None:
    """Cleaning alone, no database: the article text without boilerplate, with title, date, language."""
    _jsonl_only(format)
    _inputs_exist(inputs)
    bad = False
    for item in Pipeline().clean(inputs):
        if isinstance(item, Rejected):
            _say_rejected(item)
            bad = True
        else:
            _say_encoding(item.origin, item.encoding)
            _emit(_article_json(item))
    if bad:
        raise typer.Exit(1)


def _pairs(path: str) -> Iterator[tuple[str, RawArticle, RawArticle] | Rejected]:
    for where, obj, _ in read_lines(Path(path)):
        if isinstance(obj, Rejected):
            yield obj
            continue
        try:
            if not isinstance(obj, dict) or "pair_id" not in obj:
                raise InputError(where, 'expected {"pair_id", "a": {article}, "b": {article}}')
            a, b = parse_record(obj.get("a"), f"{where} a"), parse_record(obj.get("b"), f"{where} b")
            for side in (a, b):
                if side.empty:  # as the API's pair validation and `clean` reject it: nothing to compare
                    raise InputError(side.origin, "the input is empty (no text or html); the pair is not scored")
            yield str(obj["pair_id"]), a, b
        except InputError as e:
            yield Rejected(e.origin, e.reason)


@app.command("similarity")
def similarity_cmd(
    pairs: Annotated[str, typer.Argument(help='JSONL of {"pair_id", "a": {article}, "b": {article}}')],
    format: FormatOpt = "jsonl",
) -> None:
    """How alike two articles are: similarity in [0, 1], same event ≈ 1."""
    _jsonl_only(format)
    if not Path(pairs).is_file():
        raise UsageError(f"{pairs}: no such file" if not Path(pairs).exists() else f"{pairs}: not a file")
    pipe = Pipeline()
    # First pass: what the file's pages share (block pages, site shells; each language's
    # direction in e5), see Pipeline.pair_batch.
    batch = pipe.pair_batch(r for item in _pairs(pairs) if not isinstance(item, Rejected) for r in item[1:])
    bad = False
    for item in _pairs(pairs):
        if isinstance(item, Rejected):
            _say_rejected(item)
            bad = True
            continue
        pid, a, b = item
        scored = pipe.pair_similarity(a, b, batch)
        if scored.note:
            _say_note(f"pair {pid}: {scored.note}")
        _emit({"pair_id": pid, "similarity": round(scored.similarity, 4)})
    if bad:
        raise typer.Exit(1)


@app.command()
def timeline(
    inputs: Annotated[list[str] | None, typer.Argument(help="Articles taken as one storyline")] = None,
    dates: Annotated[int | None, typer.Option("--dates", help="At most N dates")] = None,
    sentences: Annotated[int, typer.Option("--sentences", help="At most K sentences per date")] = 2,
    db: DbOpt = None,
    storyline: Annotated[str | None, typer.Option("--storyline", help="A stored storyline's id")] = None,
    format: FormatOpt = "jsonl",
    config: ConfigOpt = None,
) -> None:
    """A dated timeline of the given articles, or of one stored storyline (--db, --storyline)."""
    _jsonl_only(format)
    if sentences < 1 or (dates is not None and dates < 1):
        raise UsageError("--dates and --sentences must be at least 1")
    pipe = _pipeline(db, config)
    rejected: list[Rejected] = []
    if storyline:
        if inputs:
            raise UsageError("give either INPUT files or --storyline, not both")
        entries = pipe.timeline_of_storyline(pipe.open_store(readonly=True), storyline, dates, sentences)
    elif inputs:
        _inputs_exist(inputs)
        entries, rejected = pipe.timeline_of_inputs(inputs, dates, sentences)
    else:
        raise UsageError("give INPUT files, or --storyline ID (with --db)")
    for r in rejected:
        _say_rejected(r)
    for e in entries:
        # "summary" is the token form timeline corpora and their scorers use (punctuation apart);
        # "sentences" carries the same sentences as written, each with its article.
        _emit({"date": e.date.isoformat(), "summary": list(e.summary),
               "sentences": [{"text": x.text, "article_id": x.article_id, "lang": x.lang, "source": x.source,
                              "url": x.url} for x in e.sentences]})
    if rejected:
        raise typer.Exit(1)


@app.command()
def show(
    db: DbOpt = None,
    storyline: Annotated[str | None, typer.Option("--storyline", help="Only this storyline")] = None,
    sentences: Annotated[int, typer.Option("--sentences", help="Sentences per timeline entry")] = 1,
    config: ConfigOpt = None,
) -> None:
    """Storylines with their events and timelines, readable in a terminal."""
    pipe = _pipeline(db, config)
    store = pipe.open_store(readonly=True)
    sls = [store.storyline(storyline)] if storyline else store.storylines()
    if not sls:
        out.print(f"No storylines in {store.path} yet: run `storyline run INPUT --db {store.path}` first.")
        return
    for sl in sls:
        events = store.events(storyline=sl.id)
        entries = pipe.timeline_of_storyline(store, sl.id, None, sentences)
        cited = sorted({a for te in entries for a in te.article_ids})
        arts = store.articles(ids=cited, with_body=False) if cited else []
        where = {a.id: (outlet(a.source, a.url), a.lang) for a in arts}
        render.storyline(out, sl, events, entries, where)


@app.command("explain")
def explain_cmd(
    a: Annotated[str, typer.Argument(help="An article id")],
    b: Annotated[str, typer.Argument(help="Another article id")],
    db: DbOpt = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    config: ConfigOpt = None,
) -> None:
    """Why two stored articles are or are not the same event: each signal, and the decision."""
    if format not in ("text", "json"):
        raise UsageError(f"unknown --format {format!r}; use text or json")
    pipe = _pipeline(db, config)
    result = pipe.explain(pipe.open_store(readonly=True), a, b)
    if format == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        render.explanation(out, a, b, result)


@app.command()
def watch(
    sources: Annotated[
        str, typer.Argument(help="A sources file (TOML): a source table (url, name, lang, interval) per feed or site")
    ],
    db: DbOpt = None,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit (for cron)")] = False,
    config: ConfigOpt = None,
) -> None:
    """Follow feeds, sitemaps and sites: store each new article with its source's date and URL."""
    import signal
    import threading

    from storyline.watch import PASS_BUDGET, Watcher, describe

    stop = threading.Event()

    def ask_stop(signum: int, _frame: object) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        stop.set()
        err.print("stopping after the page in hand; run the same command again to resume")

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, ask_stop)
    pipe = _pipeline(db, config)
    errors = 0
    with Watcher(pipe, sources, say=lambda m: err.print(m, soft_wrap=True), stop=stop) as w:
        err.print(f"following {len(w.config.sources)} source(s) from {sources} into {pipe.settings.db}")
        n = 0
        while not stop.is_set():
            w.reload_if_changed()
            summary = w.run_pass(budget=None if once else PASS_BUDGET)
            n += 1
            for e in summary.errors:
                err.print(f"[yellow]error[/] {e}", markup=True, soft_wrap=True)
            errors += len(summary.errors)
            out.print(f"pass {n}: {describe(summary)}")
            if once:
                break
            stop.wait(w.until_due())
    if once and errors:
        raise typer.Exit(1)


@app.command()
def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind; beyond loopback a token is required")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="Port")] = 8000,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="STORYLINE_TOKEN", help="Required by every write call [env: STORYLINE_TOKEN]"),
    ] = None,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", help="Largest request body, MiB")] = 25.0,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="Another name this server may be reached under (repeatable); "
                     "requests with any other Host are refused"),
    ] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="Open the store read-only; refuse writes")] = False,
    config: ConfigOpt = None,
    watch: Annotated[
        str | None, typer.Option("--watch", help="Also follow the sources of this file (as `storyline watch`)")
    ] = None,
) -> None:
    """The web pages (/) and the HTTP API (/api, OpenAPI at /docs) over the database."""
    from storyline.serve import serve as run_server

    run_server(
        _pipeline(db, config),
        host=host,
        port=port,
        token=token,
        max_upload_mb=max_upload_mb,
        allowed_hosts=allowed_host or (),
        read_only=read_only,
        say=lambda m: err.print(m, soft_wrap=True),
        watch=watch,
    )


def main() -> None:
    """Entry point: a user's mistake is one line on stderr and an exit code, never a traceback."""
    try:
        # Without standalone mode, click returns a command's exit code instead of exiting.
        code = app(standalone_mode=False)
    except StorylineError as e:
        err.print(f"[red]error:[/] {escape(str(e))}", markup=True, soft_wrap=True)
        sys.exit(e.exit_code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err.print("interrupted: every batch committed so far is kept; run the same command again to resume")
        sys.exit(130)
    except Exception as e:
        # click's usage errors (typer may vendor its own click, so match by behaviour, not class)
        show, exit_code = getattr(e, "show", None), getattr(e, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
