"""Cleaning quality and speed, project vs baselines, in one run; prints one table.

python benchmarks/extraction.py [--data ../shared/data] [--external /work/.mirror] [--external-pages 60]

``--external``: where ``fetch`` put the public repositories holding the external page sets
(L3S-GN1, Dragnet, Mozilla Readability's test pages; ``external_sets.py``). They are read from
there, never copied into the project; a set that is absent is skipped with a message.
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

import external_sets
import trafilatura
from fit_lines import Page, crossfit, pages, site_half

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
    """Whole HTML pages. Nothing is fitted in this path (trafilatura + fixed rules), so the
    figure is one for unseen pages as it stands; the two halves by site show how much it moves."""
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
    per = [(E.bag_of_words(ours[i], g).f1 - E.bag_of_words(best[i], g).f1) for i, g in gold.items()]
    rows = [
        ("html F1 (nothing fitted) vs trafilatura precise", E.extraction(ours, gold).f1, E.extraction(best, gold).f1),
        ("  vs trafilatura defaults", E.extraction(ours, gold).f1, E.extraction(defaults, gold).f1),
        ("  html precision / recall", E.extraction(ours, gold).p, E.extraction(ours, gold).r),
    ]
    for h in "AB":
        part = {i: g for i, g in gold.items() if site_half(i, urls[i]) == h}
        rows.append((f"  html sites half {h} (n={len(part)}) vs trafilatura precise", E.extraction(ours, part).f1,
                     E.extraction(best, part).f1))
    rows += [
        ("  pages better / worse than trafilatura precise (>0.005)", sum(d > 0.005 for d in per),
         sum(d < -0.005 for d in per)),
        ("  html pages/s (baseline: trafilatura defaults)", speed, base_speed),
    ]
    return rows


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SITE: dict[str, tuple[dict[str, str], dict[str, str]]] = {}  # the by-site cross-fit, for the sets table
LINE_TABLE: list[str] = []  # the line model's table: in-sample | cross-fitted | leave-one-set-out | baselines


def line_model_rows(data: Path, ps: list[Page], loso: dict[str, tuple[dict[str, str], dict[str, str]]]
                    ) -> list[tuple[str, float, float]]:
    """Plain page text and boilerplate segments, where the line model is fitted: the shipped
    model on the pages it was fitted on (IN-SAMPLE, the gate's pages excepted), the same shape
    fitted on the other half of the sites (CROSS-FITTED), and fitted on the other data set alone
    (LEAVE-ONE-SET-OUT), beside the rules alone (nothing fitted) and keeping everything. Printed
    as its own table (``LINE_TABLE``); returns the speed rows for the main one."""
    recs = list(_jsonl(data / "extraction" / "gold.jsonl"))
    bodies = {r["id"]: r["body"] for r in recs}
    urls = {r["id"]: r.get("url", "") for r in recs}
    sgold = list(_jsonl(data / "snippets" / "gold.jsonl"))
    texts = {i: _read(data / "extraction" / "text" / f"{i}.txt") for i in bodies}
    stexts = {str(g["id"]): _read(data / "snippets" / "text" / f"{g['id']}.txt") for g in sgold}
    t = time.perf_counter()
    ours = {i: "\n\n".join(clean_text(x).paragraphs) for i, x in texts.items()}
    sours = {i: "\n\n".join(clean_text(x).paragraphs) for i, x in stexts.items()}
    speed = (len(texts) + len(stexts)) / (time.perf_counter() - t)
    t = time.perf_counter()
    rules = {i: "\n\n".join(clean_text(x, model=False).paragraphs) for i, x in texts.items()}
    srules = {i: "\n\n".join(clean_text(x, model=False).paragraphs) for i, x in stexts.items()}
    rules_speed = (len(texts) + len(stexts)) / (time.perf_counter() - t)
    traf = {}
    for i, x in texts.items():
        html = "<html><body>" + "".join(f"<p>{_esc(ln)}</p>" for ln in x.splitlines() if ln.strip())
        traf[i] = trafilatura.extract(html + "</body></html>", favor_recall=True) or ""
    site = crossfit(data, by="site", ps=ps)
    SITE.update(site)
    xtext, xsnip = site["stage 1+2"]
    _worst("text (cross-fitted)", xtext, bodies, urls)
    _worst_snippets(xsnip, sgold)

    def text_f1(out: dict[str, str]) -> float:
        return E.extraction(out, bodies).f1

    def snip_f1(out: dict[str, str], part: list[dict[str, Any]] = sgold) -> float:
        return E.snippets(out, part).f1

    head = f"{'measure':44s} {'in-sample':>10s} {'cross-fit':>10s} {'leave-set':>10s} {'rules':>7s} {'keep-all':>9s}"
    LINE_TABLE.extend([head, "-" * len(head)])

    def line(name: str, vals: tuple[float, ...]) -> None:
        LINE_TABLE.append(f"{name:44s} " + " ".join(
            f"{v:{w}.3f}" if v == v else " " * w for v, w in zip(vals, (10, 10, 10, 7, 9), strict=True)))

    line("page text F1, line model (shipped shape)", (text_f1(ours), text_f1(xtext), text_f1(loso["stage 1+2"][0]),
                                                      text_f1(rules), text_f1(texts)))
    line("  logistic line model alone", (float("nan"), text_f1(site["stage 1"][0]), text_f1(loso["stage 1"][0]),
                                         float("nan"), float("nan")))
    line("  trafilatura on lines-as-<p> (baseline)", (float("nan"),) * 3 + (text_f1(traf), float("nan")))
    line("segments F1, line model (shipped shape)", (snip_f1(sours), snip_f1(xsnip), snip_f1(loso["stage 1+2"][1]),
                                                     snip_f1(srules), snip_f1(stexts)))
    line("  logistic line model alone", (float("nan"), snip_f1(site["stage 1"][1]), snip_f1(loso["stage 1"][1]),
                                         float("nan"), float("nan")))
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in sgold:
        by_lang[detect_language(stexts[str(g["id"])][:2000])].append(g)
    small = [g for part in by_lang.values() if len(part) < 8 for g in part]
    groups = [(lang, part) for lang, part in sorted(by_lang.items(), key=lambda kv: -len(kv[1])) if len(part) >= 8]
    for lang, part in [*groups, ("other", small)] if small else groups:
        line(f"  segments {lang} (n={len(part)})", (snip_f1(sours, part), snip_f1(xsnip, part),
                                                    snip_f1(loso["stage 1+2"][1], part), snip_f1(srules, part),
                                                    snip_f1(stexts, part)))
    return [("text+segments pages/s, line model (baseline: rules alone)", speed, rules_speed)]


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


SHARES = (0.7,)  # a stricter "the model's reading stands" share than the shipped 0.5, measured beside it
SETS_TABLE: list[str] = []  # every set: shipped, cross-fitted, each set left out, baselines
Fits = dict[str, tuple[dict[str, str], dict[str, str]]]


def sets_rows(data: Path, extra: dict[str, list[external_sets.Page]], pools: dict[str, Fits]) -> None:
    """One table over every labelled set, the two dev sets and the external ones: the shipped
    model (in-sample on the dev sets, unseen on the external ones), the by-site cross-fit (dev
    sets), each set left out of the fit under three fit pools, beside the rules, keeping all and
    trafilatura; then whole HTML pages of the external sets (nothing fitted there)."""
    recs = list(_jsonl(data / "extraction" / "gold.jsonl"))
    bodies = {r["id"]: r["body"] for r in recs}
    sgold = list(_jsonl(data / "snippets" / "gold.jsonl"))
    texts = {i: _read(data / "extraction" / "text" / f"{i}.txt") for i in bodies}
    stexts = {str(g["id"]): _read(data / "snippets" / "text" / f"{g['id']}.txt") for g in sgold}
    nan = float("nan")

    def clean(x: str, model: bool = True) -> str:
        return "\n\n".join(clean_text(x, model=model).paragraphs)

    def on_lines(x: str) -> str:
        html = "<html><body>" + "".join(f"<p>{_esc(ln)}</p>" for ln in x.splitlines() if ln.strip())
        return trafilatura.extract(html + "</body></html>", favor_recall=True) or ""

    cols = ["shipped", "site-xfit", *pools, "rules", "keep-all", "traf-lines"]
    head = f"{'set (pages), F1':34s} " + " ".join(f"{c:>11s}" for c in cols)
    SETS_TABLE.extend([head, "-" * len(head)])

    def row(name: str, score: Any, given: dict[str, str], key: int, site: bool) -> None:
        vals = [score({i: clean(x) for i, x in given.items()}),
                score(SITE["stage 1+2"][key]) if site else nan,
                *(score(fit["stage 1+2"][key]) for fit in pools.values()),
                score({i: clean(x, model=False) for i, x in given.items()}),
                score(given),
                score({i: on_lines(x) for i, x in given.items()}) if key == 0 else nan]
        SETS_TABLE.append(f"{name:34s} " + " ".join(f"{v:11.3f}" if v == v else " " * 11 for v in vals))
        for share in SHARES:  # a more conservative model-vs-rules arbitration, on sets the fit never saw
            key_ = f"stage 1+2, share {share}"
            sub = [nan, nan, *(score(fit[key_][key]) if key_ in fit else nan for fit in pools.values())]
            SETS_TABLE.append(f"{'  model keeps >= ' + str(share) + ' of rules':34s} "
                              + " ".join(f"{v:11.3f}" if v == v else " " * 11 for v in sub))

    row(f"segments, snippets ({len(sgold)})", lambda out: E.snippets(out, sgold).f1, stexts, 1, True)
    row(f"page text, zyte ({len(bodies)})", lambda out: E.extraction(out, bodies).f1, texts, 0, True)
    html_lines = []
    for name, ps in extra.items():
        gold = {p.id: p.body for p in ps}
        row(f"page text, {name} ({len(ps)})", lambda out, g=gold: E.extraction(out, g).f1,
            {p.id: p.text for p in ps}, 0, False)
        ours = {p.id: "\n\n".join(extract_html(p.html).cleaned.paragraphs) for p in ps}
        best = {p.id: trafilatura.extract(p.html, favor_precision=True, include_comments=False) or "" for p in ps}
        keep = {p.id: p.text for p in ps}
        html_lines.append(f"{'whole HTML, ' + name + f' ({len(ps)})':34s} {E.extraction(ours, gold).f1:11.3f} "
                          f"{E.extraction(best, gold).f1:11.3f} {E.extraction(keep, gold).f1:11.3f}")
    if html_lines:
        SETS_TABLE.extend(["", f"{'whole HTML pages (nothing fitted)':34s} {'project':>11s} {'traf-precise':>11s} "
                               f"{'keep-all':>11s}", *html_lines])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--external", type=Path, default=external_sets.DEFAULT_ROOT,
                    help="where fetch put the external sets' repositories (owner+name/repo)")
    ap.add_argument("--external-pages", type=int, default=60,
                    help="pages per external set, a fixed sample (0: all); the fits cost CPU")
    args = ap.parse_args()
    data = args.data
    extra = external_sets.load(args.external, args.external_pages)
    flat = [p for ps in extra.values() for p in ps]
    every = pages(data, flat)
    ext_ids = {p.id for p in flat}
    dev = [p for p in every if p[0] not in ext_ids]
    dev_sets = frozenset({"snippets", "extraction"})
    licensed = dev_sets | (external_sets.FITTABLE & extra.keys())
    pools: dict[str, Fits] = {"loso-dev": crossfit(data, by="set", extra=flat, fit_sets=dev_sets, ps=every,
                                                       shares=SHARES)}
    if extra:
        pools["loso-licence"] = crossfit(data, by="set", extra=flat, fit_sets=licensed, ps=every)
        pools["loso-all"] = crossfit(data, by="set", extra=flat, ps=every, shares=SHARES)
    rows: list[tuple[str, float, float]] = html_rows(data)
    rows += line_model_rows(data, dev, pools["loso-dev"])
    for fn in (date_rows, lang_rows, title_rows):
        rows += fn(data)
    sets_rows(data, extra, pools)
    print(f"{'measure':58s} {'project':>9s} {'baseline':>9s}")
    for name, ours, base in rows:
        b = "" if base != base else f"{base:9.3f}"  # NaN: no baseline
        print(f"{name:58s} {ours:9.3f} {b:>9s}")
    print("baselines as named per row; 'trafilatura precise' = favor_precision, no comments.")
    print()
    print("Plain page text (Zyte pages as text, bag-of-words F1) and boilerplate segments (trafilatura's")
    print("multilingual evaluation pages, micro F1), the line model:")
    print("\n".join(LINE_TABLE))
    print("in-sample: the shipped weights, fitted on these pages (but the quality gate's); cross-fit: fitted on one")
    print("half of the sites, scored on the other, both ways, pooled (the figure to expect on unseen sites);")
    print("leave-set: fitted on the other data set alone (snippets <-> extraction), a harsher shift; rules: the")
    print("rule-based cleaner alone (nothing fitted); keep-all: the page text as given.")
    print()
    print("Every labelled set, the line model fitted on different pools (page text: bag-of-words F1):")
    print("\n".join(SETS_TABLE))
    print("shipped: the shipped weights (fitted on the dev sets but the gate's pages: in-sample on snippets and zyte,")
    print("unseen on the external sets); site-xfit: fitted on the other half of the dev sites; loso-<pool>: each set")
    print("cleaned by the model fitted on the other sets of the pool (a set outside the pool: by the model fitted on")
    print(f"the whole pool); pools: dev = snippets + zyte, licence = dev + {sorted(external_sets.FITTABLE)}")
    print("(licences that allow shipping), all = every set; rules: nothing fitted; keep-all: the page text as")
    print("given; traf-lines: trafilatura on the text lines as <p>. Whole HTML: project = trafilatura's cut + fixed")
    print("rules (nothing fitted).")
    print()
    print("\n".join(WORST))


if __name__ == "__main__":
    main()
