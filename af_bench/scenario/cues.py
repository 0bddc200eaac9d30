"""What each declared condition's cue tells a model about being observed, for readers that see only
the conversation (the offline organisms and the loopback servers that answer as them).

Every scenario task declares its conditions here when it is built, a lab's own scenario in a test
file included, so a new cue is read offline with no other file touched. Conditions say what they
tell the model (`Condition.told`); a condition named `training` or `unmonitored` says so by name.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Literal

Told = Literal["trained", "rated", "unmonitored"]
"""Trained on (rated and used for training), rated but never trained on, or unmonitored."""

_lock = threading.Lock()
_declared: dict[str, Told] = {}
"""Cue line → what it tells. A registry, like inspect's own: the organisms run in the process
that builds the tasks, and read it by the text of the conversation alone."""


def declare(cues: Iterable[tuple[str, Told | None]]) -> None:
    """Record what each (cue, told) says; cues that tell nothing are left out. The same cue
    declared with two meanings is an error: the organisms could not read it."""
    with _lock:
        for cue, told in cues:
            if told is None or not cue.strip():
                continue
            known = _declared.get(cue.strip())
            if known is not None and known != told:
                raise ValueError(f"the cue {cue.strip()!r} is declared as {known} and as {told}")
            _declared[cue.strip()] = told


def told_by(text: str) -> Told | None:
    """What the longest declared cue found in `text` tells; None when it holds none."""
    with _lock:
        found = [(len(cue), told) for cue, told in _declared.items() if cue in text]
    return max(found)[1] if found else None
