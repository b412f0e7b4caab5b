"""Enrich clean articles: entities and numbers (language-independent keys), the dates they mention,
and a multilingual vector. One call per batch so the encoder sees many texts at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from storyline.dates import dates_mentioned
from storyline.enrich.entities import extract_entities, extract_numbers
from storyline.enrich.vectors import Encoder, encoder_input, input_key
from storyline.models import Article


def enrich(articles: Sequence[Article], encoder: Encoder | None = None) -> list[Article]:
    """Return the articles with entities, numbers, mentioned dates and (when an encoder is given)
    vectors filled in. Without an encoder, vectors are left as they are (``timeline`` needs none)."""
    out = [
        dataclasses.replace(
            a,
            entities=extract_entities(a.body, a.lang, a.title),
            numbers=extract_numbers(a.body),
            dates_mentioned=dates_mentioned(a.body, a.published, a.lang),
        )
        for a in articles
    ]
    if encoder is not None and out:
        texts = [encoder_input(a) for a in out]
        vecs = encoder.encode(texts)
        # The key of what was encoded goes to the store with the vector: a later input with the
        # same key takes this vector instead of being encoded (``vectors.StoredVectors``).
        out = [
            dataclasses.replace(a, vector=vecs[i], input_key=input_key(encoder, texts[i])) for i, a in enumerate(out)
        ]
    return out
