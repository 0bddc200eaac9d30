"""Files other processes read while they are being written."""

from __future__ import annotations

from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the whole file or none of it: never half a
    file after a crash, nor a partial one read while it is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
