"""A small error hierarchy. Every message says what happened and what to do about it."""

from __future__ import annotations


class StorylineError(Exception):
    """Base of every error storyline raises on purpose (a user's mistake, not a bug)."""

    exit_code = 1


class UsageError(StorylineError):
    """The command was called wrongly."""

    exit_code = 2


class InputError(StorylineError):
    """One input could not be read or used. The run goes on with the others."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class NotAnArticle(InputError):
    """The input is readable but is not an article (empty, an index page, an error page)."""


class FetchError(InputError):
    """A web address could not be fetched (robots.txt, HTTP status, timeout, size, type), with the
    reason; ``kind`` is a short word for counting reasons per source."""

    def __init__(self, origin: str, reason: str, kind: str = "error") -> None:
        super().__init__(origin, reason)
        self.kind = kind


class StoreError(StorylineError):
    """The database could not be opened or written."""


class NotFound(StorylineError):
    """An id that is not in the store."""


class MissingDependency(StorylineError):
    """An optional backend was asked for but its package is not installed."""

    def __init__(self, package: str, hint: str) -> None:
        super().__init__(f"{package} is not installed. You can fix this with: {hint}")
        self.package = package
        self.hint = hint
