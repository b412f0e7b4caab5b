"""The storyline layer's entity keys as numbers and arrays (``storyline.link.keys``, ``_Group``):
exactly what the strings, Counters and dicts of lists they replaced gave. Same numbers for the same
key (also frozen to files and across a forced hash collision), the same sums bit for bit, the same
postings, and the same assignments as the Counter-based code on the gate articles."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyline.link import keys, storylines
from storyline.link.keys import KeyTable, Postings
from storyline.link.similarity import storyline_entities
from storyline.link.storylines import _Group, entity_dot

GATE = Path(__file__).parent / "data" / "gate"
OLD_PATH = Path(__file__).parent / "data" / "link-old-path.json"


def test_a_key_keeps_its_number_when_frozen_to_files_even_if_hashes_collide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every key hashing alike: only the key's own bytes can tell them apart.
    monkeypatch.setattr(keys, "_hash", lambda b: 7 if b.startswith(b"place") else len(b))
    t = KeyTable()
    words = [f"{kind}:{i}" for kind in ("place", "name", "org") for i in range(40)]
    first = t.numbers(words)
    assert first == list(range(len(words))) and t.numbers(["name:3", "name:3"]) == [first[43]] * 2
    t.freeze(tmp_path)
    assert isinstance(t._blob, np.memmap) and not t._new
    more = t.numbers([*words[::-1], "place:new", "place:0"])
    assert more == [*first[::-1], len(words), first[0]]
    t.freeze(tmp_path)
    back = KeyTable()
    back.__setstate__(t.__getstate__())  # as a snapshot loads it
    assert back.numbers([*words, "place:new", "unseen"]) == [*first, len(words), len(words) + 1]


@pytest.mark.parametrize("chunk", [3, 1 << 20])
def test_a_key_table_frozen_in_chunks_writes_the_files_saving_it_whole_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """``KeyTable.freeze`` writes its files a chunk at a time, merging the new keys' hashes into
    the sorted table: the same arrays as the freeze made whole before (old table and new keys
    sorted stably by hash, offsets and names appended), over five
    freezes, with hashes that collide often (equal hashes keep number order) and chunks of 3 (a
    merge across many chunk edges) or of a million (one chunk)."""
    monkeypatch.setattr(keys, "_hash", lambda b: sum(b) % 11)
    monkeypatch.setattr(keys, "_CHUNK", chunk)
    rng = random.Random(5)
    t, table, offsets, blob = KeyTable(), np.zeros((2, 0), np.uint64), np.zeros(1, np.int64), b""
    for r in range(5):
        words = [f"k{rng.randrange(60)}-{r % 2}" for _ in range(rng.randrange(0 if r == 2 else 1, 25))]
        before = len(t)
        t.numbers(words)
        names = [k.encode() for k in list(t._new)]
        assert len(names) == len(t) - before
        hs = np.asarray([keys._hash(b) for b in names], dtype=np.uint64)
        table = np.concatenate([table, np.stack([hs, np.arange(before, len(t), dtype=np.uint64)])], axis=1)
        table = table[:, np.argsort(table[0], kind="stable")]
        offsets = np.concatenate([offsets, offsets[-1] + np.cumsum([len(b) for b in names], dtype=np.int64)])
        blob += b"".join(names)
        t.freeze(tmp_path / str(r))
        for path, want in zip(t.files(), (table, offsets, np.frombuffer(blob, np.uint8)), strict=True):
            got = np.load(path)
            assert got.dtype == want.dtype and got.shape == want.shape and (got == want).all(), path.name
        if r == 1:  # a table file in C order (as np.save wrote one of a column or none) is read as well
            path = t.files()[0]
            path.unlink()  # a new file: the table's map keeps the old one
            np.save(path, np.ascontiguousarray(table))
            t.__setstate__(t.__getstate__())  # as a snapshot loads it
            assert t._table.flags.c_contiguous and not t._table.flags.f_contiguous
    back = KeyTable()
    back.__setstate__(t.__getstate__())
    every = [f"k{i}-{j}" for i in range(60) for j in (0, 1)]
    known = [k for k, n in t.look_up(every).items() if n is not None]
    assert len(known) == len(t) and back.numbers(known) == t.numbers(known)


def test_keys_looked_up_ahead_are_numbered_as_looked_up_one_article_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Linker.add`` looks the frozen numbers of the next articles' keys up together
    (``KeyTable.look_up``) and hands them to ``numbers``: through freezes, keys given twice, new
    keys, and hash collisions, the same numbers as two tables numbering the same articles' keys
    one article at a time, and no frozen search for keys looked up."""
    monkeypatch.setattr(keys, "_hash", lambda b: len(b) % 5)  # collisions everywhere
    rng = random.Random(4)
    pool = [f"{kind}:{i}" for kind in ("place", "name", "org") for i in range(60)]
    ahead, plain = KeyTable(), KeyTable()
    searched: list[int] = []
    frozen = KeyTable._frozen

    def counted(self: KeyTable, ks: list[str]) -> list[int | None]:
        if self is ahead and self._table.shape[1]:  # a search of a frozen table
            searched.append(len(ks))
        return frozen(self, ks)

    monkeypatch.setattr(KeyTable, "_frozen", counted)
    for step in range(30):
        arts = [frozenset(rng.sample(pool[: 30 + 5 * step], rng.randint(0, 6))) for _ in range(8)]
        known = ahead.look_up(k for a in arts for k in a)
        looked = len(searched)
        got = [ahead.vector(a, known) for a in arts]
        assert len(searched) == looked  # every key was looked up ahead
        assert got == [plain.vector(a) for a in arts]
        if step % 4 == 3:
            ahead.freeze(tmp_path)
            plain.freeze(tmp_path)
    assert len(ahead) == len(plain) > 100 and sum(searched) > 0
    # Keys not looked up are searched as before.
    assert ahead.numbers(["place:1", "brand:new"], {"place:1": ahead.numbers(["place:1"])[0]}) == plain.numbers(
        ["place:1", "brand:new"]
    )


def test_an_article_s_keys_are_numbered_in_string_order_with_the_unit_weight() -> None:
    t = KeyTable()
    ents = frozenset({"place:SY/damascus", "name:asad"})
    nums, w = t.vector(ents)
    ref = storyline_entities(ents)
    assert w == next(iter(ref.values())) and len(nums) == len(ref) == 2  # a city does not add its country
    assert t.numbers(sorted(ref)) == [0, 1] and t.vector(frozenset()) == ([], 0.0)


class _CounterGroup:
    """The entity sums as they were before: a Counter of key strings."""

    def __init__(self) -> None:
        self.esum: Counter[str] = Counter()

    def add(self, ents: frozenset[str]) -> None:
        self.esum.update(storyline_entities(ents))


def _same(g: _Group, ref: Counter[str], table: KeyTable) -> None:
    ek, ev = g.entities()
    got = dict(zip(ek.tolist(), ev.tolist(), strict=True))
    want = {table.numbers([k])[0]: v for k, v in ref.items()}
    assert got == want  # bit for bit


def test_group_sums_equal_a_counter_s_bit_for_bit_through_adds_absorbs_and_removals() -> None:
    rng = random.Random(3)
    table = KeyTable()
    vocab = [f"name:{i}" for i in range(300)] + [f"place:C{i}/town{i}" for i in range(30)]
    groups, refs = [], []
    for _ in range(6):
        g, ref = _Group(2), _CounterGroup()
        for _ in range(rng.randint(1, 120)):
            ents = frozenset(rng.sample(vocab, rng.randint(0, 9)))
            g.add(None, ents, "en", table)
            ref.add(ents)
            if rng.random() < 0.1:
                g.entities()  # merged now and then, as scoring does
        _same(g, ref.esum, table)
        groups.append(g)
        refs.append(ref)
    a, b = groups[0], groups[1]
    a.absorb(b)
    refs[0].esum.update(refs[1].esum)
    _same(a, refs[0].esum, table)
    rest = a.without(b)
    want = Counter({k: v for k, v in ((k, v - refs[1].esum.get(k, 0.0)) for k, v in refs[0].esum.items()) if v > 1e-9})
    _same(rest, want, table)
    for x, rx in zip(groups[2:], refs[2:], strict=True):
        for y, ry in zip(groups[2:], refs[2:], strict=True):
            want_dot = math.fsum(v * ry.esum.get(k, 0.0) for k, v in rx.esum.items())
            assert entity_dot(x, y) == want_dot
            assert entity_dot(x, y) == pytest.approx(sum(v * ry.esum.get(k, 0.0) for k, v in rx.esum.items()))


def test_postings_equal_a_dict_of_lists_through_adds_drops_compactions_and_files(tmp_path: Path) -> None:
    rng = random.Random(5)
    p = Postings()
    p.COMPACT = 16
    ref: dict[int, set[int]] = {}
    rows_keys: dict[int, set[int]] = {}
    for step in range(3000):
        row = rng.randrange(60)
        if rng.random() < 0.05 and row in rows_keys:  # a storyline dropped, its row free for another
            p.drop(row)
            for k in rows_keys.pop(row):
                ref[k].discard(row)
        else:
            key = rng.randrange(400)
            assert p.has(row, key) == (key in rows_keys.get(row, set()))
            if not p.has(row, key):
                p.add(key, row)
                ref.setdefault(key, set()).add(row)
                rows_keys.setdefault(row, set()).add(key)
        p.tidy()
        if step % 700 == 699:
            p.compact(tmp_path if step % 1400 == 1399 else None)
        if step % 100 == 0:
            assert p.snapshot() == {k: sorted(v) for k, v in ref.items() if v}
            for r, ks in rows_keys.items():
                assert sorted(p.keys_of(r)) == sorted(ks)
    p.compact(tmp_path)
    assert isinstance(p._rows, np.memmap) and isinstance(p._keys, np.memmap)
    back = Postings()
    back.__setstate__(p.__getstate__())
    assert back.snapshot() == {k: sorted(v) for k, v in ref.items() if v}
    assert all(back.count(k) == len(v) for k, v in ref.items())


def _gate_assignments() -> dict[str, list[str]]:
    from hash_encoder import HashEncoder

    from storyline import Pipeline
    from storyline.link import Linker
    from storyline.models import Article, Rejected
    from storyline.sources import read_inputs

    raws = [r for p in ("events", "storylines") for r in read_inputs([GATE / p / "articles.jsonl"])]
    arts = [a for a in Pipeline(encoder=HashEncoder()).prepare([r for r in raws if not isinstance(r, Rejected)])
            if isinstance(a, Article)]
    lk = Linker()
    for i in range(0, len(arts), 16):
        lk.add(arts[i : i + 16])
    return {a.article_id: [a.event, a.storyline] for a in lk.assignments()}


@pytest.mark.parametrize("scan", [2, 32])
def test_the_gate_articles_link_as_the_counter_based_code_linked_them(
    scan: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tests/data/link-old-path.json``: the assignments of commit acdff1b (entity sums as
    Counters of strings, postings as dicts of lists), the candidate index in use (``scan`` 2) or
    not (32). If linking is changed on purpose, write it again with the same calls."""
    monkeypatch.setattr(storylines._Candidates, "SCAN", scan)
    monkeypatch.setattr(storylines._Candidates, "POSTINGS", 3)
    monkeypatch.setattr(storylines._Candidates, "COMMON", 2)
    old = json.loads(OLD_PATH.read_text())["assignments"]
    assert len({e for e, _ in old.values()}) > 20 and len({s for _, s in old.values()}) > 10
    assert _gate_assignments() == old


def test_add_missing_gives_the_postings_of_the_has_add_loop(tmp_path: Path) -> None:
    """``Postings.add_missing`` (what a storyline flush uses) against ``has``/``add`` one key at a
    time, through frozen rows, overlays, drops and compactions to files."""
    rng = random.Random(11)
    one, many = Postings(), Postings()
    one.COMPACT = many.COMPACT = 32
    for step in range(400):
        row = rng.randrange(40)
        if rng.random() < 0.05:
            one.drop(row)
            many.drop(row)
        else:
            keys = {rng.randrange(300) for _ in range(rng.randrange(1, 30))}
            for key in keys:
                if not one.has(row, key):
                    one.add(key, row)
            many.add_missing(row, keys)
        one.tidy()
        many.tidy()
        if step % 90 == 89:
            one.compact(tmp_path if step % 180 == 179 else None)
            many.compact(tmp_path if step % 180 == 179 else None)
        assert many.snapshot() == one.snapshot()
        assert all(sorted(many.keys_of(r)) == sorted(one.keys_of(r)) for r in range(40))


def _one_event_storylines(rng: np.random.Generator, n: int, names: int) -> Any:
    """A storyline index of ``n`` one-article events placed in turn (storylines of one event
    each, sharing keys by theme: three of ``names`` people each), its candidate index built."""
    from storyline.link.similarity import LinkConfig
    from storyline.link.storylines import StorylineIndex

    sl = StorylineIndex(LinkConfig(), 16)
    for i in range(n):
        v = rng.standard_normal(16)
        ents = frozenset(f"person:p{int(rng.integers(names))}" for _ in range(3))
        sl.add_article(f"e{i}", (v / np.linalg.norm(v)).astype(np.float32), ents, "en")
        sl.place(f"e{i}", f"a{i}")
    sl.warm()
    return sl


def test_keys_put_into_the_postings_before_a_flush_change_no_search(tmp_path: Path) -> None:
    """A catch-up (and a snapshot save) puts the changed storylines' new entity keys into the
    postings at once (``_Candidates.apply_keys``), new storylines' too, the rest of the flush
    waiting for the next search: the same postings and the same candidates, best-first, as a
    flush doing it all."""
    import copy

    from storyline.link.storylines import _Group

    rng = np.random.default_rng(4)
    sl = _one_event_storylines(rng, 120, 60)
    sl._candidates.postings.compact(tmp_path)  # frozen postings, as a snapshot has them
    for _ in range(300):  # what a catch-up brings: articles with new and old keys in placed events
        e = f"e{int(rng.integers(120))}"
        v = rng.standard_normal(16)
        ents = frozenset(f"person:{'q' if rng.random() < 0.5 else 'p'}{int(rng.integers(90))}" for _ in range(3))
        sl.add_article(e, (v / np.linalg.norm(v)).astype(np.float32), ents, "en")
    for i in range(12):  # and storylines new since the last flush (no row yet), as a catch-up makes them
        v = rng.standard_normal(16)
        ents = frozenset(f"person:{'r' if rng.random() < 0.5 else 'p'}{int(rng.integers(90))}" for _ in range(3))
        sl.add_article(f"new{i}", (v / np.linalg.norm(v)).astype(np.float32), ents, "en")
        sl._new(f"sl-new{i}")
        sl._attach(f"new{i}", f"sl-new{i}")
    assert sum(sid not in sl._candidates.row_of for sid in sl._candidates.dirty) == 12
    early = copy.deepcopy(sl)
    early._candidates.apply_keys(early.groups)
    assert any(not k for k in early._candidates.dirty.values())  # keys went in before the flush
    assert all(sid in early._candidates.row_of for sid in early._candidates.dirty)  # new ones too
    for _ in range(40):
        g = _Group(16)
        v = rng.standard_normal(16)
        g.add((v / np.linalg.norm(v)).astype(np.float32),
              frozenset(f"person:{'q' if rng.random() < 0.5 else 'p'}{int(rng.integers(90))}" for _ in range(4)),
              "en", sl.keys)
        a = sl._candidates.search(g, sl.groups, sl.order, None)
        b = early._candidates.search(g, early.groups, early.order, None)
        assert a == b
    assert sl._candidates.postings.snapshot() == early._candidates.postings.snapshot()


def test_a_snapshot_saved_after_a_merge_freezes_the_postings_without_the_merged_storyline(tmp_path: Path) -> None:
    """A storyline merged into another after the last flush is out of the postings the snapshot
    freezes (``StorylineIndex.freeze``): before, its row was frozen with them, and every start-up
    from that snapshot dropped it again into the postings' overlay (found when new entity keys
    made the last part of ``test_link_snapshot``'s run merge two storylines)."""
    import copy
    import pickle


    rng = np.random.default_rng(5)
    sl = _one_event_storylines(rng, 60, 30)
    kept, gone = sorted({sl.storyline_of["e0"], sl.storyline_of["e1"]}, key=sl.order.__getitem__)
    assert kept != gone
    sl._merge(kept, gone)  # no flush before the save
    reference = copy.deepcopy(sl)
    reference._candidates.flush(reference.groups, reference.order)  # what the next search sees
    sl.freeze(tmp_path)
    post = sl._candidates.postings
    assert not post._over and not post._dead
    assert gone not in sl._candidates.row_of
    restarted = pickle.loads(pickle.dumps(sl))
    restarted.warm()  # a start-up from that snapshot
    assert not restarted._candidates.postings._over  # nothing to drop again
    want = {k: sorted(reference._candidates.sid_at[r] for r in rows)
            for k, rows in reference._candidates.postings.snapshot().items()}
    got = {k: sorted(restarted._candidates.sid_at[r] for r in rows)
           for k, rows in restarted._candidates.postings.snapshot().items()}
    assert got == want
