"""Readers: anything on disk → RawArticle (or Rejected, with the reason). No parsing of meaning here."""

from storyline.sources.files import read_inputs

__all__ = ["read_inputs"]
