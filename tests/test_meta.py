"""Publish-date parsing: the right day or None, never a guess."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.clean.meta import parse_date

D = dt.date


@pytest.mark.parametrize(
    ("raw", "lang", "want"),
    [
        ("Thứ 6, 11:03, 20/05/2016", None, D(2016, 5, 20)),
        ("03:58pm | 20/05/2016", None, D(2016, 5, 20)),
        ("2016-05-24T11:19:06+07:00", None, D(2016, 5, 24)),
        ("2011-09-29", "en", D(2011, 9, 29)),
        ("16:00 ngày 02 tháng 06 năm 2016", None, D(2016, 6, 2)),
        ("Thứ ba, 31 Tháng năm 2016, 06:53 GMT+7", None, D(2016, 5, 31)),
        ("Thứ Ba, ngày 31/5/2016 - 11:36", None, D(2016, 5, 31)),
        ("05/06/2016", "vi", D(2016, 6, 5)),
        ("04:00AM, 05/19/16", None, D(2016, 5, 19)),
        ("May 19, 2016", "vi", D(2016, 5, 19)),
        # Tokenised text (ECB+ dev data) and labels before the date:
        ("May 2 , 2013 12 : 50 PM", "en", D(2013, 5, 2)),
        ("Posted : May 24 , 2005", "en", D(2005, 5, 24)),
        ("Published on 3 March 2011", "en", D(2011, 3, 3)),
        ("Posted by John Smith", "en", None),
        ("05/06/2016", "en", None),  # month-first or day-first: cannot tell
        ("05/06/2016", None, None),
        ("22/05 07:18", "vi", None),  # no year
        ("31/02/2016", "vi", None),  # no such day
        ("Mâu thuẫn trong đám giỗ", "vi", None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_parse_date(raw: str | None, lang: str | None, want: dt.date | None) -> None:
    assert parse_date(raw, lang) == want


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31)))
def test_day_first_round_trip(d: dt.date) -> None:
    assert parse_date(f"{d.day:02d}/{d.month:02d}/{d.year} 10:00", "vi") == d
    assert parse_date(d.isoformat()) == d


@given(st.text(max_size=40))
def test_never_raises(s: str) -> None:
    got = parse_date(s, "vi")
    assert got is None or isinstance(got, dt.date)


@pytest.mark.parametrize(
    ("raw", "reference", "want"),
    [
        ("22/05 07:18", D(2016, 6, 5), D(2016, 5, 22)),  # a list page's short form, read in the batch's year
        ("03/06 13:17", D(2016, 6, 5), D(2016, 6, 3)),
        ("25/12 08:00", D(2016, 6, 5), D(2015, 12, 25)),  # never months after the reference
        ("1/2 cup", D(2016, 6, 5), None),  # words beside the numbers: not a date
        ("10.5", D(2016, 6, 5), None),
        ("Thứ 6, 11:03, 20/05/2016", D(2020, 1, 1), D(2016, 5, 20)),  # a full date ignores the reference
    ],
)
def test_day_month_without_year_needs_a_reference(raw: str, reference: dt.date, want: dt.date | None) -> None:
    assert parse_date(raw, "vi", reference) == want


def test_a_cjk_lede_headline_is_its_first_sentence() -> None:
    """A Chinese or Japanese lede has no space after its "。": the headline made from it was the
    whole paragraph (three sentences on gmw), and a lede with fewer than four runs between
    punctuation was passed over for a later paragraph. Now the first sentence, cut at a comma past
    ``max_words`` (not at a dateline's "、"), a photo caption ("图为…") and a dateline passed over.
    Ledes of Mozilla Readability's test pages gmw, yahoo-4 and youth (``mozilla/readability``,
    ``test/test-pages``, Apache-2.0), as the path keeps them; the TNW line is qq's dateline."""
    from storyline.clean.meta import lede_headline

    gmw = ("翱翔于距地球数千公里的太空中，进入广袤漆黑的未知领域，是一项艰苦卓绝的工作。这让人感到巨大压力和极度恐慌。"
           "那么，为什么不能让宇航员来一杯“地球末日”鸡尾酒来放松一下？")
    assert lede_headline(gmw) == "翱翔于距地球数千公里的太空中，进入广袤漆黑的未知领域，是一项艰苦卓绝的工作"
    yahoo = ("トレンドマイクロは3月9日、Wi-Fi利用時の通信を暗号化し保護するスマホ・タブレット向けのセキュリティアプリ"
             "「フリーWi-Fiプロテクション」（iOS/Android）の発売を開始すると発表した。1年版ライセンスは2900円（税込）で、"
             "2年版ライセンスは5000円（税込）。")
    got = lede_headline(yahoo)
    assert got.startswith("トレンドマイクロは3月9日、Wi-Fi利用時の通信を暗号化し") and got.endswith("…")
    assert "1年版" not in got
    youth = ("图为马素湘在澳大利亚悉尼游玩时的近影。\n出国前后关注点大不同\n"
             "在采访中，我们了解到不少学子在出国前就每年守在电脑前观看两会直播。但是，随着年龄和阅历的增长，"
             "学子对两会的关注点在出国前后发生了很大的变化。")
    assert lede_headline(youth) == "在采访中，我们了解到不少学子在出国前就每年守在电脑前观看两会直播"
    assert lede_headline("TNW中文站 10月14日报道\n" + gmw).startswith("翱翔于")
    # the encoder's reading of the lede does not move
    assert lede_headline(gmw, notes=False) == gmw


def test_a_cjk_titles_tail_is_counted_in_words_of_its_script() -> None:
    """A title's tail is an outlet's name when it is short in words of any script (``n_words``, as
    its head already was): counted by spaces, a Chinese clause after a bar was one word, so it was
    cut off as an outlet's name. (Titles written for this test.)"""
    from storyline.clean.meta import without_suffix

    assert without_suffix("北京公布新预算方案 | 重点支持教育医疗和公共交通建设引发市民广泛关注") is None
    assert without_suffix("北京公布新预算方案_新华网") == "北京公布新预算方案"
    assert without_suffix("東京都が新しい予算案を発表 | 日本経済新聞") == "東京都が新しい予算案を発表"
