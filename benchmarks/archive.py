"""Dev quality with the link cache's archive in use: events and storylines as a store-backed linker
links them when its state is frozen to disk every ``--every`` articles, as snapshot saves do.

    python benchmarks/archive.py [--every 100] [--order given|publish|shuffle:SEED] [--only events|storylines]

``benchmarks/events.py`` links in memory (``Linker(cfg)``), where nothing is ever frozen, so a rule
about what a search reaches in the frozen segments (the archive, ``EventIndex.freeze``) cannot move
its figures. Here the same dev articles are linked by a ``Linker`` that reads features back
through a loader (as from a store) and is frozen into a temporary directory every ``--every``
articles, so later articles search frozen segments and band files, and the result is scored beside
the in-memory one (which every archive rule should leave as it is; main's code gives the same
figures both ways). Session 15 measured with it what filing undated articles under their arrival
would cost (docs/scale.md): the dev figures are those of ``benchmarks/events.py`` (whole set,
in-sample weights), not its cross-fitted ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import half, pipeline_articles  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.link import LinkConfig, Linker  # noqa: E402
from storyline.link.similarity import features  # noqa: E402
from storyline.models import Article  # noqa: E402


def ordered(arts: list[Article], order: str) -> list[Article]:
    """``given`` (the file's order), ``publish`` (a feed's: by date, undated last, ties by id) or
    ``shuffle:SEED``."""
    if order == "given":
        return list(arts)
    if order == "publish":
        return sorted(arts, key=lambda a: (a.published or dt.date.max, a.id))
    if order.startswith("shuffle:"):
        out = list(arts)
        random.Random(int(order.split(":", 1)[1])).shuffle(out)
        return out
    raise SystemExit(f"--order {order}: use given, publish or shuffle:SEED")


def link(arts: Sequence[Article], every: int) -> tuple[dict[str, str], dict[str, str], float]:
    """Events and storylines of ``arts`` linked in batches of ``every``; frozen after each batch
    when ``every`` > 0 (features read back through a loader then), in memory when it is 0."""
    cfg = LinkConfig()
    by = {a.id: a for a in arts}
    step = every or 100
    t = time.process_time()
    with tempfile.TemporaryDirectory(prefix="storyline-archive-") as tmp:
        lk = Linker(cfg, loader=lambda ids: {i: features(by[i]) for i in ids}) if every else Linker(cfg)
        for i in range(0, len(arts), step):
            lk.add(list(arts[i : i + step]))
            if every:
                lk.freeze(Path(tmp))
        asg = lk.assignments()
    return {a.article_id: a.event for a in asg}, {a.article_id: a.storyline for a in asg}, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--every", type=int, default=100, help="freeze the linker after every this many articles")
    ap.add_argument("--order", default="given", help="given, publish or shuffle:SEED")
    ap.add_argument("--only", choices=["events", "storylines"], default=None)
    args = ap.parse_args()
    for name in ("events", "storylines"):
        if args.only not in (None, name):
            continue
        key = "event" if name == "events" else "storyline"
        with open(args.data / name / "gold.jsonl", encoding="utf-8") as fh:
            gold = {g["id"]: g[key] for g in map(json.loads, fh)}
        arts = ordered(pipeline_articles(args.data / name / "articles.jsonl")[0], args.order)
        groups = {"all": lambda i: True}
        if name == "events":
            groups |= {"ECB+": lambda i: i.startswith("ecb-"), "ViMs": lambda i: i.startswith("vims-")}
        else:
            groups |= {"held-out half": lambda i: half(i) == 1}
        undated = sum(a.published is None for a in arts)
        print(f"{name}: {len(arts)} articles ({undated} undated), order {args.order}; BCubed F1")
        for label, every in (("in memory", 0), (f"frozen every {args.every}", args.every)):
            evs, sls, cpu = link(arts, every)
            pred = evs if name == "events" else sls
            scores = "  ".join(
                f"{g} {ev.bcubed(pred, {k: v for k, v in gold.items() if keep(k)}).f1:.3f}"
                for g, keep in groups.items()
            )
            print(f"  {label:<18} {scores}   ({cpu:.1f} s CPU)", flush=True)


if __name__ == "__main__":
    main()
