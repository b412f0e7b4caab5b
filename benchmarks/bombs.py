"""Peak memory of `storyline run` and of `storyline serve` on a gzip bomb (issue 19).

    python benchmarks/bombs.py [--mib 1024] [--root CHECKOUT]

The bomb is a ~1 MB `.jsonl.gz` whose second line expands to ``--mib`` MiB (one JSON string of
spaces), between two ordinary articles. `storyline run` reads it (the child's own peak RSS, /proc
VmHWM); then a `storyline serve` on 127.0.0.1 takes it as an upload (peak RSS from
/proc VmHWM, and RSS after the job). ``--root`` runs another checkout (e.g. the code before the
fix) for a before/after table. Needs free memory of a few times ``--mib`` for code without bounds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from servers import free_port, run_storyline, status_mib, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Ankara and Moscow agreed on Tuesday to extend the grain corridor for another sixty days, officials said."


def bomb(path: Path, mib: int) -> Path:
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(json.dumps({"id": "before", "text": TEXT}).encode() + b"\n")
        fh.write(b'{"id": "huge", "text": "')
        block = b" " * 1_048_576
        for _ in range(mib):
            fh.write(block)
        fh.write(b'"}\n')
        fh.write(json.dumps({"id": "after", "text": TEXT}).encode() + b"\n")
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--root", type=Path, default=ROOT)
    a = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="storyline-bombs-"))
    f = bomb(work / "bomb.jsonl.gz", a.mib)
    cache = ROOT / "benchmarks" / ".cache" / "vectors.sqlite"
    env = {**os.environ, "PYTHONPATH": str(a.root), "STORYLINE_VECTOR_CACHE": str(cache)}
    # The control: the same two articles without the bomb line (what loading the models costs).
    plain = work / "plain.jsonl"
    plain.write_text("".join(json.dumps({"id": i, "text": TEXT}) + "\n" for i in ("before", "after")), encoding="utf-8")
    _, control_rss = run_storyline(["run", str(plain), "--db", str(work / "plain.db")], env=env, cwd=work)
    t = time.perf_counter()
    proc, run_rss = run_storyline(["run", str(f), "--db", str(work / "run.db")], env=env, cwd=work)
    run_s = time.perf_counter() - t
    said = [x for x in proc.stderr.splitlines() if "huge" in x or "bomb" in x][:1]

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", str(work / "serve.db"),
                               "--port", str(port), "--max-upload-mb", "25"], env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # a pipe could fill and block it
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        idle = status_mib(server.pid, "VmRSS")
        t = time.perf_counter()
        r = httpx2.post(base + "/api/uploads", files={"files": ("bomb.jsonl.gz", f.read_bytes(), "application/gzip")},
                       timeout=600)
        job = r.json() if r.status_code == 202 else {"state": f"HTTP {r.status_code}", "id": None}
        while job.get("id") and job["state"] not in ("done", "failed"):
            time.sleep(0.5)
            job = httpx2.get(f"{base}/api/jobs/{job['id']}", timeout=60).json()
        serve_s = time.perf_counter() - t
        peak, after = status_mib(server.pid, "VmHWM"), status_mib(server.pid, "VmRSS")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"bomb: {f.stat().st_size / 1e6:.2f} MB gzip, expands to {a.mib} MiB in one line; code: {a.root}")
    print("| process | peak RSS MiB | after MiB | time s | outcome |\n|---|---|---|---|---|")
    print(f"| storyline run, control (no bomb line) | {control_rss:.0f} | – | – | – |")
    print(f"| storyline run | {run_rss:.0f} | – | {run_s:.1f} | exit {proc.returncode}; {' '.join(said)[:140]} |")
    print(f"| storyline serve (idle {idle:.0f} MiB) | {peak:.0f} | {after:.0f} | {serve_s:.1f} | job {job['state']}, "
          f"added {job.get('added')}, rejected {[x['reason'][:60] for x in job.get('rejected', [])]} |")


if __name__ == "__main__":
    main()
