"""One spelling per page: the normal form, the key that tells a page seen before, the article id."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storyline import urls

segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
paths = st.lists(segment, min_size=0, max_size=4).map(lambda p: "/" + "/".join(p))
queries = st.dictionaries(st.sampled_from(["id", "page", "p", "aid"]), segment, max_size=3)


@given(
    st.sampled_from(["http", "https"]),
    st.sampled_from(["example.org", "www.news.example", "127.0.0.1:8080"]),
    paths,
    queries,
    st.booleans(),
    st.booleans(),
)
def test_spellings_of_one_page_share_a_key_and_an_id(
    scheme: str, host: str, path: str, query: dict[str, str], slash: bool, tracked: bool
) -> None:
    q = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
    plain = f"https://{host}{path}" + (f"?{q}" if q else "")
    messy = f"{scheme}://{host.upper()}{path}{'/' if slash and path != '/' else ''}"
    extra = [
        *(f"{k}={v}" for k, v in reversed(sorted(query.items()))),
        *(["utm_source=rss", "fbclid=x"] if tracked else []),
    ]
    messy += ("?" + "&".join(extra) if extra else "") + "#comments"
    assert urls.key(messy) == urls.key(plain)
    assert urls.page_id(messy) == urls.page_id(plain)
    assert urls.key(urls.key(messy)) == urls.key(messy)
    norm = urls.normalise(messy)
    assert norm is not None and "#" not in norm and "utm_" not in norm and "fbclid" not in norm


def test_what_is_not_a_web_address() -> None:
    for bad in ("", "mailto:a@b.c", "ftp://example.org/x", "javascript:alert(1)", "//no-scheme", "https://"):
        assert urls.normalise(bad) is None
    assert urls.normalise("../b.html", "https://example.org/news/a/x.html") == "https://example.org/news/b.html"
    assert urls.is_url("https://example.org/a") and not urls.is_url("examples/seeds")
    assert urls.page_id("https://www.example.org/a").startswith("example.org-")
