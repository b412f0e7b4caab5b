"""A fixture news site for the tests, started by the tests on 127.0.0.1 only.

Pages are built from the seeds and a small sample of the development data
(``tests/data/watch``); the site serves RSS, Atom and news sitemaps, a robots.txt that disallows a
section, and the hostile cases a real crawler meets (slow, 500, 429 with Retry-After, a redirect
loop, a huge page, broken XML, a wrong charset, a PDF). Every request is logged, so a test can check
what was fetched, when, and with which validators.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SAMPLE = Path(__file__).resolve().parent / "data" / "watch" / "articles.jsonl"


def page_html(
    title: str,
    text: str,
    *,
    published: str | None = None,
    canonical: str | None = None,
    lang: str = "en",
    charset: str = "utf-8",
) -> str:
    """An article page as a news site writes it: a header menu, the story in paragraphs, a footer."""
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    meta = f'<meta charset="{charset}">'
    if published:
        meta += f'<meta property="article:published_time" content="{published}">'
    if canonical:
        meta += f'<link rel="canonical" href="{html.escape(canonical)}">'
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{meta}<title>{html.escape(title)}</title></head><body>'
        '<nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/sport/">Sport</a></nav>'
        f"<article><h1>{html.escape(title)}</h1>{body}</article>"
        "<footer>© The Fixture Times. All rights reserved.</footer></body></html>"
    )


def sample_articles() -> list[dict[str, Any]]:
    return [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines() if x.strip()]


def seed_text(prefix: str) -> tuple[str, str]:
    """(title, text) of seed ``prefix`` ("000"…"004"): its first line is the headline."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    text = path.read_text(encoding="utf-8")
    return text.splitlines()[0].strip(), text


def seed_html(prefix: str) -> str:
    title, text = seed_text(prefix)
    return page_html(title, text)
