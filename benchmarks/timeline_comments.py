"""Timelines through the pipeline (cleaned bodies, as ``storyline timeline`` runs them), and how
many of their sentences a reader would recognise as a reader's comment, not the story.

    python benchmarks/timeline_comments.py [--data DIR] [--only PREFIX] [--show]

Per dev timeline task: the articles cleaned by ``storyline.clean`` (rejected ones left out, as the
CLI leaves them out), enriched without vectors, built into a timeline with the reference's shape,
and scored by the reference scorer (AR1-F / date F1, ``benchmarks/timelines.py``'s
``score_entries``).

How a comment sentence is identified (independently of the cleaner's rule): in the task's *raw*
text of the sentence's article, the thread starts at the first comment-section marker
(``THREAD``: a "| Reply" / "| Report abuse" bar, "Posted by :", "1:33 pm … N wrote :", a post stamp "date,
year, clock |", the comment form's "required, but will not be displayed", a "N comments" /
"N commenti" / "N comentarios" count line). A timeline sentence whose words occur in its article
only after that marker is counted. What this misses: the one comment a thread prints *before* its
first marker (CNN and the Washington Post put the stamp after a comment), and threads with no
marker at all (Le Monde's, whose names and stamps the corpus dropped); ``--show`` prints every
counted sentence and the timeline's sentences from articles with a marker, to read by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import timelines as T  # noqa: E402

from storyline.clean import clean  # noqa: E402
from storyline.enrich import enrich  # noqa: E402
from storyline.errors import InputError  # noqa: E402
from storyline.models import Article, RawArticle  # noqa: E402
from storyline.timeline import build_timeline  # noqa: E402

THREAD = re.compile(
    r"\|\s*(?:Reply|Report abuse)\b|\bPosted by\s*:|\d{1,2}[:.]\d{2}.{0,80}\bwrote\s*:|"
    r"\b(?:19|20)\d{2}\W{0,3}(?:at\s+)?\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?\s?m\b\.?)?\s*\||"
    r"required\s*,?\s*but will not be displayed|"
    r"(?m:^\W*(?:Se han publicado\s+)?\d+\s+(?:comments?|commenti|comentarios|commentaires|Kommentare)\b)",
    re.I,
)


def _toks(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def comment_share(entries: list, raw_text: dict[str, str]) -> tuple[int, int, list[str]]:
    """(comment sentences, all sentences, the comment sentences) of a built timeline."""
    n = bad = 0
    found: list[str] = []
    for e in entries:
        for s in e.sentences:
            n += 1
            text = raw_text.get(s.article_id, "")
            m = THREAD.search(text)
            if not m:
                continue
            norm, start = _toks(text), len(_toks(text[: m.start()]))
            key = _toks(s.text)
            at = norm.find(key) if key else -1
            if at >= start:  # its first occurrence lies in the thread
                bad += 1
                found.append(f"{s.article_id}: {s.text[:150]}")
    return bad, n, found


def load_raw(task: Path) -> list[RawArticle]:
    lang = task.name.split("-")[1] if task.name.startswith("crisis-") else "en"
    import json

    out = []
    for line in (task / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.append(RawArticle(id=r["id"], text=r.get("text"), lang=r.get("lang") or lang,
                                  published=r.get("published"), origin=r["id"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--only", default="")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    score = T.load_score(args.data)
    t0 = time.perf_counter()
    paths = sorted(p for p in (args.data / "timelines").iterdir() if p.is_dir() and p.name.startswith(args.only))
    print(f"{'task':26} {'AR1-F':>6} {'dateF1':>6} {'comment sentences':>18}")
    sums: dict[str, list[float]] = {}
    for p in paths:
        raws = load_raw(p)
        arts: list[Article] = []
        for r in raws:
            with contextlib.suppress(InputError):
                arts.append(clean(r))
        n_dates, n_sents = score.ref_shape(str(p / "reference"))
        entries = build_timeline(enrich(arts, None), n_dates=n_dates, n_sentences=n_sents)
        s = T.score_entries(score, entries, p / "reference")
        bad, n, found = comment_share(entries, {r.id: r.text or "" for r in raws})
        print(f"{p.name:26} {s['ar1_f']:6.3f} {s['date_f1']:6.3f} {bad:>8} of {n:<6}", flush=True)
        g = "t17" if p.name.startswith("t17") else "crisis"
        sums.setdefault(g, [0.0] * 5)
        for i, v in enumerate((s["ar1_f"], s["date_f1"], bad, n, 1)):
            sums[g][i] += v
        if args.show:
            for f in found:
                print("   ", f)
    for g, (ar1, df1, nbad, nall, k) in sums.items():
        print(f"{'mean ' + g:26} {ar1 / k:6.3f} {df1 / k:6.3f} {int(nbad):>8} of {int(nall):<6}")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
