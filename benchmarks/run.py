"""The first table: every capability through the real pipeline, beside a simple baseline, from one run.

    python benchmarks/run.py [--data ../shared/data] [--skip-timelines]

Project figures go through ``Pipeline`` exactly as ``storyline run`` / ``clean`` / ``similarity`` /
``timeline`` do (clean → enrich → link → SQLite), so they measure what a user gets. Vectors for the
quality figures come from a shared cache (benchmarks/.cache) so a text is embedded once; the
throughput row is measured separately with no cache, end to end, on fresh articles.
The deeper per-capability scripts are events.py, extraction.py and timelines.py beside this one.
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from storyline import Pipeline, Settings, open_store  # noqa: E402
from storyline import eval as ev  # noqa: E402
from storyline.models import Article, Rejected  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache" / "vectors.sqlite"
Row = tuple[str, str, str, str]  # measure, project, baseline, target


def load(p: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]


def cached_pipeline(db: Path) -> Pipeline:
    return Pipeline(Settings(db=str(db), vector_cache=str(CACHE), batch_size=64))


def stored(pipe: Pipeline, inputs: list[Path]) -> tuple[list[Article], dict[str, Any], float]:
    t0 = time.perf_counter()
    summary = pipe.run(inputs)
    secs = time.perf_counter() - t0
    st = open_store(pipe.settings.db)
    arts = list(st.articles())
    where = {a.article_id: a for a in st.assignments()}
    if summary.rejected:
        print(f"  note: {len(summary.rejected)} inputs rejected, e.g. {summary.rejected[0]}")
    return arts, where, secs


def events_rows(data: Path, tmp: Path) -> list[Row]:
    from events import baseline_labels, crossfit_events, tune_baseline

    gold = {g["id"]: g["event"] for g in load(data / "events" / "gold.jsonl")}
    arts, where, _ = stored(cached_pipeline(tmp / "events.db"), [data / "events" / "articles.jsonl"])
    pred = {i: a.event for i, a in where.items()}
    have = [a for a in arts if a.id in gold and a.vector is not None]
    alpha, t = tune_baseline(have, gold, [x / 100 for x in range(30, 95, 5)])
    base = baseline_labels(have, alpha, t)
    ecb = {i: e for i, e in gold.items() if i.startswith("ecb-")}
    p, b = ev.bcubed(pred, gold), ev.bcubed(base, gold)
    pe, be = ev.bcubed(pred, ecb), ev.bcubed(base, ecb)
    rows: list[Row] = [
        ("events BCubed F1 (vi+en, data/events; weights fitted on all dev events but the gate's: in-sample)",
         f"{p.f1:.3f} (P {p.p:.3f} R {p.r:.3f})", f"{b.f1:.3f} (P {b.p:.3f} R {b.r:.3f})", ">= 0.96"),
        ("events pairwise F1", f"{ev.pairwise(pred, gold).f1:.3f}", f"{ev.pairwise(base, gold).f1:.3f}", ""),
        ("events BCubed F1, ECB+ (en) part", f"{pe.f1:.3f}", f"{be.f1:.3f}", ">= 0.93"),
    ]
    from storyline.link import LinkConfig

    for name, n, refit, six, baseline, shipped in crossfit_events(have, gold, LinkConfig()):
        rows.append((f"  events {name}, n={n}: refit centred+entities / earlier six signals / shipped (in-sample)",
                     f"{refit} / {six.split()[0]} / {shipped}", f"{baseline} (tuned on the rest)", ""))
    return rows


def storylines_rows(data: Path, tmp: Path) -> list[Row]:
    from events import baseline_labels, tune_baseline

    gg = load(data / "storylines" / "gold.jsonl")
    gold = {g["id"]: g["storyline"] for g in gg}
    langs = {g["id"]: g["lang"] for g in gg}
    # A feed delivers in publish order; write the input that way so the run sees a stream.
    rows = sorted(load(data / "storylines" / "articles.jsonl"), key=lambda r: (r.get("published") or "9", r["id"]))
    src = tmp / "storylines.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    arts, where, _ = stored(cached_pipeline(tmp / "storylines.db"), [src])
    pred = {i: a.storyline for i, a in where.items()}
    have = [a for a in arts if a.id in gold and a.vector is not None]
    alpha, t = tune_baseline(have, gold, [x / 100 for x in range(60, 96, 2)], use_tfidf=False)
    base = baseline_labels(have, alpha, t, use_tfidf=False)
    p, b = ev.bcubed(pred, gold), ev.bcubed(base, gold)
    xp, n = ev.crosslingual_recall(pred, gold, langs)
    xb, _ = ev.crosslingual_recall(base, gold, langs)
    return [
        ("storylines BCubed F1 (en/es/fr/it)", f"{p.f1:.3f} (P {p.p:.3f} R {p.r:.3f})",
         f"{b.f1:.3f} (P {b.p:.3f} R {b.r:.3f})", ">= 0.80"),
        (f"storylines cross-lingual pair recall ({n} pairs)", f"{xp:.3f}", f"{xb:.3f}", ">= 0.50"),
    ]


def similarity_rows(data: Path, tmp: Path) -> list[Row]:
    """As `storyline similarity` scores the file: what the pairs share first (page templates, each
    language's mean), then each pair (``benchmarks/similarity.py`` loads them the command's way and
    checks it on a few pairs)."""
    import similarity as simbench
    from common import tfidf_matrix

    gold = {g["pair_id"]: g for g in load(data / "similarity" / "gold.jsonl")}
    loaded = simbench.load(data)
    pairs, y, a, b = loaded.pairs, loaded.y, loaded.a, loaded.b
    proj = simbench.scores(a, b, loaded.unknown, templated=loaded.templated)
    cos = [float(np.dot(x.vector, z.vector)) for x, z in zip(a, b, strict=True)]  # type: ignore[arg-type]
    x = tfidf_matrix(a + b)
    n = len(a)
    tf = [float((x[i] @ x[n + i].T).toarray()[0, 0]) for i in range(n)]
    groups: dict[str, list[int]] = collections.defaultdict(list)
    for i, p in enumerate(pairs):
        g = gold[p["pair_id"]]
        groups[f"{g['lang_a']}-{g['lang_b']}"].append(i)

    def r(v: list[float], ix: list[int]) -> float:
        return ev.pearson([v[i] for i in ix], [y[i] for i in ix])

    cross = simbench.crossfitted(loaded)
    lolo = simbench.crossfitted(loaded, by_language=True)
    every = list(range(n))
    out: list[Row] = [
        ("similarity Pearson (SemEval-2022 T8): cross-fitted / leave-one-language-out / in-sample",
         f"{r(cross, every):.3f} / {r(lolo, every):.3f} / {r(proj, every):.3f}",
         f"{r(cos, every):.3f} e5 / {r(tf, every):.3f} TF-IDF", ">= 0.80"),
    ]
    for name, ix in sorted(groups.items()):
        target = ">= 0.75" if name == "de-en" else ""
        out.append((f"  similarity Pearson {name} ({len(ix)})",
                    f"{r(cross, ix):.3f} / {r(lolo, ix):.3f} / {r(proj, ix):.3f}",
                    f"{r(cos, ix):.3f} e5 / {r(tf, ix):.3f} TF-IDF", target))
    return out


def _bodies(pipe: Pipeline, folder: Path) -> dict[str, str]:
    out = {}
    for item in pipe.clean([folder]):
        out[Path(item.origin).stem] = "" if isinstance(item, Rejected) else item.body
    return out


def extraction_rows(data: Path) -> list[Row]:
    """The HTML path fits nothing (trafilatura plus fixed rules), so its dev figure is already one
    for unseen pages; the plain-text path's line model is fitted on these pages, so its honest
    figure is the cross-fitted one (``fit_lines.crossfit``), printed beside the in-sample one."""
    import trafilatura
    from fit_lines import crossfit

    from storyline.clean.text import clean_text

    pipe = Pipeline()
    gold = {g["id"]: g["body"] for g in load(data / "extraction" / "gold.jsonl")}
    t0 = time.perf_counter()
    html = _bodies(pipe, data / "extraction" / "html")
    text = _bodies(pipe, data / "extraction" / "text")
    pages_s = (len(html) + len(text)) / (time.perf_counter() - t0)
    raw_text = {p.stem: p.read_text(encoding="utf-8", errors="replace")
                for p in (data / "extraction" / "text").glob("*.txt")}
    traf, precise = {}, {}
    for p in (data / "extraction" / "html").glob("*.html"):
        page = p.read_text(encoding="utf-8", errors="replace")
        traf[p.stem] = trafilatura.extract(page) or ""
        precise[p.stem] = trafilatura.extract(page, favor_precision=True, include_comments=False) or ""
    sgold = load(data / "snippets" / "gold.jsonl")
    snip = _bodies(pipe, data / "snippets" / "text")
    xtext, xsnip = crossfit(data)["stage 1+2"]
    snip_raw = {p.stem: p.read_text(encoding="utf-8", errors="replace")
                for p in (data / "snippets" / "text").glob("*.txt")}
    rules = {i: "\n\n".join(clean_text(x, model=False).paragraphs) for i, x in raw_text.items()}
    srules = {i: "\n\n".join(clean_text(x, model=False).paragraphs) for i, x in snip_raw.items()}
    return [
        ("extraction F1, whole HTML page (nothing fitted: unseen as it stands)", f"{ev.extraction(html, gold).f1:.3f}",
         f"{ev.extraction(traf, gold).f1:.3f} trafilatura defaults / {ev.extraction(precise, gold).f1:.3f} precise",
         ">= 0.97"),
        ("extraction F1, page as plain text, IN-SAMPLE (the line model saw these pages)",
         f"{ev.extraction(text, gold).f1:.3f}", f"{ev.extraction(raw_text, gold).f1:.3f} keep everything", ""),
        ("extraction F1, page as plain text, CROSS-FITTED (model fitted on the other half of the sites)",
         f"{ev.extraction(xtext, gold).f1:.3f}", f"{ev.extraction(rules, gold).f1:.3f} rules alone", ">= 0.90"),
        ("snippets micro F1, plain text (multilingual), IN-SAMPLE", f"{ev.snippets(snip, sgold).f1:.3f}",
         f"{ev.snippets(snip_raw, sgold).f1:.3f} keep everything", ""),
        ("snippets micro F1, CROSS-FITTED (model fitted on the other half of the sites)",
         f"{ev.snippets(xsnip, sgold).f1:.3f}", f"{ev.snippets(srules, sgold).f1:.3f} rules alone", ">= 0.88"),
        ("cleaning speed, pages/s", f"{pages_s:.1f}", "", ""),
    ]


def timeline_rows(data: Path) -> list[Row]:
    import timelines as tb

    pipe = Pipeline()
    scores: dict[str, list[tuple[float, float, float, float]]] = collections.defaultdict(list)
    for task in sorted((data / "timelines").iterdir()):
        n_dates, n_sents = ev.reference_shape(task / "reference")
        entries, _ = pipe.timeline_of_inputs([task / "articles.jsonl"], n_dates, n_sents)
        mine = ev.timeline_scores(entries, task / "reference")
        base = ev.timeline_scores(tb.baseline(tb.load_articles(task), n_dates, n_sents), task / "reference")
        scores["t17" if task.name.startswith("t17") else "crisis"].append(
            (mine["ar1_f"], mine["date_f1"], base["ar1_f"], base["date_f1"])
        )
    out: list[Row] = []
    score = tb.load_score(data)
    left = tb.report(score, [tb.Task(score, p) for p in sorted((data / "timelines").iterdir()) if p.is_dir()])
    for kind, target in (("t17", (">= 0.12", ">= 0.55")), ("crisis", ("beat baseline", "beat baseline"))):
        m = np.mean(np.array(scores[kind]), axis=0)
        out.append((f"timelines {kind}: AR1-F (date vote chosen on these tasks: in-sample)", f"{m[0]:.3f}",
                    f"{m[2]:.3f}", target[0]))
        out.append((f"timelines {kind}: date F1 (in-sample)", f"{m[1]:.3f}", f"{m[3]:.3f}", target[1]))
        lo = left[kind]
        out.append((f"  timelines {kind}: AR1-F / date F1 leave-one-task-out, raw texts",
                    f"{lo['LO-task:ar1_f']:.3f} / {lo['LO-task:date_f1']:.3f}",
                    f"{lo['busiest days:ar1_f']:.3f} / {lo['busiest days:date_f1']:.3f} busiest days", ""))
        out.append((f"  timelines {kind}: AR1-F / date F1 leave-one-dataset-out, raw texts",
                    f"{lo['LO-dataset:ar1_f']:.3f} / {lo['LO-dataset:date_f1']:.3f}",
                    f"{lo['flat vote:ar1_f']:.3f} / {lo['flat vote:date_f1']:.3f} flat vote", ""))
    return out


def throughput_rows(data: Path, tmp: Path, n: int = 60) -> list[Row]:
    """End to end with no vector cache, on n articles of the events set given fresh ids."""
    rows = load(data / "events" / "articles.jsonl")[:n]
    src = tmp / "fresh.jsonl"
    src.write_text("".join(json.dumps({**r, "id": "t-" + r["id"]}, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    pipe = Pipeline(Settings(db=str(tmp / "throughput.db")))
    t0 = time.perf_counter()
    pipe.run([src])
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        (f"throughput end to end, articles/s ({n} fresh articles, no cache)", f"{n / secs:.2f}", "", ""),
        ("peak memory of this benchmark process, MiB", f"{rss:.0f}", "", ""),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--skip-timelines", action="store_true")
    ap.add_argument("--only", nargs="*", default=None, help="e.g. --only events storylines")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, fn in (
            ("extraction", lambda: extraction_rows(args.data)),
            ("events", lambda: events_rows(args.data, tmp)),
            ("similarity", lambda: similarity_rows(args.data, tmp)),
            ("storylines", lambda: storylines_rows(args.data, tmp)),
            ("timelines", (lambda: []) if args.skip_timelines else (lambda: timeline_rows(args.data))),
            ("throughput", lambda: throughput_rows(args.data, tmp)),
        ):
            if args.only and name not in args.only:
                continue
            t = time.perf_counter()
            rows += fn()
            print(f"[{name}: {time.perf_counter() - t:.0f} s]", file=sys.stderr)
    w = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{w}}  {'project':<26}  {'baseline':<34}  target")
    print("-" * (w + 80))
    for m, p, b, t in rows:
        print(f"{m:<{w}}  {p:<26}  {b:<34}  {t}")
    print(f"\none run on {args.data}, {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
