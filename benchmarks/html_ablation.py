"""Which step of the whole-HTML path wins or loses against trafilatura, on the dev Zyte pages and
on the external sets nobody tuned on (issue 17). Nothing is fitted in this path, so no model fit
is run: each page is cut by trafilatura once (both cuts the project takes, and the two baselines),
then every variant of the project's rules is applied to those cuts and scored.

python benchmarks/html_ablation.py [--data ../shared/data] [--external /work/.mirror]
                                   [--external-pages 150] [--worst 0]

Variants: ``project`` is ``extract_html`` as shipped (checked against a direct call on every
page); ``-X`` leaves step X out; ``precise cut only`` is trafilatura's precise cut with no rule at
all. Baselines: trafilatura precise (``favor_precision``, no comments), defaults, and keep-all
(the page's whole visible text).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from copy import deepcopy
from functools import partial
from pathlib import Path

import external_sets
import trafilatura
from fit_lines import site_half
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from storyline import eval as E
from storyline.clean import html as H
from storyline.clean.encoding import decode_bytes
from storyline.clean.text import is_boilerplate_phrase, is_date_line, is_tail_stop, n_words

ROOT = Path(__file__).resolve().parent.parent

RULES = ("phrase", "teaser", "teaser-row", "date", "date-shape", "data-row", "table", "link-row", "link-bar", "credit",
         "mail", "copyright", "tail-stop", "boxes", "side-column", "comments", "repeats", "posts")
# The rules as they were before issue 17h2 (no link rows; any line the date pattern matched).
OLD_RULES_OFF = frozenset({"link-row", "link-bar", "date-shape", "data-row", "copyright", "repeats", "posts",
                           "teaser-row", "side-column", "comments"})
# The rules as they were before session 16 (menu bars only as table rows; data rows as date lines;
# copyright lines kept).
S16_OFF = frozenset({"link-bar", "data-row", "copyright", "boxes", "repeats", "posts", "justext-rescue", "teaser-row",
                     "side-column", "comments"})
# The path before session 17 (no furniture boxes after the story).
S17_OFF = frozenset({"boxes", "repeats", "posts", "justext-rescue", "teaser-row", "side-column", "comments"})
# The path before session 18 (a recall cut repeating the precise cut's paragraphs was a rescue; no
# embedded posts put back).
S18_OFF = frozenset({"repeats", "posts", "justext-rescue", "teaser-row", "side-column", "comments"})
# The path before session 21 (no teaser rows, no table layout's side column, no blog comment threads).
S21_OFF = frozenset({"teaser-row", "side-column", "comments"})


CUTS = ("precise", "broad", "title", "traf-precise", "traf-defaults", "recall", "readability", "justext", "anchors",
        "readability-blocks")


def _cuts(html: str) -> dict[str, str]:
    """Everything the extractors give for one page, computed once (the project calls readability,
    the recall cut and jusText only on some pages; here every page has them, for the variants)."""
    tree = H.parse_html(html)
    if tree is None:
        return dict.fromkeys(CUTS, "")
    doc = trafilatura.bare_extraction(deepcopy(tree), favor_precision=True, include_comments=False,
                                      with_metadata=True,
                                      date_extraction_params=trafilatura.settings.set_date_params(extensive=True))
    doc = doc if isinstance(doc, trafilatura.settings.Document) else None
    broad = trafilatura.extract(deepcopy(tree), favor_recall=True, fast=True, include_comments=False) or ""
    return {
        "precise": (doc.text or "") if doc else "",
        "broad": broad,
        "title": ((doc.title or "").strip()) if doc else "",
        "traf-precise": trafilatura.extract(html, favor_precision=True, include_comments=False) or "",
        "traf-defaults": trafilatura.extract(html) or "",
        "recall": trafilatura.extract(deepcopy(tree), favor_recall=True, include_comments=False) or "",
        "readability": H.readability_text(tree),
        "justext": H.justext_text(tree, None),
        "anchors": "\n".join(sorted(H.link_labels(tree))),
        "readability-blocks": H.readability_paragraphs(H.readability_summary(tree)),
    }


def _repaired(html: str) -> bool:
    """A page ``html.parse_html`` repairs (session 20): its cuts are made afresh on every run, so a
    cache filled by code before the repair cannot stand in for them."""
    return H.repair_markup(html) != html or load_html(html) is None


def _backfill(c: dict[str, str], html: str) -> dict[str, str]:
    """A cached page's cuts made before a key was added: only the missing ones are computed."""
    if "readability-blocks" not in c:
        tree = H.parse_html(html)
        c = {**c, "readability-blocks": H.readability_paragraphs(H.readability_summary(tree)) if tree is not None
             else ""}
    return c


def _old_link_row(p: str, anchors: frozenset[str]) -> bool:
    """``html._is_link_row`` before session 16: table rows only, cells split at bars alone."""
    if not anchors or not (p.startswith("|") and p.endswith("|")):
        return False
    cells = [c for c in (H._fold(x) for x in p.strip("|").split("|")) if c]
    return bool(cells) and all(c in anchors for c in cells)


def _filter(paragraphs: list[str], off: frozenset[str], anchors: frozenset[str] = frozenset()) -> list[str]:
    """``html.filter_paragraphs`` with the rules in ``off`` left out (kept paragraphs only);
    ``date-shape`` off: any line the date pattern matches goes, as before issue 17h2."""
    kept: list[str] = []
    total = sum(n_words(p) for p in paragraphs)
    seen = 0
    thread = H.comment_thread_start(paragraphs) if "comments" not in off else None
    for n, p in enumerate(paragraphs):
        if n == thread or ("tail-stop" not in off and seen >= 0.5 * total and is_tail_stop(p)):
            break
        seen += n_words(p)
        hits = {
            "phrase": n_words(p) <= H._ARTICLE_PARAGRAPH and is_boilerplate_phrase(p, sentence_ok=True),
            "teaser": bool(H._TEASER_TAG.search(p)),
            "teaser-row": H._is_teaser_row(p, anchors),
            "date": is_date_line(p) and ("date-shape" in off or bool(H._DATE_SHAPE.search(p)))
            and ("data-row" in off or not H._DATA_ROW.search(p)),
            "table": bool(H._TABLE_RULE.match(p)),
            "link-row": (H._is_link_row(p, anchors) if "link-bar" not in off else _old_link_row(p, anchors))
            if "link-row" not in off else False,
            "credit": bool(n_words(p) <= 60 and H._CREDIT.match(p)),
            "mail": bool(H._MAIL_OR_HANDLE_ONLY.match(p)),
            "copyright": bool(n_words(p) <= 40 and H._COPYRIGHT.match(p)),
        }
        if not any(v for k, v in hits.items() if k not in off):
            kept.append(p)
    return kept


def _choose_before(precise: str, broad: str) -> str:
    """``choose_cut`` before issue 17h: also the broad cut when the precise one was 1.2x longer."""
    if precise.strip() and broad.strip() and len(precise) > 1.2 * len(broad):
        pw, bw = H._vocab(precise), H._vocab(broad)
        if len(pw & bw) >= H._DISJOINT * min(len(pw), len(bw)):
            return broad
    return H.choose_cut(precise, broad)


def _before(c: dict[str, str]) -> str:
    """The path before issue 17h: the blow-up rule, and the stock-phrase rule on any paragraph."""
    kept = [p for p in _filter([p.strip() for p in _choose_before(c["precise"], c["broad"]).split("\n") if p.strip()],
                               OLD_RULES_OFF | S17_OFF)
            if not (n_words(p) > H._ARTICLE_PARAGRAPH and is_boilerplate_phrase(p, sentence_ok=True))]
    if c["title"] and kept and kept[0].strip().lower() == c["title"].lower():
        kept.pop(0)
    return "\n\n".join(kept)


def _prefers_before_s18(kept: list[str], alt: list[str], justext: Callable[[], str]) -> bool:
    """``html.prefers_recall`` before session 18: a recall cut repeating the precise cut's own
    paragraphs (the article twice on the page) counted as twice the words."""
    had, got = sum(n_words(p) for p in kept), sum(n_words(p) for p in alt)
    if got < 2 * max(1, had):
        return False
    alt_words = H._vocab("\n".join(alt))
    if kept and H._held(H._vocab("\n".join(kept)), alt_words) < 0.8:
        return False
    return H._held(alt_words, H._vocab(justext())) >= 0.5


def _finish(text: str, title: str, off: frozenset[str], title_pop: bool, anchors: frozenset[str]) -> list[str]:
    kept = _filter([p.strip() for p in text.split("\n") if p.strip()], off, anchors)
    if title_pop and title and kept and kept[0].strip().lower() == title.lower():
        kept.pop(0)
    return kept


def variant(c: dict[str, str], *, choose: str = "project", off: frozenset[str] = frozenset(),
            title_pop: bool = True, rescue: bool = True, rescue_readability: bool = True) -> str:
    """The project's output for one page's cuts, one step changed: ``choose`` is ``project``
    (``html.choose_cut`` with readability as referee), ``words`` (``choose_cut`` as before
    issue 17h2: the cut with more running words), ``precise`` or ``broad``; ``rescue`` is
    ``html.rescue_short_cut`` (``rescue_readability``: its second candidate, readability's
    article, session 16)."""
    if choose == "project":
        text = H.choose_cut(c["precise"], c["broad"], referee=lambda: c["readability"])
    elif choose == "words":
        text = H.choose_cut(c["precise"], c["broad"])
    else:
        text = c[choose]
    if off == frozenset({"all"}):
        return text
    anchors = frozenset(c["anchors"].split("\n")) - {""}
    kept = _finish(text, c["title"], off, title_pop, anchors)
    if rescue and sum(n_words(p) for p in kept) < H._SHORT_CUT:
        alt = _finish(c["recall"], c["title"], off, title_pop, anchors)
        dropped = _dropped(text, kept, c["title"]) if "mostly-furniture" not in off else 0
        prefers = (_prefers_before_s18 if "repeats" in off
                   else lambda k, a, j: H.prefers_recall(k, a, j, dropped))
        if prefers(kept, alt, lambda: c["justext"]):
            kept = alt
        else:
            alt = _finish(c["readability-blocks"], c["title"], off, title_pop, anchors) if rescue_readability else []
            if rescue_readability and prefers(kept, alt, lambda: c["justext"]):
                kept = alt
            elif "justext-rescue" not in off and H.notice_only(kept, _dropped(text, kept, c["title"])):
                alt = _finish(c["justext"], c["title"], off, title_pop, anchors)
                if sum(n_words(p) for p in alt) >= 2 * max(1, H._story_words(kept)):
                    kept = alt
    return "\n\n".join(_markup_steps(c["html"], tuple(kept), "boxes" not in off, "posts" not in off,
                                     "side-column" not in off))


def _dropped(text: str, kept: list[str], title: str) -> int:
    """Words of the cut's paragraphs the filter removed, the headline not counted (as
    ``html.rescue_short_cut`` counts them for ``prefers_recall``)."""
    left = [p.strip() for p in text.split("\n") if p.strip()]
    for p in kept:
        left.remove(p)
    return sum(n_words(p) for p in left if not title or p.lower() != title.lower())


_MARKUP: dict[tuple[str, tuple[str, ...], bool, bool, bool], list[str]] = {}


def _markup_steps(html: str, kept: tuple[str, ...], boxes: bool, posts: bool, side: bool = True) -> list[str]:
    """The steps that read the page's markup (boxes after the story, embedded posts), remembered per
    page and kept paragraphs: most variants leave a page's paragraphs as the path has them.
    ``side`` False: a table layout's side column is no box (the path before session 21)."""
    key = (html, kept, boxes, posts, side)
    if key not in _MARKUP:
        out = list(kept)
        if boxes and (tree := _tree({"html": html})) is not None:
            shipped = H._is_side_column
            if not side:
                H._is_side_column = lambda el, core: False  # type: ignore[assignment]
            try:
                out, _ = H.drop_boxes_after(out, [], tree)
            finally:
                H._is_side_column = shipped
        if posts and (tree := _tree({"html": html})) is not None:
            out = H.restore_embedded_posts(out, tree)
        _MARKUP[key] = out
    return _MARKUP[key]


_TREES: dict[str, HtmlElement | None] = {}


def _tree(c: dict[str, str]) -> HtmlElement | None:
    """The page's parsed tree (``c["html"]``, set on every page's cuts before the replay, never cached
    to disk), parsed once however many variants ask (``main`` empties the store between sets)."""
    key = c["html"]
    if key not in _TREES:
        _TREES[key] = H.parse_html(key)
    return _TREES[key]


VARIANTS: dict[str, Callable[[dict[str, str]], str]] = {
    "project": lambda c: variant(c),
    "project before issue 17h": _before,
    "project before 17h2 (s11 main)": lambda c: variant(c, choose="words", rescue=False, off=OLD_RULES_OFF | S17_OFF),
    "project before session 17": lambda c: variant(c, off=S17_OFF),
    "project before session 18": lambda c: variant(c, off=S18_OFF),
    "project before session 21": lambda c: variant(c, off=S21_OFF),
    "- readability referee (words)": lambda c: variant(c, choose="words"),
    "project before session 16": lambda c: variant(c, off=S16_OFF, rescue_readability=False),
    "- short-cut rescue": lambda c: variant(c, rescue=False),
    "- readability rescue (s16)": lambda c: variant(c, rescue_readability=False),
    "- mostly-furniture cut (s19)": lambda c: variant(c, off=frozenset({"mostly-furniture"})),
    "- jusText after a notice (s20)": lambda c: variant(c, off=frozenset({"justext-rescue"})),
    "- choose_cut (always precise)": lambda c: variant(c, choose="precise"),
    "- line filter (all rules)": lambda c: variant(c, off=frozenset(RULES)),
    "- title pop": lambda c: variant(c, title_pop=False),
    **{f"- {r}": partial(variant, off=frozenset({r})) for r in RULES},
    "precise cut only (no rule)": lambda c: variant(c, choose="precise", off=frozenset({"all"})),
    "broad cut only (no rule)": lambda c: variant(c, choose="broad", off=frozenset({"all"})),
}
BASELINES = ("traf-precise", "traf-defaults", "keep-all")


def _dev(data: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    gold, html, text = {}, {}, {}
    for line in (data / "extraction" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            gold[r["id"]] = r["body"]
            p = data / "extraction" / "html" / f"{r['id']}.html"
            html[r["id"]] = decode_bytes(p.read_bytes(), str(p))
            t = data / "extraction" / "text" / f"{r['id']}.txt"
            text[r["id"]] = decode_bytes(t.read_bytes(), str(t))
    return gold, html, text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--external", type=Path, default=external_sets.DEFAULT_ROOT)
    ap.add_argument("--external-pages", type=int, default=150, help="pages per external set (0: all)")
    ap.add_argument("--external-offset", type=int, default=0,
                    help="skip this many pages of each external set's fixed order first: 400 scores pages no "
                         "earlier round's 400-page samples held")
    ap.add_argument("--worst", type=int, default=0, help="print the N pages where project trails traf-precise most")
    ap.add_argument("--changed", action="store_true",
                    help="print every page whose F1 the session-17 rule (furniture boxes) changes, before -> after")
    ap.add_argument("--check", action="store_true", help="check the re-played project against extract_html")
    ap.add_argument("--cache", type=Path, help="keep trafilatura's cuts in this JSON file between runs")
    ap.add_argument("--all-sets", action="store_true",
                    help="score the seven sets of session 18 in one run (Zyte dev; the 400-page samples of L3S-GN1, "
                         "Dragnet, Readability; fresh: their pages 400-900; fresh2: Dragnet's pages after 900) and "
                         "print each rule's gain on each set separately (session 19)")
    ap.add_argument("--dump", type=Path, help="write every paired variant's output per page to this JSON file")
    args = ap.parse_args()
    sets: dict[str, tuple[dict[str, str], dict[str, str], dict[str, str]]] = {"zyte (dev)": _dev(args.data)}
    if args.all_sets:
        sets.update(_all_sets(args.external))
    else:
        cap = args.external_offset + args.external_pages if args.external_pages else 0
        earlier = ({p.id for ps in external_sets.load(args.external, args.external_offset, quiet=True).values()
                    for p in ps} if args.external_offset else set())
        for name, ps in external_sets.load(args.external, cap).items():
            ps = [p for p in ps if p.id not in earlier]
            if not ps:
                continue
            sets[f"{name} (unseen)"] = ({p.id: p.body for p in ps}, {p.id: p.html for p in ps},
                                        {p.id: p.text for p in ps})
    cols = list(sets)
    results: dict[str, dict[str, float]] = {}
    per_page: dict[str, dict[str, dict[str, float]]] = {}  # variant -> set -> page -> F1
    dumped: dict[str, dict[str, str]] = {}  # variant -> page -> output (--dump)
    paired = PAIRED + tuple(v for v in VARIANTS if v.startswith("- ")) if args.all_sets else PAIRED
    worst: list[str] = []
    cache: dict[str, dict[str, str]] = {}
    if args.cache and args.cache.exists():
        cache = json.loads(args.cache.read_text(encoding="utf-8"))
    for name, (gold, html, text) in sets.items():
        cuts = {i: _backfill(cache[i], h) if i in cache and not _repaired(h) else _cuts(h) for i, h in html.items()}
        cache.update(cuts)
        if args.cache:
            args.cache.write_text(json.dumps(cache), encoding="utf-8")
        cuts = {i: {**c, "html": html[i]} for i, c in cuts.items()}
        _TREES.clear()
        _MARKUP.clear()
        if args.check:
            bad = [i for i, h in html.items()
                   if "\n\n".join(H.extract_html(h).cleaned.paragraphs) != VARIANTS["project"](cuts[i])]
            print(f"{name}: re-played project differs from extract_html on {len(bad)} pages", file=sys.stderr)
        for v, fn in VARIANTS.items():
            outs = {i: fn(c) for i, c in cuts.items()}
            results.setdefault(v, {})[name] = E.extraction(outs, gold).f1
            if v in paired:
                per_page.setdefault(v, {})[name] = {i: E.bag_of_words(outs[i], gold[i]).f1 for i in cuts}
                if args.dump:
                    dumped.setdefault(v, {}).update(outs)
        for b in BASELINES:
            out = text if b == "keep-all" else {i: c[b] for i, c in cuts.items()}
            results.setdefault(b, {})[name] = E.extraction(out, gold).f1
        per_page.setdefault("traf-precise", {})[name] = {i: E.bag_of_words(c["traf-precise"], gold[i]).f1
                                                         for i, c in cuts.items()}
        if args.worst:
            diffs = sorted((E.bag_of_words(VARIANTS["project"](c), gold[i]).f1
                            - E.bag_of_words(c["traf-precise"], gold[i]).f1, i) for i, c in cuts.items())
            for d, i in diffs[: args.worst]:
                worst.append(f"{name:20s} {i:40s} project - traf-precise {d:+.3f}")
        print(f"{name}: {len(gold)} pages done", file=sys.stderr)
    head = f"{'variant (F1)':32s} " + " ".join(f"{c[:20]:>20s}" for c in cols)
    print(head)
    print("-" * len(head))
    for v, row in results.items():
        print(f"{v:32s} " + " ".join(f"{row[c]:20.3f}" for c in cols))
    print()
    print("gain per page, mean and 90% paired bootstrap interval (pages resampled, 2,000 draws):")
    for a, b in (("project", "traf-precise"), ("project", "project before session 21"),
                 ("project", "project before session 18"),
                 ("project", "project before session 17"), ("project", "project before session 16"),
                 ("project", "project before 17h2 (s11 main)"),
                 ("project before 17h2 (s11 main)", "traf-precise")):
        print(f"{a[:26]:26s} - {b[:26]:26s} " + " ".join(
            "{:+.3f} [{:+.3f}, {:+.3f}]".format(*paired_gain(per_page[a][c], per_page[b][c])) for c in cols))
    unseen = [c for c in cols if c != cols[0]]
    for a, b in (("project", "traf-precise"), ("project", "project before session 21"),
                 ("project", "project before session 18"),
                 ("project", "project before session 17"), ("project", "project before session 16")):
        pa = {f"{c}/{i}": x for c in unseen for i, x in per_page[a][c].items()}
        pb = {f"{c}/{i}": x for c in unseen for i, x in per_page[b][c].items()}
        print(f"{a[:26]:26s} - {b[:26]:26s} the unseen sets pooled ({len(pa)} pages): "
              "{:+.4f} [{:+.4f}, {:+.4f}]".format(*paired_gain(pa, pb)))
    if args.all_sets:
        _rule_table(per_page, cols)
    if args.dump:
        dumped["traf-precise"] = {i: cache[i]["traf-precise"] for i in dumped["project"]}
        dumped["gold"] = {i: g for gold, _, _ in sets.values() for i, g in gold.items()}
        args.dump.write_text(json.dumps(dumped), encoding="utf-8")
    urls = _dev_urls(args.data)
    print()
    print("zyte (dev) by site half (nothing is fitted in this path; the halves show it holds on both):")
    for v in ("project", "project before session 18", "project before session 17", "project before 17h2 (s11 main)",
              "traf-precise"):
        f = per_page[v][cols[0]]
        halves = {h: [x for i, x in f.items() if site_half(i, urls.get(i, "")) == h] for h in "AB"}
        print(f"{v[:32]:32s} " + " ".join(f"half {h} {sum(xs) / max(1, len(xs)):.3f} ({len(xs)} pages)"
                                         for h, xs in halves.items()))
    if worst:
        print()
        print("\n".join(worst))
    if args.changed:
        print()
        print("pages the furniture-box rule changes (F1 before session 17 -> project):")
        for c in cols:
            a, b = per_page["project before session 17"][c], per_page["project"][c]
            for i in sorted(a, key=lambda k: b[k] - a[k]):
                if abs(b[i] - a[i]) > 1e-9:
                    print(f"  {c:20s} {i:45s} {a[i]:.3f} -> {b[i]:.3f} ({b[i] - a[i]:+.3f})")


PAIRED = ("project", "project before 17h2 (s11 main)", "project before session 16", "project before session 17",
          "project before session 18", "project before session 21")


def paired_gain(a: dict[str, float], b: dict[str, float], draws: int = 2000,
                seed: int = 17) -> tuple[float, float, float]:
    """Mean per-page gain of ``a`` over ``b`` and its 90% bootstrap interval, pages resampled."""
    keys = sorted(a)
    d = [a[k] - b[k] for k in keys]
    rng = random.Random(seed)
    n = len(d)
    means = sorted(sum(d[rng.randrange(n)] for _ in range(n)) / n for _ in range(draws))
    return sum(d) / n, means[int(0.05 * draws)], means[int(0.95 * draws) - 1]


def _all_sets(root: Path) -> dict[str, tuple[dict[str, str], dict[str, str], dict[str, str]]]:
    """The six unseen sets of session 18, each a slice of its set's fixed hash order: the 400-page
    samples earlier rounds read, ``fresh`` (pages 400-900, read by session 18) and ``fresh2``
    (Dragnet's pages after 900, never read before session 18 scored them)."""
    every = external_sets.load(root, 0, quiet=True)  # each set in its fixed hash order, as ``load(cap)`` cuts it
    out = {}
    for label, (lo, hi) in (("", (0, 400)), ("fresh ", (400, 900)), ("fresh2 ", (900, None))):
        for name, ps in every.items():
            if ps := ps[lo:hi]:
                out[f"{label}{name}"] = ({p.id: p.body for p in ps}, {p.id: p.html for p in ps},
                                         {p.id: p.text for p in ps})
    return out


def _rule_table(per_page: dict[str, dict[str, dict[str, float]]], cols: list[str]) -> None:
    """Each step's gain (the path minus the path without it) on each set separately, with its 90%
    paired interval: a step that loses on a set it was not read from is one to drop or narrow."""
    print()
    print("each step's gain on each set (project minus project without it; mean x1000 [90% interval], "
          "pages changed):")
    print(f"{'step':30s} " + " ".join(f"{c[:22]:>30s}" for c in cols))
    for v in per_page:
        if not v.startswith("- ") and not v.startswith("project before"):
            continue
        cells = []
        for c in cols:
            a, b = per_page["project"][c], per_page[v][c]
            moved = sum(abs(a[k] - b[k]) > 1e-9 for k in a)
            lower = sum(a[k] < b[k] - 1e-9 for k in a)
            m, lo, hi = _paired_gain_np(a, b)
            cells.append(f"{1000 * m:+6.1f} [{1000 * lo:+6.1f},{1000 * hi:+6.1f}] {moved:3d}/{lower:<3d}")
        print(f"{v[:30]:30s} " + " ".join(f"{x:>30s}" for x in cells))
    print("(pages changed: moved / of them lower with the step)")


def _paired_gain_np(a: dict[str, float], b: dict[str, float], draws: int = 2000,
                    seed: int = 19) -> tuple[float, float, float]:
    """``paired_gain`` with numpy's generator (the rule table asks for some 200 intervals)."""
    import numpy as np

    d = np.array([a[k] - b[k] for k in sorted(a)])
    idx = np.random.default_rng(seed).integers(0, len(d), size=(draws, len(d)))
    means = np.sort(d[idx].mean(axis=1))
    return float(d.mean()), float(means[int(0.05 * draws)]), float(means[int(0.95 * draws) - 1])


def _dev_urls(data: Path) -> dict[str, str]:
    rows = (json.loads(x) for x in (data / "extraction" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
            if x.strip())
    return {r["id"]: r.get("url", "") for r in rows}


if __name__ == "__main__":
    main()
