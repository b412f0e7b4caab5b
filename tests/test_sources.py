"""Readers: every CONTRACT.md input kind, and bad input named with its reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from storyline.models import RawArticle, Rejected
from storyline.sources import read_inputs

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def _split(items):  # type: ignore[no-untyped-def]
    ok = [i for i in items if isinstance(i, RawArticle)]
    bad = [i for i in items if isinstance(i, Rejected)]
    return ok, bad


def test_directory_of_txt_files_gives_one_article_per_file_in_sorted_order() -> None:
    ok, bad = _split(list(read_inputs([SEEDS])))
    assert not bad
    assert [a.id for a in ok] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert ok[1].text and "Thổ Nhĩ Kỳ" in ok[1].text


def test_jsonl_and_gz_with_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Hello world. " * 20, "published": "2020-01-02", "lang": "en"}),
        "{not json",
        json.dumps({"text": "no id"}),
        json.dumps(["a list"]),
        "",
        json.dumps({"id": 7, "html": "<html><body><p>x</p></body></html>"}),
    ]
    p = tmp_path / "in.jsonl"
    p.write_text("\n".join(lines), encoding="utf-8")
    g = tmp_path / "in2.jsonl.gz"
    with gzip.open(g, "wt", encoding="utf-8") as fh:
        fh.write(lines[0].replace('"a"', '"b"') + "\n")
    ok, bad = _split(list(read_inputs([p, g])))
    assert [a.id for a in ok] == ["a", "7", "b"]
    assert ok[0].published == "2020-01-02" and ok[0].lang == "en"
    assert ok[1].html and ok[1].text is None
    reasons = {r.origin: r.reason for r in bad}
    assert "not valid JSON" in reasons[f"{p}:2"]
    assert reasons[f"{p}:3"] == 'missing "id"'
    assert "expected a JSON object" in reasons[f"{p}:4"]


def test_bad_files_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "latin1.txt").write_bytes("Café à Eichstätt, déjà vu.".encode("latin-1"))
    (tmp_path / "cp1252.txt").write_bytes("“Smart quotes” — and a euro sign: €5".encode("cp1252"))
    (tmp_path / "good.txt").write_text("A good article.", encoding="utf-8")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    trunc = tmp_path / "trunc.jsonl.gz"
    trunc.write_bytes(gzip.compress(b'{"id": "t", "text": "x"}\n' * 100)[:-30])
    ok, bad = _split(list(read_inputs([tmp_path, tmp_path / "missing.txt", tmp_path / "ignored.pdf"])))
    by_id = {a.id: a for a in ok}
    assert by_id["latin1"].text == "Café à Eichstätt, déjà vu."
    assert by_id["cp1252"].text == "“Smart quotes” — and a euro sign: €5"
    assert by_id["good"].text == "A good article."
    assert "t" in by_id  # the readable lines of a truncated gzip are kept
    reasons = {Path(r.origin.split(":")[0]).name: r.reason for r in bad}
    assert reasons["empty.txt"] == "the file is empty"
    assert reasons["blank.txt"] == "the file is empty"
    assert "binary" in reasons["binary.txt"]
    assert reasons["empty.jsonl"] == "the file is empty"
    assert "cannot read the rest" in reasons["trunc.jsonl.gz"]
    assert reasons["missing.txt"] == "no such file or directory"
    assert "unknown file type" in reasons["ignored.pdf"]


def test_unreadable_file_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "secret.txt"
    p.write_text("text")
    p.chmod(0)
    try:
        items = list(read_inputs([p]))
    finally:
        p.chmod(0o644)
    import os

    if os.geteuid() == 0:  # root reads anything; the reader must still work
        assert isinstance(items[0], RawArticle)
    else:
        assert isinstance(items[0], Rejected) and "cannot read" in items[0].reason
