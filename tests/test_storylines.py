"""The storyline layer: events re-checked as a storyline grows, and storyline names."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from storyline.describe import storyline_name
from storyline.link.similarity import LinkConfig
from storyline.link.storylines import StorylineIndex, _Group, average_link
from storyline.models import Article, Entity, Rejected

CFG = LinkConfig(
    storyline_threshold=0.85, storyline_merge_threshold=None, storyline_entity_weight=0.0, storyline_recheck_growth=2.0
)
# Directions in the plane, in degrees: e4 first joins the storyline of -40/-50, but once the
# storyline of -10/-25 has grown around -25..-35 it is closer there, and moves.
ANGLES = [-40, -50, -10, -25, -35, -25, -60]


def _vec(deg: float) -> np.ndarray:
    r = np.radians(deg)
    return np.array([np.cos(r), np.sin(r)])


def _run(cfg: LinkConfig) -> tuple[StorylineIndex, list[dict[str, str]]]:
    ix = StorylineIndex(cfg, dim=2)
    seen = []
    for k, a in enumerate(ANGLES):
        ix.add_article(f"e{k}", _vec(a), frozenset(), "en")
        ix.place(f"e{k}", f"a{k}")
        seen.append(dict(ix.storyline_of))
    return ix, seen


def test_an_event_moves_to_the_storyline_it_has_become_closer_to() -> None:
    ix, seen = _run(CFG)
    first = next(s["e4"] for s in seen if "e4" in s)
    assert ix.storyline_of["e4"] != first
    assert ix.storyline_of["e4"] == ix.storyline_of["e2"]
    # the move is reported like a merge, so the linker re-reports the moved event's articles
    kept = {k for _, k in ix.take_absorbed()}
    assert ix.storyline_of["e4"] in kept
    # without re-checks the event stays where it was first put
    ix0, _ = _run(dataclasses.replace(CFG, storyline_recheck_growth=None))
    assert ix0.storyline_of["e4"] == first


def test_a_storyline_less_an_event_is_the_sums_of_the_rest() -> None:
    g, e, rest = _Group(2), _Group(2), _Group(2)
    for deg, ents, lang, is_e in (
        (0, {"place:SY"}, "en", False),
        (30, {"name:asad"}, "fr", True),
        (10, set(), "", False),
    ):
        for grp in (g, e if is_e else rest):
            grp.add(_vec(deg), frozenset(ents), lang)
    other = _Group(2)
    other.add(_vec(20), frozenset({"place:SY", "name:asad"}), "it")
    assert average_link(g.without(e), other, CFG) == average_link(rest, other, CFG)


def _art(i: str, title: str, lang: str, ents: list[tuple[str, str, str]]) -> Article:
    return Article(
        id=i,
        title=title,
        body="",
        lang=lang,
        published=None,
        entities=tuple(Entity(text=t, kind=k, key=key) for t, k, key in ents),  # type: ignore[arg-type]
    )


def test_storyline_name_is_its_subject_and_a_real_headline() -> None:
    tr, ru, us = ("Turkey", "place", "place:TR"), ("Russia", "place", "place:RU"), ("US", "place", "place:US")
    members = [
        _art("1", "Turkey and Russia confirm S-400 missile deal", "en", [tr, ru]),
        _art("2", "Reuters: Turkey tests the S-400s it bought from Russia", "en", [tr, ru]),
        _art("3", "US warns Turkey over S-400 deal with Russia", "en", [us, tr, ru]),
        _art(
            "4",
            "Thổ Nhĩ Kỳ nhận S-400 của Nga",
            "vi",
            [("Thổ Nhĩ Kỳ", "place", "place:TR"), ("Nga", "place", "place:RU")],
        ),
    ]
    name = storyline_name(members)
    en = {m.title for m in members if m.lang == "en"}
    # an editor's words, never keywords; the subject in front unless the headline opens with it
    assert name in en or (name.split(": ", 1)[0] in ("Turkey", "Russia") and name.split(": ", 1)[1] in en), name
    assert name.startswith(("Turkey", "Russia"))
    # a storyline told only in Spanish is named in Spanish, a country by its Spanish name
    es = [
        _art(str(k), t, "es", [("egipcia", "place", "place:EG")])
        for k, t in enumerate(["Nuevas protestas en El Cairo", "Las protestas siguen", "Protestas y muertos"])
    ]
    who, head = storyline_name(es).split(": ", 1)
    assert who == "Egipto" and head in {m.title for m in es}


def test_storyline_name_puts_no_side_player_before_a_headline_that_names_its_subject() -> None:
    """The seeds' storyline was named "US: Turkey and Russia confirm arms deal": the US tied with
    Turkey as the most-named actor, and its prefix put a side player in front of the story."""
    tr, ru, us = ("Turkey", "place", "place:TR"), ("Russia", "place", "place:RU"), ("US", "place", "place:US")
    titles = [
        "Turkey and Russia confirm arms deal, in Nato headache",
        "Bloomberg: Erdogan wants to return S-400 to Russia to improve relations with the US",
        "Turkey, US in talks to discuss sanctions imposed over S-400s",
        "Bloomberg: Turkey wants to establish ties with the US due to disagreements with Russia",
    ]
    members = [_art(str(i), t, "en", [us, tr, ru]) for i, t in enumerate(titles, 1)]
    name = storyline_name(members)
    assert name in {m.title for m in members}, name


def test_candidate_search_finds_the_storyline_a_full_scan_finds() -> None:
    """With more storylines than a full scan is used for, ``_best`` searches the index; on 400
    storylines of random topics, entities and languages it must pick what scoring them all picks."""
    rng = np.random.default_rng(7)
    dim = 32
    cfg = LinkConfig(storyline_merge_threshold=None, storyline_recheck_growth=None)
    ix = StorylineIndex(cfg, dim=dim)
    topics = rng.normal(size=(400, dim))
    keys = [f"place:{c}" for c in range(60)] + [f"person:{p}" for p in range(300)]

    def article(t: int) -> tuple[np.ndarray, frozenset[str], str]:
        v = topics[t] + 0.6 * rng.normal(size=dim)
        ents = frozenset(keys[(t * 7 + int(j)) % len(keys)] for j in rng.integers(0, 12, size=4))
        return v / np.linalg.norm(v), ents, ("en", "es", "fr")[t % 3]

    for s in range(400):
        for _ in range(int(rng.integers(1, 5))):
            ix.add_article(f"e{s}", *article(s))
            ix.restore(f"e{s}", f"sl{s}")
    agree = 0
    for _ in range(100):
        probe = _Group(dim)
        for _ in range(3):
            probe.add(*article(int(rng.integers(0, 400))), ix.keys)
        scan = max(ix.groups, key=lambda sid: average_link(probe, ix.groups[sid], cfg))
        found, _ = ix._best(probe)
        agree += found == scan
    assert agree >= 98, agree


Stream = list[tuple[str, list[tuple[np.ndarray, frozenset[str], str]]]]


def _stream(seed: int, n_events: int = 900, dim: int = 32) -> Stream:
    """Events of random stories (a direction, a cast, a language mix), 1-3 articles each."""
    rng = np.random.default_rng(seed)
    stories = rng.normal(size=(150, dim))
    keys = [f"place:{c}" for c in range(40)] + [f"person:{p}" for p in range(200)]
    out = []
    for k in range(n_events):
        t = int(rng.integers(0, 150))
        arts = []
        for _ in range(int(rng.integers(1, 4))):
            v = stories[t] + 0.8 * rng.normal(size=dim)
            ents = frozenset(keys[(t * 5 + int(j)) % len(keys)] for j in rng.integers(0, 8, size=3))
            arts.append((v / np.linalg.norm(v), ents, ("en", "es", "vi")[(t + k) % 3]))
        out.append((f"e{k}", arts))
    return out


def _place_all(stream: Stream, cfg: LinkConfig) -> dict[str, str]:
    ix = StorylineIndex(cfg, dim=32)
    for e, arts in stream:
        for a in arts:
            ix.add_article(e, *a)
        ix.place(e, f"{e}-a")
    return {e: ix.storyline_of[e] for e, _ in stream}


def test_indexed_placement_with_rebuilds_and_remembered_rechecks_matches_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole placement path (candidate index, fresh set, HNSW rebuilds, remembered rechecks)
    assigns events as scoring every storyline every time would: small ``FRESH`` and ``REBUILD``
    force many spills and rebuilds on a stream of 900 events."""
    from storyline.link import storylines as sl

    cfg = LinkConfig(storyline_threshold=0.55, storyline_recheck_growth=1.5)
    stream = _stream(3)
    monkeypatch.setattr(sl._Candidates, "FRESH", 8)
    monkeypatch.setattr(sl._Candidates, "REBUILD", 16)
    fast = _place_all(stream, cfg)
    assert len(set(fast.values())) > 3 * sl._Candidates.SCAN  # the index was in use
    monkeypatch.setattr(sl._Candidates, "SCAN", 10**9)
    monkeypatch.setattr(sl.StorylineIndex, "_recall", lambda self, memo, group, exclude: None)
    exact = _place_all(stream, cfg)
    same = sum(fast[e] == exact[e] for e in fast)
    assert same >= 0.98 * len(fast), (same, len(fast))


def test_event_sums_read_back_from_the_store_link_as_sums_kept_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backed by a store, the storyline layer keeps few event sums and sums an event again from
    its articles when asked (``_EventSums``); with room for one event only (every other sum read
    back from the features, after every merge and split) events and storylines come out as with
    every sum in memory."""
    from hash_encoder import HashEncoder

    from storyline import Pipeline
    from storyline.link import Linker
    from storyline.link import storylines as slmod
    from storyline.link.similarity import features
    from storyline.sources import read_inputs

    gate = Path(__file__).parent / "data" / "gate"
    raws = [
        r
        for r in read_inputs([gate / "storylines" / "articles.jsonl", gate / "events" / "articles.jsonl"])
        if not isinstance(r, Rejected)
    ]
    arts = [a for a in Pipeline(encoder=HashEncoder()).prepare(raws) if isinstance(a, Article)]
    feats = {a.id: features(a) for a in arts}
    plain = Linker()
    plain.add(arts)
    monkeypatch.setattr(slmod, "HELD_EVENTS", 1)
    backed = Linker(loader=lambda ids: {i: feats[i] for i in ids})
    backed.add(arts)
    assert backed._storylines.events.loads > 20  # sums were read back, again and again (98 here)
    assert len(backed._storylines.events) <= 1  # never more sums held than allowed

    def parts(lk: Linker) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
        ev: dict[str, set[str]] = {}
        sl: dict[str, set[str]] = {}
        for a in lk.assignments():
            ev.setdefault(a.event, set()).add(a.article_id)
            sl.setdefault(a.storyline, set()).add(a.article_id)
        return {frozenset(x) for x in ev.values()}, {frozenset(x) for x in sl.values()}

    assert parts(backed) == parts(plain)
    assert len(parts(plain)[1]) < len(parts(plain)[0]) < len(arts)  # storylines joined events, events articles


def test_a_query_asked_again_of_the_unchanged_candidate_index_is_answered_without_searching_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A recheck re-asks an unchanged event with the vector it was placed with; the HNSW index of
    storylines, unchanged since, is not searched again for it (``_Candidates._nearest``), and the
    events land where they land when every query searches the index (many spills, so the answers
    held are dropped again and again)."""
    from usearch.index import Index

    from storyline.link import storylines as sl

    cfg = LinkConfig(storyline_threshold=0.55, storyline_recheck_growth=1.5)
    stream = _stream(3)
    monkeypatch.setattr(sl._Candidates, "FRESH", 8)
    monkeypatch.setattr(sl._Candidates, "REBUILD", 16)
    asked: list[tuple[int, int, bytes]] = []
    seen: list[Index] = []  # held, so no two indexes share an id
    search = Index.search

    def counted(self: Index, vectors: np.ndarray, count: int = 10, **kw: object) -> object:
        seen.append(self)
        asked.append((id(self), len(self), np.asarray(vectors).tobytes()))
        return search(self, vectors, count, **kw)

    monkeypatch.setattr(Index, "search", counted)
    held = _place_all(stream, cfg)
    searches = len(asked)
    assert searches > 500  # the index was in use
    assert len(set(asked)) == searches  # no query asked twice of the same index unchanged
    asked.clear()
    monkeypatch.setattr(sl, "NEAREST_HELD", 0)
    every = _place_all(stream, cfg)
    assert len(asked) > searches  # without the answers held, repeats search again
    assert held == every



def _dated_place_all(cfg: LinkConfig, days: list[int | None], seen: list[int] | None = None) -> StorylineIndex:
    """``_stream(3, len(days))``'s events placed in order, the k-th event's articles published on
    the day ``days[k]`` (a date ordinal; None: undated); ``seen`` gets the number of each event
    before it is placed."""
    import datetime as dt

    ix = StorylineIndex(cfg, dim=32)
    for k, ((e, arts), day) in enumerate(zip(_stream(3, len(days)), days, strict=True)):
        if seen is not None:
            seen.append(k)
        for a in arts:
            ix.add_article(e, *a, published=None if day is None else dt.date.fromordinal(day))
        ix.place(e, f"{e}-a")
    return ix


def test_a_time_cut_candidate_graph_searches_only_the_storylines_active_near_the_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ``ACTIVE_DAYS``, the HNSW search of a storyline search meets only storylines whose
    latest article lies within about that many days of the searched event's (``_Active``): the
    same stories told in 2010 and again in 2015, and no 2015 search meets through the graph a
    storyline last active in 2010, which the one graph of every storyline does return."""
    import datetime as dt

    from storyline.link import storylines as sl

    cfg = LinkConfig(storyline_threshold=0.55, storyline_recheck_growth=1.5)
    y2010, y2015 = dt.date(2010, 1, 1).toordinal(), dt.date(2015, 1, 1).toordinal()
    days: list[int | None] = [y2010 + k for k in range(300)] + [y2015 + k for k in range(300)]
    monkeypatch.setattr(sl._Candidates, "FRESH", 8)
    last: dict[str, int] = {}  # storyline -> day of its latest event, as placed
    nearest = sl._Candidates._nearest
    one_graph: list[str] = []  # storylines the one graph returned to searches for 2015 events
    at: list[int] = []

    def plain(self: sl._Candidates, q: np.ndarray) -> list[int]:
        out = nearest(self, q)
        if at[-1] >= 300:
            one_graph.extend(self.sid_of[k] for k in out)
        return out

    monkeypatch.setattr(sl._Candidates, "_nearest", plain)
    ix = _dated_place_all(cfg, days, at)
    for e, s in ix.storyline_of.items():
        last[s] = max(last.get(s, 0), days[int(e[1:])] or 0)
    assert any(last.get(s, y2015) < y2015 for s in one_graph)  # storylines last active in 2010

    monkeypatch.setattr(sl, "ACTIVE_DAYS", 90)
    met: list[tuple[int, int]] = []  # (day searched, latest day of a storyline the graphs returned)
    cut_nearest = sl._Active.nearest

    def cut(self: sl._Active, q: np.ndarray, day: int | None, *rest: object) -> list[str]:
        out = cut_nearest(self, q, day, *rest)  # type: ignore[arg-type]
        assert day is not None
        met.extend((day, self.sl_day[s]) for s in out if s in self.sl_day)
        return out

    monkeypatch.setattr(sl._Active, "nearest", cut)
    cx = _dated_place_all(cfg, days)
    act = sl._ACTIVE[cx._candidates]
    late = [(d, s) for d, s in met if d >= y2015]
    assert len(late) > 500
    assert all(s >= d - 2 * 90 for d, s in met)  # never a storyline last active before the window
    assert len(act.graphs) > 4  # 2010's and 2015's buckets, each its own graph
    assert len(set(cx.storyline_of.values())) > 3 * sl._Candidates.SCAN


def test_a_storyline_out_of_the_window_is_found_by_its_keys_and_rejoins_the_graph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A storyline last active years ago is not in the time-cut graph of a new event's days, so
    the graph alone does not offer it; the entity-key postings still do (an event naming its
    rare key joins it, as without the cut), and once it has an article of today it is searched
    by today's events again (its node in today's bucket)."""
    import datetime as dt

    from storyline.link import storylines as sl

    monkeypatch.setattr(sl, "ACTIVE_DAYS", 90)
    monkeypatch.setattr(sl._Candidates, "FRESH", 8)
    cfg = LinkConfig(storyline_merge_threshold=None, storyline_recheck_growth=None)
    rng = np.random.default_rng(11)
    dim = 32
    dirs = rng.normal(size=(120, dim))

    def art(t: int, key: bool = True) -> tuple[np.ndarray, frozenset[str], str]:
        v = dirs[t] + 0.05 * rng.normal(size=dim)
        return v / np.linalg.norm(v), frozenset({f"person:p{t}"} if key else ()), "en"

    def run(cut: bool) -> tuple[StorylineIndex, str, str]:
        monkeypatch.setattr(sl, "ACTIVE_DAYS", 90 if cut else None)
        ix = StorylineIndex(cfg, dim=dim)
        old, new = dt.date(2010, 3, 1), dt.date(2016, 3, 1)
        for t in range(120):  # 60 stories of 2010, then 60 others of 2016
            day = old if t < 60 else new
            e = f"e{t}"
            for _ in range(2):
                ix.add_article(e, *art(t), published=day)
            ix.place(e, f"{e}-a")
        for t, key in ((5, True), (7, False)):  # 2010's stories 5 and 7 go on in 2016
            e = f"again{t}"
            ix.add_article(e, *art(t, key), published=new)
            ix.place(e, f"{e}-a")
        return ix, ix.storyline_of["e5"], ix.storyline_of["e7"]

    ix, s5, s7 = run(cut=False)
    assert ix.storyline_of["again5"] == s5 and ix.storyline_of["again7"] == s7  # the one graph finds both
    ix, s5, s7 = run(cut=True)
    act = sl._ACTIVE[ix._candidates]
    assert ix.storyline_of["again5"] == s5  # by its key
    assert ix.storyline_of["again7"] != s7  # no key, out of the window: not offered (the cut's cost)
    assert act.sl_day[s5] == dt.date(2016, 3, 1).toordinal()
    for t in range(60, 80):  # more of 2016: s5 spills from the fresh set into 2016's bucket
        ix.add_article(f"more{t}", *art(t), published=dt.date(2016, 3, 2))
        ix.place(f"more{t}", f"more{t}-a")
    assert s5 not in ix._candidates.fresh and act.bucket_of[s5] == act.bucket(act.sl_day[s5])
    assert act.bucket_of[s7] == act.bucket(dt.date(2010, 3, 1).toordinal())


def test_a_restored_linker_dates_its_storylines_as_the_unbroken_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The time cut's days are never stored: a restore works them out again from the articles'
    publish dates in the order they were linked (``Linker._event_days``), an undated article
    counting as the latest dated one before it; every storyline gets the latest day the unbroken
    run gave it, and an event at most that run's (a split's part takes the whole event's day)."""
    from hash_encoder import HashEncoder

    from storyline import Pipeline
    from storyline.link import Linker
    from storyline.link import storylines as slmod
    from storyline.sources import read_inputs

    monkeypatch.setattr(slmod, "ACTIVE_DAYS", 90)
    gate = Path(__file__).parent / "data" / "gate"
    raws = [
        r
        for r in read_inputs([gate / "storylines" / "articles.jsonl", gate / "events" / "articles.jsonl"])
        if not isinstance(r, Rejected)
    ]
    arts = [a for a in Pipeline(encoder=HashEncoder()).prepare(raws) if isinstance(a, Article)]
    assert 0 < sum(a.published is None for a in arts) < len(arts)  # dated and undated
    run = Linker()
    run.add(arts)
    again = Linker()
    again.load(arts, run.assignments())
    a, b = (slmod._ACTIVE[lk._storylines._candidates] for lk in (run, again))
    assert a.clock == b.clock is not None
    assert {s: a.sl_day[s] for s in run._storylines.groups} == {s: b.sl_day[s] for s in again._storylines.groups}
    assert all(b.ev_day[e] <= a.ev_day[e] for e in run._storylines.storyline_of)
