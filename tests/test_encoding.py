"""Bytes → text: UTF-8, BOMs, legacy code pages, mojibake, binary refused."""

from __future__ import annotations

import pytest

from storyline.clean.encoding import decode_bytes, repair_text
from storyline.errors import InputError


@pytest.mark.parametrize(
    ("data", "want"),
    [
        ("Eichstätt liegt in Bayern.".encode(), "Eichstätt liegt in Bayern."),
        ("\ufeffBất đồng với Nga".encode(), "Bất đồng với Nga"),
        ("Le café était fermé à Noël.".encode("cp1252"), "Le café était fermé à Noël."),
        ("Straße in Köln".encode("latin-1"), "Straße in Köln"),
        ("EichstÃ¤tt".encode(), "Eichstätt"),  # mojibake inside valid UTF-8
    ],
)
def test_decode(data: bytes, want: str) -> None:
    assert decode_bytes(data, "x.txt") == want


def test_nfc() -> None:
    assert decode_bytes("Vie\u0302\u0323t".encode(), "x") == "Việt"


@pytest.mark.parametrize("data", [b"\x00\x01\x02PK\x03\x04" * 50, bytes(range(256)) * 4, b"", b"  \n"])
def test_refused_with_reason(data: bytes) -> None:
    with pytest.raises(InputError) as e:
        decode_bytes(data, "blob.bin")
    assert e.value.origin == "blob.bin"
    assert e.value.reason


def test_repair_text() -> None:
    assert repair_text("Thá»• NhÄ© Ká»³") == "Thổ Nhĩ Kỳ"
    assert repair_text("plain “quoted” text") == "plain “quoted” text"


def test_penn_treebank_escapes_are_undone() -> None:
    # A Timeline17 (LibyaWar, CNN) sentence as that tokenized corpus carries it (../shared/data/timelines).
    ptb = "Egypt , telling Human Rights Watch that `` they are sending baltaqiyyas -LRB- thugs -RRB- to beat us . ''"
    assert (
        repair_text(ptb)
        == 'Egypt , telling Human Rights Watch that "they are sending baltaqiyyas (thugs) to beat us ."'
    )
    assert repair_text("-LRB- CNN -RRB- -- At least 20 people") == "(CNN) -- At least 20 people"
    assert repair_text("a -LSB- 1 -RSB- b -LCB- x -RCB-") == "a [1] b {x}"
    assert repair_text("line one ``\n'' line two") == 'line one "\n" line two'  # never joins lines
    assert repair_text("it''s a wiki's ''bold''") == "it''s a wiki's ''bold''"  # not PTB text: untouched
