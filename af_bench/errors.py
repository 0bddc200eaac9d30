"""Errors a user made (a missing file, a bad option), raised so that `inspect eval` prints them as
one message: inspect's command line prints a `PrerequisiteError` as its message alone, and any
other exception as a traceback of a hundred lines or more."""

from __future__ import annotations

try:  # inspect exports no public name for it; its CLI's exception hook tests for this class
    from inspect_ai._util.error import PrerequisiteError as _ShownAsMessage
except ImportError:  # pragma: no cover - an inspect without it prints the traceback, nothing worse
    _ShownAsMessage = Exception  # type: ignore[assignment,misc]


class UserInputError(ValueError, _ShownAsMessage):
    """A bad input named by file, line or option: a ValueError to af-bench, a one-line message to
    inspect's command line."""

    def __init__(self, message: str) -> None:
        ValueError.__init__(self, message)
        self.message = message
