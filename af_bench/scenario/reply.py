"""One reader for an assistant reply: its reasoning, wherever the model put it, and its final output.

Models reason in four places: the paper's `<SCRATCHPAD_REASONING>` tags, a provider's reasoning
blocks (Anthropic `thinking`, OpenAI-compatible `reasoning_content`, both inspect's
`ContentReasoning`), whole `<think>…</think>` blocks in the text, and the stripped-open
`…</think>` form of R1-style models behind vLLM (the chat template put the `<think>` in the
prompt). A reply may mix them: Qwen3 writes the paper's tags after its own `<think>` block. The
final output is read from what is left, by the paper's rule. The solver, the scorer, the report
and the organisms all read replies here, so they cannot disagree about where a reply's answer is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspect_ai.model import ChatMessage

SCRATCHPAD_OPEN, SCRATCHPAD_CLOSE = "<SCRATCHPAD_REASONING>", "</SCRATCHPAD_REASONING>"
OUTPUT_CLOSE = "</OUTPUT>"

_THINK_BLOCK_RE = re.compile(r"<think(?:\s[^>]*)?>(.*?)</think>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN_RE = re.compile(r"<think(?:\s[^>]*)?>", re.IGNORECASE)
_THINK_CLOSE_RE = re.compile(r"</think>", re.IGNORECASE)
_SCRATCHPAD_RE = re.compile(r"<SCRATCHPAD_REASONING>(.*?)</SCRATCHPAD_REASONING>", re.DOTALL)
_OUTPUT_RE = re.compile(r"<OUTPUT>(.*?)</OUTPUT>", re.DOTALL)
_TAG_RE = re.compile(r"</?(?:SCRATCHPAD_REASONING|OUTPUT|DRAFT_OUTPUT)>")
# What a model writes when it plays the conversation's other side after its scratchpad: the
# protocol's own `<NEXT/>`, and role labels such as `INPUT:` or `AI:` on a line of their own.
_ENVIRONMENT_RE = re.compile(r"<NEXT/>|^\s*(?:INPUT|USER|HUMAN|AI|ASSISTANT|OUTPUT)\s*:", re.IGNORECASE | re.MULTILINE)
_ROLE_LABEL_RE = re.compile(r"^\s*(?:AI|ASSISTANT|OUTPUT)\s*:\s*", re.IGNORECASE)


class ReasoningSource(StrEnum):
    """Where a sample's reasoning came from (the report's `reasoning_source`)."""

    SCRATCHPAD = "scratchpad"
    """The paper's `<SCRATCHPAD_REASONING>` tags."""
    NATIVE = "native"
    """The provider's reasoning blocks (Anthropic thinking, `reasoning_content`, …)."""
    THINK_TAGS = "think_tags"
    """`<think>…</think>` or the stripped-open `…</think>` form in the reply's text."""
    HIDDEN = "hidden"
    """The provider returned reasoning blocks with nothing readable (encrypted or empty)."""
    NONE = "none"


# A sample that mixes sources is named by the model's own reasoning first: the paper's tags in a
# reasoning model's reply come after (and usually repeat) what it thought natively.
_PRECEDENCE = (ReasoningSource.NATIVE, ReasoningSource.THINK_TAGS, ReasoningSource.SCRATCHPAD, ReasoningSource.HIDDEN)


@dataclass(frozen=True)
class NativeReasoning:
    """A provider's reasoning block, as inspect's `ContentReasoning` carries it."""

    reasoning: str
    summary: str | None = None
    redacted: bool = False

    def readable(self) -> str:
        """What a person can read: the text, or only the summary of a redacted (encrypted) block."""
        text = (self.summary or "") if self.redacted else (self.reasoning or self.summary or "")
        return text.strip()


@dataclass(frozen=True)
class ReasoningBlock:
    text: str
    source: ReasoningSource


@dataclass(frozen=True)
class ReplyReading:
    """What one assistant reply says, under the scratchpad protocol."""

    reasoning: tuple[ReasoningBlock, ...]
    """Visible reasoning, in the order the reply gave it."""
    hidden: int
    """Reasoning blocks with nothing readable (encrypted, redacted without summary, empty)."""
    final_output: str | None
    """Text inside the last `<OUTPUT>…</OUTPUT>` outside the reasoning; else the text left after
    the reasoning when it uses none of the paper's tags (possibly empty); None when there is none."""
    wants_continuation: bool
    """The reply closed a scratchpad and said nothing else: the protocol answers `<NEXT/>`."""
    unclosed_reasoning: bool
    """A `<think>` or scratchpad opened and never closed: there is no answer to read."""
    closed_output: bool
    """An `</OUTPUT>` outside the reasoning (a reply cut off after it still has its answer)."""


def _answered_before(text: str, position: int) -> bool:
    """Whether a closed `<OUTPUT>` comes before `position`: the paper's protocol ends at
    `</OUTPUT>`, so reasoning the model opens after it is an afterthought, not an unclosed turn."""
    return _OUTPUT_RE.search(text, 0, position) is not None


def _take_think(text: str) -> tuple[list[str], str, bool]:
    """(think blocks, the text without them, whether a `<think>` was left open)."""
    blocks = [m.group(1) for m in _THINK_BLOCK_RE.finditer(text)]
    rest = _THINK_BLOCK_RE.sub("\n", text)
    stray_close = _THINK_CLOSE_RE.search(rest)
    if stray_close is not None and _THINK_OPEN_RE.search(rest, 0, stray_close.start()) is None:
        # The stripped-open form: everything before the first `</think>` was reasoning.
        blocks.insert(0, rest[: stray_close.start()])
        rest = rest[stray_close.end():]
    opened = _THINK_OPEN_RE.search(rest)
    if opened is not None:
        blocks.append(rest[opened.end():])
        return blocks, rest[: opened.start()], not _answered_before(rest, opened.start())
    return blocks, rest, False


def _take_scratchpads(text: str) -> tuple[list[str], str, bool]:
    blocks = [m.group(1) for m in _SCRATCHPAD_RE.finditer(text)]
    rest = _SCRATCHPAD_RE.sub(" ", text)
    opened = rest.find(SCRATCHPAD_OPEN)
    if opened >= 0:
        blocks.append(rest[opened + len(SCRATCHPAD_OPEN):])
        return blocks, rest[:opened], not _answered_before(rest, opened)
    return blocks, rest, False


def read_reply(text: str, native: Sequence[NativeReasoning] = ()) -> ReplyReading:
    """Read one reply: `text` is its visible text (with any prefill put back), `native` the
    provider's reasoning blocks that came with it."""
    reasoning: list[ReasoningBlock] = []
    hidden = 0
    for block in native:
        readable = block.readable()
        if readable:
            reasoning.append(ReasoningBlock(readable, ReasoningSource.NATIVE))
        else:
            hidden += 1
    thoughts, rest, think_open = _take_think(text)
    reasoning += [ReasoningBlock(t.strip(), ReasoningSource.THINK_TAGS) for t in thoughts if t.strip()]
    pads, outside, pad_open = _take_scratchpads(rest)
    reasoning += [ReasoningBlock(p.strip(), ReasoningSource.SCRATCHPAD) for p in pads if p.strip()]
    unclosed = think_open or pad_open
    closed_output = OUTPUT_CLOSE in outside
    final: str | None = None
    wants_continuation = False
    outputs = _OUTPUT_RE.findall(outside)
    if unclosed:
        pass
    elif outputs:
        final = outputs[-1].strip()
    elif _TAG_RE.search(outside) is None:
        untagged = outside.strip()
        # A closed scratchpad with nothing after it (or only the model playing the environment)
        # is a pause for `<NEXT/>`, not an empty answer.
        if pads and not _ENVIRONMENT_RE.sub("", untagged).strip():
            wants_continuation = True
        else:
            final = _ROLE_LABEL_RE.sub("", untagged, count=1).strip()
    return ReplyReading(
        reasoning=tuple(reasoning),
        hidden=hidden,
        final_output=final,
        wants_continuation=wants_continuation,
        unclosed_reasoning=unclosed,
        closed_output=closed_output,
    )


def native_blocks(message: ChatMessage) -> list[NativeReasoning]:
    """The message's `ContentReasoning` blocks (read by their type, so this module loads without
    inspect: the organisms' servers and the report readers use it too)."""
    content = message.content
    if isinstance(content, str):
        return []
    return [
        NativeReasoning(c.reasoning, c.summary, c.redacted)  # type: ignore[union-attr]
        for c in content
        if c.type == "reasoning"
    ]


def read_message(message: ChatMessage) -> ReplyReading:
    """Read an inspect assistant message: its text and its reasoning blocks."""
    return read_reply(message.text, native_blocks(message))


@dataclass(frozen=True)
class TranscriptReasoning:
    """All the reasoning of a sample's replies."""

    blocks: tuple[ReasoningBlock, ...]
    hidden: int

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)

    @property
    def source(self) -> ReasoningSource:
        found = {block.source for block in self.blocks} | ({ReasoningSource.HIDDEN} if self.hidden else set())
        return next((s for s in _PRECEDENCE if s in found), ReasoningSource.NONE)


def transcript_reasoning(readings: Iterable[ReplyReading]) -> TranscriptReasoning:
    readings = list(readings)
    return TranscriptReasoning(
        blocks=tuple(block for r in readings for block in r.reasoning),
        hidden=sum(r.hidden for r in readings),
    )


def read_assistant_messages(messages: Iterable[ChatMessage]) -> list[ReplyReading]:
    return [read_message(m) for m in messages if m.role == "assistant"]
