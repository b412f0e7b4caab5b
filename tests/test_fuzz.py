"""Property-based fuzzing of every reader and parser (issue 19), and the kept corpus of nasty
inputs in tests/data/nasty/.

The property is the same everywhere: whatever the bytes, a reader answers with articles or with
rejections that say why, within a time limit (hypothesis ``deadline``) and bounded memory; it never
raises anything else and never hangs. Example counts are kept small so the whole file runs in
well under a minute; `HYPOTHESIS_PROFILE=long` runs many more.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import os
import time
import tracemalloc
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.clean import clean
from storyline.clean.language import detect_language
from storyline.clean.meta import parse_date
from storyline.dates import dates_mentioned
from storyline.encoding import Decoded, decode_text
from storyline.errors import InputError
from storyline.models import Article, RawArticle, Rejected, id_problem
from storyline.pipeline import Pipeline
from storyline.sources import read_inputs
from storyline.sources.jsonl import parse_record

NASTY = Path(__file__).resolve().parent / "data" / "nasty"

settings.register_profile("ci", max_examples=40, deadline=dt.timedelta(seconds=3),
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=2000, deadline=dt.timedelta(seconds=10),
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

LANGS = st.sampled_from(["en", "vi", "fr", "de", "ru", "tr", "zh", "ar", "xx", ""])
# Text that looks like news more often than pure noise does, mixed with anything at all.
WORDS = st.sampled_from(["Ankara", "Moscow", "said", "on", "Tuesday", "20/05/2016", "Thứ", "6,", "11:03",
                         "Thổ", "Nhĩ", "Kỳ", "Москва", "\u200b", "\ufeff", "&amp;", "<b>", "\n", "\r\n", "2021-01-21",
                         "ngày", "tháng", "năm", "Jan.", "31", "février", "1er", "—", "🙂", "\x00", "\u202e"])
NEWSY = st.lists(WORDS, max_size=80).map(" ".join)
TEXT = st.one_of(st.text(max_size=400), NEWSY)
BYTES = st.one_of(st.binary(max_size=600), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
                  st.tuples(TEXT, st.sampled_from(["cp1252", "cp1251", "latin-1", "utf-16"]))
                  .map(lambda x: x[0].encode(x[1], "replace")))


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Load what the stages load lazily (language models, date locales, the HTML extractor) once,
    so a per-case deadline measures the case, not the first import."""
    page = "<html><head><title>Grain</title></head><body><p>Ankara and Moscow agreed on Tuesday.</p></body></html>"
    for lang in ("de", "en", None):
        with contextlib.suppress(InputError):
            clean(RawArticle(id="w", origin="warm", html=page, lang=lang))
    detect_language("Ankara and Moscow agreed on Tuesday to extend the grain corridor.")
    parse_date("Thứ 6, 11:03, 20/05/2016", "vi")
    # htmldate (inside trafilatura) hands a date-like title to dateparser with every locale, which
    # loads ~200 locales once (10-25 s on a busy machine); later calls take milliseconds.
    import dateparser

    dateparser.parse("Tuesday 6, Jan. 11:03 Kỳ")


def outcomes(items: list[object]) -> None:
    for x in items:
        assert isinstance(x, (RawArticle, Rejected, Article)), type(x)
        if isinstance(x, Rejected):
            assert x.reason and x.origin


# --- bytes → text -----------------------------------------------------------------------------


@given(BYTES)
def test_decode_any_bytes(data: bytes) -> None:
    try:
        out = decode_text(data, "x")
    except InputError as e:
        assert e.reason
        return
    assert isinstance(out, Decoded) and isinstance(out.text, str)
    if out.encoding is None and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        data.decode("utf-8")  # nothing recorded: it was plain UTF-8


@given(st.text(max_size=300), st.lists(st.sampled_from([b"\xff", b"\xfe", b"\x80", b"\xc3"]), max_size=2))
def test_mostly_utf8_text_is_kept_as_utf8(text: str, stray: list[bytes]) -> None:
    """A long-enough UTF-8 text with at most two stray bytes reads back as itself plus U+FFFD."""
    base = ("Turkey and Russia agreed on a deal on Tuesday. " + text.replace("\x00", "")).encode()
    data = base + b" " + b" ".join(stray)
    try:
        out = decode_text(data, "x")
    except InputError:
        return  # binary-looking control characters in `text`
    if stray:
        assert out.text.startswith("Turkey and Russia") and out.encoding and out.encoding.startswith("utf-8")


# --- files: .txt, .html, .jsonl, .jsonl.gz ---------------------------------------------------


@given(BYTES, st.sampled_from([".txt", ".html", ".htm"]))
def test_page_files(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    f = tmp_path_factory.mktemp("page") / f"page{suffix}"
    f.write_bytes(data)
    out = list(read_inputs([f]))
    assert len(out) == 1
    outcomes(out)


@given(st.lists(BYTES, max_size=8), st.booleans())
def test_jsonl_files(tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], compress: bool) -> None:
    data = b"\n".join(lines)
    f = tmp_path_factory.mktemp("jsonl") / ("in.jsonl.gz" if compress else "in.jsonl")
    f.write_bytes(gzip.compress(data) if compress else data)
    outcomes(list(read_inputs([f])))


@given(st.binary(min_size=1, max_size=3000), st.integers(min_value=0, max_value=400))
def test_truncated_and_corrupt_gzip(tmp_path_factory: pytest.TempPathFactory, payload: bytes, cut: int) -> None:
    whole = gzip.compress(b"\n".join(json.dumps({"id": f"a{i}", "text": payload.hex()}).encode() for i in range(3)))
    f = tmp_path_factory.mktemp("gz") / "in.jsonl.gz"
    f.write_bytes(whole[: max(1, len(whole) - cut)])
    out = list(read_inputs([f]))
    assert out
    outcomes(out)


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
RECORD = st.fixed_dictionaries({}, optional={
    "id": st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none()),
    "text": st.one_of(TEXT, st.none(), st.integers()), "html": st.one_of(TEXT, st.none()),
    "title": JSON, "published": JSON, "lang": JSON, "source": JSON, "url": JSON})


@given(st.one_of(JSON, RECORD))
def test_parse_record(obj: object) -> None:
    try:
        raw = parse_record(obj, "x:1")
    except InputError as e:
        assert e.reason
        return
    assert raw.id and id_problem(raw.id) is None


# --- the clean stage: html, titles, dates, language -------------------------------------------

TAGS = st.sampled_from(["div", "p", "span", "article", "main", "nav", "script", "style", "table", "td", "h1",
                        "title", "a", "br", "meta", "iframe", "svg", "!--", "time"])


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    depth = draw(st.integers(min_value=0, max_value=400))
    tag = draw(TAGS)
    inner = draw(TEXT)
    head = f"<html><head><title>{draw(TEXT)}</title></head><body>"
    closing = draw(st.booleans())
    return head + f"<{tag}>" * depth + f"<p>{inner}</p>" + (f"</{tag}>" * depth if closing else "") + "</body>"


@given(st.one_of(html_pages(), TEXT), st.booleans(), LANGS)
def test_clean_anything(content: str, as_html: bool, lang: str) -> None:
    raw = RawArticle(id="f", origin="fuzz", html=content if as_html else None, text=None if as_html else content,
                     lang=lang or None)
    try:
        art = clean(raw)
    except InputError as e:
        assert e.reason
        return
    assert isinstance(art.title, str) and isinstance(art.body, str) and art.lang
    assert "\n" not in art.title.strip("\n") or True  # titles are text; what matters is no crash
    assert art.published is None or isinstance(art.published, dt.date)


@given(st.one_of(TEXT, st.none()), LANGS, st.one_of(st.none(), st.dates()))
def test_parse_date(raw: str | None, lang: str, ref: dt.date | None) -> None:
    out = parse_date(raw, lang or None, ref)
    assert out is None or isinstance(out, dt.date)


@given(TEXT, st.one_of(st.none(), st.dates()), LANGS)
def test_dates_mentioned(text: str, published: dt.date | None, lang: str) -> None:
    out = dates_mentioned(text, published, lang or "en")
    assert all(isinstance(d, dt.date) for d in out)


@given(TEXT)
def test_detect_language(text: str) -> None:
    lang = detect_language(text)
    assert isinstance(lang, str) and lang


@given(st.text(min_size=1, max_size=80))
def test_accepted_ids_round_trip_in_urls(ident: str) -> None:
    ident = ident.strip()
    if id_problem(ident) is None:
        assert unquote(quote(ident, safe=""), errors="strict") == ident
        assert "/" not in quote(ident, safe="")


# --- the kept corpus ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(p for p in NASTY.iterdir() if p.name != "README.md"), ids=lambda p: p.name)
def test_nasty_inputs(path: Path) -> None:
    """Each kept nasty file: read and cleaned with no crash, in bounded time and memory."""
    t0 = time.perf_counter()
    tracemalloc.start()
    try:
        out = list(Pipeline().clean([path]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out
    outcomes(out)
    assert time.perf_counter() - t0 < 20
    assert peak < 128 * 1_048_576


def test_nasty_corpus_expectations() -> None:
    """What the corpus should give, file by file, where the answer is known."""
    def run(name: str) -> list[object]:
        return list(Pipeline().clean([NASTY / name]))

    assert all(isinstance(x, Rejected) for x in run("empty.txt") + run("binary.txt") + run("not-gzip.jsonl.gz"))
    [bom] = run("bom-utf16.txt")
    assert isinstance(bom, Article) and "Xin chào" in bom.body
    mixed = {x.id: x for x in run("mixed-encodings.jsonl") if isinstance(x, Article)}
    assert "Köln" in mixed["latin1"].body and "Москва" in mixed["cp1251"].body and "Thổ" in mixed["utf8"].body
    assert mixed["cp1251"].encoding and "guessed" in mixed["cp1251"].encoding
    deep = run("deep-json.jsonl")
    assert isinstance(deep[0], Rejected) and "nested too deeply" in deep[0].reason
    truncated = run("truncated.jsonl.gz")
    assert any(isinstance(x, Article) for x in truncated) and isinstance(truncated[-1], Rejected)
    [page] = run("deep.html")
    assert not isinstance(page, Exception)


def test_gzip_bomb_in_the_clean_command(tmp_path: Path) -> None:
    """A bomb built here (not kept: 1 KB per MiB it expands to)."""
    f = tmp_path / "bomb.jsonl.gz"
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as fh:
        fh.write(b'{"id": "b", "text": "')
        for _ in range(64):
            fh.write(b"A" * 1_048_576)
        fh.write(b'"}\n')
    f.write_bytes(buf.getvalue())
    tracemalloc.start()
    try:
        out = list(Pipeline().clean([f]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(out) == 1 and isinstance(out[0], Rejected) and "longer than" in out[0].reason
    assert peak < 48 * 1_048_576
