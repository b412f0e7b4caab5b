"""Web archives: streamed record by record, HTML responses only, WARC-Target-URI as the URL, the
page's date else WARC-Date; a record over the size cap is skipped with its reason."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from newsite import page_html, sample_articles, seed_html
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline import urls
from storyline.models import RawArticle, Rejected
from storyline.sources import read_inputs
from storyline.sources.warc import WarcCounts, read_warc

ROOT = Path(__file__).resolve().parents[1]


def _response(
    w: WARCWriter, uri: str, body: bytes, ctype: str, status: str = "200 OK", date: str = "2025-01-01T10:00:00Z"
) -> None:
    http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    rec = w.create_warc_record(
        uri, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
    )
    w.write_record(rec)


def build_warc(path: Path, *, gz: bool, big: int = 0) -> None:
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "storyline tests"}))
        art = sample_articles()[0]  # English, dated in its page
        _response(
            w,
            "https://news.example/world/syria-1.html?utm_source=rss#top",
            page_html(art["text"].split("\n")[0][:80], art["text"], published=art["published"]).encode(),
            "text/html; charset=utf-8",
        )
        # Seed 000 carries no date in its page: WARC-Date is the date of last resort.
        _response(
            w,
            "https://news.example/world/seed-000.html",
            seed_html("000").encode("utf-8"),
            "text/html",
            date="2020-12-04T08:00:00Z",
        )
        req = w.create_warc_record(
            "https://news.example/world/seed-000.html", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
        )
        w.write_record(req)
        _response(w, "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
        _response(w, "https://news.example/report.pdf", b"%PDF-1.4 ...", "application/pdf")
        _response(w, "https://news.example/gone.html", b"<html>gone</html>", "text/html", status="404 Not Found")
        if big:
            _response(
                w,
                "https://news.example/huge.html",
                b"<html><body>" + b"<p>x</p>" * (big // 8) + b"</body>",
                "text/html",
            )
        _response(
            w,
            "https://news.example/world/seed-002.html",
            seed_html("002").encode("utf-8"),
            "text/html; charset=utf-8",
            date="2025-12-19T09:00:00Z",
        )


@pytest.mark.parametrize("gz", [True, False])
def test_html_responses_only_with_target_uri_and_dates(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("cc.warc.gz" if gz else "cc.warc")
    build_warc(path, gz=gz)
    counts = WarcCounts()
    items = list(read_warc(path, counts))
    assert not [i for i in items if isinstance(i, Rejected)]
    pages = [i for i in items if isinstance(i, RawArticle)]
    assert [p.url for p in pages] == [
        "https://news.example/world/syria-1.html",  # tracking parameter and fragment gone
        "https://news.example/world/seed-000.html",
        "https://news.example/world/seed-002.html",
    ]
    assert counts.pages == 3 and counts.passed_over == 5  # warcinfo, request, png, pdf, 404
    assert pages[0].id == urls.page_id("https://news.example/world/syria-1.html")
    assert pages[1].fetched == "2020-12-04T08:00:00Z" and pages[1].html and "Erdogan" in pages[1].html
    assert pages[0].origin.startswith(f"{path}#")


def test_a_record_over_the_cap_is_skipped_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    build_warc(path, gz=True, big=2 * 1024 * 1024)
    items = list(read_warc(path, max_bytes=1024 * 1024))
    bad = [i for i in items if isinstance(i, Rejected)]
    assert len(bad) == 1 and "huge.html" in bad[0].origin and "larger than 1 MiB" in bad[0].reason
    assert len([i for i in items if isinstance(i, RawArticle)]) == 3  # the record after it is read


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("keep", [0.5, 0.8, 0.97])
def test_a_truncated_archive_is_named_and_the_records_before_are_kept(tmp_path: Path, gz: bool, keep: float) -> None:
    path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    build_warc(path, gz=gz)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    items = list(read_warc(path))
    assert next(i for i in items if isinstance(i, RawArticle)).url == "https://news.example/world/syria-1.html"
    bad = [i for i in items if isinstance(i, Rejected)]
    assert len(bad) == 1 and "cut short" in bad[0].reason and "before it were kept" in bad[0].reason


def test_directories_find_warc_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    build_warc(tmp_path / "a" / "one.warc.gz", gz=True)
    (tmp_path / "note.txt").write_text("A short note that is an article of its own.", encoding="utf-8")
    items = list(read_inputs([tmp_path]))
    assert len([i for i in items if isinstance(i, RawArticle)]) == 4
    with gzip.open(tmp_path / "a" / "one.warc.gz") as fh:  # a real gzip WARC, as Common Crawl's
        assert fh.read(8) == b"WARC/1.0"


def test_storyline_run_on_a_warc_stores_url_source_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "CC-NEWS-20250101000000-00000.warc.gz"
    build_warc(path, gz=True)
    cmd = [sys.executable, "-m", "storyline"]
    run = subprocess.run(
        [*cmd, "run", str(path), "--db", "w.db"], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    out = subprocess.run(
        [*cmd, "export", "--db", "w.db", "--format", "jsonl"], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    rows = {r["url"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert rows["https://news.example/world/seed-000.html"]["published"] == "2020-12-04"  # WARC-Date
    assert rows["https://news.example/world/seed-002.html"]["published"] == "2025-12-19"
    assert rows["https://news.example/world/syria-1.html"]["published"] == sample_articles()[0]["published"]
    assert all(r["source"] == "news.example" for r in rows.values())
