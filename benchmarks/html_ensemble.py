"""Does an unweighted vote of several page extractors beat the shipped whole-HTML path, on the dev
Zyte pages and on the three public page sets nobody tuned on (issue 17h)?

Bevendorff, Gupta, Kiesel, Stein, *An Empirical Comparison of Web Content Extraction Algorithms*
(SIGIR 2023) found that a plain majority vote of several extractors, per token of the page's text,
beat every single extractor over their eight page sets. A vote has no fitted weights, so it might
carry to unseen pages where the project's hand rules do not. This benchmark measures that here.

python benchmarks/html_ensemble.py [--data ../shared/data] [--external /work/.mirror]
                                   [--external-pages 400] [--cache FILE]

Every member extractor runs once per page (its text and its time kept in ``--cache``); the votes
are computed from those texts. The vote follows the paper's code (``chatnoir-eu/web-content-
extraction-benchmark``, ``extractors/ensemble.py``, Apache-2.0): the page's whole visible text is
cut into tokens at white space, and a member votes for token *i* when the five tokens ending at *i*
or the five starting at it appear in its output; a token is kept on ``threshold`` votes (the paper:
``int(0.66 * members)``; here also a simple majority). Here the page's text is ``html.page_text``
(one block element a line), so a kept token keeps its line and the output still has paragraphs.

Members that are not the project's dependencies (resiliparse, boilerpy3, goose3, newspaper4k,
readability-lxml) are imported when present; one that is missing is left out with a message.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import external_sets
import trafilatura
from html_ablation import _dev, paired_gain

from storyline import eval as E
from storyline.clean import html as H
from storyline.clean.text import n_words

ROOT = Path(__file__).resolve().parent.parent


def _resiliparse(html: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return str(extract_plain_text(HTMLTree.parse(html), preserve_formatting=True, main_content=True,
                                  list_bullets=False, comments=False, links=False, alt_texts=False))


def _boilerpy3(html: str) -> str:
    from boilerpy3 import extractors

    return str(extractors.ArticleExtractor(raise_on_failure=False).get_content(html))


def _goose3(html: str) -> str:
    from goose3 import Goose

    with Goose({"http_timeout": 1, "enable_image_fetching": False}) as g:
        return str(g.extract(raw_html=html).cleaned_text)


def _newspaper4k(html: str) -> str:
    import newspaper

    a = newspaper.Article("https://example.invalid/", follow_meta_refresh=False)
    a.download(input_html=html, ignore_read_more=True)
    a.parse()
    return str(a.text)


def _readability_lxml(html: str) -> str:
    import html_text
    import readability

    return str(html_text.extract_text(readability.Document(html).summary(html_partial=True)))


def _tree_member(fn: Callable[[object], str]) -> Callable[[str], str]:
    def run(html: str) -> str:
        tree = trafilatura.utils.load_html(html)
        return fn(tree) if tree is not None else ""
    return run


MEMBERS: dict[str, Callable[[str], str]] = {
    "shipped": lambda h: "\n\n".join(H.extract_html(h).cleaned.paragraphs),
    "traf-precise": lambda h: trafilatura.extract(h, favor_precision=True, include_comments=False) or "",
    "traf-default": lambda h: trafilatura.extract(h, include_comments=False) or "",
    "traf-recall": lambda h: trafilatura.extract(h, favor_recall=True, include_comments=False) or "",
    "readability-traf": _tree_member(H.readability_text),  # type: ignore[arg-type]
    "justext": _tree_member(lambda t: H.justext_text(t, None)),  # type: ignore[arg-type]
    "readability-lxml": _readability_lxml,
    "resiliparse": _resiliparse,
    "boilerpy3": _boilerpy3,
    "goose3": _goose3,
    "newspaper4k": _newspaper4k,
    "page": H.page_text,
}


def offline() -> None:
    """Refuse every network connection in this process: some members fetch on their own (a meta
    refresh's target, the public-suffix list), which must neither happen nor wait out a timeout."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("html_ensemble: no network for the members")

    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]


def fill(pages: dict[str, str], cache: dict[str, dict[str, object]], members: Sequence[str],
         save: Callable[[], None]) -> None:
    """Run every member missing from the cache on every page, timing each call."""
    for n, (pid, html) in enumerate(pages.items()):
        row = cache.setdefault(pid, {"_t": {}})
        times = row["_t"]
        assert isinstance(times, dict)
        for m in members:
            if m in row:
                continue
            t0 = time.perf_counter()
            try:
                row[m] = MEMBERS[m](html)
            except Exception as e:  # an extractor that fails on a page keeps nothing of it
                print(f"{pid}: {m} failed ({type(e).__name__}: {str(e)[:80]})", file=sys.stderr)
                row[m] = ""
            times[m] = time.perf_counter() - t0
        if n % 50 == 49:
            save()
    save()


def available(names: Sequence[str]) -> list[str]:
    ok = []
    for m in names:
        try:
            MEMBERS[m]("<html><body><p>a test page with some words in it.</p></body></html>")
            ok.append(m)
        except ImportError as e:
            print(f"member {m!r} left out: {e}", file=sys.stderr)
    return ok


NGRAM = 5
_WORD = re.compile(r"\w")


def _grams(tokens: Sequence[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    """Every run of ``n`` tokens of an output, padded at both ends as the paper pads it."""
    pad = ["\0"] * n
    t = pad + list(tokens) + pad
    return {tuple(t[i:i + n]) for i in range(len(t) - n + 1)}


def _content(tokens: Sequence[str]) -> list[str]:
    """The tokens that hold a letter or digit, lower-cased: the members print tables as "| a |
    b |" and lists as "- item", marks the page's own text does not have, which would break
    every run of tokens through them."""
    return [t.lower() for t in tokens if _WORD.search(t)]


def votes(page_lines: Sequence[str], answers: Sequence[str], n: int = NGRAM,
          paper: bool = False) -> list[list[int]]:
    """For each token of each page line, how many answers hold it.

    ``paper=True`` is the paper's rule: the ``n`` tokens ending at it or the ``n`` starting at it
    (across line ends) appear in the answer. The default differs in two ways found on the dev
    Zyte pages, where the paper's rule, with each member's own output as the only voter, lost
    0.012 of the shipped path's F1: runs are made of word tokens only (tables, list bullets), and
    an answer's run votes for as many places on the page as the answer holds it (a page that
    repeats its article, once in a hidden print copy, kept both copies: 445 -> 1,323 words)."""
    toks = [ln.split() for ln in page_lines]
    flat = [t for ln in toks for t in ln]
    counts = [0] * len(flat)
    if paper:
        pad = ["\0"] * (n - 1)
        padded = pad + flat + pad
        grams = [_grams(a.split(), n) for a in answers]
        for i in range(len(flat)):
            j = i + n - 1
            left, right = tuple(padded[j - n + 1:j + 1]), tuple(padded[j:j + n])
            counts[i] = sum(1 for g in grams if left in g or right in g)
    else:
        where = [i for i, t in enumerate(flat) if _WORD.search(t)]
        words = [flat[i].lower() for i in where]
        for a in answers:
            mine = _content(a.split())
            m = min(n, max(1, len(mine)))  # an answer shorter than a run matches whole
            left = Counter(tuple(mine[k:k + m]) for k in range(len(mine) - m + 1))
            hit = [False] * len(words)
            for k in range(len(words) - m + 1):
                g = tuple(words[k:k + m])
                if left[g] > 0:
                    left[g] -= 1
                    for x in range(k, k + m):
                        hit[x] = True
            for k, h in enumerate(hit):
                counts[where[k]] += h
        # A mark between words goes with the word before it.
        last = 0
        for i, t in enumerate(flat):
            if _WORD.search(t):
                last = counts[i]
            else:
                counts[i] = last
    out, k = [], 0
    for ln in toks:
        out.append(counts[k:k + len(ln)])
        k += len(ln)
    return out


def by_tokens(page_lines: Sequence[str], counts: Sequence[Sequence[int]], keep: Callable[[int, int], bool]) -> str:
    """The paper's output: every token whose vote passes, lines kept as lines (``keep(i, c)``:
    token ``i`` of the page with ``c`` votes)."""
    out, k = [], 0
    for ln, cs in zip(page_lines, counts, strict=True):
        words = ln.split()
        kept = [w for w, c, i in zip(words, cs, range(k, k + len(cs)), strict=True) if keep(i, c)]
        k += len(cs)
        if kept:
            out.append(" ".join(kept))
    return "\n".join(out)


def by_lines(page_lines: Sequence[str], counts: Sequence[Sequence[int]], keep: Callable[[int, int], bool]) -> str:
    """A page line whole when most of its tokens pass the vote, else none of it: output made of
    the page's own paragraphs, never half sentences."""
    out, k = [], 0
    for ln, cs in zip(page_lines, counts, strict=True):
        passed = sum(1 for c, i in zip(cs, range(k, k + len(cs)), strict=False) if keep(i, c))
        k += len(cs)
        if cs and 2 * passed > len(cs):
            out.append(ln)
    return "\n".join(out)


# Member sets, declared before any vote was scored. The paper's "best" ensemble had nine members;
# the six of them that install from PyPI without a model are ``paper``. ``designs`` takes one
# extractor per design (trafilatura's precise setting, the project's reference), ``all`` every
# member. ``shipped`` puts the project's output in trafilatura's place.
PAPER = ("goose3", "readability-lxml", "traf-default", "resiliparse", "justext", "boilerpy3")
DESIGNS = ("traf-precise", "readability-lxml", "justext", "resiliparse", "boilerpy3", "goose3", "newspaper4k")
ALL = ("traf-precise", "traf-default", "traf-recall", "readability-traf", "justext", "readability-lxml",
       "resiliparse", "boilerpy3", "goose3", "newspaper4k")
SETS = {"paper": PAPER, "designs": DESIGNS, "all": ALL,
        "designs+shipped": ("shipped", *DESIGNS[1:]), "all+shipped": ("shipped", *ALL[1:])}


def paper_threshold(n: int) -> int:
    return max(1, int(0.66 * n))


def majority(n: int) -> int:
    return n // 2 + 1


def at_least(t: int) -> Callable[[int, int], bool]:
    return lambda i, c: c >= t


def guarded(out: str, shipped: str) -> str:
    """The story wins: a vote that keeps less than half the words of the shipped output (a page
    where most members took the wrong block, or nothing) gives way to it."""
    return out if n_words(out) >= 0.5 * n_words(shipped) else shipped


def furnished(out: str, title: str, anchors: frozenset[str]) -> str:
    """The shipped path's furniture filter and headline pop on the vote's lines."""
    kept, _ = H._article(out, title or None, anchors)
    return "\n\n".join(kept)


def ensembles(row: dict[str, object], meta: tuple[str, frozenset[str]]) -> dict[str, str]:
    """Every vote variant's output for one page (``row``: the members' texts)."""
    page = [ln for ln in str(row["page"]).split("\n") if ln.strip()]
    shipped = str(row["shipped"])
    title, anchors = meta
    out: dict[str, str] = {}
    for sname, members in SETS.items():
        counts = votes(page, [str(row[m]) for m in members])
        n = len(members)
        if sname == "paper":  # the paper's own configuration, its matching rule and all
            paper = votes(page, [str(row[m]) for m in members], paper=True)
            out["vote paper 2/3 tokens, the paper's matching"] = by_tokens(page, paper, at_least(paper_threshold(n)))
        rules = {"maj": majority(n), "2/3": paper_threshold(n)}
        for tname, t in rules.items():
            if tname == "2/3" and t == rules["maj"]:
                continue
            def keep(i: int, c: int, t: int = t) -> bool:
                return c >= t
            tok = by_tokens(page, counts, keep)
            lines = by_lines(page, counts, keep)
            out[f"vote {sname} {tname} tokens"] = tok
            out[f"vote {sname} {tname} lines"] = lines
            out[f"vote {sname} {tname} lines+filter+guard"] = guarded(furnished(lines, title, anchors), shipped)
    # The shipped output as the base, the vote settling only where it and trafilatura's precise cut
    # disagree: a page token both keep (or both drop) stays so; otherwise the other members vote
    # (the other six designs, or all nine others), a tie going to the shipped output. "drops
    # only": a token the shipped output keeps goes when most of the others drop it; none is added.
    base = votes(page, [shipped, str(row["traf-precise"])])
    flat_b = [c for cs in base for c in cs]
    flat_s = [c for cs in votes(page, [shipped]) for c in cs]
    for pool, members in (("designs", DESIGNS[1:]), ("all", ALL[1:])):
        flat_o = [c for cs in votes(page, [str(row[m]) for m in members]) for c in cs]
        k = len(members)

        def settle(i: int, c: int, flat_o: list[int] = flat_o, k: int = k) -> bool:
            if flat_b[i] in (0, 2):
                return flat_b[i] == 2
            return 2 * flat_o[i] > k or (2 * flat_o[i] == k and flat_s[i] == 1)

        def drop_only(i: int, c: int, flat_o: list[int] = flat_o, k: int = k) -> bool:
            return flat_s[i] == 1 and 2 * flat_o[i] >= k

        for name, rule in (("settles", settle), ("drops only", drop_only)):
            lines = by_lines(page, base, rule)
            out[f"shipped base, {pool} {name}, tokens"] = by_tokens(page, base, rule)
            out[f"shipped base, {pool} {name}, lines"] = lines
            out[f"shipped base, {pool} {name}, lines+filter+guard"] = guarded(
                furnished(lines, title, anchors), shipped)
    return out


def _meta(html: str) -> tuple[str, frozenset[str]]:
    tree = trafilatura.utils.load_html(html)
    if tree is None:
        return "", frozenset()
    md = trafilatura.extract_metadata(tree)
    return ((md.title or "").strip() if md else ""), H.link_labels(tree)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--external", type=Path, default=external_sets.DEFAULT_ROOT)
    ap.add_argument("--external-pages", type=int, default=400, help="pages per external set (0: all)")
    ap.add_argument("--cache", type=Path, help="keep the members' texts and times in this JSON file between runs")
    args = ap.parse_args()
    offline()
    gold, html, _ = _dev(args.data)
    sets: dict[str, tuple[dict[str, str], dict[str, str]]] = {"zyte (dev)": (gold, html)}
    for name, ps in external_sets.load(args.external, args.external_pages).items():
        sets[f"{name} (unseen)"] = ({p.id: p.body for p in ps}, {p.id: p.html for p in ps})
    cache: dict[str, dict[str, object]] = {}
    if args.cache and args.cache.exists():
        cache = json.loads(args.cache.read_text(encoding="utf-8"))

    def save() -> None:
        if args.cache:
            args.cache.write_text(json.dumps(cache), encoding="utf-8")

    members = available(list(MEMBERS))
    needed = {m for s in SETS.values() for m in s} | {"shipped", "page", "traf-precise"}
    missing = sorted(needed - set(members))
    if missing:
        sys.exit(f"html_ensemble: members {missing} not installed (pip install -e '.[bench-ensemble]')")
    per_page: dict[str, dict[str, dict[str, float]]] = {}  # variant -> set -> page -> F1
    vote_time: list[float] = []
    for sname, (g, pages) in sets.items():
        fill(pages, cache, members, save)
        for pid, h in pages.items():
            row = cache[pid]
            outs = {m: str(row[m]) for m in members if m != "page"}
            t0 = time.perf_counter()
            outs.update(ensembles(row, _meta(h)))
            vote_time.append(time.perf_counter() - t0)
            for v, text in outs.items():
                per_page.setdefault(v, {}).setdefault(sname, {})[pid] = E.bag_of_words(text, g[pid]).f1
        print(f"{sname}: {len(pages)} pages done", file=sys.stderr)
    cols = list(sets)
    head = f"{'variant (word F1)':48s} " + " ".join(f"{c[:18]:>18s}" for c in cols)
    print(head)
    print("-" * len(head))
    for v, by_set in per_page.items():
        print(f"{v[:48]:48s} " + " ".join(f"{sum(by_set[c].values()) / len(by_set[c]):18.3f}" for c in cols))
    print()
    print("gain per page over the shipped path / over trafilatura precise, mean [90% paired bootstrap]:")
    for v in per_page:
        if v in ("shipped", "traf-precise"):
            continue
        for ref in ("shipped", "traf-precise"):
            print(f"{v[:44]:44s} - {ref:12s} " + " ".join(
                "{:+.3f} [{:+.3f}, {:+.3f}]".format(*paired_gain(per_page[v][c], per_page[ref][c])) for c in cols))
    print()
    print("seconds a page (mean over every page of every set; one process, shared machine):")
    times: dict[str, list[float]] = {}
    for pages in (p for _, p in sets.values()):
        for pid in pages:
            t = cache[pid]["_t"]
            assert isinstance(t, dict)
            for m, s in t.items():
                times.setdefault(m, []).append(float(s))
    for m, ts in times.items():
        print(f"{m:20s} {sum(ts) / len(ts):.3f}")
    print(f"{'every vote variant':20s} {sum(vote_time) / len(vote_time):.3f} "
          "(all of them together, from the members' texts)")


if __name__ == "__main__":
    main()
