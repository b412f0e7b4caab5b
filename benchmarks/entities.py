"""Entities as things (issue 16): precision and recall of entity kinds and of variant merging on
a hand-labelled sample (``tests/data/entities/labelled.tsv``: 30 dev storylines articles in
en/es/fr/it and the five seeds), this checkout's extractor beside another checkout's (default:
today's code, git 6ffe473, checked out into a temporary worktree) in one run.

    python benchmarks/entities.py [--against REV] [--data DIR] [--sample unseen]

``--sample unseen`` scores the second sample instead (``tests/data/entities/unseen.tsv``: ar, tr,
pl, de, ru and pt texts carried in ``unseen.jsonl``, labelled before the session-16 rules);
``--sample fresh`` the third (``fresh.tsv``/``fresh.jsonl``: 12 SemEval dev texts in
es/fr/de/pl/tr/ar, labelled before the session-19 rules and before any extractor ran on them);
``--sample fresh20`` the fourth (``fresh20.tsv``/``fresh20.jsonl``: 16 dev texts in es/fr/de/pl/tr/ar/it/vi,
labelled before the session-20 rules and before any extractor ran on them); ``--sample fresh21``
the fifth (``fresh21.tsv``/``fresh21.jsonl``: 16 dev texts in vi/en/pl/it/pt/id/ko never labelled
before, labelled before the session-21 rules and before any extractor ran on them); ``--sample fresh22``
the sixth (``fresh22.tsv``/``fresh22.jsonl``: 14 dev texts in vi/en/fr/es/hu/bn never labelled before,
labelled before the session-22 rules and before any extractor ran on them); ``--sample fresh24``
the seventh (``fresh24.tsv``/``fresh24.jsonl``: 14 dev texts in vi/en/tr/ar/de/pl/ru/pt/ja/zh/it/ko
never labelled before, labelled before the session-24 rules and before any extractor ran on them). ``--errors``
lists, per article, this checkout's chips that are unlabelled or of the wrong kind.

Measures (pooled, as TREC pools relevance: only names one of the two extractors found are
labelled, so recall is relative to what either found):
- kind precision: of the (article, name) pairs an extractor emits whose name is labelled, the
  share with the right kind (a noise name such as "LRB" or "Podrías" is always wrong);
- kind recall: of the (article, real entity) pairs either extractor found, the share this one
  emits with the right kind under some spelling;
- merging: over every pair of labelled spellings an extractor emits, precision and recall of
  "same key" against "same real entity"; and keys per real entity (1.0 = one chip each).
- chips per entity: in one article, how many chips (keys) a real entity gets, averaged over the
  (article, entity) pairs an extractor shows; the merge columns cannot see a case form folded
  into its base in the same article ("Андрея" into "Андрей Рудьков"), since it leaves no chip.
Nothing is fitted, so the two halves (``common.half`` of the article id) show the spread.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "entities" / "labelled.tsv"
UNSEEN = ROOT / "tests" / "data" / "entities" / "unseen.tsv"
UNSEEN_TEXTS = UNSEEN.with_suffix(".jsonl")
FRESH = ROOT / "tests" / "data" / "entities" / "fresh.tsv"
FRESH20 = ROOT / "tests" / "data" / "entities" / "fresh20.tsv"
FRESH21 = ROOT / "tests" / "data" / "entities" / "fresh21.tsv"
FRESH22 = ROOT / "tests" / "data" / "entities" / "fresh22.tsv"
FRESH24 = ROOT / "tests" / "data" / "entities" / "fresh24.tsv"
DATA = Path(os.environ.get("STORYLINE_DATA", "/work/shared/data"))
BASELINE_REV = "6ffe473"

Found = dict[str, list[tuple[str, str, str]]]  # article id -> [(key, kind, surface)]


def read_labels(path: Path = LABELS) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """The sample's article ids and surface -> (kind, entity)."""
    ids: list[str] = []
    labels: dict[str, tuple[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# articles:"):
            ids = line.split(":", 1)[1].split()
        elif line.strip() and not line.startswith("#"):
            surface, kind, *rest = line.split("\t")
            labels[surface] = (kind, rest[0] if rest else "")
    return ids, labels


def sample_articles(ids: list[str], data: Path = DATA, seeds: Path = ROOT / "examples" / "seeds") -> list[dict]:
    """The sample's articles, cleaned as ``storyline run`` cleans them (title, body, language)."""
    from storyline import Pipeline
    from storyline.models import Rejected
    from storyline.sources.jsonl import parse_record

    want = set(ids)
    rows = []
    path = data / "storylines" / "articles.jsonl"
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            rows = [r for r in map(json.loads, fh) if r["id"] in want]
    for p in sorted(seeds.glob("*.txt")):
        if "seed-" + p.stem in want:
            rows.append({"id": "seed-" + p.stem, "text": p.read_text(encoding="utf-8")})
    raws = [parse_record(r, f"sample:{i}") for i, r in enumerate(rows)]
    out = []
    for raw, a in zip(raws, Pipeline().clean_in_order(raws), strict=True):
        if not isinstance(a, Rejected):
            out.append({"id": raw.id, "title": a.title, "body": a.body, "lang": a.lang})
    return out


def unseen_articles(path: Path = UNSEEN_TEXTS) -> tuple[list[str], list[dict]]:
    """The second sample's articles (their text is in the fixture), cleaned as ``storyline run``
    cleans them."""
    from storyline import Pipeline
    from storyline.models import Rejected
    from storyline.sources.jsonl import parse_record

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    raws = [parse_record({"id": r["id"], "text": r["text"], "lang": r["lang"]}, f"unseen:{i}")
            for i, r in enumerate(rows)]
    out = [{"id": raw.id, "title": a.title, "body": a.body, "lang": a.lang}
           for raw, a in zip(raws, Pipeline().clean_in_order(raws), strict=True) if not isinstance(a, Rejected)]
    return [r["id"] for r in rows], out


def extract(articles: list[dict], shown: bool = False) -> Found:
    """Each article's chips; with ``shown``, only those a page shows (``Entity.shown``)."""
    from storyline.enrich.entities import extract_entities

    return {a["id"]: [(e.key, e.kind, e.text) for e in extract_entities(a["body"], a["lang"], a["title"])
                      if not shown or getattr(e, "shown", True)]
            for a in articles}


def score(found: Found, labels: dict[str, tuple[str, str]], pool: set[tuple[str, str]]) -> dict:
    """Kind precision/recall and merge precision/recall of one extractor's output."""
    judged = right = emitted = 0
    got: set[tuple[str, str]] = set()
    keys_of: dict[str, Counter[str]] = defaultdict(Counter)
    chips: dict[tuple[str, str], set[str]] = defaultdict(set)
    for art, ents in found.items():
        for key, kind, surface in ents:
            emitted += 1
            if surface not in labels:
                continue
            judged += 1
            gold_kind, entity = labels[surface]
            if gold_kind != "noise":
                chips[(art, entity)].add(key)
            if gold_kind == kind and gold_kind != "noise":
                right += 1
                got.add((art, entity))
            if gold_kind != "noise":
                keys_of[surface][key] += 1
    surfaces = sorted(keys_of)
    key = {s: keys_of[s].most_common(1)[0][0] for s in surfaces}
    tp = fp = fn = 0
    for a, b in combinations(surfaces, 2):
        same_gold = labels[a][1] == labels[b][1]
        same_key = key[a] == key[b]
        tp += same_gold and same_key
        fp += same_key and not same_gold
        fn += same_gold and not same_key
    per_entity: dict[str, set[str]] = defaultdict(set)
    for s in surfaces:
        per_entity[labels[s][1]].add(key[s])
    multi = [e for e in per_entity if sum(labels[s][1] == e for s in surfaces) > 1]
    return {
        "kind P": right / judged if judged else 0.0,
        "kind R": len(got & pool) / len(pool) if pool else 0.0,
        "merge P": tp / (tp + fp) if tp + fp else 1.0,
        "merge R": tp / (tp + fn) if tp + fn else 1.0,
        "keys/entity": sum(len(per_entity[e]) for e in multi) / len(multi) if multi else 1.0,
        "chips/entity": sum(map(len, chips.values())) / len(chips) if chips else 1.0,
        "labelled": judged / emitted if emitted else 0.0,
    }


def gold_pool(founds: list[Found], labels: dict[str, tuple[str, str]]) -> set[tuple[str, str]]:
    return {(art, labels[s][1]) for f in founds for art, ents in f.items() for _, _, s in ents
            if s in labels and labels[s][0] != "noise"}


def _baseline(rev: str, articles: list[dict], shown: bool = False) -> Found:
    """Run another revision's extractor on the same cleaned articles (a temporary worktree)."""
    with tempfile.TemporaryDirectory() as tmp:
        wt = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(wt), rev],
                       check=True, capture_output=True)
        try:
            inp = Path(tmp) / "in.json"
            inp.write_text(json.dumps(articles, ensure_ascii=False), encoding="utf-8")
            code = ("import json,sys;from storyline.enrich.entities import extract_entities as x;"
                    "a=json.load(open(sys.argv[1]));"
                    "print(json.dumps({r['id']:[(e.key,e.kind,e.text) for e in x(r['body'],r['lang'],r['title'])"
                    + (" if getattr(e,'shown',True)" if shown else "") + "]"
                    " for r in a}))")
            env = {**os.environ, "PYTHONPATH": str(wt)}
            out = subprocess.run([sys.executable, "-c", code, str(inp)], env=env, check=True, cwd=wt,
                                 capture_output=True, text=True).stdout
            return {k: [tuple(x) for x in v] for k, v in json.loads(out).items()}  # type: ignore[misc]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(wt)], capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--against", default=BASELINE_REV, help="git revision to compare with (default: today's code)")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--sample", choices=("dev", "unseen", "fresh", "fresh20", "fresh21", "fresh22", "fresh24"),
                    default="dev",
                    help="dev: labelled.tsv (en/es/fr/it + seeds); unseen: unseen.tsv (ar/tr/pl/de/ru/pt); "
                         "fresh: fresh.tsv (es/fr/de/pl/tr/ar); fresh20: fresh20.tsv (es/fr/de/pl/tr/ar/it/vi); "
                         "fresh21: fresh21.tsv (vi/en/pl/it/pt/id/ko); fresh22: fresh22.tsv (vi/en/fr/es/hu/bn); "
                         "fresh24: fresh24.tsv (vi/en/tr/ar/de/pl/ru/pt/ja/zh/it/ko)")
    ap.add_argument("--shown", action="store_true",
                    help="score only the chips a page shows (Entity.shown; the keys the linker uses may hold more)")
    ap.add_argument("--errors", action="store_true",
                    help="list this checkout's chips that are unlabelled or of the wrong kind, per article")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from common import half

    fixtures = {"unseen": UNSEEN, "fresh": FRESH, "fresh20": FRESH20, "fresh21": FRESH21,
                "fresh22": FRESH22, "fresh24": FRESH24}
    if args.sample in fixtures:
        path = fixtures[args.sample]
        _, labels = read_labels(path)
        _, articles = unseen_articles(path.with_suffix(".jsonl"))
    else:
        ids, labels = read_labels()
        articles = sample_articles(ids, args.data)
    runs = {"this checkout": extract(articles, args.shown),
            f"git {args.against}": _baseline(args.against, articles, args.shown)}
    print(f"{len(articles)} articles, {len(labels)} labelled names\n")
    cols = ["kind P", "kind R", "merge P", "merge R", "keys/entity", "chips/entity", "labelled"]
    print(f"{'extractor':<16} {'part':<7} " + " ".join(f"{c:>11}" for c in cols))
    for part in ("half 0", "half 1", "all"):
        keep = {a["id"] for a in articles if part == "all" or half(a["id"]) == int(part[-1])}
        sub = {n: {k: v for k, v in f.items() if k in keep} for n, f in runs.items()}
        pool = gold_pool(list(sub.values()), labels)
        for name, found in sub.items():
            s = score(found, labels, pool)
            print(f"{name:<16} {part:<7} " + " ".join(f"{s[c]:>11.3f}" for c in cols))
    if args.errors:
        for art, ents in runs["this checkout"].items():
            bad = [f"{surface!r} {kind} {key}"
                   + (f" (gold {labels[surface][0]})" if surface in labels else " (unlabelled)")
                   for key, kind, surface in ents if surface not in labels or labels[surface][0] != kind]
            if bad:
                print(f"\n{art}:\n  " + "\n  ".join(bad))


if __name__ == "__main__":
    main()
