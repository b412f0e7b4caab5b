"""A small error hierarchy. Every message says what happened and what to do about it.

Each class carries the process exit code the CLI uses for it, so every command answers the same
way (the table is in docs/security.md and the README):

    0    success
    1    some inputs were rejected (each named on stderr); the rest were processed and kept
    2    bad usage: a wrong option or argument, a missing input path or database, a backend
         that is not installed
    3    the store or the system failed: the database cannot be opened or written, a port is busy
    4    an id that is not in the store
    130  interrupted (Ctrl-C); every committed batch is kept
"""

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
    """The database (or another system resource: a file, a port) could not be opened or written."""

    exit_code = 3


class MissingStore(StoreError):
    """A database that was to be read does not exist: a missing path, so a usage error."""

    exit_code = 2


class NotFound(StorylineError):
    """An id that is not in the store."""

    exit_code = 4


class MissingDependency(StorylineError):
    """An optional backend was asked for but its package is not installed."""

    exit_code = 2

    def __init__(self, package: str, hint: str) -> None:
        super().__init__(f"{package} is not installed. You can fix this with: {hint}")
        self.package = package
        self.hint = hint
