"""Article-index segments at scale: what searching every frozen segment costs, and what fewer,
larger segments would cost and find (issue 20: the cost per new article at 1M).

    python benchmarks/segments.py LINK_CACHE_DIR [--queries 300] [--merge 4,1]

An undated new article must search every frozen segment (``EventIndex._nearest``), and segments
hold at most ``SEGMENT_SIZE`` articles: at 1M it searched 16 usearch indexes of 64k, which is what
this measured before ``SEGMENT_SIZE`` became 2^18 (docs/scale.md, issue 20's sixth round). This reads
the segments a snapshot saved (``vectors-*.usearch`` in a link cache's snapshot folder), takes
``--queries`` stored vectors with a little noise as queries, and for the segments as saved and for
the same vectors rebuilt into N indexes (``--merge``) prints the CPU time of one k=30 search over
all of them and the recall against the exact top 30 (brute force over every vector). Nothing here
changes the shipped index; it measured a design before it was built, and measures a cache's
segments as they are now.
"""

from __future__ import annotations

import argparse
import glob
import resource
import time

import numpy as np
from usearch.index import Index

K = 30


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cache", help="a snapshot folder holding vectors-*.usearch segments")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--merge", default="4,1", help="numbers of indexes to rebuild the same vectors into")
    ap.add_argument("--ef", default="128,256", help="expansion_search values tried on a single index")
    args = ap.parse_args()

    segs = [Index.restore(p, view=True) for p in sorted(glob.glob(f"{args.cache}/vectors-*.usearch"))]
    if not segs:
        raise SystemExit(f"{args.cache}: no vectors-*.usearch segments")
    keys = [np.asarray(s.keys) for s in segs]
    vecs = [np.asarray(s.get(k), dtype=np.float32).reshape(len(k), -1) for s, k in zip(segs, keys, strict=True)]
    all_k, all_v = np.concatenate(keys), np.concatenate(vecs)
    print(f"{len(segs)} segments, {len(all_k):,} vectors, {all_v.shape[1]} dimensions")

    rng = np.random.default_rng(0)
    q = all_v[rng.choice(len(all_v), args.queries, replace=False)].copy()
    q += rng.normal(0, 0.02, q.shape).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    exact = [set(all_k[np.argpartition(-row, K)[:K]].tolist()) for row in q @ all_v.T]

    def measure(indexes: list[Index], label: str) -> None:
        t = time.process_time()
        found = []
        for v in q:
            hits: list[tuple[float, int]] = []
            for ix in indexes:
                h = ix.search(v, min(K, len(ix)))
                hits.extend(zip(h.distances.tolist(), h.keys.tolist(), strict=True))
            hits.sort()
            found.append({k for _, k in hits[:K]})
        ms = (time.process_time() - t) / len(q) * 1000
        recall = np.mean([len(f & e) / K for f, e in zip(found, exact, strict=True)])
        print(f"| {label} | {ms:.3f} | {recall:.3f} |", flush=True)

    print("| indexes searched | CPU ms per search of all | recall of the exact top 30 |")
    print("|---|---|---|")
    measure(segs, f"{len(segs)} as saved")
    for n in (int(x) for x in args.merge.split(",")):
        t = time.time()
        parts = np.array_split(np.arange(len(all_k)), n)
        merged = []
        for p in parts:
            ix = Index(ndim=all_v.shape[1], metric="ip")
            ix.add(all_k[p], all_v[p])
            merged.append(ix)
        label = f"{n} of {len(parts[0]) // 1000}k (built in {time.time() - t:.0f} s)"
        measure(merged, label)
        if n == 1:
            for ef in (int(x) for x in args.ef.split(",")):
                merged[0].expansion_search = ef
                measure(merged, f"1, expansion_search {ef}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
