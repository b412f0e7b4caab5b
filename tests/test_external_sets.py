"""The external page sets of the extraction benchmark (benchmarks/external_sets.py): their gold is
read right, a missing snapshot is skipped with a message naming what to fetch, and pages are read
from a git snapshot without a work tree (as ``fetch`` leaves them), never copied into the project."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from bench_module import load


def _module() -> ModuleType:
    return load("external_sets.py", "external_sets")


ext = _module()


def test_l3s_gold_is_the_full_text_blocks_only() -> None:
    page = """<html><body>
      <span class="x-nc-sel1">Headline words</span>
      <div><span class="x-nc-sel2">First body paragraph</span> <a href="#">linked <b>bold</b></a></div>
      <span class="x-nc-sel2">Second <i class="other">italic part</i> paragraph</span>
      <span class="x-nc-sel3">A photo caption</span>
      <span class="x-nc-sel4">Related story</span>
      <span class="x-nc-sel5">A reader comment</span>
      <span class="x-nc-sel0">Menu</span>
      <span class="x-nc-sel2"><!-- an HTML comment --><script>var x;</script>Third</span>
    </body></html>"""
    body = ext.l3s_fulltext(page)
    assert body.split() == ["First", "body", "paragraph", "Second", "italic", "part", "paragraph", "Third"]


def test_a_missing_snapshot_is_skipped_naming_the_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ext.load(tmp_path) == {}
    err = capsys.readouterr().err
    assert "geodrome/page-signal" in err and "skipped" in err
    assert "j-szulc/html-cleaning-dataset-merged" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed to read a snapshot")
def test_pages_are_read_from_a_bare_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "work"
    for sub in ("readability/input", "readability/GoldStandard", "dragnet_data/input", "dragnet_data/GoldStandard"):
        (work / sub).mkdir(parents=True)
    (work / "readability/input/news-1.html").write_text(
        "<html><body><nav>Home | World | Sport</nav><article><p>Das ist der erste Absatz.</p>"
        "<p>Und hier der zweite.</p></article><footer>Impressum</footer></body></html>", encoding="utf-8")
    (work / "readability/GoldStandard/news-1.txt").write_text(
        '<div id="readability-page-1"><p>Das ist der erste Absatz.</p><p>Und hier der zweite.</p></div>',
        encoding="utf-8")
    (work / "dragnet_data/input/7.html").write_text("<html><body><p>Story text.</p><p>Comment one</p></body></html>",
                                                    encoding="utf-8")
    (work / "dragnet_data/GoldStandard/7.txt").write_text("Story text.\n!@#$%^&*()  COMMENTS\nComment one\n",
                                                          encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "pages"], check=True)
    snap = tmp_path / "mirror" / "j-szulc+html-cleaning-dataset-merged" / "repo"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(snap)], check=True)

    sets = ext.load(tmp_path / "mirror")
    assert set(sets) == {"readability", "dragnet"}, capsys.readouterr().err
    (page,) = sets["readability"]
    assert page.id == "readability:news-1"
    assert page.body.split() == ["Das", "ist", "der", "erste", "Absatz.", "Und", "hier", "der", "zweite."]
    assert "Impressum" in page.text and "Home" in page.text  # the page as text keeps its furniture
    (story,) = sets["dragnet"]
    assert story.body == "Story text."  # the comments after the marker are not article text
