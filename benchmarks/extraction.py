"""Cleaning quality and speed, project vs baselines, in one run; prints one table.

python benchmarks/extraction.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import trafilatura
from fit_lines import crossfit, half

from storyline import eval as E
from storyline.clean.encoding import decode_bytes
from storyline.clean.html import extract_html
from storyline.clean.language import detect_language
from storyline.clean.meta import parse_date
from storyline.clean.text import clean_text

ROOT = Path(__file__).resolve().parent.parent


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        yield from (json.loads(line) for line in f if line.strip())


def _read(path: Path) -> str:
    return decode_bytes(path.read_bytes(), str(path))


WORST: list[str] = []  # "html/text: the 5 worst pages" lines, printed after the table


def _split(name: str, ours: dict[str, str], gold: dict[str, str]) -> list[tuple[str, float, float]]:
    """The same score on the two fixed halves of the pages (the line model is fitted per half)."""
    return [
        (f"  {name} half {h}", E.extraction(ours, {i: g for i, g in gold.items() if half(i) == h}).f1, float("nan"))
        for h in "AB"
    ]


def _worst(name: str, ours: dict[str, str], gold: dict[str, str], urls: dict[str, str]) -> None:
    scores = [(E.bag_of_words(ours.get(i, ""), g), i) for i, g in gold.items()]
    WORST.append(f"{name}: the 5 worst pages")
    for s, i in sorted(scores, key=lambda t: t[0].f1)[:5]:
        WORST.append(f"  F1 {s.f1:.3f} (P {s.p:.3f} R {s.r:.3f})  {i[:16]}  {urls.get(i, '')[:90]}")
        WORST.append(f"      {_what_went_wrong(ours.get(i, ''), gold[i])}")


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _clip(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _what_went_wrong(ours: str, gold: str) -> str:
    """The biggest wrongly kept paragraph (most words the gold body lacks) or the biggest missed
    one (most gold words we lack), whichever weighs more."""
    if not ours.strip():
        return "nothing kept (the page was taken for furniture as a whole)"
    gw, ow = _words(gold), _words(ours)
    extra = max(((len(_words(p) - gw), p) for p in ours.split("\n") if p.strip()), default=(0, ""))
    missed = max(((len(_words(p) - ow), p) for p in gold.split("\n") if p.strip()), default=(0, ""))
    if extra[0] >= missed[0]:
        return f'kept furniture ({extra[0]} words not in gold): "{_clip(extra[1])}"'
    return f'missed article text ({missed[0]} words): "{_clip(missed[1])}"'


def _worst_snippets(ours: dict[str, str], gold: list[dict[str, Any]]) -> None:
    """Pages with the most segment errors, with the first segment missed or wrongly kept."""
    rows = []
    for g in gold:
        body = E._norm(ours.get(str(g["id"]), ""))
        missed = [s for s in g["with"] if E._norm(s) not in body]
        kept = [s for s in g["without"] if E._norm(s) in body]
        rows.append((len(missed) + len(kept), len(missed), len(kept), str(g["id"]), g.get("url", ""), missed, kept))
    WORST.append("snippets: the 5 worst pages (segments missed / wrongly kept)")
    for _, m, k, i, url, missed, kept in sorted(rows, key=lambda r: -r[0])[:5]:
        WORST.append(f"  missed {m}, kept {k}  {i[:16]}  {url[:90]}")
        if not body_of(ours, i):
            note = "nothing kept (the page was taken for furniture as a whole)"
        elif missed and (len(missed) >= len(kept)):
            note = f'missed: "{_clip(missed[0])}"' + (f'; kept: "{_clip(kept[0], 40)}"' if kept else "")
        else:
            note = f'kept: "{_clip(kept[0])}"' + (f'; missed: "{_clip(missed[0], 40)}"' if missed else "")
        WORST.append(f"      {note}")


def body_of(ours: dict[str, str], i: str) -> str:
    return ours.get(i, "").strip()


def html_rows(data: Path) -> list[tuple[str, float, float]]:
    recs = list(_jsonl(data / "extraction" / "gold.jsonl"))
    gold = {r["id"]: r["body"] for r in recs}
    urls = {r["id"]: r.get("url", "") for r in recs}
    pages = {i: _read(data / "extraction" / "html" / f"{i}.html") for i in gold}
    t = time.perf_counter()
    ours = {i: "\n\n".join(extract_html(h).cleaned.paragraphs) for i, h in pages.items()}
    speed = len(pages) / (time.perf_counter() - t)
    t = time.perf_counter()
    defaults = {i: trafilatura.extract(h) or "" for i, h in pages.items()}
    base_speed = len(pages) / (time.perf_counter() - t)
    best = {i: trafilatura.extract(h, favor_precision=True, include_comments=False) or "" for i, h in pages.items()}
    _worst("html", ours, gold, urls)
    return [
        ("html F1 (extraction) vs trafilatura best setting", E.extraction(ours, gold).f1, E.extraction(best, gold).f1),
        ("  vs trafilatura defaults", E.extraction(ours, gold).f1, E.extraction(defaults, gold).f1),
        ("  html precision / recall", E.extraction(ours, gold).p, E.extraction(ours, gold).r),
        *_split("html", ours, gold),
        ("  html pages/s (baseline: trafilatura defaults)", speed, base_speed),
    ]


def text_rows(data: Path) -> list[tuple[str, float, float]]:
    recs = list(_jsonl(data / "extraction" / "gold.jsonl"))
    gold = {r["id"]: r["body"] for r in recs}
    urls = {r["id"]: r.get("url", "") for r in recs}
    texts = {i: _read(data / "extraction" / "text" / f"{i}.txt") for i in gold}
    t = time.perf_counter()
    ours = {i: "\n\n".join(clean_text(x).paragraphs) for i, x in texts.items()}
    speed = len(texts) / (time.perf_counter() - t)
    rules = {i: "\n\n".join(clean_text(x, model=False).paragraphs) for i, x in texts.items()}
    traf = {}
    for i, x in texts.items():
        html = "<html><body>" + "".join(f"<p>{_esc(ln)}</p>" for ln in x.splitlines() if ln.strip())
        traf[i] = trafilatura.extract(html + "</body></html>", favor_recall=True) or ""
    _worst("text", ours, gold, urls)
    return [
        ("text F1 IN-SAMPLE vs keep everything", E.extraction(ours, gold).f1, E.extraction(texts, gold).f1),
        ("  vs trafilatura on lines-as-<p>", E.extraction(ours, gold).f1, E.extraction(traf, gold).f1),
        ("  vs rules alone (no line model)", E.extraction(ours, gold).f1, E.extraction(rules, gold).f1),
        *_split("text", ours, gold),
        ("  text pages/s (baseline: rules alone)", speed, float("nan")),
    ]


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def snippet_rows(data: Path) -> list[tuple[str, float, float]]:
    gold = list(_jsonl(data / "snippets" / "gold.jsonl"))
    texts = {str(g["id"]): _read(data / "snippets" / "text" / f"{g['id']}.txt") for g in gold}
    t = time.perf_counter()
    ours = {i: "\n\n".join(clean_text(x).paragraphs) for i, x in texts.items()}
    speed = len(texts) / (time.perf_counter() - t)
    rules = {i: "\n\n".join(clean_text(x, model=False).paragraphs) for i, x in texts.items()}
    rows = [
        ("snippets micro-F1 IN-SAMPLE vs keep everything", E.snippets(ours, gold).f1, E.snippets(texts, gold).f1),
        ("  vs rules alone (no line model)", E.snippets(ours, gold).f1, E.snippets(rules, gold).f1),
    ]
    for h in "AB":
        part = [g for g in gold if half(str(g["id"])) == h]
        rows.append((f"  snippets half {h} (n={len(part)})", E.snippets(ours, part).f1, E.snippets(texts, part).f1))
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in gold:
        by_lang[detect_language(texts[str(g["id"])][:2000])].append(g)
    for lang, part in sorted(by_lang.items(), key=lambda kv: -len(kv[1])):
        if len(part) >= 8:
            rows.append((f"  snippets {lang} (n={len(part)})", E.snippets(ours, part).f1, E.snippets(texts, part).f1))
    rest = [g for part in by_lang.values() if len(part) < 8 for g in part]
    if rest:
        rows.append(
            (f"  snippets other languages (n={len(rest)})", E.snippets(ours, rest).f1, E.snippets(texts, rest).f1)
        )
    rows.append(("  snippets pages/s", speed, float("nan")))
    _worst_snippets(ours, gold)
    return rows


def crossfit_rows(data: Path) -> list[tuple[str, float, float]]:
    """The figures for pages nobody tuned on: the line model fitted on one half of the pages (split
    by site), the other half cleaned, both ways, pooled; beside the rules alone (nothing fitted)."""
    gold = list(_jsonl(data / "snippets" / "gold.jsonl"))
    bodies = {r["id"]: r["body"] for r in _jsonl(data / "extraction" / "gold.jsonl")}
    texts = {i: _read(data / "extraction" / "text" / f"{i}.txt") for i in bodies}
    stexts = {str(g["id"]): _read(data / "snippets" / "text" / f"{g['id']}.txt") for g in gold}
    rules = {i: "\n\n".join(clean_text(x, model=False).paragraphs) for i, x in texts.items()}
    srules = {i: "\n\n".join(clean_text(x, model=False).paragraphs) for i, x in stexts.items()}
    rows = []
    for name, (text, snip) in crossfit(data).items():
        rows.append((f"text F1 CROSS-FITTED, line model {name} vs rules alone", E.extraction(text, bodies).f1,
                     E.extraction(rules, bodies).f1))
        rows.append((f"snippets F1 CROSS-FITTED, line model {name} vs rules alone", E.snippets(snip, gold).f1,
                     E.snippets(srules, gold).f1))
    return rows


def date_rows(data: Path) -> list[tuple[str, float, float]]:
    gold = {r["id"]: r["event"] for r in _jsonl(data / "events" / "gold.jsonl")}
    parsed, total = {}, 0
    rows = [r for r in _jsonl(data / "events" / "articles.jsonl") if r.get("published")]
    # A day/month without a year is read against the batch's latest full date (as a fetch date would be).
    full = [d for d in (parse_date(r["published"], "vi") for r in rows) if d]
    reference = max(full) if full else None
    for r in rows:
        total += 1
        parsed[r["id"]] = parse_date(r["published"], "vi", reference)
    # No gold day: a parsed date is plausible when within 7 days of its event's median date.
    by_event: dict[str, list[int]] = defaultdict(list)
    for i, d in parsed.items():
        if d:
            by_event[gold[i]].append(d.toordinal())
    plausible = sum(
        1 for i, d in parsed.items() if d and abs(d.toordinal() - statistics.median(by_event[gold[i]])) <= 7
    )
    iso_ok = iso_n = 0
    for r in _jsonl(data / "storylines" / "articles.jsonl"):
        if r.get("published"):
            iso_n += 1
            iso_ok += str(parse_date(r["published"])) == r["published"][:10]
    return [
        ("events: raw vi dates parsed (share)", sum(d is not None for d in parsed.values()) / total, float("nan")),
        (
            "events: parsed dates plausible (±7d of event)",
            plausible / max(1, sum(map(bool, parsed.values()))),
            float("nan"),
        ),
        ("storylines: ISO dates right day", iso_ok / max(1, iso_n), float("nan")),
    ]


def lang_rows(data: Path) -> list[tuple[str, float, float]]:
    gold = {r["id"]: r["lang"] for r in _jsonl(data / "storylines" / "gold.jsonl")}
    ok = n = 0
    for r in _jsonl(data / "storylines" / "articles.jsonl"):
        n += 1
        ok += detect_language(r["text"]) == gold[r["id"]]
    langs = {r["pair_id"]: (r["lang_a"], r["lang_b"]) for r in _jsonl(data / "similarity" / "gold.jsonl")}
    sok = sn = 0
    t = time.perf_counter()
    for r in _jsonl(data / "similarity" / "pairs.jsonl"):
        for side, want in zip(("a", "b"), langs[r["pair_id"]], strict=True):
            sn += 1
            sok += detect_language(r[side].get("text", "")) == want
    speed = sn / (time.perf_counter() - t)
    return [
        ("language accuracy (storylines)", ok / n, float("nan")),
        ("language accuracy (similarity)", sok / sn, float("nan")),
        ("  language texts/s", speed, float("nan")),
    ]


def title_rows(data: Path) -> list[tuple[str, float, float]]:
    """ViMs: the title is withheld from the cleaner; is the headline it finds the given one?"""
    ok = n = 0
    for r in _jsonl(data / "events" / "articles.jsonl"):
        if not r.get("title") or not r["id"].startswith("vims"):
            continue
        n += 1
        found = clean_text(r["title"] + "\n\n" + r["text"]).title
        ok += (found or "").strip() == r["title"].strip()
    return [("ViMs title found (title line prepended to text)", ok / max(1, n), float("nan"))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    data = ap.parse_args().data
    rows: list[tuple[str, float, float]] = []
    for fn in (html_rows, text_rows, snippet_rows, crossfit_rows, date_rows, lang_rows, title_rows):
        rows += fn(data)
    print(f"{'measure':56s} {'project':>9s} {'baseline':>9s}")
    for name, ours, base in rows:
        b = "" if base != base else f"{base:9.3f}"  # NaN: no baseline
        print(f"{name:56s} {ours:9.3f} {b:>9s}")
    print("baselines as named per row; 'trafilatura best setting' = favor_precision, no comments.")
    print("IN-SAMPLE rows use the shipped line model, fitted on all these pages; the CROSS-FITTED rows fit it on")
    print("one half of the pages (split by site), clean the other half, both ways, pooled: the figure to expect on")
    print("unseen pages. The HTML path fits nothing (trafilatura + fixed rules): its halves A/B are both unseen.")
    print("\n".join(WORST))


if __name__ == "__main__":
    main()
