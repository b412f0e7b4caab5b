"""Whole HTML pages: trafilatura's cut plus the boilerplate it lets through, and page metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from trafilatura.utils import load_html

from storyline.clean import clean
from storyline.clean.html import _is_box_name, drop_boxes_after, extract_html, prefers_recall
from storyline.models import RawArticle

PAGE = Path(__file__).resolve().parent / "data" / "clean" / "page.html"


def test_html_page() -> None:
    a = clean(RawArticle(id="p", origin=str(PAGE), html=PAGE.read_text(encoding="utf-8")))
    assert a.title == "Flood closes bridge in river town"
    assert a.published == dt.date(2021, 3, 4)
    assert a.lang == "en"
    assert "closed on Wednesday" in a.body and "thirty families" in a.body
    assert "newsletter" not in a.body.lower()
    assert "Home" not in a.body and "rights reserved" not in a.body


def test_given_metadata_wins() -> None:
    html = PAGE.read_text(encoding="utf-8")
    a = clean(RawArticle(id="p", origin="p", html=html, title="Given", published="05/03/2021", lang="vi"))
    assert (a.title, a.published, a.lang) == ("Given", dt.date(2021, 3, 5), "vi")


def test_a_page_nested_past_the_parsers_depth_keeps_its_text() -> None:
    """libxml2 stops building a tree 256 elements deep and drops what is below: a page nested 400
    deep (a trick against parsers, or a broken generator) lost its whole article before."""
    body = " ".join(f"Officials in Ankara said on day {i} that talks with Moscow over grain corridor {i * 7} "
                    "would go on." for i in range(25))
    html = "<html><head><title>Deep page</title></head><body>" + "<div>" * 400 + f"<p>{body}</p>" + "</div>" * 400
    a = clean(RawArticle(id="deep", origin="deep.html", html=html + "</body></html>"))
    assert "talks with Moscow over grain corridor 168" in a.body and "on day 0 " in a.body


CLEAN = Path(__file__).resolve().parent / "data" / "clean"
GATE_HTML = Path(__file__).resolve().parent / "data" / "gate" / "extraction" / "html"


def test_a_newsletter_box_after_the_story_goes() -> None:
    """CBS Sports (a dev Zyte page the quality gate holds whole; tests/data/gate/README.md):
    trafilatura's cut ends with the sign-up line of a box named ``Newsletter`` after the story,
    which the gold leaves out."""
    html = (GATE_HTML / "08f793762792bd252c75fb57544cdf506ffcc04785136cb87503f02364b82b56.html").read_text(
        encoding="utf-8"
    )
    body = "\n".join(extract_html(html).cleaned.paragraphs)
    assert "Get the day's big stories" not in body
    assert "The Steelers spent Monday" in body and body.endswith("our focus has got to be on Cincinnati right now.\"")


def test_promo_teasers_after_the_story_go() -> None:
    """Billboard (a dev Zyte page, shrunk): three headlines of a "promo" block of links follow the
    tour dates that end the story; the story stays whole, to its last date."""
    html = (CLEAN / "billboard-promo.html").read_text(encoding="utf-8")
    body = "\n".join(extract_html(html).cleaned.paragraphs)
    assert "Jonas Brothers Added" not in body and "15 Fun Facts" not in body
    assert "A half century on" in body and body.endswith("The Cynthia Woods Mitchell Pavilion, Houston, TX")


_STORY = [f"Paragraph {i} of the story says that the council voted on the budget for item {i} today." for i in range(8)]


def _page(after: str, story_attrs: str = 'class="article-body"', inside: str = "") -> str:
    story = "".join(f"<p>{p}</p>" for p in _STORY) + inside
    return f"<html><body><h1>Budget vote</h1><div {story_attrs}>{story}</div>{after}</body></html>"


def _kept(html: str, paragraphs: list[str]) -> list[str]:
    return drop_boxes_after(paragraphs, [], load_html(html))[0]


def test_boxes_after_the_story_go_by_their_names_and_links() -> None:
    """Written for this test, in the shape of L3S-GN1's pages (a reader-comments block longer than
    the story; a block of headline links in no named box)."""
    posts = [f"Reader {i} from Leeds thinks the vote was a disgrace and wrote at length on it {i}." for i in range(12)]
    comments = '<div id="readerComments">' + "".join(f'<p class="commentOdd">{p}</p>' for p in posts) + "</div>"
    assert _kept(_page(comments), _STORY + posts) == _STORY  # longer than the story, and after it: it goes
    links = [f"{w} headline about the town hall and its plans number {i}" for i, w in enumerate("ABCDE")]
    block = '<div class="x1">' + "".join(f'<p><a href="/s{i}">{t}</a></p>' for i, t in enumerate(links)) + "</div>"
    assert _kept(_page(block), _STORY + links) == _STORY


def test_what_is_not_a_box_after_the_story_stays() -> None:
    links = [f"{w} headline about the town hall and its plans number {i}" for i, w in enumerate("ABCDE")]
    listed = "<ul>" + "".join(f'<li><a href="/s{i}">{t}</a></li>' for i, t in enumerate(links)) + "</ul>"
    # a list of links inside the story's own element is the story's (sources, a blog's links)
    assert _kept(_page("", inside=listed), _STORY + links) == _STORY + links
    # WordPress names the story's element by its author and tags: no box
    tail = ['<div class="post author-jane tag-buying-in-bulk">' + "".join(f"<p>{p}</p>" for p in links) + "</div>"]
    assert _kept(_page(tail[0]), _STORY + links) == _STORY + links
    # a "sidebar" box holding nearly all the cut holds the story
    whole = _page("", story_attrs='class="sidebar"')
    assert _kept(whole, _STORY) == _STORY
    # a box before any story text is not after the story
    first = f'<html><body><div class="related"><p>{_STORY[0]}</p></div>' + "".join(
        f"<p>{p}</p>" for p in _STORY[1:]) + "</body></html>"
    assert _kept(first, _STORY) == _STORY


def test_box_names_are_whole_names_of_furniture() -> None:
    assert all(_is_box_name(n) for n in ("readerComments", "AdColList", "comments-list-container", "piFoot",
                                          "related-posts", "Newsletter"))
    assert not any(_is_box_name(n) for n in ("author-jane", "tag-buying-in-bulk", "sharing-with-a-single-developer",
                                              "entry-more", "widget", "article-body"))


def test_teaser_rows_that_open_alike_are_placed_by_their_end() -> None:
    """2008 pages list other stories in table rows that open with the same stamp ("| 3 days ago |
    ..."): placed by their unique last words, the block of links after the story goes."""
    heads = ["Washington girls knock off Lincoln", "Park realizes win at Oracle", "Distance does not matter to Tech"]
    rows = "".join(f'<tr><td>3 days ago</td><td><a href="/s{i}">{h}</a></td></tr>' for i, h in enumerate(heads))
    cut = [f"| 3 days ago | {h} |" for h in heads]
    assert _kept(_page(f"<table>{rows}</table>"), _STORY + cut) == _STORY


def test_a_cjk_page_is_placed_by_its_characters() -> None:
    """Words of a script written without spaces are its characters: a Japanese story and the
    reader comments after it (written for this test) are placed on the page and told apart."""
    story = [
        "東京都は三日、新しい予算案を発表した。市民の生活を支える施策が中心となっている。",
        "予算の総額は前年より増え、子育てと防災に重点を置いた。知事は記者会見で説明した。",
        "野党は財源の見通しが甘いと批判しており、議会での審議は来月から始まる予定だ。",
        "専門家は、物価の上昇が続く中で家計への支援が急がれると指摘している。",
    ]
    posts = [f"読者{i}の意見：この予算案には賛成できない。もっと議論が必要だと思う。" for i in range(1, 4)]
    html = (
        "<html><body><div class='honbun'>" + "".join(f"<p>{p}</p>" for p in story) + "</div>"
        "<div class='comments'>" + "".join(f"<p>{p}</p>" for p in posts) + "</div></body></html>"
    )
    assert _kept(html, story + posts) == story


def test_a_cjk_block_of_links_is_judged_by_words_not_spaces() -> None:
    """Link share in words of any script (``n_words``), as every other count of the HTML step: a
    Chinese page's words are not its space-separated chunks. Written for this test in the shape of
    Mozilla Readability's Chinese test pages (youth.cn, pixnet: a list of headlines, each a link
    with its unlinked date and time, after the story) and of a Xinhua story continued in a second
    block after an advert, its agency name and a "more" a link. Counted by spaces, the list read
    as one linked chunk in three (kept after the story), and the continued story as two in three
    (dropped as a block of links)."""
    story = [
        "北京市政府十日公布了新的预算方案，重点支持教育、医疗和公共交通的建设，引起市民广泛关注。",
        "方案显示，今年的财政支出总额比去年增长百分之六，其中用于中小学校舍改造的资金大幅增加。",
        "市财政局负责人在记者会上表示，新增资金将优先用于郊区学校和社区医院，缩小城乡之间的差距。",
        "有专家指出，在经济增速放缓的背景下，扩大公共服务支出有助于稳定就业和提振居民消费信心。",
    ]
    heads = [("教育部发布新学期中小学安全工作通知", "2017-03-10 08:42"),
             ("多地公布高考报名人数再创历史新高", "2017-03-09 17:05"),
             ("专家解读今年政府工作报告中的教育亮点", "2017-03-09 09:30")]
    listed = '<ul class="list01">' + "".join(
        f'<li><a href="/n{i}.html">{h}</a> <span>{d}</span></li>' for i, (h, d) in enumerate(heads)) + "</ul>"
    cut = [f"{h} {d}" for h, d in heads]
    page = "<html><body><div class='content'>" + "".join(f"<p>{p}</p>" for p in story) + "</div>{}</body></html>"
    assert _kept(page.format(listed), story + cut) == story
    more = ('<a href="/xinhua">新华社</a>北京3月10日电 市人大代表将在下周审议这一方案，预计会对部分项目的资金安排'
            '提出修改意见，最终方案将于月底前公布。<a href="/more">详细</a>')
    html = page.format("<div class='content'><p>" + more + "</p></div>")
    tail = ("新华社 北京3月10日电 市人大代表将在下周审议这一方案，预计会对部分项目的资金安排提出修改意见，"
            "最终方案将于月底前公布。 详细")
    assert _kept(html, [*story, tail]) == [*story, tail]



def test_the_furniture_word_lists_are_data() -> None:
    """The box words, generic words and landmark roles live in ``storyline/data/html_boxes.json``
    (session 18, as the entity lists in ``entities.json``): each a list of lower-case words, the
    box and generic lists disjoint (a word in both would make every name of it a box's)."""
    import json

    from storyline.clean.html import BOXES_FILE, _box_lists

    data = json.loads((Path(__file__).resolve().parents[1] / "storyline" / "data" / BOXES_FILE).read_text("utf-8"))
    for key in ("box_words", "generic_words", "roles"):
        assert data[key] and all(w == w.lower() and w.isalpha() for w in data[key]), key
    lists = _box_lists()
    assert not lists.words & lists.generic
    assert {"comments", "related", "sidebar"} <= lists.words and "navigation" in lists.roles


def test_a_recall_cut_that_repeats_the_article_is_no_rescue() -> None:
    """WSJ pages of 2012 (Dragnet 28, 509, ...: the text written for this test) hold the article
    preview twice; trafilatura's recall cut takes both copies, "twice the words" and nothing more.
    One paragraph repeated stays a rescue (Readability's lorem-ipsum test pages keep the repeat)."""
    kept = ["BY EAMON QUINN",
            "DUBLIN—Authorities in Ireland arrested and charged three former executives of the bank on Monday, "
            "the first criminal charges to arise from the country's banking collapse four years ago.",
            "A Dublin court on Monday heard indictments against the three men, who were released on bail and are "
            "due to appear again next month, when the prosecution is expected to set out its case in full."]
    assert not prefers_recall(kept, kept + kept, lambda: "\n".join(kept))
    lorem = ["Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore "
             "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris."]
    assert prefers_recall(lorem, lorem * 2, lambda: lorem[0])


def test_a_post_embedded_in_the_story_goes_back_where_it_stands() -> None:
    """trafilatura drops embedded tweets whole; the Zyte gold keeps them (nj.com, Sky Sports: the
    story quotes them). Shape of nj.com's page, text written for this test: the tweet between the
    story's paragraphs comes back after the paragraph before it, its attribution a line of its
    own; a tweet in a feed beside the story (no story paragraph after it) stays out."""
    story = [f"Paragraph {i} of the story says that the state launched an anti-drug campaign with an odd slogan {i}."
             for i in range(6)]
    tweet = ('<div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en" dir="ltr">Yes this is '
             'real and yes the state spent nearly half a million dollars on it: <a href="https://t.co/x">'
             'https://t.co/x</a></p>— Dianna E. Anderson (@diannaeanderson) <a href="https://twitter.com/d/status/1">'
             'November 18, 2019</a></blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'
             '</div>')
    side = ('<aside class="feed"><blockquote class="twitter-tweet"><p>Our newsroom is hiring reporters this winter</p>'
            '— The Paper (@paper) <a href="https://twitter.com/p/status/2">November 17, 2019</a></blockquote></aside>')
    body = "".join(f"<p>{p}</p>" for p in story[:3]) + tweet + "".join(f"<p>{p}</p>" for p in story[3:])
    html = f"<html><head><title>Slogan</title></head><body><article><h1>Slogan</h1>{body}</article>{side}</body></html>"
    assert list(extract_html(html).cleaned.paragraphs) == [
        *story[:3], "Yes this is real and yes the state spent nearly half a million dollars on it: https://t.co/x",
        "— Dianna E. Anderson (@diannaeanderson) November 18, 2019", *story[3:]]


def test_another_posts_teaser_on_a_wordpress_post_page_goes() -> None:
    """WordPress marks a single post's page with its number (body class ``postid-1806``) and each
    post's element with its own (``post-7816``): teasers of other posts after the story are boxes
    whatever the theme calls them (a Portuguese quotes blog in the Zyte pages, "fundo postbox").
    Text written for this test; the page's own post's element stays."""
    story = [f"Paragraph {i} of the post says that living a true love is one of the great joys of life {i}."
             for i in range(5)]
    others = [f"Another post number {i} says that life asks us for courage and for hope every morning {i}."
              for i in range(3)]
    own = '<article class="articlebox post-1806 type-post hentry">' + "".join(f"<p>{p}</p>" for p in story)
    teasers = "".join(f'<article class="postbox post-{7816 + i} type-post hentry"><p>{p}</p></article>'
                      for i, p in enumerate(others))
    html = (f'<html><body class="single single-post postid-1806"><div id="primary">{own}</article>{teasers}'
            "</div></body></html>")
    assert _kept(html, story + others) == story
    assert _kept(html.replace("postid-1806", "home"), story + others) == story + others
