"""The encoder's edges: each distinct input is encoded once (a repost reuses its original's
vector), the cache's keys survive the length setting, and the length is a validated setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hash_encoder import TEXT, HashEncoder

from storyline import Pipeline, Settings
from storyline.config import load_settings
from storyline.enrich.vectors import MAX_CHARS, CachedEncoder, ReusingEncoder, encoder_input
from storyline.errors import UsageError
from storyline.models import Article
from storyline.store import open_store


class Counting(HashEncoder):
    """The hash encoder, counting every text it is handed and reading at most ``max_chars``."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self.calls: list[str] = []

    def encode(self, texts: Sequence[str]) -> Any:
        self.calls += list(texts)
        return super().encode([t[: self.max_chars] for t in texts])


def test_identical_inputs_are_encoded_once_in_a_batch_and_across_batches() -> None:
    inner = Counting()
    enc = ReusingEncoder(inner, memory=3)
    texts = ["a b c", "d e f", "a b c", "a b c", "g h"]
    got = enc.encode(texts)
    assert inner.calls == ["a b c", "d e f", "g h"]
    assert np.array_equal(got, HashEncoder().encode(texts))  # the very vectors the model gives
    enc.encode(["d e f", "x y"])  # one seen before, one new
    assert inner.calls[3:] == ["x y"] and (enc.encoded, enc.reused) == (4, 3)
    enc.encode(["k", "l", "m"])  # memory holds 3: "a b c" has gone, "x y" too
    enc.encode(["a b c"])
    assert inner.calls[-1] == "a b c"


def test_inputs_alike_up_to_what_the_model_reads_are_one_input() -> None:
    inner = Counting(max_chars=10)
    enc = ReusingEncoder(inner)
    enc.encode(["0123456789 tail one", "0123456789 tail two", "0123456789"])
    assert len(inner.calls) == 1


def _rows(n: int) -> list[dict[str, str]]:
    words = TEXT.split()
    out = []
    for i in range(n):
        body = " ".join(words[i:] + words[:i]) + f" Story {i} of the day, reported by our desk in Ankara."
        out.append({"id": f"orig-{i}", "text": body, "title": f"Story number {i}", "source": "Wire"})
    return out


def test_a_run_with_reposts_encodes_each_text_once(tmp_path: Path) -> None:
    """A feed-like input: five stories, and three of them reposted verbatim under other ids and
    outlets (in the same batch, in a later batch, and in a later run of the same pipeline).
    The encoder is handed each distinct text once, and a repost's vector is its original's."""
    rows = _rows(5)
    reposts = [{**r, "id": r["id"].replace("orig", "repost"), "source": "Aggregator"} for r in rows[:3]]
    f1 = tmp_path / "feed1.jsonl"
    f1.write_text("\n".join(json.dumps(r) for r in [*rows, reposts[0]]) + "\n", encoding="utf-8")
    f2 = tmp_path / "feed2.jsonl"
    f2.write_text("\n".join(json.dumps(r) for r in reposts[1:]) + "\n", encoding="utf-8")
    inner = Counting()
    pipe = Pipeline(Settings(db=str(tmp_path / "s.db"), batch_size=3), encoder=inner)
    one = pipe.run([f1])
    two = pipe.run([f2])
    assert one.added == 6 and two.added == 2
    assert len(inner.calls) == 5 == len(set(inner.calls))
    store = pipe.open_store(readonly=True)
    try:
        vec = {a.id: a.vector for a in store.articles()}
    finally:
        store.close()
    for i in range(3):
        assert np.array_equal(np.asarray(vec[f"orig-{i}"]), np.asarray(vec[f"repost-{i}"]))


def test_cache_keys_made_before_the_length_setting_stay_valid(tmp_path: Path) -> None:
    short, long = "brief text", "x" * 2000
    default = CachedEncoder(Counting(), tmp_path / "c.sqlite")
    assert default._key(long) == default._key(long)
    cut = CachedEncoder(Counting(max_chars=600), tmp_path / "c.sqlite")
    assert cut._key(short) == default._key(short)
    assert cut._key(long) != default._key(long)
    assert cut._key(long) == cut._key(long[:600] + "different tail")
    default.encode([long])
    inner = Counting(max_chars=600)
    again = CachedEncoder(inner, tmp_path / "c.sqlite")
    again.encode([long, short])
    assert inner.calls == [long, short]  # the long text cut at 600 is a new input; nothing stale is reused


def test_the_length_is_a_validated_setting(tmp_path: Path) -> None:
    assert Settings().encode_chars == MAX_CHARS
    cfg = tmp_path / "storyline.toml"
    cfg.write_text("[storyline]\nencode_chars = 600\n", encoding="utf-8")
    assert load_settings(cfg).encode_chars == 600
    with pytest.raises(UsageError, match="encode_chars: must be at least 100"):
        load_settings(None, encode_chars=20)
    cfg.write_text('[storyline]\nencode_chars = "many"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="encode_chars"):
        load_settings(cfg)


def test_a_title_found_in_the_text_can_be_left_out_of_the_input() -> None:
    given = Article(id="a", title="Headline", body="The lede. More.", lang="en", published=None, title_source="feed")
    found = Article(
        id="b", title="The lede", body="The lede, said someone. More.", lang="en", published=None, title_source="text"
    )
    assert encoder_input(given) == encoder_input(given, found_title=False) == "Headline\nThe lede. More."
    assert encoder_input(found) == "The lede, said someone. More."  # the body starts with it
    other = Article(id="c", title="Lede words", body="Body text.", lang="en", published=None, title_source="text")
    assert encoder_input(other) == "Lede words\nBody text." and encoder_input(other, found_title=False) == "Body text."


def test_the_encoder_reads_its_own_title_not_the_headline_shown() -> None:
    """The headline shown is a display choice (notes, captions and kickers passed over); the
    vector reads the source's title, or the lede's plain opening clause, so changing how
    headlines are chosen for readers moves no vector."""
    import dataclasses

    from storyline.clean import clean, lede_title
    from storyline.models import RawArticle

    note = "Ce billet fait partie de notre dossier sur les manifestations au Yémen."
    lede = "Des centaines de manifestants ont défilé dans les rues de Ta'izz mardi contre le président."
    more = " ".join(["Les manifestants demandent le départ du président et des élections libres."] * 3)
    bare = clean(RawArticle(id="a", origin="a.txt", text=f"{note}\n\n{lede}\n\n{more}"))
    assert bare.title_source == "text" and bare.title.startswith("Des centaines")  # the note passed over
    assert bare.encoder_title == note[:-1]  # the plain rule: the first sentence, as fitted
    assert encoder_input(bare) == bare.body  # the body starts with it: read once
    assert encoder_input(dataclasses.replace(bare, title="Something else entirely")) == encoder_input(bare)
    given = "Yémen -LRB- Ta'izz -RRB- : manifestation"
    fed = clean(RawArticle(id="b", origin="b.txt", text=f"{lede}\n\n{more}", title=given))
    assert fed.encoder_title == fed.title == "Yémen (Ta'izz): manifestation"
    retitled = dataclasses.replace(fed, title="A tidier headline")
    assert encoder_input(retitled) == f"{fed.encoder_title}\n{fed.body}"
    # A found title that is the outlet's furniture: the lede's plain clause instead.
    assert encoder_input(lede_title(fed)) == fed.body
    # An article built by hand (no encoder title known) is read with the title it has.
    assert encoder_input(Article(id="c", title="Hand", body="Made.", lang="en", published=None)) == "Hand\nMade."


def _run_apart(db: str, src: Path, chars: int = MAX_CHARS) -> tuple[int, int]:
    """``repost_proc.py`` on ``src`` into ``db`` in a process of its own: (texts encoded, added)."""
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parent), os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, str(here / "repost_proc.py"), db, str(src), str(chars)],
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    encoded, added = p.stdout.split()
    return int(encoded), int(added)


def test_a_repost_takes_the_stored_vector_in_a_later_process(db: str, tmp_path: Path) -> None:
    """Yesterday's run stored five stories; today's, in a new process (nothing remembered but the
    store), gets three of them reposted verbatim under other ids and an aggregator's name, and two
    new stories. Only the two new inputs are encoded; each repost's stored vector is its original's,
    byte for byte, and the store ends as one process encoding everything would leave it. An encoder
    that cuts the texts shorter reads other inputs: there the reposts are encoded again."""
    rows = _rows(7)
    reposts = [{**r, "id": r["id"].replace("orig", "repost"), "source": "Aggregator"} for r in rows[:3]]
    day1, day2 = tmp_path / "day1.jsonl", tmp_path / "day2.jsonl"
    day1.write_text("".join(json.dumps(r) + "\n" for r in rows[:5]), encoding="utf-8")
    day2.write_text("".join(json.dumps(r) + "\n" for r in [reposts[0], rows[5], *reposts[1:], rows[6]]),
                    encoding="utf-8")
    assert _run_apart(db, day1) == (5, 5)
    assert _run_apart(db, day2) == (2, 5)  # the two new stories; the three reposts from the store

    one = tmp_path / "one.db"  # the reference: one process, every input encoded
    inner = Counting()
    Pipeline(Settings(db=str(one), batch_size=3), encoder=inner).run([day1, day2])
    st, ref = open_store(db, readonly=True), open_store(str(one), readonly=True)
    try:
        got = {a.id: a for a in st.articles()}
        want = {a.id: a for a in ref.articles()}
        assert sorted(got) == sorted(want) and len(got) == 10
        for i in range(3):
            assert np.asarray(got[f"repost-{i}"].vector).tobytes() == np.asarray(got[f"orig-{i}"].vector).tobytes()
            assert got[f"repost-{i}"].input_key == got[f"orig-{i}"].input_key is not None
        for k, a in got.items():
            assert np.array_equal(np.asarray(a.vector), np.asarray(want[k].vector)), k
        assert st.assignments() == ref.assignments()
        assert [(e.id, e.article_ids) for e in st.events()] == [(e.id, e.article_ids) for e in ref.events()]
    finally:
        st.close()
        ref.close()

    other = tmp_path / "day3.jsonl"
    other.write_text("".join(json.dumps({**r, "id": r["id"] + "-again"}) + "\n" for r in reposts), encoding="utf-8")
    assert _run_apart(db, other, chars=100) == (3, 3)  # cut at 100 characters: other inputs, encoded again
