"""Unit tests of the linking signals and their mix, on hand-built articles (no model, no data)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pytest

from storyline.link import relatedness
from storyline.link.similarity import (
    LinkConfig,
    combine,
    explain,
    features,
    graded,
    signals,
    similarity,
    time_factor,
)
from storyline.models import Article, Entity


def vec(*xs: float) -> np.ndarray:
    v = np.zeros(384, dtype=np.float32)
    v[: len(xs)] = xs
    return v / np.linalg.norm(v)


def art(
    id: str,
    body: str,
    *,
    title: str = "",
    lang: str = "en",
    published: dt.date | None = None,
    v: np.ndarray | None = None,
    ents: tuple[str, ...] = (),
    nums: tuple[str, ...] = (),
) -> Article:
    return Article(
        id=id,
        title=title,
        body=body,
        lang=lang,
        published=published,
        entities=tuple(Entity(k, "other", k) for k in ents),
        numbers=nums,
        vector=v,
    )


BODY = (
    "The central bank raised its main interest rate by half a point on Tuesday, the third increase "
    "this year, citing inflation that has stayed far above the target for eighteen months."
)


def test_cosine_is_the_dot_of_vectors() -> None:
    a = art("a", BODY, v=vec(1, 0))
    b = art("b", "other words entirely", v=vec(1, 1))
    s = signals(features(a), features(b))
    assert s["cosine"] == pytest.approx(np.sqrt(0.5), abs=1e-5)


def test_missing_signals_are_none_not_zero() -> None:
    a = art("a", BODY, v=vec(1, 0))
    b = art("b", BODY, lang="de", v=vec(1, 0))
    s = signals(features(a), features(b))
    assert s["time"] is None  # no dates
    assert s["entities"] is None  # no entities
    assert s["words"] is None and s["title"] is None  # word signals only within one language


def test_time_signal_decays_with_distance() -> None:
    d = dt.date(2020, 12, 29)
    near = signals(features(art("a", BODY, published=d)), features(art("b", BODY, published=d)))
    far = signals(
        features(art("a", BODY, published=d)),
        features(art("b", BODY, published=d + dt.timedelta(days=30))),
    )
    assert near["time"] == pytest.approx(1.0)
    assert far["time"] is not None and far["time"] < 0.01


def test_entity_and_number_overlap() -> None:
    a = art("a", "x", ents=("place:TR", "name:s-400", "name:lavrov"), nums=("135", "35", "29", "2020"))
    b = art("b", "y", ents=("place:TR", "name:s-400", "place:US"), nums=("135", "2020", "3"))
    s = signals(features(a), features(b))
    assert s["entities"] == pytest.approx(2 / 4)
    assert s["numbers"] == pytest.approx(2 / 5)


def test_near_duplicate_is_certain() -> None:
    a = art("a", BODY, v=vec(1, 0))
    b = art("b", BODY + " Markets barely moved.", v=vec(0, 1))  # even with orthogonal vectors
    s = signals(features(a), features(b))
    assert s["duplicate"] is not None and s["duplicate"] >= LinkConfig().duplicate_jaccard
    assert combine(s) == 1.0


def e5like(lang: str, *xs: float) -> np.ndarray:
    """A vector shaped like e5's: the language's mean direction plus a content part."""
    mean = relatedness.packaged().means.get(lang)
    base = np.zeros(384, dtype=np.float32) if mean is None else mean
    v = base + 0.5 * vec(*xs)
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_score_orders_pairs_sensibly() -> None:
    """Same content + shared entities beats same content alone beats distant content."""
    ents = ("place:TR", "name:s-400", "name:cavusoglu")
    a = art("a", "Turkey and Russia", v=e5like("en", 1, 0.1), ents=ents)
    b = art("b", "Thổ Nhĩ Kỳ và Nga", lang="vi", v=e5like("vi", 1, 0.12), ents=ents)
    c = art("c", "Thổ Nhĩ Kỳ", lang="vi", v=e5like("vi", 1, 0.12), ents=("place:FR", "name:macron"))
    d = art("d", "Football results", v=e5like("en", 0.2, 1), ents=("name:suarez",))
    assert similarity(a, b) > similarity(a, c) > similarity(a, d)
    assert similarity(a, b) > 0.5 > similarity(a, d)
    for x in (a, b, c, d):
        assert 0.0 <= similarity(a, x) <= 1.0


def test_similarity_without_vectors_still_works() -> None:
    a = art("a", BODY)
    b = art("b", BODY)
    assert similarity(a, b) == 1.0  # the duplicate signal alone


def test_explain_is_json_and_consistent() -> None:
    cfg = LinkConfig()
    a = art("a", BODY, v=vec(1, 0), ents=("place:TR",), published=dt.date(2021, 1, 1))
    b = art("b", "Something else happened.", v=vec(0.3, 1), ents=("place:TR",))
    out = explain(a, b, cfg)
    json.dumps(out)
    assert set(out["signals"]) >= {"cosine", "entities", "numbers", "time", "title", "words", "duplicate"}
    assert out["similarity"] == pytest.approx(similarity(a, b, cfg), abs=1e-4)
    assert 0.0 <= out["score"] <= 1.0 and 0.0 <= out["similarity"] <= 1.0
    assert out["decision"] in {"same event", "same storyline", "unrelated"}
    assert out["event_threshold"] == cfg.event_threshold
    assert out["shared_entities"] == ["place:TR"]


# --- graded relatedness: language means ------------------------------------------------------
def test_the_language_means_ship_with_the_package() -> None:
    cal = relatedness.packaged()
    assert {"en", "de", "vi"} <= set(cal.means)
    assert all(m.shape == (384,) for m in cal.means.values())
    assert cal.floor < cal.ceiling


def test_centring_removes_the_language_offset() -> None:
    """One content in two languages: plainly the language direction keeps them apart, centred they
    meet; a language without a mean gives no centred cosine (the plain cosine stands in)."""
    de, en = e5like("de", 1, 0.2), e5like("en", 1, 0.2)
    other = e5like("en", 0.1, 1)
    same = relatedness.centred_cosine(de, "de", en, "en")
    assert same is not None and same > 0.99 > float(np.dot(de, en))
    far = relatedness.centred_cosine(en, "en", other, "en")
    assert far is not None and far < same
    assert relatedness.centred_cosine(de, "de", en, "xx") is None
    assert relatedness.centred_cosine(None, "de", en, "en") is None


def test_relatedness_score_is_floored_and_bounded() -> None:
    cal = relatedness.Calibration(floor=0.2, ceiling=0.6, raw_slope=4.0, raw_intercept=-3.0)
    assert relatedness.score(0.0, 0.1, cal) == 0.0  # below the floor: all unrelated alike
    assert relatedness.score(0.0, 0.4, cal) == pytest.approx(0.5)
    assert relatedness.score(0.0, 0.9, cal) == 1.0
    assert relatedness.score(0.85, None, cal) == pytest.approx(0.5)  # plain cosine on the same scale


def test_fit_recovers_language_means_and_orders_floor_and_ceiling() -> None:
    rng = np.random.default_rng(0)
    mu = {"de": vec(1, 0, 0, 1), "en": vec(0, 1, 1, 0)}
    n = 60
    content = rng.normal(size=(n, 384)).astype(np.float32) * 0.05
    va = np.stack([mu["de"] + c for c in content])
    noise = rng.normal(size=(n, 384)).astype(np.float32) * 0.05 * (np.arange(n) % 3)[:, None]
    vb = np.stack([mu["en"] + c for c in content + noise])
    shifted = (va * vb).sum(1)
    cal = relatedness.fit(va, ["de"] * n, vb, ["EN"] * n, shifted, np.arange(n) % 3 == 0)
    assert set(cal.means) == {"de", "en"}
    assert float(np.dot(cal.means["de"], mu["de"])) > 0.95
    assert cal.floor < cal.ceiling


def test_graded_takes_the_centred_cosine_when_given() -> None:
    sig = {"cosine": 0.85, "crosslingual": 0.0, "entities": None, "numbers": None, "time": None}
    low = graded(sig, centred=0.0)
    high = graded(sig, centred=0.9)
    assert 0.0 <= low < high <= 1.0


def test_batch_means_count_an_article_once_and_need_enough_of_a_language() -> None:
    n = relatedness.MIN_LANGUAGE_ARTICLES
    rows = [(f"en{i}", "EN", vec(1, i % 2)) for i in range(n)]
    rows += [("en0", "en", vec(0, 0, 1))] * 5  # the same article paired again: counted once
    rows += [(f"xx{i}", "xx", vec(0, 1)) for i in range(n - 1)]  # one short of a mean
    means = relatedness.batch_means(rows)
    assert set(means) == {"en"}
    assert np.allclose(means["en"], np.mean([v for _, _, v in rows[:n]], axis=0))


def test_adapted_moves_a_shipped_mean_half_way_and_adds_a_missing_one() -> None:
    shipped = relatedness.Calibration({"en": vec(1), "de": vec(0, 1)}, 0.2, 0.7)
    batch = {"en": vec(0, 0, 1), "it": vec(0, 0, 0, 1)}
    cal = relatedness.adapted(shipped, batch)
    share = relatedness.BATCH_MEAN_SHARE
    assert np.allclose(cal.means["en"], (1 - share) * vec(1) + share * vec(0, 0, 1))
    assert np.allclose(cal.means["de"], vec(0, 1))  # not in the batch: as shipped
    assert np.allclose(cal.means["it"], vec(0, 0, 0, 1))  # not shipped: the batch's own
    assert (cal.floor, cal.ceiling) == (0.2, 0.7)
    assert relatedness.adapted(shipped, {}) is shipped


def test_missing_language_means_are_said_not_silently_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken install (the means file gone) still scores, on the plain-cosine line, and says so."""
    monkeypatch.setattr(relatedness, "MEANS_FILE", "no_such_means.npz")
    relatedness.packaged.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="no_such_means.npz"):
            cal = relatedness.packaged()
        assert cal.means == {}
        assert relatedness.centred_cosine(vec(1), "en", vec(1, 1), "en", cal) is None
    finally:
        relatedness.packaged.cache_clear()


# --- the same-event score carries across sources ---------------------------------------------
def test_shipped_event_weights_hold_no_source_flags() -> None:
    """Weights for "signal missing" learned which dev source a pair came from (ECB+ has no dates
    and no given titles, ViMs has both) and did not carry to a source left out (issue 17): the
    shipped score weighs only what every pair with vectors has."""
    from storyline.link.similarity import DEFAULT_WEIGHTS

    names = {k for k, _ in DEFAULT_WEIGHTS}
    assert not any(k.endswith("_missing") for k in names)
    assert names - {"bias", "crosslingual"} <= {"centred", "entities"}


def test_event_score_does_not_depend_on_dates_or_given_titles() -> None:
    """Two reports scored alike whether their source gives dates and headlines or not."""
    ents = ("place:ID", "name:aceh")
    d = dt.date(2013, 7, 2)
    bare = (
        art("a", BODY, v=e5like("en", 1, 0.2), ents=ents),
        art("b", "An earthquake struck Aceh.", v=e5like("en", 1, 0.25), ents=ents),
    )
    dressed = [
        dataclasses.replace(x, published=d, title="Quake hits Aceh", title_source="feed") for x in bare
    ]
    s_bare = combine(signals(features(bare[0]), features(bare[1])))
    s_dressed = combine(signals(features(dressed[0]), features(dressed[1])))
    assert s_bare == pytest.approx(s_dressed)


def test_centred_signal_levels_languages() -> None:
    """The centred cosine removes each language's mean, so two unrelated texts sit near the same
    level in Vietnamese as in English although their plain cosines differ; a language without a
    mean takes the plain cosine on the centred scale (the fitted line)."""
    en = signals(features(art("a", "x", v=e5like("en", 1, 0))), features(art("b", "y", v=e5like("en", 0, 1))))
    vi = signals(
        features(art("a", "x", lang="vi", v=e5like("vi", 1, 0))),
        features(art("b", "y", lang="vi", v=e5like("vi", 0, 1))),
    )
    assert en["centred"] is not None and vi["centred"] is not None
    assert abs(en["centred"] - vi["centred"]) < 0.1
    xx = signals(features(art("a", "x", lang="xx", v=vec(1, 0))), features(art("b", "y", lang="xx", v=vec(1, 1))))
    assert xx["centred"] == pytest.approx(relatedness.raw_to_centred(float(np.sqrt(0.5))), abs=1e-5)


def test_publish_dates_far_apart_lower_the_similarity_and_no_date_changes_nothing() -> None:
    """Issue 17: the cosine cannot see when; two reports a month apart are rarely one story. A pair
    without both dates (the SemEval files) scores exactly as before."""
    d = dt.date(2020, 3, 2)
    a = art("a", "Turkey and Russia", v=e5like("en", 1, 0.2))
    b = art("b", "Russia and Turkey", v=e5like("en", 1, 0.3))
    undated = similarity(a, b)
    assert 0.3 < undated < 1.0
    dated = [dataclasses.replace(x, published=d) for x in (a, b)]
    assert similarity(*dated) == pytest.approx(undated)  # the same day: nothing taken
    assert similarity(dated[0], b) == pytest.approx(undated)  # one date only: no evidence
    w = LinkConfig().similarity_time_weight
    assert 0.1 <= w <= 0.6
    later = [dated[0], dataclasses.replace(b, published=d + dt.timedelta(days=1))]
    month = [dated[0], dataclasses.replace(b, published=d + dt.timedelta(days=30))]
    assert similarity(*month) < similarity(*later) < undated
    assert similarity(*month) == pytest.approx(undated * (1 - w), rel=1e-3)
    # the weight is the config's, so a benchmark can refit it
    assert similarity(*month, LinkConfig(similarity_time_weight=0.0)) == pytest.approx(undated)
    assert explain(*month)["similarity"] == pytest.approx(similarity(*month), abs=1e-4)


def test_a_near_duplicate_stays_certain_whenever_it_ran() -> None:
    a = art("a", BODY, v=vec(1, 0), published=dt.date(2020, 1, 1))
    b = art("b", BODY + " Markets barely moved.", v=vec(1, 0), published=dt.date(2020, 6, 1))
    sig = signals(features(a), features(b))
    assert sig["time"] is not None and sig["time"] < 0.01
    assert time_factor(sig) == 1.0 and similarity(a, b) == 1.0


def test_dates_move_only_the_similarity_not_the_links() -> None:
    """The event and storyline links do not read the date factor: ``combine`` (same event) and
    ``storyline_score`` are unchanged by dates a year apart."""
    from storyline.link.similarity import storyline_score

    a = art("a", "Turkey and Russia", v=e5like("en", 1, 0.2), ents=("place:TR",))
    b = art("b", "Russia and Turkey", v=e5like("en", 1, 0.3), ents=("place:TR",))
    far = [dataclasses.replace(a, published=dt.date(2019, 1, 1)), dataclasses.replace(b, published=dt.date(2020, 1, 1))]
    s0, s1 = signals(features(a), features(b)), signals(features(far[0]), features(far[1]))
    assert combine(s0) == pytest.approx(combine(s1))
    assert storyline_score(s0["cosine"], None, 0.0) == pytest.approx(storyline_score(s1["cosine"], None, 0.0))
    assert similarity(*far) < similarity(a, b)
