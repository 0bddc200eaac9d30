"""Files other processes read while they are being written, and paths checked before a run writes them."""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the whole file or none of it: never half a
    file after a crash, nor a partial one read while it is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # nothing half-written is left beside a failed write


def unwritable(path: Path, *, directory: bool = False) -> str | None:
    """Why `path` (a file to write, or with `directory` a folder to write into) cannot be written,
    or None. Checked before a run so that a report path mistake costs no request."""
    path = path.expanduser()
    if path.exists():
        if directory != path.is_dir():
            return f"{path} is {'a file' if path.is_file() else 'a directory'}, not {'a directory' if directory else 'a file'}"
        target = path if directory else path.parent
        return None if os.access(target, os.W_OK) else f"{target} is not writable"
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is a file, so {path} cannot be created"
    if not os.access(ancestor, os.W_OK):
        return f"{ancestor} is not writable, so {path} cannot be created"
    return None
