"""Page templates a batch shares (storyline/clean/templates.py), on real texts: a Polish site's
block page and its reworded variant, from the SemEval-2022 Task 8 dev pairs in the gate fixture
(tests/data/gate/similarity, see its README for the source), and the seed articles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from storyline.clean.templates import Templates, block_page
from storyline.models import RawArticle

GATE = Path(__file__).parent / "data" / "gate" / "similarity" / "pairs.jsonl"
SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def _texts() -> dict[str, str]:
    out = {}
    for line in GATE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for k in "ab":
            out[row[k]["id"]] = row[k]["text"]
    return out


BLOCKED = ["1483827510", "1483996182", "1483908758", "1484247455", "1527743841"]  # the block page, 5 ids
REWORDED = "1483855447"  # the same block page in other words, once
ARTICLES = ["1483758715", "1483831803", "1527813778"]  # the stories those pairs were about


def _similarity(tmp_path: Path, rows: list[dict[str, Any]]) -> tuple[dict[str, float], str]:
    """``storyline similarity`` run on ``rows`` as a pairs file: each pair's score, and stderr."""
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "storyline", "similarity", str(pairs), "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return {r["pair_id"]: r["similarity"] for r in map(json.loads, proc.stdout.splitlines())}, proc.stderr


def test_lines_several_articles_share_are_furniture_and_their_page_a_template() -> None:
    texts = _texts()
    tpl = Templates.of((i, texts[i]) for i in BLOCKED + ARTICLES)
    assert tpl.lines and all(any(line in texts[i].lower() for i in BLOCKED) for line in tpl.lines)
    assert all(tpl.is_template(texts[i]) for i in BLOCKED)
    assert tpl.is_template(texts[REWORDED])  # made of the same words, though no line matches
    assert not any(tpl.is_template(texts[i]) for i in ARTICLES)


def test_one_article_under_one_id_or_two_ids_is_never_furniture() -> None:
    texts = _texts()
    one = Templates.of([(BLOCKED[0], texts[BLOCKED[0]])] * 5)  # one id paired five times
    assert not one.lines and not one.is_template(texts[BLOCKED[0]])
    two = Templates.of((i, texts[BLOCKED[0]]) for i in BLOCKED[:2])
    assert not two.lines


def test_a_long_article_syndicated_under_several_ids_is_not_a_template() -> None:
    seed = (SEEDS / "003_78df242a86dafe5a.txt").read_text(encoding="utf-8")
    tpl = Templates.of((f"copy-{i}", seed) for i in range(4))
    assert tpl.lines  # its lines are shared...
    assert not tpl.is_template(seed)  # ...but a full-length article is not a block page


def test_similarity_command_scores_a_template_pair_unknown_and_says_so(tmp_path: Path) -> None:
    texts = _texts()
    rows = [
        {"pair_id": f"p{n}", "a": {"id": art, "text": texts[art]}, "b": {"id": blk, "text": texts[blk]}}
        for n, (art, blk) in enumerate(zip(ARTICLES, BLOCKED, strict=False))
    ]
    rows.append(
        {"pair_id": "real", "a": {"id": "x", "text": texts[ARTICLES[0]]}, "b": {"id": "y", "text": texts[ARTICLES[1]]}}
    )
    got, stderr = _similarity(tmp_path, rows)
    assert got == {**{f"p{n}": 0.5 for n in range(3)}, "real": got["real"]}
    assert got["real"] != 0.5
    for n in range(3):
        assert f"pair p{n}: side b: a page template" in stderr
    assert "pair real" not in stderr


def test_a_lone_block_page_is_known_by_the_address_it_names() -> None:
    """One copy of the block page in a batch (nothing shared to give it away) is still a template:
    it tells the reader their IP address. Its reworded variant too; the articles are not."""
    texts = _texts()
    tpl = Templates.of((i, texts[i]) for i in [BLOCKED[0], *ARTICLES])
    assert not tpl.lines
    for i in (BLOCKED[0], REWORDED):
        assert tpl.holds(RawArticle(id=i, origin=i, text=texts[i]))
    assert not any(tpl.holds(RawArticle(id=i, origin=i, text=texts[i])) for i in ARTICLES)


def test_numbers_that_are_not_a_reader_address_make_no_block_page() -> None:
    # Turkish dev text 1618888043 has "15.5.9.9" in a table of rates, but no "IP"; German dev text
    # 1630945153 has "185.500.000.000" (not an address); a long text naming an address is an article.
    assert not block_page("İngiltere'de 14.3. Fransa'da 15.5.9.9 ifadelerini yerleştirdi.")
    assert not block_page("Die IP des Konzerns: 185.500.000.000 Dollar Umsatz.")
    assert block_page("Your IP: 203.0.113.7. Please confirm you are not a robot.")
    assert not block_page("Your IP: 203.0.113.7. " + "word " * 130)


def test_similarity_command_scores_a_pair_with_a_lone_block_page_unknown(tmp_path: Path) -> None:
    texts = _texts()
    rows = [
        {
            "pair_id": "blk",
            "a": {"id": ARTICLES[2], "text": texts[ARTICLES[2]]},
            "b": {"id": BLOCKED[4], "text": texts[BLOCKED[4]]},
        },
        {"pair_id": "real", "a": {"id": "x", "text": texts[ARTICLES[0]]}, "b": {"id": "y", "text": texts[ARTICLES[1]]}},
    ]
    got, stderr = _similarity(tmp_path, rows)
    assert got["blk"] == 0.5 and got["real"] != 0.5
    assert "pair blk: side b: a page template" in stderr and "IP address" in stderr
