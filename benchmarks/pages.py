"""What the pages say, measured on the dev storylines (issue 16): titles, publish dates, entities,
search across languages and storyline names, project beside today's code (``--against DIR``: the
same measures run with another checkout on the path, e.g. /work/main) and a simple baseline.

    python benchmarks/pages.py [--data FILE] [--only titles,dates,entities,search,names] [--against DIR]

Gold: the dev storylines carry no titles, so titles are judged by what a title must never be
(the issue's junk patterns) and by how many articles share one; publish dates are gold (each
article's ``published``), measured by cleaning the article with its date withheld. Figures are
printed for each deterministic half of the articles (``common.half``) and for all: nothing here
is fitted, so the halves show the spread.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("STORYLINE_DATA", "/work/shared/data"))

# --- the junk patterns, written here independently of the code under test ------------
_JUNK = {
    "css/markup": re.compile(r"[{}<>]|&[a-z]+;|display\s*:|px;"),
    "ptb escape": re.compile(r"-[LR][RSC]B-|``|''"),
    "url": re.compile(r"https?://|www\.|\.(?:com|org|net)/", re.I),
    "timestamp": re.compile(
        r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|gmt|bst|est|edt|cet|utc|ist)\b|\b\d{1,2}:\d{2}\b", re.I
    ),
}


def junk_kind(title: str) -> str | None:
    for kind, pat in _JUNK.items():
        if pat.search(title):
            return kind
    if len(re.findall(r"[^\W_]+", title)) < 3:
        return "under 3 words"
    return None


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(x) for x in fh if x.strip()]


def _clean_all(rows: list[dict], drop_dates: bool = False) -> dict[str, tuple[str, str | None, str]]:
    """id → (title, published ISO or None, lang), cleaned in file order as ``storyline run`` does."""
    from storyline import Pipeline
    from storyline.models import Article, Rejected
    from storyline.sources.jsonl import parse_record

    raws = [
        parse_record({k: v for k, v in r.items() if not (drop_dates and k == "published")}, f"articles.jsonl:{i}")
        for i, r in enumerate(rows)
    ]
    pipe = Pipeline()
    if hasattr(pipe, "clean_in_order"):
        got = list(pipe.clean_in_order(raws))
    else:  # older code: the same loop as its run
        from storyline.pipeline import SourceMemory, source_of

        mem, got = SourceMemory(), []
        for raw in raws:
            a = pipe._clean_one(raw, mem.known(source_of(raw)))
            if isinstance(a, Article):
                mem.add(a)
            got.append(a)
    out = {}
    for raw, a in zip(raws, got, strict=True):
        if isinstance(a, Rejected):
            continue
        out[raw.id] = (a.title, a.published.isoformat() if a.published else None, a.lang)
    return out


def measure_titles(rows: list[dict]) -> dict:
    from common import half

    arts = _clean_all(rows)
    titles = {i: t for i, (t, _, _) in arts.items()}
    shared = Counter(titles.values())
    res: dict = {}
    for name, keep in (("half 0", 0), ("half 1", 1), ("all", None)):
        ids = [i for i in titles if keep is None or half(i) == keep]
        junk = Counter(k for i in ids if (k := junk_kind(titles[i])))
        res[name] = {
            "n": len(ids),
            "junk": sum(junk.values()) / max(1, len(ids)),
            "junk_kinds": dict(junk),
            "shared3": sum(1 for i in ids if shared[titles[i]] >= 3) / max(1, len(ids)),
        }
    # baseline: the page's first line, 12 words (what a naive reader of the text would show)
    first = {r["id"]: " ".join(next((x for x in r["text"].splitlines() if x.strip()), "").split()[:12]) for r in rows}
    bshared = Counter(first.values())
    res["baseline first line"] = {
        "n": len(first),
        "junk": sum(1 for t in first.values() if junk_kind(t)) / len(first),
        "shared3": sum(1 for t in first.values() if bshared[t] >= 3) / len(first),
    }
    res["examples"] = sorted(titles.items())[:: max(1, len(titles) // 25)][:25]
    res["most shared"] = shared.most_common(8)
    return res


def measure_dates(rows: list[dict]) -> dict:
    import datetime as dt

    from common import half

    arts = _clean_all(rows, drop_dates=True)
    res: dict = {}
    for name, keep in (("half 0", 0), ("half 1", 1), ("all", None)):
        c: Counter[str] = Counter()
        for r in rows:
            if (keep is not None and half(r["id"]) != keep) or r["id"] not in arts or not r.get("published"):
                continue
            got, gold = arts[r["id"]][1], dt.date.fromisoformat(r["published"][:10])
            if got is None:
                c["none"] += 1
            elif dt.date.fromisoformat(got) == gold:
                c["exact"] += 1
            elif abs((dt.date.fromisoformat(got) - gold).days) <= 1:
                c["±1 day"] += 1
            else:
                c["wrong"] += 1
        n = sum(c.values())
        res[name] = {"n": n, **{k: c[k] / max(1, n) for k in ("exact", "±1 day", "wrong", "none")}}
    return res


_GADDAFI = re.compile(r"\b(?:G[ae]dd?h?af+i|Kh?add?h?af+i|Gh?edd?af+i|Qadh?dh?af+i|Каддафи)", re.I)


def measure_search(rows: list[dict]) -> dict:
    """Recall of one spelling over the articles naming the person in any spelling: the Libya
    storyline's articles (gold) whose text names Gaddafi however written, searched for "Gaddafi"
    through the store's query builder (FTS5, diacritics folded) with and without the expansion
    to the store's other spellings. Baseline: the plain word."""
    import sqlite3

    from storyline import Pipeline
    from storyline.models import Rejected
    from storyline.sources.jsonl import parse_record
    from storyline.store.base import fts_query

    with open(DATA / "storylines/gold.jsonl", encoding="utf-8") as fh:
        gold = {(g := json.loads(x))["id"]: g["storyline"] for x in fh if x.strip()}
    raws = [parse_record(r, f"articles.jsonl:{i}") for i, r in enumerate(rows)]
    pipe = Pipeline()
    arts = [a for a in pipe.prepare(raws, vectors=False) if not isinstance(a, Rejected)]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO f VALUES (?, ?, ?)", [(a.id, a.title, a.body) for a in arts])
    counts: Counter[tuple[str, str, str]] = Counter()
    for a in arts:
        counts.update({(e.key, e.kind, e.text) for e in a.entities})
    names = [(k, kind, t, n) for (k, kind, t), n in counts.items()]
    naming = {a.id for a in arts if _GADDAFI.search(a.title + " " + a.body)}
    want = {i for i in naming if gold.get(i) == "libya"}
    res: dict = {"gold Libya articles naming him": {"n": len(want), "share": 1.0}}
    try:
        from storyline.enrich.entities import spellings
    except ImportError:  # today's code: no expansion
        spellings = None  # type: ignore[assignment]
    for label, variants in (("plain word", None), ("project", "expand")):
        if variants and spellings is None:
            continue
        vfun = (lambda w: spellings(w, names)) if variants else None
        try:
            q = fts_query("Gaddafi", vfun) if vfun else fts_query("Gaddafi")
        except TypeError:
            q = fts_query("Gaddafi")
        got = {r[0] for r in db.execute("SELECT id FROM f WHERE f MATCH ?", (q,))}
        res[label] = {
            "n": len(got),
            "recall": len(got & want) / max(1, len(want)),
            "precision": len(got & naming) / max(1, len(got)),  # hits that name him in some spelling
        }
        res[label + " query"] = {"q": q[:300]}
    return res


def measure_names(rows: list[dict]) -> dict:
    """The name ``describe.storyline_name`` gives each gold storyline's articles (as if linking
    had found exactly that group), beside the gold name; vectors from the shared cache."""
    from common import CACHE

    from storyline import Pipeline, Settings
    from storyline.describe import storyline_name
    from storyline.models import Rejected
    from storyline.sources.jsonl import parse_record

    with open(DATA / "storylines/gold.jsonl", encoding="utf-8") as fh:
        gold = {(g := json.loads(x))["id"]: g["storyline"] for x in fh if x.strip()}
    raws = [parse_record(r, f"articles.jsonl:{i}") for i, r in enumerate(rows)]
    arts = [a for a in Pipeline(Settings(db=":memory:", vector_cache=str(CACHE))).prepare(raws)
            if not isinstance(a, Rejected)]
    groups: dict[str, list] = {}
    for a in arts:
        groups.setdefault(gold.get(a.id, "?"), []).append(a)
    names = {g: {"n": len(m), "name": storyline_name(m)} for g, m in sorted(groups.items())}
    # The name a reader of each language sees (issue 16): today's code has one name for all.
    import inspect

    per_lang = "lang" in inspect.signature(storyline_name).parameters
    hits = in_lang = total = 0
    for g, m in sorted(groups.items()):
        for lang in sorted({a.lang for a in m}):
            name = storyline_name(m, lang=lang) if per_lang else names[g]["name"]
            names[g][lang] = name
            total += 1
            hits += names_topic(name, g)
            in_lang += _lang_of(name) == lang
    return {"names": names, "all": {"n": total, "agree": hits / total, "in reader's lang": in_lang / total}}


# What a name must mention to name the gold storyline (any language): a place or name key, or a word.
_TOPIC = {
    "egypt": ({"place:EG", "place:EG/cairo"}, ()),
    "libya": ({"place:LY", "place:LY/tripoli", "place:LY/benghazi", "name:gadafi"}, ()),
    "syria": ({"place:SY", "place:SY/damascus", "place:SY/homs", "name:asad"}, ()),
    "yemen": ({"place:YE", "place:YE/sanaa", "name:ali-abdullah-saleh", "name:saleh"}, ()),
    "iraq": ({"place:IQ", "place:IQ/baghdad"}, ()),
    "haiti-earthquake": ({"place:HT", "place:HT/port-au-prince"}, ("earthquake", "quake")),
    "bp-oil-spill": ({"name:bp", "place:gulf-of-mexico"}, ("oil", "spill")),
    "h1n1": ({"name:h1n1", "name:h-1n1"}, ("flu", "swine", "influenza", "gripe", "grippe", "pandemic")),
    "michael-jackson": ({"name:michael-jackson", "name:jackson"}, ("jackson",)),
    "financial-crisis": (set(), ("financial", "crisis", "bank", "banks", "banking", "recession", "credit", "markets")),
}


def names_topic(name: str, gold: str) -> bool:
    """Does the name say what the gold storyline is about? Its entity keys (in any language and
    spelling, through today's extractor of this checkout) or a topic word."""
    from storyline.enrich.entities import extract_entities

    keys, words = _TOPIC.get(gold, (set(), ()))
    got = {e.key for lang in ("en", "es", "fr", "it") for e in extract_entities(name, lang)}
    low = {w.lower() for w in re.findall(r"\w+", name)}
    return bool(keys & got) or any(w in low for w in words)


def _lang_of(text: str) -> str:
    from storyline.clean.language import detect_language

    return detect_language(text) or ""


MEASURES = {"titles": measure_titles, "dates": measure_dates, "search": measure_search, "names": measure_names}


def _run(only: list[str], data: Path) -> dict:
    rows = _rows(data / "storylines/articles.jsonl")
    return {m: MEASURES[m](rows) for m in only if m in MEASURES}


def _fmt(x: object) -> str:
    return f"{100 * x:5.1f}%" if isinstance(x, float) else str(x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--only", default="titles,dates")
    ap.add_argument("--against", type=Path, help="another checkout to measure the same way (today's code)")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    only = args.only.split(",")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import common  # noqa: F401 - it puts this checkout on the path, so first, then undone below

    if os.environ.get("PAGES_AGAINST"):  # measuring another checkout: its code from PYTHONPATH
        while str(ROOT) in sys.path:
            sys.path.remove(str(ROOT))
        for name in [m for m in sys.modules if m == "storyline" or m.startswith("storyline.")]:
            del sys.modules[name]  # common imported this checkout's storyline: read the other one
    else:
        sys.path.insert(0, str(ROOT))
    mine = _run(only, args.data)
    if args.json:
        print(json.dumps(mine, default=str))
        return
    theirs: dict = {}
    if args.against:
        env = {**os.environ, "PYTHONPATH": str(args.against), "PAGES_AGAINST": "1"}
        out = subprocess.run(
            [sys.executable, __file__, "--json", "--only", args.only, "--data", str(args.data)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=args.against,
        )
        theirs = json.loads(out.stdout.strip().splitlines()[-1])
    for m, res in mine.items():
        print(f"\n## {m}")
        for part, fig in res.items():
            if not isinstance(fig, dict):
                continue
            for k, v in fig.items():
                if k == "n" or isinstance(v, dict):
                    continue
                old = theirs.get(m, {}).get(part, {}).get(k)
                print(
                    f"  {part:<22} {k:<10} project {_fmt(v)}"
                    + (f"   today {_fmt(old)}" if old is not None else "")
                    + f"   (n={fig.get('n')})"
                )
        if m == "names":
            for g, v in res["names"].items():
                print(f"    {g:<18} ({v['n']:>3} articles)  {v['name']}")
                old_names = theirs.get(m, {}).get("names", {}).get(g, {})
                for lang in sorted(k for k in v if len(k) == 2):
                    print(f"      {lang}: {v[lang]}")
                    if lang in old_names:
                        print(f"      {lang} today: {old_names[lang]}")
        for k in ("junk_kinds",):
            if "all" in res and k in res["all"]:
                print(f"  junk kinds now: {res['all'][k]}   today: {theirs.get(m, {}).get('all', {}).get(k)}")
        if "most shared" in res:
            print("  most shared titles:", res["most shared"][:5])
        if "examples" in res:
            for i, t in res["examples"]:
                print(f"    {i:<36} {t}")


if __name__ == "__main__":
    main()
