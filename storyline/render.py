"""Terminal rendering for the CLI (Rich). Pure presentation: records in, text out."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from storyline.models import Event, Storyline, TimelineEntry


class _Rate(ProgressColumn):
    """Inputs per second over the last few seconds (Rich's own speed estimate)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f}/s", style="progress.data.speed")


@contextlib.contextmanager
def progress(console: Console, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A live bar on a terminal: inputs done of ``total`` (when known), the rate and the time
    left; silent when stderr is a pipe or a file."""
    if not console.is_terminal:
        yield lambda n: None
        return
    cols = (SpinnerColumn(), TextColumn("reading and linking"), BarColumn(), MofNCompleteColumn(),
            TextColumn("inputs"), _Rate(), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    with Progress(*cols, console=console, transient=True, speed_estimate_period=10) as bar:
        task = bar.add_task("run", total=total)

        def tick(n: int) -> None:
            if total is not None and n > total:  # the count was an estimate (e.g. the file grew)
                bar.update(task, total=n)
            bar.update(task, completed=n)

        yield tick


def run_summary(console: Console, summary: Any, db: str) -> None:
    t = Table(title=f"storyline run → {db}", show_header=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column(justify="right")
    t.add_row("articles added", str(summary.added))
    t.add_row("skipped (already stored)", str(summary.skipped))
    t.add_row("rejected", str(len(summary.rejected)))
    t.add_row("events in store", str(summary.events))
    t.add_row("storylines in store", str(summary.storylines))
    t.add_row("time", f"{summary.seconds:.1f} s")
    console.print(t)
    if summary.rejected:
        console.print("[yellow]Rejected inputs are listed above, each with its reason.[/]")
    for w in summary.warnings:
        console.print(f"[yellow]warning[/] {w}")
    console.print(f"Next: [bold]storyline show --db {db}[/] or [bold]storyline export --db {db} --format jsonl[/]")


def _span(a: Any, b: Any) -> str:
    if not a:
        return "undated"
    return a.isoformat() if a == b else f"{a.isoformat()} → {b.isoformat()}"


def _n(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def storyline(
    console: Console,
    sl: Storyline,
    events: Sequence[Event],
    entries: Sequence[TimelineEntry],
    where: Mapping[str, tuple[str, str]] | None = None,
) -> None:
    """A storyline as a reader wants it: name, events as happenings, then the dated timeline with
    each entry's outlets and languages (``where``: article id -> (outlet, language))."""
    console.rule(f"[bold]{sl.name}[/]")
    console.print(
        f"storyline [cyan]{sl.id}[/] · {_n(len(events), 'event')} · {_n(sl.article_count, 'article')} · "
        f"{', '.join(sl.languages)} · {_span(sl.first, sl.last)}"
    )
    console.print("[bold]Events[/]")
    for e in events:
        outlets = f" · {', '.join(e.sources)}" if e.sources else ""
        console.print(
            f"  • {e.headline}  [dim]({e.id} · {_n(len(e.article_ids), 'article')} · {', '.join(e.languages)}"
            f"{outlets} · {_span(e.first, e.last)})[/]"
        )
    if entries:
        console.print("[bold]Timeline[/]")
        for te in entries:
            # Each entry's sources: its outlets where known, else the articles' ids; and languages.
            cited = [(a, *where[a]) for a in te.article_ids if a in where] if where else []
            names = sorted({o for _, o, _ in cited if o}) or [a for a, _, _ in cited]
            langs = sorted({lang for _, _, lang in cited if lang})
            tail = f"  [dim]({', '.join(names)} · {', '.join(langs)})[/]" if cited else ""
            said = " ".join(x.text for x in te.sentences) or " ".join(te.summary)  # the reader's form
            console.print(f"  [green]{te.date.isoformat()}[/]  " + said + tail)
    console.print()


def explanation(console: Console, a: str, b: str, result: dict[str, Any]) -> None:
    console.print(f"[bold]{a}[/] vs [bold]{b}[/]")
    t = Table(show_header=True)
    t.add_column("signal")
    t.add_column("value", justify="right")
    for k, v in (result.get("signals") or {}).items():
        t.add_row(str(k), f"{v:.3f}" if isinstance(v, float) else str(v))
    console.print(t)
    for k, v in result.items():
        if k != "signals":
            console.print(f"[bold]{k}[/]: {v}")
