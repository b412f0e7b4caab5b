"""Fault injection: kill `storyline run` with SIGKILL at random moments, again and again, then let
it finish, and compare the final export with one uninterrupted run of the same input.

    python benchmarks/faults.py [--articles 300] [--kills 20] [--seed 19] [--data ../shared/data]

What must hold (issue 19): every kill loses at most the batch in flight, the next run resumes
where the store says it stopped, and the result is the same articles, bodies and metadata, and
the same grouping into events and storylines (event and storyline ids are opaque, so groupings
are compared as partitions of article ids). The reference and the faulted runs use the same
vector cache (benchmarks/.cache) so the encoder, not the fault, is the only slow part once.

Prints a table: kills made, runs needed, articles, identical fields, identical event and
storyline partitions, and time; exits 1 if anything differs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache" / "vectors.sqlite"
FIELDS = ("id", "lang", "title", "published", "body")


def sample(data: Path, n: int, out: Path, max_chars: int | None = None) -> int:
    """The first ``n`` articles of the events dev data (a named sample, not a copy of the set)."""
    rows = []
    with (data / "events" / "articles.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                if max_chars:
                    r["text"] = r["text"][:max_chars]
                rows.append(r)
            if len(rows) >= n:
                break
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "STORYLINE_VECTOR_CACHE": str(cache)}


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "storyline", *args]


def run_to_end(inp: Path, db: Path, cache: Path, batch: int) -> float:
    t = time.perf_counter()
    proc = subprocess.run(_cmd("run", str(inp), "--db", str(db), "--batch-size", str(batch)), env=_env(cache), cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"storyline run failed ({proc.returncode}):\n{proc.stderr}")
    return time.perf_counter() - t


def export(db: Path, cache: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(_cmd("export", "--db", str(db)), env=_env(cache), cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return [json.loads(x) for x in proc.stdout.splitlines()]


def partition(rows: list[dict[str, Any]], key: str) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = defaultdict(set)
    for r in rows:
        groups[r[key]].add(r["id"])
    return {frozenset(g) for g in groups.values()}


def compare(ref: list[dict[str, Any]], got: list[dict[str, Any]]) -> dict[str, Any]:
    by_ref = {r["id"]: r for r in ref}
    by_got = {r["id"]: r for r in got}
    same_fields = sum(1 for i, r in by_ref.items() if i in by_got and all(by_got[i][f] == r[f] for f in FIELDS))
    return {
        "articles": (len(ref), len(got)),
        "duplicates": len(got) - len(by_got),
        "missing": sorted(set(by_ref) - set(by_got)),
        "extra": sorted(set(by_got) - set(by_ref)),
        "same_fields": same_fields,
        "same_events": partition(ref, "event") == partition(got, "event"),
        "same_storylines": partition(ref, "storyline") == partition(got, "storyline"),
        "unassigned": sum(1 for r in got if not r["event"] or not r["storyline"]),
    }


def faulted(inp: Path, db: Path, cache: Path, kills: int, window: float, batch: int, rng: random.Random
            ) -> tuple[int, int]:
    """Start, kill at a random moment within ``window`` seconds, ``kills`` times (a run that ends
    on its own before its kill counts as a run, not a kill); then run to the end."""
    made = runs = 0
    while made < kills:
        proc = subprocess.Popen(_cmd("run", str(inp), "--db", str(db), "--batch-size", str(batch)), env=_env(cache),
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs += 1
        try:
            proc.wait(timeout=rng.uniform(0.3, window))
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            made += 1
            continue
        if runs > kills * 5:
            break  # the run now finishes faster than any kill: nothing left to interrupt
        # It finished: start again from an empty store so every kill lands mid-run.
        for p in db.parent.glob(db.name + "*"):
            p.unlink()
    run_to_end(inp, db, cache, batch)
    return made, runs + 1


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--input", type=Path, help="A JSONL of articles instead of a dev-data sample")
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--max-chars", type=int, default=None, help="Cut each text (a faster test variant)")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--window", type=float, default=None,
                    help="Kill within this many seconds of a start [default: a warm run's duration, measured]")
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="storyline-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    a.cache.parent.mkdir(parents=True, exist_ok=True)
    inp = a.input or work / "sample.jsonl"
    n = sum(1 for x in inp.open(encoding="utf-8") if x.strip()) if a.input else sample(
        a.data, a.articles, inp, a.max_chars)
    ref_db, f_db = work / "reference.db", work / "faulted.db"
    for p in [*work.glob("reference.db*"), *work.glob("faulted.db*")]:
        p.unlink()
    t_ref = run_to_end(inp, ref_db, a.cache, a.batch_size)  # also fills the vector cache
    # How long a run takes once the cache is warm: kills land anywhere in it, start-up included.
    t_warm = a.window if a.window else run_to_end(inp, work / "warm.db", a.cache, a.batch_size)
    t0 = time.perf_counter()
    made, runs = faulted(inp, f_db, a.cache, a.kills, max(1.0, t_warm), a.batch_size, random.Random(a.seed))
    t_f = time.perf_counter() - t0
    result = compare(export(ref_db, a.cache), export(f_db, a.cache))
    result.update(kills=made, runs=runs, inputs=n, seconds_reference=round(t_ref, 1),
                  seconds_warm=round(t_warm, 1), seconds_faulted=round(t_f, 1))
    ok = (not result["missing"] and not result["extra"] and not result["duplicates"]
          and result["same_fields"] == n and result["same_events"] and result["same_storylines"])
    result["identical"] = ok
    print("| measure | value |\n|---|---|")
    print(f"| input articles | {n} |")
    print(f"| SIGKILLs at random moments | {made} (in {runs} runs, the last one to the end) |")
    print(f"| articles exported (reference / faulted) | {result['articles'][0]} / {result['articles'][1]} |")
    print(f"| missing / extra / duplicated | {len(result['missing'])} / {len(result['extra'])} / "
          f"{result['duplicates']} |")
    print(f"| articles with identical id, lang, title, published, body | {result['same_fields']} / {n} |")
    print(f"| same event partition / same storyline partition | {result['same_events']} / "
          f"{result['same_storylines']} |")
    print(f"| unassigned after the last run | {result['unassigned']} |")
    print(f"| time: reference (cold) / warm / all faulted runs | {t_ref:.1f} s / {t_warm:.1f} s / {t_f:.1f} s |")
    print(f"| identical | {'yes' if ok else 'NO'} |")
    return result


if __name__ == "__main__":
    sys.exit(0 if main()["identical"] else 1)
