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
