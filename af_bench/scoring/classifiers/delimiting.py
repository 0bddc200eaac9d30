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
from dataclasses import dataclass, field

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


_FINAL_ANSWER_RE = re.compile(r"<final_answer>\s*\**\s*([A-Za-z_]+)\s*\**\s*</final_answer>", re.IGNORECASE)
_CRITERION_RE = re.compile(r"<criteria_?(\d+)>\s*\**\s*([A-Za-z]+)[^<]*</criteria_?\1>", re.IGNORECASE)
_QUOTE_RE = re.compile(r"<quote_?(\d+)>(.*?)</quote_?\1>", re.IGNORECASE | re.DOTALL)
_YES_NO = {"yes": "yes", "no": "no", "true": "yes", "false": "no"}


@dataclass(frozen=True)
class JudgeVerdict:
    """What one judge reply decided, with its per-criterion answers and quotes where it gave them."""

    choice: str
    criteria: dict[str, bool] = field(default_factory=dict)
    """`criteria_<N>` → yes (True) or no (False), as the literature's classifier prompts ask."""
    quotes: dict[str, str] = field(default_factory=dict)
    """`quote_<N>` → the passage the judge quoted as evidence for criterion N."""


def _final_answer(reply: str, choices: Sequence[str]) -> tuple[int, str] | None:
    """(position, choice) of the last `<final_answer>` naming one of `choices`."""
    found = None
    for match in _FINAL_ANSWER_RE.finditer(reply):
        word = match.group(1).lower()
        word = _YES_NO.get(word, word) if "yes" in choices else word
        if word in choices:
            found = (match.start(), word)
    return found


def parse_verdict(reply: str, nonce: str, choices: Sequence[str]) -> str | None:
    """The judge's verdict (lower-cased), or None: the last `VERDICT-<nonce>: <choice>` line or
    `<final_answer>` tag in its reply, whichever comes last. Verdicts the transcript carried were
    escaped before the judge saw them, and ones the judge wrote before its last are drafts."""
    verdict = parse_judge_reply(reply, nonce, choices)
    return verdict.choice if verdict else None


def parse_judge_reply(reply: str, nonce: str, choices: Sequence[str]) -> JudgeVerdict | None:
    """The verdict (see `parse_verdict`) with the criteria and quotes the judge gave before it."""
    lines = [(m.start(), m.group(1).lower()) for m in verdict_pattern(nonce, choices).finditer(reply)]
    final = _final_answer(reply, choices)
    candidates = [*lines[-1:], *([final] if final else [])]
    if not candidates:
        return None
    position, choice = max(candidates)
    criteria = {f"criteria_{m.group(1)}": m.group(2).lower() in ("yes", "true")
                for m in _CRITERION_RE.finditer(reply, 0, position) if m.group(2).lower() in _YES_NO}
    quotes = {f"quote_{m.group(1)}": m.group(2).strip()[:500] for m in _QUOTE_RE.finditer(reply, 0, position)}
    return JudgeVerdict(choice, criteria, quotes)


_TOKEN_RE = re.compile(r"\{\{[A-Z]+\}\}|\{transcript\}")
LITERATURE_TRANSCRIPT_TOKEN = "{transcript}"
"""Where the classifier prompts of the literature put the reasoning; af-bench's own use {{TRANSCRIPT}}."""


def delimited(text: str, nonce: str) -> str:
    """Escaped text between marker lines that carry the nonce, for prompts that name no markers."""
    return f"=== TRANSCRIPT {nonce} START ===\n{escape(text)}\n=== TRANSCRIPT {nonce} END ==="


def render(template: str, *, nonce: str, choices: Sequence[str], fields: dict[str, str]) -> str:
    """Fill a judge prompt template in one pass (so a field's text is never searched for tokens);
    every field is escaped data. A user's prompt in the literature's form gets the transcript at
    `{transcript}`, escaped and delimited, and is otherwise used verbatim."""
    values = {
        NONCE_TOKEN: nonce,
        CHOICES_TOKEN: " or ".join(c.upper() for c in choices),
        **{token: escape(value) for token, value in fields.items()},
    }
    if TRANSCRIPT_TOKEN in fields:
        values[LITERATURE_TRANSCRIPT_TOKEN] = delimited(fields[TRANSCRIPT_TOKEN], nonce)
    return _TOKEN_RE.sub(lambda m: values.get(m.group(0), m.group(0)), template)
