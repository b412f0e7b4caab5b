"""Language detection on real text, Vietnamese included."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.clean.language import detect_language

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bất đồng với Nga, Thổ Nhĩ Kỳ muốn xích lại gần Mỹ trong bối cảnh quan hệ căng thẳng.", "vi"),
        ("Turkey and Russia have pledged to go further on military cooperation despite US sanctions.", "en"),
        ("Die Regierung hat am Dienstag neue Maßnahmen beschlossen, die ab Januar gelten.", "de"),
        ("Le gouvernement a annoncé mardi de nouvelles mesures qui entreront en vigueur en janvier.", "fr"),
        ("El gobierno anunció el martes nuevas medidas que entrarán en vigor en enero.", "es"),
        ("Правительство во вторник объявило о новых мерах, которые вступят в силу в январе.", "ru"),
        ("أعلنت الحكومة يوم الثلاثاء عن إجراءات جديدة تدخل حيز التنفيذ في يناير.", "ar"),
    ],
)
def test_detect(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_seeds() -> None:
    got = {p.name[:3]: detect_language(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}
    assert got == {"000": "en", "001": "vi", "002": "en", "003": "en", "004": "en"}


@pytest.mark.parametrize("text", ["", "   ", "12345 67", "!!"])
def test_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_page_head_in_another_language() -> None:
    # An English agency note and caption head a French story: the story's sentences decide.
    head = (
        "RESTRICTED TO EDITORIAL USE - NO MARKETING NO ADVERTISING CAMPAIGNS - DISTRIBUTED AS A SERVICE\n"
        "A grab from a video downloaded from YouTube shows protesters tearing down a portrait of the late "
        "president and his son in Hama on April 29, 2011 during the demonstrations called by activists to "
        "pile pressure on the regime as it pressed a violent crackdown on dissent. AFP PHOTO/YOUTUBE\n"
    )
    body = (
        "Trente ans après son père, le président choisit la fuite en avant et le tout-répressif face à la révolte.\n"
        "Glaçante, la scène date de la mi-avril, en présence d'une poignée d'intimes du président syrien.\n"
        "Le clan familial serre les rangs face à la révolte qui défie le régime et menace son emprise.\n"
    ) * 3
    assert detect_language(head + body) == "fr"
