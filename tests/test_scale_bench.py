"""benchmarks/scale.py's epochs: every epoch has its own stretch of time, within the years 1-9999.

In-place measurements at a million stored used up the epochs whose dates fit after the stored ones
(past epoch 576 of the dev pool the dates passed the year 9999 and ``Epochs.article`` raised
OverflowError); the stored epochs must keep the dates they were built with.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os

import pytest
from bench_module import load

from storyline.models import Article, Entity


@pytest.fixture(scope="module")
def scale():  # type: ignore[no-untyped-def]
    saved = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "STORYLINE_SCALE_SET_BLAS")}
    try:
        yield load("scale.py", "scale_bench_under_test")
    finally:  # importing it limits BLAS threads for its builder: not for the tests that follow
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _pool() -> list[Article]:
    """Three dated articles spanning about 13 years (as the dev pool, 2005-2018), one mentioning a
    date before its own, and one undated."""
    def art(i: int, published: dt.date | None, mentioned: tuple[dt.date, ...] = ()) -> Article:
        return Article(id=f"a{i}", title=f"Title {i} words", body=f"Body {i} of words here.", lang="en",
                       published=published, entities=(Entity(f"per/x{i}", "PER", "X"),),
                       dates_mentioned=mentioned)

    return [
        art(0, dt.date(2005, 1, 14)),
        art(1, dt.date(2011, 6, 1), (dt.date(1902, 5, 10),)),
        art(2, dt.date(2018, 9, 18), (dt.date(2020, 1, 8),)),
        art(3, None),
    ]


def test_stored_epochs_keep_their_dates(scale) -> None:  # type: ignore[no-untyped-def]
    ep = scale.Epochs(_pool())
    assert ep.shift == (dt.date(2018, 9, 18) - dt.date(2005, 1, 14)).days + 60
    assert ep.forward == (dt.date.max - dt.date(2020, 1, 8)).days // ep.shift
    for k in (0, 1, 400, 500, ep.forward):  # the formula every stored epoch was built with
        for a in ep.arts:
            b = ep.article(k, a)
            days = dt.timedelta(days=k * ep.shift)
            assert b.published == (a.published + days if a.published else None)
            assert b.dates_mentioned == tuple(d + days for d in a.dates_mentioned)


def test_epochs_past_the_year_9999_are_dated_back_and_never_share_time(scale) -> None:  # type: ignore[no-untyped-def]
    ep = scale.Epochs(_pool())
    assert ep.forward == 576 and ep.backward == 137  # as for the dev pool
    last = ep.forward + ep.backward
    spans = {}
    for k in [*range(ep.forward - 3, ep.forward + 1), *range(ep.forward + 1, ep.forward + 4), last]:
        arts = [ep.article(k, a) for a in ep.arts]  # raised OverflowError past epoch 576
        dates = sorted(a.published for a in arts if a.published)
        assert all(dt.date.min <= d <= dt.date.max for a in arts for d in a.dates_mentioned)
        spans[k] = (dates[0], dates[-1])
    ordered = sorted(spans.values())
    for (_, end), (start, _) in itertools.pairwise(ordered):
        assert (start - end).days >= 60  # at least the gap between two forward epochs
    # the first backward epoch ends 60 days before epoch 0 begins, like the gap between two forward ones
    assert (dt.date(2005, 1, 14) - spans[ep.forward + 1][1]).days == 60
    # ids, words and entity keys stay the epoch's own
    a = ep.article(ep.forward + 1, ep.arts[0])
    assert a.id == f"e{ep.forward + 1}-a0" and a.entities[0].key == f"per#{ep.forward + 1}/x0"
    assert ep.codated == last + 1


def test_epochs_past_the_last_backward_one_are_co_dated_with_epoch_0_but_their_own(scale) -> None:  # type: ignore[no-untyped-def]
    """The 1M store used up every epoch with a stretch of time of its own (0-713 of the dev pool;
    main raised ValueError from 714 on). An epoch from there on shares epoch 0's days, which both
    the 1k and the 1M store hold, but nothing else: ids, words, entity keys, numbers and rotation
    are its own, so it is unrelated news on the same days."""
    import numpy as np

    ep = scale.Epochs(_pool())
    last = ep.forward + ep.backward
    for k in (last + 1, last + 2, 5000):
        assert ep.days(k) == dt.timedelta(0)
        for a in ep.arts:
            zero, b = ep.article(0, a), ep.article(k, a)
            assert b.published == zero.published and b.dates_mentioned == zero.dates_mentioned
            assert b.id == f"e{k}-{a.id}" != zero.id
            assert not {e.key for e in b.entities} & {e.key for e in zero.entities}
            one = ep.article(1, a)  # words are marked as in any other epoch (stopwords and digits stay)
            words = scale._WORD.findall
            assert set(words(b.body)) & set(words(zero.body)) == set(words(one.body)) & set(words(zero.body))
            assert "Titlezq" in b.title
    assert not np.allclose(ep.rotation(last + 1), ep.rotation(last + 2))
    ids = {ep.article(k, ep.arts[0]).id for k in range(last + 1, last + 50)}
    assert len(ids) == 49  # an unbounded supply of fresh epochs
    with pytest.raises(ValueError, match="epoch -1"):
        ep.days(-1)


def test_an_epochs_rotation_keeps_the_language_means_so_centred_cosines_stay(scale, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The linker scores the centred cosine (each vector less 0.8 times its language's mean). A
    rotation that turned the means too left every rotated vector carrying the unturned mean's
    opposite: unrelated articles of an epoch past 0 scored centred cosine ~0.87 (0.19 in epoch 0)
    and the new epoch's 300 articles of the 1M measurements linked into one event of ~255."""
    import numpy as np

    from storyline.link.relatedness import centred_cosine, packaged

    monkeypatch.delenv("STORYLINE_SCALE_ROTATION", raising=False)
    ep = scale.Epochs(_pool())
    rng = np.random.default_rng(3)
    means = packaged().means
    pairs = []
    for _ in range(5):  # unrelated e5-like vectors: the English mean plus noise
        v = means["en"] + 0.6 * rng.normal(size=384).astype(np.float32) / np.sqrt(384)
        pairs.append(v / np.linalg.norm(v))
    for k in (1, 625):
        rot = ep.rotation(k)
        assert np.allclose(rot @ rot.T, np.eye(384), atol=1e-5)  # still a rotation
        for m in means.values():
            assert np.allclose(rot @ m, m, atol=1e-5)
        for a, b in itertools.combinations(pairs, 2):
            before = centred_cosine(a, "en", b, "en")
            after = centred_cosine(rot @ a, "en", rot @ b, "en")
            assert after == pytest.approx(before, abs=1e-4)
    monkeypatch.setenv("STORYLINE_SCALE_ROTATION", "full")  # the rotation the older stores were built with
    full = scale.Epochs(_pool()).rotation(1)
    assert not np.allclose(full @ means["en"], means["en"], atol=1e-2)


def test_a_measured_child_ends_as_a_run_does_saving_the_snapshot_when_due(scale, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """In-place rounds at a million stored never saved the link cache (a child links and writes;
    a ``storyline run`` would also save), so it lagged 300 more articles a run: 18,000 after
    session 17's 60 rounds. ``--save-as-run`` ends a child as a run ends, saving the snapshot when
    due, and every child reports the lag it started at (the timed wrapper of ``Linker.add`` once
    made that save's pickling fail)."""
    from storyline import pipeline
    from storyline.link import events, storylines

    # measure() times these two by replacing them on their classes: put back after this test.
    monkeypatch.setattr(events.EventIndex, "split", events.EventIndex.split)
    monkeypatch.setattr(storylines.StorylineIndex, "_best", storylines.StorylineIndex._best)
    monkeypatch.setattr(pipeline, "SAVE_INDEX_FROM", 1)
    monkeypatch.setattr(pipeline, "SNAPSHOT_MIN", 1)
    monkeypatch.setenv("STORYLINE_LINK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(scale, "pool", lambda data: _pool())
    ep = scale.Epochs(_pool())
    db = tmp_path / "s.db"
    scale.build_real(db, ep, 40)  # ends with ``save_index``: a snapshot of the 40
    first = scale.measure(str(db), 8, "", new_epoch=ep.codated, save=True)
    assert first["lag"] == 0 and first["saved"] is True
    second = scale.measure(str(db), 8, "", new_epoch=ep.codated + 2)  # as before: no save
    assert second["lag"] == 0 and "saved" not in second
    monkeypatch.setattr(pipeline, "SNAPSHOT_MIN", 100)
    third = scale.measure(str(db), 8, "", new_epoch=ep.codated + 4, save=True)
    assert third["lag"] == 8 and third["saved"] is False  # 16 past the snapshot: not due yet
