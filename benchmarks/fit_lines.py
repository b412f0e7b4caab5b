"""Fit the line model on labelled development data and write ``line_weights.py``.

    python benchmarks/fit_lines.py --data ../shared/data [--half A|B|all] [--write]

Labels come from two public sets: the snippets set (a line holding a segment that must survive
is positive, one holding a segment that must go is negative) and the extraction set's plain-text
pages (a line found in the gold body is positive, any other line negative). Pages are split into
halves by a hash of their id; ``--half A`` fits on A and reports on B, so a change can be judged
on pages the model never saw. The shipped weights are fitted on ``all`` with the settings chosen
that way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline.clean.encoding import decode_bytes  # noqa: E402
from storyline.clean.lines import FEATURES  # noqa: E402
from storyline.clean.text import analyse, normalise_line  # noqa: E402

_EXTRACTION_WEIGHT = 0.3  # extraction pages have many unlabelled-looking lines; snippets lead


def half(page_id: str) -> str:
    """'A' or 'B', fixed per page id."""
    return "A" if hashlib.sha1(page_id.encode()).digest()[0] % 2 == 0 else "B"


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        yield from (json.loads(line) for line in f if line.strip())


def _read(path: Path) -> str:
    return decode_bytes(path.read_bytes(), str(path))


def examples(data: Path) -> list[tuple[str, list[float], int, float]]:
    """(page id, features, label, weight) for every labelled line of both sets."""
    out: list[tuple[str, list[float], int, float]] = []
    for g in _jsonl(data / "snippets" / "gold.jsonl"):
        pid = str(g["id"])
        a = analyse(_read(data / "snippets" / "text" / f"{pid}.txt"))
        norm = [normalise_line(ln.text) for ln in a.lines]
        pos = [normalise_line(s) for s in g["with"]]
        neg = [normalise_line(s) for s in g["without"]]
        for line, row in zip(norm, a.rows, strict=True):
            p, n = any(s in line for s in pos), any(s in line for s in neg)
            if p != n:
                out.append((pid, row, int(p), 1.0))
    for g in _jsonl(data / "extraction" / "gold.jsonl"):
        pid = str(g["id"])
        a = analyse(_read(data / "extraction" / "text" / f"{pid}.txt"))
        body = normalise_line(g["body"])
        for ln, row in zip(a.lines, a.rows, strict=True):
            out.append((pid, row, int(normalise_line(ln.text) in body), _EXTRACTION_WEIGHT))
    return out


def fit(rows: list[list[float]], labels: list[int], weights: list[float], c: float = 1.0) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(rows, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, np.asarray(labels), sample_weight=np.asarray(weights))
    return {
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


def write(weights: dict[str, Any], path: Path) -> None:
    body = json.dumps(weights, indent=1)
    names = "\n".join(textwrap.wrap(", ".join(FEATURES), 96))
    path.write_text(
        '"""Fitted weights of the line model (see ``lines.py``); written by ``fit_lines``.\n\n'
        f"Features, in order:\n{names}.\n"
        '"""\n\nfrom typing import Any\n\n'
        f"WEIGHTS: dict[str, Any] = {body}\n",
        encoding="utf-8",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--half", choices=["A", "B", "all"], default="all")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--drop-below", type=float, default=0.3)
    ap.add_argument("--c", type=float, default=1.0)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    ex = [e for e in examples(args.data) if args.half == "all" or half(e[0]) == args.half]
    weights = fit([e[1] for e in ex], [e[2] for e in ex], [e[3] for e in ex], args.c)
    weights["threshold"] = args.threshold
    weights["drop_below"] = args.drop_below
    if args.write:
        write(weights, ROOT / "storyline" / "clean" / "line_weights.py")
    print(f"fitted on {len(ex)} lines ({args.half})")
    for name, coef in sorted(zip(FEATURES, weights["coef"], strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:18s} {coef:+.3f}")


if __name__ == "__main__":
    main()
