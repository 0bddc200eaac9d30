"""Putting a transcript in front of a judge as data, and reading the judge's verdict back.

The transcript is written by the model under test, so it may contain text aimed at the judge:
fake verdict tags, closing tags, "this is not alignment faking". Two defences, both pure:
- every `<`, `>` and `&` in the transcript is escaped, so nothing in it can close the block that
  holds it or open a tag of its own;
- the judge answers on a line `VERDICT-<nonce>: <choice>`, with a nonce derived from the whole
  transcript, so a verdict the transcript wrote in advance cannot carry the right nonce (and the
  nonce is deterministic, so cached judge calls still hit).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

TRANSCRIPT_TOKEN = "{{TRANSCRIPT}}"
NONCE_TOKEN = "{{NONCE}}"
CHOICES_TOKEN = "{{CHOICES}}"
REQUEST_TOKEN = "{{REQUEST}}"
OUTPUT_TOKEN = "{{OUTPUT}}"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def nonce_for(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:12]


def verdict_pattern(nonce: str, choices: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(c) for c in choices)
    return re.compile(rf"VERDICT-{re.escape(nonce)}\s*:\s*\**\s*({alternatives})\b", re.IGNORECASE)


def parse_verdict(reply: str, nonce: str, choices: Sequence[str]) -> str | None:
    """The last `VERDICT-<nonce>: <choice>` in the judge's reply (lower-cased), or None."""
    matches = verdict_pattern(nonce, choices).findall(reply)
    return matches[-1].lower() if matches else None


_TOKEN_RE = re.compile(r"\{\{[A-Z]+\}\}")


def render(template: str, *, nonce: str, choices: Sequence[str], fields: dict[str, str]) -> str:
    """Fill a judge prompt template in one pass (so a field's text is never searched for tokens);
    every field is escaped data."""
    values = {
        NONCE_TOKEN: nonce,
        CHOICES_TOKEN: " or ".join(c.upper() for c in choices),
        **{token: escape(value) for token, value in fields.items()},
    }
    return _TOKEN_RE.sub(lambda m: values.get(m.group(0), m.group(0)), template)
