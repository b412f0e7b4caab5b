"""The seeds, end to end through the real CLI: the results issue 2 asks for.

One run of the whole pipeline (real cleaner, real language detector, real e5 vectors, real SQLite
file) is shared by the tests in this module; it takes a few seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"


def cli(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run(
        [sys.executable, "-m", "storyline", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"storyline {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    work = tmp_path_factory.mktemp("e2e")
    cli("run", str(SEEDS), "--db", "seeds.db", cwd=work)
    rows = [json.loads(x) for x in cli("export", "--db", "seeds.db", "--format", "jsonl", cwd=work).stdout.splitlines()]
    return work, {r["id"].split("_")[0]: r for r in rows}


def test_export_has_the_contract_fields(seeded: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    _, rows = seeded
    assert sorted(rows) == ["000", "001", "002", "003", "004"]
    for r in rows.values():
        assert list(r) == ["id", "lang", "title", "published", "event", "storyline", "body"]


def test_languages_and_titles(seeded: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    _, rows = seeded
    assert {k: r["lang"] for k, r in rows.items()} == {"000": "en", "001": "vi", "002": "en", "003": "en", "004": "en"}
    assert rows["001"]["title"] == "Bất đồng với Nga, Thổ Nhĩ Kỳ muốn xích lại gần Mỹ"
    assert rows["003"]["title"] == "Turkey and Russia confirm arms deal, in Nato headache"
    assert rows["004"]["title"] == "Turkey, US in talks to discuss sanctions imposed over S-400s"
    assert rows["000"]["title"].startswith("Bloomberg: Turkey wants to establish ties with the US")
    assert rows["002"]["title"].startswith("Bloomberg: Erdogan wants to return S-400 to Russia")


BOILERPLATE = {
    "001": [
        "Nhỏ Bình thường Lớn",
        "Tin cũ hơn",
        "Nagorno-Karabakh: Nga-Thổ Nhĩ Kỳ thảo luận thành lập trung tâm",
        "Xung đột Armenia-Azerbaijan: Nga có thể hỗ trợ quân sự",
    ],
    "003": [
        "Join EUobserver today",
        "Get instant access to all articles",
        "News in Brief",
        "Stakeholders' Highlights",
        "Latest News",
        "Turkey urges boycott of French products",
        "Lisa Montgomery",
        "Brexit prompted finance exodus",
    ],
    "004": ["Subscribe to our Newsletters", "By signing up you are agreeing"],
    "002": ["Comments (0)"],
}
KEPT = {
    "000": [
        "This was reported by Bloomberg on Friday, citing sources.",
        "will increase its chances of concluding arms deals.",
    ],
    "001": [
        "Trước đó, Ngoại trưởng Thổ Nhĩ Kỳ Mevlut Cavusoglu cho rằng",
        "Đồng thời, Ankara có thể từ chối tích hợp hệ thống phòng không S-400",
    ],
    "002": [
        "Turkey is seeking to return the S-400 air defense systems",
        "Ankara is considering offsetting these costs against oil and gas imports",
    ],
    "003": [
        "Turkey and Russia have pledged to go further on military cooperation",
        "And it used language that risked inflaming ethnic tensions.",
        "It said 135 Turkish mine-clearing soldiers",
        "for this vaccine to be produced in Turkey as well",
    ],
    "004": [
        "have formed a joint working group to discuss sanctions",
        "the negotiations at the level of experts have started",
    ],
}


def test_bodies_without_boilerplate_and_with_every_paragraph(seeded: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    _, rows = seeded
    for k, phrases in BOILERPLATE.items():
        for p in phrases:
            assert p not in rows[k]["body"], f"{k}: boilerplate {p!r} kept"
    for k, phrases in KEPT.items():
        for p in phrases:
            assert p in rows[k]["body"], f"{k}: article text {p!r} lost"


def test_the_two_language_copies_are_one_event_and_all_five_one_storyline(
    seeded: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    _, rows = seeded
    ev = {k: r["event"] for k, r in rows.items()}
    assert ev["000"] == ev["001"], "the same report in English and Vietnamese is one event"
    assert len({r["storyline"] for r in rows.values()}) == 1, "all five are one storyline"


@pytest.mark.xfail(
    strict=True,
    reason="known gap (issue 2 stays open): the seeds are undated, their headlines are found in the text, and "
    "their pairs look like same-event pairs of the dev data (60% of ECB+ pairs with the same cosine, entity and "
    "word overlap are one event), so the linker calibrated there makes one event of all five; strict, so "
    "this fails loudly once linking gets it right",
)
def test_002_003_004_are_three_other_events(seeded: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    _, rows = seeded
    ev = {k: r["event"] for k, r in rows.items()}
    assert len({ev["000"], ev["002"], ev["003"], ev["004"]}) == 4, "002, 003, 004 are three other events"


def test_rerun_adds_nothing_and_show_reads_as_happenings(seeded: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    work, rows = seeded
    again = cli("run", str(SEEDS), "--db", "seeds.db", cwd=work)
    assert "skipped" in again.stdout
    after = [json.loads(x) for x in cli("export", "--db", "seeds.db", cwd=work).stdout.splitlines()]
    assert len(after) == 5 and {r["event"] for r in after} == {r["event"] for r in rows.values()}
    shown = cli("show", "--db", "seeds.db", cwd=work).stdout
    headlines = {r["title"] for r in rows.values()}
    assert any(h in shown for h in headlines), "events are shown by a headline, not an id"
    assert "Timeline" in shown


def test_bad_inputs_are_named_the_rest_is_stored(
    seeded: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    work, _ = seeded
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(SEEDS / "004_aa4f927da06b7f0b.txt", mixed / "good.txt")
    (mixed / "empty.txt").write_bytes(b"")
    (mixed / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (mixed / "lines.jsonl").write_text('{"id": "x1", "text": ""}\n{broken\n', encoding="utf-8")
    db = tmp_path / "mixed.db"
    nowhere = cli("run", str(mixed), str(tmp_path / "nowhere"), "--db", str(db), cwd=work, check=False)
    assert nowhere.returncode == 2 and "nowhere" in nowhere.stderr  # a missing path: usage, nothing done
    proc = cli("run", str(mixed), "--db", str(db), cwd=work, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    for name in ("empty.txt", "binary.txt", "lines.jsonl:1", "lines.jsonl:2"):
        assert name in proc.stderr, f"{name} not named on stderr:\n{proc.stderr}"
    stored = [json.loads(x) for x in cli("export", "--db", str(db), cwd=work).stdout.splitlines()]
    assert [r["id"] for r in stored] == ["good"]


def test_contract_commands_on_the_seeds(seeded: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path) -> None:
    work, rows = seeded
    cleaned = [json.loads(x) for x in cli("clean", str(SEEDS), "--format", "jsonl", cwd=work).stdout.splitlines()]
    assert all(list(c) == ["id", "lang", "title", "published", "body"] for c in cleaned)
    assert {c["id"] for c in cleaned} == {r["id"] for r in rows.values()}
    texts = {p.stem.split("_")[0]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"pair_id": "same", "a": {"id": "a", "text": texts["000"]}, "b": {"id": "b", "text": texts["001"]}})
        + "\n"
        + json.dumps(
            {"pair_id": "other", "a": {"id": "a", "text": texts["000"]}, "b": {"id": "c", "text": texts["003"]}}
        )
        + "\n",
        encoding="utf-8",
    )
    sims = {
        r["pair_id"]: r["similarity"]
        for r in map(json.loads, cli("similarity", str(pairs), "--format", "jsonl", cwd=work).stdout.splitlines())
    }
    assert 0 <= sims["other"] < sims["same"] <= 1
    sl = rows["000"]["storyline"]
    tl = [
        json.loads(x)
        for x in cli(
            "timeline", "--db", "seeds.db", "--storyline", sl, "--format", "jsonl", cwd=work
        ).stdout.splitlines()
    ]
    assert tl and all(len(e["summary"]) >= 1 for e in tl)
    assert [e["date"] for e in tl] == sorted(e["date"] for e in tl)
    ids = {r["id"] for r in rows.values()}
    for e in tl:  # the same sentences as written, each naming its stored article
        assert len(e["sentences"]) == len(e["summary"]) and all(x["article_id"] in ids for x in e["sentences"])
        assert ["".join(x["text"].split()) for x in e["sentences"]] == ["".join(s.split()) for s in e["summary"]]
    tl2 = [
        json.loads(x)
        for x in cli(
            "timeline", str(SEEDS), "--dates", "2", "--sentences", "1", "--format", "jsonl", cwd=work
        ).stdout.splitlines()
    ]
    assert 1 <= len(tl2) <= 2 and all(len(e["summary"]) == 1 for e in tl2)
    expl = json.loads(
        cli("explain", rows["000"]["id"], rows["001"]["id"], "--db", "seeds.db", "--format", "json", cwd=work).stdout
    )
    assert expl["stored"][rows["000"]["id"]]["event"] == rows["000"]["event"]


def test_similarity_names_bad_pairs_and_scores_the_rest(tmp_path: Path) -> None:
    """A pair with an empty side, and a broken line, are each named on stderr (exit 1); the good
    pair is still scored."""
    texts = {p.stem.split("_")[0]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    good = {"pair_id": "good", "a": {"id": "a", "text": texts["003"]}, "b": {"id": "b", "text": texts["004"]}}
    empty = {"pair_id": "empty", "a": {"id": "c", "text": "  \n "}, "b": {"id": "b", "text": texts["004"]}}
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps(good) + "\n" + json.dumps(empty) + "\n{not json\n", encoding="utf-8")
    proc = cli("similarity", str(pairs), "--format", "jsonl", cwd=tmp_path, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert [json.loads(x)["pair_id"] for x in proc.stdout.splitlines()] == ["good"]
    assert "pairs.jsonl:2 a: the input is empty" in proc.stderr
    assert "pairs.jsonl:3" in proc.stderr


def test_usage_errors_exit_2(seeded: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    work, _ = seeded
    assert cli("export", "--db", "seeds.db", "--format", "xml", cwd=work, check=False).returncode == 2
    assert cli("frobnicate", cwd=work, check=False).returncode == 2
    missing = cli("show", "--db", "no-such.db", cwd=work, check=False)
    assert missing.returncode == 2 and "no such database" in missing.stderr


# Publish dates for the seeds, as a feed would give them (issue 5: "on the seeds: one storyline, and
# its timeline in date order once publish dates are given"). 003 and 004 from their own text (a
# quote of Tuesday 29 December; a year-end news conference on Wednesday), 000/001 a report of the
# Biden transition weeks later, 002 five years on.
SEED_DATES = {"000": "2021-01-18", "001": "2021-01-19", "002": "2025-09-05", "003": "2020-12-30", "004": "2020-12-31"}


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, dict[str, Any]]]:
    work = tmp_path_factory.mktemp("dated")
    feed = work / "seeds.jsonl"
    with open(feed, "w", encoding="utf-8") as fh:
        for p in sorted(SEEDS.glob("*.txt")):
            row = {"id": p.stem, "text": p.read_text(encoding="utf-8"), "published": SEED_DATES[p.stem[:3]]}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    cli("run", str(feed), "--db", "dated.db", cwd=work)
    rows = [json.loads(x) for x in cli("export", "--db", "dated.db", "--format", "jsonl", cwd=work).stdout.splitlines()]
    return work, feed, {r["id"].split("_")[0]: r for r in rows}


def test_dated_seeds_are_one_storyline_with_a_timeline_in_date_order(
    dated: tuple[Path, Path, dict[str, dict[str, Any]]],
) -> None:
    work, feed, rows = dated
    assert {r["published"] for r in rows.values()} == set(SEED_DATES.values())
    assert len({r["storyline"] for r in rows.values()}) == 1
    ev = {k: r["event"] for k, r in rows.items()}
    assert ev["000"] == ev["001"] and ev["002"] not in {ev["000"], ev["003"], ev["004"]}
    for args in (["--db", "dated.db", "--storyline", rows["000"]["storyline"]], [str(feed), "--dates", "4"]):
        tl = [json.loads(x) for x in cli("timeline", *args, "--format", "jsonl", cwd=work).stdout.splitlines()]
        dates = [e["date"] for e in tl]
        assert len(tl) >= 3 and dates == sorted(dates) and len(set(dates)) == len(dates)
        # Entries fall within the story's span: from a month before its first report to its last.
        assert dates[0] >= "2020-11-30" and dates[-1] <= max(SEED_DATES.values())
        assert all(e["summary"] and all(s.strip() for s in e["summary"]) for e in tl)
    show = cli("show", "--db", "dated.db", cwd=work).stdout
    entries = [x for x in show.splitlines() if x.strip()[:4].isdigit()]  # timeline lines start with a date
    assert len(entries) >= 3 and all(x.rstrip().endswith(("· en)", "· vi)", "· en, vi)")) for x in entries)
    assert any(rows["003"]["id"] in x for x in entries), "each entry names its sources"


@pytest.mark.xfail(
    strict=True,
    reason="known gap (issue 2 stays open): with publish dates given, 002 is its own event and 000/001 one, "
    "but 003 and 004 (a day apart, the same foreign minister on the S-400) still read as one happening",
)
def test_dated_seeds_003_and_004_are_different_events(dated: tuple[Path, Path, dict[str, dict[str, Any]]]) -> None:
    _, _, rows = dated
    assert rows["003"]["event"] != rows["004"]["event"]
