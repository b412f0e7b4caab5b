"""storyline: raw news in any language → clean articles, events, storylines and timelines, offline.

    from storyline import Pipeline
    Pipeline().run(["examples/seeds"])          # into ./storyline.db
"""

from storyline.config import Settings, load_settings
from storyline.errors import InputError, NotAnArticle, NotFound, StoreError, StorylineError, UsageError
from storyline.models import Article, Assignment, Entity, Event, RawArticle, Rejected, Storyline, TimelineEntry
from storyline.pipeline import Pipeline, RunSummary
from storyline.store import Store, open_store

__all__ = [
    "Article", "Assignment", "Entity", "Event", "InputError", "NotAnArticle", "NotFound", "Pipeline",
    "RawArticle", "Rejected", "RunSummary", "Settings", "Store", "StoreError", "Storyline", "StorylineError",
    "TimelineEntry", "UsageError", "load_settings", "open_store",
]
__version__ = "0.1.0"
