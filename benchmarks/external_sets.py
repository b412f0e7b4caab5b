"""Labelled page sets from outside the dev data, read where ``fetch`` left the public repositories.

The dev data (``../shared/data``) holds two page sets, the Zyte news pages and trafilatura's
multilingual snippets pages; a line model fitted on one of them and scored on the other reads
below the plain rules (issue 17), so held-out pages unlike both can surprise it. These are three
more sets, each labelled by other people with other conventions, used as *unseen* sets (and, where
the licence allows, as candidate fit data; see ``FITTABLE``):

- ``l3s-gn1``: L3S-GN1 (Kohlschütter et al., WSDM 2010), 621 English news pages of 408 sites from
  Google News, 2008; gold = the blocks the assessors marked "full text" (``x-nc-sel2``). Licence:
  research use only (the set's own Readme). Read from ``geodrome/page-signal``.
- ``dragnet``: the Dragnet set (Moz, 2012), 1,381 English news and blog pages; gold = the
  "Corrected" text before the comments marker. Licence: AGPL-3.0 (``seomoz/dragnet_data``). Read
  from ``j-szulc/html-cleaning-dataset-merged``.
- ``readability``: Mozilla Readability's test pages (116: news in en/de/fr/es/pt/cs/zh/ja/ar/he,
  blogs, Wikipedia, synthetic cases); gold = Readability's expected output. Licence: Apache-2.0
  (``mozilla/readability``). Read from ``j-szulc/html-cleaning-dataset-merged``.

Nothing of these sets is committed to this project: the pages are read from the snapshots with
``git cat-file`` each run, under ``--external`` (default ``/work/.mirror``, where ``fetch`` puts
``owner+name/repo``). A set whose snapshot is absent is skipped with a message naming the
repository to fetch. The page as plain text (what the line model reads) is made the way the dev
set's ``text/ID.txt`` were, with ``html_text`` and its layout guess.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline.clean.encoding import decode_bytes  # noqa: E402

DEFAULT_ROOT = Path("/work/.mirror")

# Sets whose licence lets weights fitted on them ship in this MIT package. L3S-GN1 is research use
# only and Dragnet's data is AGPL-3.0 (its README: derived works must be open-sourced too): both
# are measured against, never fitted into the shipped weights.
FITTABLE = frozenset({"readability"})


@dataclass(frozen=True)
class Page:
    set: str
    id: str  # "<set>:<name>", unique across sets
    url: str  # the page's address where the set gives one ("" otherwise): site halves use its host
    html: str
    text: str  # the page as plain text, menus and all
    body: str  # the gold main text


@dataclass(frozen=True)
class _Source:
    repo: str  # owner+name as fetch names the folder
    licence: str
    read: Callable[[Path], list[tuple[str, str, str, str]]]  # git dir -> (name, url, html, gold body)


def _blobs(git: Path, prefix: str) -> dict[str, bytes]:
    """Every file under ``prefix`` at HEAD of a bare snapshot, by path, in one ``cat-file`` call."""
    paths = subprocess.run(
        ["git", f"--git-dir={git}", "ls-tree", "-r", "--name-only", "HEAD", prefix],
        check=True, capture_output=True, text=True,
    ).stdout.split("\n")
    paths = [p for p in paths if p and not p.endswith(".DS_Store")]
    out = subprocess.run(
        ["git", f"--git-dir={git}", "cat-file", "--batch"],
        input="".join(f"HEAD:{p}\n" for p in paths).encode(), check=True, capture_output=True,
    ).stdout
    blobs, pos = {}, 0
    for p in paths:
        end = out.index(b"\n", pos)
        head = out[pos:end].split()
        if head[-1] == b"missing":  # a file the snapshot lacks (4 MiB and over)
            pos = end + 1
            continue
        size = int(head[2])
        blobs[p] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def _text(data: bytes, origin: str) -> str:
    return decode_bytes(data, origin)


def _visible_text(html: str) -> str:
    import html_text

    return str(html_text.extract_text(html, guess_layout=False))


def _l3s(git: Path) -> list[tuple[str, str, str, str]]:
    base = "L3S-GN1-20100130203947-00001"
    blobs = _blobs(git, base)
    urls = {}
    for row in blobs[f"{base}/url-mapping.txt"].decode().splitlines():
        uuid, _, url = row.partition("\t")
        urls[uuid.strip().removeprefix("<urn:uuid:").removesuffix(">")] = url.strip()
    out = []
    for path, data in sorted(blobs.items()):
        if not path.startswith(f"{base}/annotated/"):
            continue
        name = path.rsplit("/", 1)[1].removesuffix(".html")
        body = l3s_fulltext(_text(data, path))
        original = blobs.get(f"{base}/original/{name}.html")
        if original is None or not body:
            continue
        out.append((name, urls.get(name, ""), _text(original, name), body))
    return out


def l3s_fulltext(annotated: str) -> str:
    """The text an L3S-GN1 assessor marked "full text": every text block whose nearest labelled
    element has the class ``x-nc-sel2`` (headline, supplemental, related content, comments and
    unlabelled blocks are left out, as the Zyte set's article bodies leave them out)."""
    import lxml.html

    tree = lxml.html.fromstring(annotated)
    parts = []
    for el in tree.iter():
        own = isinstance(el.tag, str) and el.tag not in ("script", "style")  # not a comment's text
        for piece, owner in (((el.text, el),) if own else ()) + ((el.tail, el.getparent()),):
            if not piece or not piece.strip() or owner is None:
                continue
            node = owner
            while node is not None and not any(c.startswith("x-nc-sel") for c in (node.get("class") or "").split()):
                node = node.getparent()
            if node is not None and "x-nc-sel2" in (node.get("class") or "").split():
                parts.append(piece.strip())
    return " ".join(parts)


def _gold_pairs(git: Path, root: str, body_of: Callable[[str], str]) -> list[tuple[str, str, str, str]]:
    """The pages of a merged-dataset folder: ``ROOT/input/NAME.html`` beside its gold
    ``ROOT/GoldStandard/NAME.txt``, whose text ``body_of`` turns into the body scored against."""
    blobs = _blobs(git, root)
    out = []
    for path, data in sorted(blobs.items()):
        if not path.startswith(f"{root}/GoldStandard/"):
            continue
        name = path.rsplit("/", 1)[1].removesuffix(".txt")
        html = blobs.get(f"{root}/input/{name}.html")
        if html is None or not data.strip():
            continue
        body = body_of(_text(data, path))
        if body:
            out.append((name, "", _text(html, name), body))
    return out


def _dragnet(git: Path) -> list[tuple[str, str, str, str]]:
    return _gold_pairs(git, "dragnet_data", lambda gold: gold.split("!@#$%^&*()  COMMENTS")[0].strip())


def _readability(git: Path) -> list[tuple[str, str, str, str]]:
    return _gold_pairs(git, "readability", lambda gold: _visible_text(gold).strip())


SOURCES: dict[str, _Source] = {
    "l3s-gn1": _Source("geodrome+page-signal", "research use only (L3S Readme)", _l3s),
    "dragnet": _Source("j-szulc+html-cleaning-dataset-merged", "AGPL-3.0 (seomoz/dragnet_data)", _dragnet),
    "readability": _Source("j-szulc+html-cleaning-dataset-merged", "Apache-2.0 (mozilla/readability)", _readability),
}


def _key(page_id: str) -> bytes:
    return hashlib.sha1(page_id.encode()).digest()


def load(root: Path = DEFAULT_ROOT, cap: int = 0, quiet: bool = False) -> dict[str, list[Page]]:
    """The external sets found under ``root``, each at most ``cap`` pages (0: all), a fixed
    sample by a hash of the page name, so every run and every fit sees the same pages. A set
    whose snapshot is missing is left out with a message saying which repository to fetch."""
    import html_text

    out: dict[str, list[Page]] = {}
    for name, src in SOURCES.items():
        git = root / src.repo / "repo"
        if not (git / "HEAD").exists():
            if not quiet:
                print(f"external set {name!r} skipped: no snapshot at {git} "
                      f"(fetch github:{src.repo.replace('+', '/')})", file=sys.stderr)
            continue
        rows = sorted(src.read(git), key=lambda r: _key(r[0]))
        if cap:
            rows = rows[:cap]
        pages = []
        for page, url, html, body in rows:
            text = str(html_text.extract_text(html, guess_layout=True))
            if text.strip():
                pages.append(Page(name, f"{name}:{page}", url, html, text, body))
        out[name] = pages
    return out


if __name__ == "__main__":
    for name, ps in load().items():
        words = sum(len(p.body.split()) for p in ps) / max(1, len(ps))
        print(f"{name:12s} {len(ps):5d} pages, {words:6.0f} gold words a page, licence {SOURCES[name].licence}")
