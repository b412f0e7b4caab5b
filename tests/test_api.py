"""The HTTP API through a real HTTP client (Starlette's TestClient over httpx2) against the app,
on a store built once from the seeds by the real pipeline."""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="install the project: pip install -e '.[test]'")
pytest.importorskip("httpx2", reason="the test extra")

from fastapi.testclient import TestClient

from storyline import Pipeline, open_store
from storyline.app import create_app
from storyline.errors import UsageError
from storyline.models import Article, Assignment, Entity, Event, Storyline
from storyline.serve import check_binding

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
EN, VI = "000_c431822cc428ed2a", "001_47b542a6cacac081"
LOCAL = "http://localhost"  # the Host a browser on this machine sends; unknown Hosts are refused


@functools.cache
def pipeline() -> Pipeline:
    """One pipeline (one loaded encoder) for every test in the session."""
    return Pipeline()


def build_seeds_db(base: Path) -> Path:
    """The seeds' store, built once per session by the real pipeline; tests copy it to write."""
    db = base / "seeds.db"
    if not db.exists():
        tmp = base / "seeds.building.db"
        st = open_store(tmp)
        summary = pipeline().run([SEEDS], st)
        st.refresh_search_index()
        st.close()
        assert summary.added == 5 and not summary.rejected
        tmp.rename(db)
    return db


def copy_db(src: Path, dst_dir: Path) -> Path:
    dst = dst_dir / "copy.db"
    shutil.copy(src, dst)
    return dst


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeds_db(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def client(seeds_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(seeds_db, pipeline=pipeline()), base_url=LOCAL) as c:
        yield c


@pytest.fixture()
def writable(seeds_db: Path, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(copy_db(seeds_db, tmp_path), pipeline=pipeline()), base_url=LOCAL) as c:
        yield c


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """THE error shape: {"error": {"status", "code", "message", "details"}} and nothing else."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"status", "code", "message", "details"}
    assert err["status"] == status
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["details"], list)
    if code:
        assert err["code"] == code
    return err


# --- reading -------------------------------------------------------------------------------


def test_storylines_list_covers_every_seed(client: TestClient) -> None:
    r = client.get("/api/storylines")
    assert r.status_code == 200
    page = r.json()
    assert page["total"] >= 1 and page["offset"] == 0
    assert sum(s["article_count"] for s in page["items"]) == 5
    first = page["items"][0]
    assert {"id", "name", "first", "last", "event_count", "article_count", "languages", "outlets"} <= set(first)
    langs = {lang for s in page["items"] for lang in s["languages"]}
    assert {"en", "vi"} <= langs
    assert client.get("/api/storylines", params={"limit": 1}).json()["items"].__len__() == 1


def test_storyline_detail_timeline_and_coverage(client: TestClient) -> None:
    sid = client.get(f"/api/articles/{EN}").json()["storyline"]
    sl = client.get(f"/api/storylines/{sid}").json()
    assert sl["id"] == sid and sl["events"] and sl["entities"]
    assert all(e["storyline"] == sid for e in sl["events"])
    assert any(e["key"] == "place:TR" for e in sl["entities"])
    only = client.get(f"/api/storylines/{sid}", params={"entity": "place:TR"}).json()
    assert 0 < len(only["events"]) <= len(sl["events"])
    tl = client.get(f"/api/storylines/{sid}/timeline").json()
    assert tl["storyline"] == sid and tl["entries"]
    dates = [e["date"] for e in tl["entries"]]
    assert dates == sorted(dates)
    assert all(e["summary"] and all(isinstance(s, str) and s for s in e["summary"]) for e in tl["entries"])
    # Each sentence says where it comes from, for the page to tag it with language and outlet.
    for e in tl["entries"]:
        assert [x["article_id"] for x in e["sentences"]] and len(e["sentences"]) == len(e["summary"])
        assert all(x["article_id"] in e["article_ids"] and x["lang"] in {"en", "vi"} for x in e["sentences"])
    one = client.get(f"/api/storylines/{sid}/timeline", params={"dates": 1, "sentences": 1}).json()
    assert len(one["entries"]) == 1 and len(one["entries"][0]["summary"]) == 1
    cov = client.get(f"/api/storylines/{sid}/coverage").json()
    assert sum(p["articles"] for p in cov["points"]) == sl["article_count"]


def test_event_lists_its_articles(client: TestClient) -> None:
    art = client.get(f"/api/articles/{EN}").json()
    ev = client.get(f"/api/events/{art['event']}").json()
    assert EN in [a["id"] for a in ev["articles"]]
    assert ev["article_count"] == len(ev["articles"]) and "en" in ev["languages"] and ev["headline"]
    listed = client.get("/api/events", params={"storyline": art["storyline"]}).json()
    assert art["event"] in [e["id"] for e in listed["items"]]


def test_article_has_clean_text_removed_boilerplate_and_entities(client: TestClient) -> None:
    a = client.get(f"/api/articles/{VI}").json()
    assert a["lang"] == "vi" and len(a["body"]) > 200
    assert isinstance(a["removed"], list)
    assert any(e["key"] == "place:TR" for e in a["entities"])
    assert a["event"] and a["storyline"]
    page = client.get("/api/articles", params={"lang": "vi"}).json()
    assert [x["id"] for x in page["items"]] == [VI]


def test_search_across_languages_with_filters(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "S-400"}).json()
    ids = [h["id"] for h in r["items"]]
    assert r["total"] >= 3 and VI in ids
    # plain-text snippets (no raw \u0002/\u0003 markers) with the words that matched beside them
    assert not any("\x02" in h["snippet"] or "\x03" in h["snippet"] for h in r["items"])
    assert any("S-400" in h["matches"] for h in r["items"])
    # a place in any language: "Turkey" finds the Vietnamese article ("Thổ Nhĩ Kỳ"); a prefix too
    assert VI in [h["id"] for h in client.get("/api/search", params={"q": "Turkey"}).json()["items"]]
    assert client.get("/api/search", params={"q": "Turk*"}).json()["total"] >= 4
    assert {f["value"] for f in r["facets"]["lang"]} == {"en", "vi"}
    vi = client.get("/api/search", params={"q": "S-400", "lang": "vi"}).json()
    assert [h["id"] for h in vi["items"]] == [VI]
    folded = client.get("/api/search", params={"q": "Tho Nhi Ky"}).json()  # diacritics folded
    assert VI in [h["id"] for h in folded["items"]]
    ent = client.get("/api/search", params={"entity": "place:TR"}).json()
    assert ent["total"] == 5
    future = client.get("/api/search", params={"q": "Turkey", "from": "2030-01-01"}).json()
    assert future["total"] == 0
    for odd in ['"', "NEAR(", "*", "a OR", "AND", ")(", "'; DROP TABLE articles; --"]:
        resp = client.get("/api/search", params={"q": odd})
        assert resp.status_code == 200, odd
    assert client.get("/api/stats").json()["articles"] == 5


def test_explain_two_articles(client: TestClient) -> None:
    x = client.get("/api/explain", params={"a": EN, "b": VI}).json()
    assert x["a"] == EN and x["b"] == VI and x["decision"] and "cosine" in x["signals"]
    assert set(x["stored"]) == {EN, VI}
    assert_error(client.get("/api/explain", params={"a": EN, "b": "nope"}), 404, "not_found")


def test_docs_are_served_from_the_package(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html.split("<body>")[0]
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    for p in ["/api/storylines", "/api/storylines/{ident}", "/api/storylines/{ident}/timeline", "/api/events/{ident}",
              "/api/articles/{ident}", "/api/search", "/api/articles"]:
        assert p in spec["paths"], p


# --- the one error shape -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/storylines/nope", "/api/events/nope", "/api/articles/nope",
                                 "/api/storylines/nope/timeline", "/api/jobs/nope", "/api/nothing-here"])
def test_unknown_ids_are_404_in_the_error_shape(client: TestClient, url: str) -> None:
    assert_error(client.get(url), 404, "not_found")


def test_error_shape_for_422_413_401_403(seeds_db: Path, tmp_path: Path, client: TestClient) -> None:
    err = assert_error(client.get("/api/storylines", params={"limit": 0}), 422, "invalid_request")
    assert err["details"] and err["details"][0]["loc"] == ["query", "limit"]
    assert_error(client.get("/api/search", params={"from": "not a date"}), 422)
    assert_error(client.post("/api/articles", json=[{"id": "x"}]), 422)  # neither text nor html
    assert_error(client.post("/api/articles", json={"id": "x", "text": "not a list"}), 422)
    assert_error(client.post("/api/articles", content=b"{not json", headers={"content-type": "application/json"}), 422)
    assert_error(client.delete("/api/storylines"), 405)

    small = create_app(copy_db(seeds_db, tmp_path), max_upload_bytes=1000, pipeline=pipeline())
    with TestClient(small, base_url=LOCAL) as c:
        err = assert_error(c.post("/api/articles", json=[{"id": "big", "text": "x" * 5000}]), 413, "too_large")
        assert "limit" in err["message"]
        files = {"files": ("big.txt", b"y" * 5000, "text/plain")}
        assert_error(c.post("/api/uploads", files=files), 413, "too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"[" + b" " * 400

        assert_error(c.post("/api/articles", content=chunks(), headers={"content-type": "application/json"}), 413)

    locked = create_app(tmp_path / "copy.db", token="s3cret", pipeline=pipeline())
    with TestClient(locked, base_url=LOCAL) as c:
        body = [{"id": "t1", "text": "A text."}]
        err = assert_error(c.post("/api/articles", json=body), 401, "unauthorized")
        assert "token" in err["message"]
        assert_error(c.post("/api/articles", json=body, headers={"Authorization": "Bearer wrong"}), 403, "forbidden")
        assert_error(c.get("/api/storylines"), 401, "unauthorized")  # with a token, API reads need it too
        assert c.get("/api/storylines", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert_error(client.post("/api/articles", json=[{"id": "x", "text": "y"}],
                             headers={"Origin": "https://evil.example"}), 403, "forbidden")


def test_binding_beyond_loopback_needs_a_token() -> None:
    check_binding("127.0.0.1", None)
    check_binding("::1", None)
    check_binding("localhost", None)
    with pytest.raises(UsageError, match="token"):
        check_binding("0.0.0.0", None)
    check_binding("0.0.0.0", "t")


# --- writing -------------------------------------------------------------------------------


def test_post_articles_goes_through_the_pipeline(writable: TestClient) -> None:
    text = (SEEDS / f"{EN}.txt").read_text(encoding="utf-8")
    r = writable.post("/api/articles", json=[
        {"id": "api-copy", "text": text, "source": "Test Wire", "published": "2021-01-20"},
        {"id": "api-empty", "text": "   ."},
    ])
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["state"] == "done" and job["added"] == 1
    assert [x["input"] for x in job["rejected"]] and "posted" not in job["rejected"][0]["reason"]
    placed = {p["id"]: p for p in job["articles"]}
    assert placed["api-copy"]["event"] and placed["api-copy"]["storyline"]
    art = writable.get("/api/articles/api-copy").json()
    assert art["source"] == "Test Wire" and art["published"] == "2021-01-20"
    assert writable.get("/api/events/" + art["event"]).json()["articles"]
    hits = writable.get("/api/search", params={"q": "Bloomberg", "source": "Test Wire"}).json()
    assert [h["id"] for h in hits["items"]] == ["api-copy"]
    again = writable.post("/api/articles", json=[{"id": "api-copy", "text": text}]).json()
    assert again["added"] == 0 and again["skipped"] == 1


def test_upload_files_as_a_job(writable: TestClient) -> None:
    files = [("files", ("../../etc/passwd-note.txt", (SEEDS / f"{VI}.txt").read_bytes(), "text/plain")),
             ("files", ("x.exe", b"MZ", "application/octet-stream"))]
    assert_error(writable.post("/api/uploads", files=files), 400)  # an unreadable kind is refused up front
    files = [("files", ("../../etc/passwd-note.txt", (SEEDS / f"{VI}.txt").read_bytes(), "text/plain"))]
    r = writable.post("/api/uploads", files=files)
    assert r.status_code == 202, r.text
    job = r.json()
    for _ in range(600):
        job = writable.get(f"/api/jobs/{job['id']}").json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["state"] == "done", job
    assert [p["id"] for p in job["articles"]] == ["passwd-note"]  # the base name only, as a plain id
    assert writable.get("/api/articles/passwd-note").json()["lang"] == "vi"


def test_article_text_is_escaped_everywhere(seeds_db: Path, tmp_path: Path) -> None:
    db = copy_db(seeds_db, tmp_path)
    st = open_store(db)
    evil = '<script>alert("owned")</script>'
    art = Article(id="evil<1>", title=f"Title {evil}", body=f"Before {evil} after. <img src=x onerror=alert(1)>",
                  lang="en", published=dt.date(2021, 1, 2), source=f"Outlet {evil}", url="javascript:alert(1)",
                  removed=(f"Subscribe {evil}",), entities=(Entity("name:evil", "person", evil),))
    st.write_batch([art], [Assignment(art.id, "ev-evil", "sl-evil")],
                   [Event("ev-evil", "sl-evil", art.title, "en", (art.id,), ("en",), (art.source or "",),
                          art.published, art.published)],
                   [Storyline("sl-evil", f"Story {evil}", ("ev-evil",), 1, ("en",), art.published, art.published)])
    st.close()
    with TestClient(create_app(db, pipeline=pipeline()), base_url=LOCAL) as c:
        pages = ["/", "/storylines/sl-evil", "/events/ev-evil", "/articles/evil%3C1%3E", "/search?q=alert",
                 "/search?q=%3Cscript%3E"]
        for url in pages:
            r = c.get(url)
            assert r.status_code == 200, url
            assert "<script>alert" not in r.text, url
            assert "<img src=x" not in r.text, url
        page = c.get("/articles/evil%3C1%3E").text
        assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page
        assert "script-src 'self'" in c.get("/").headers["content-security-policy"]
