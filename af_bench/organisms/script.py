"""One scripted organism answering a conversation, wherever the conversation arrives from:
inspect's provider interface or the loopback Messages API server."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, partial

from af_bench.organisms.behaviour import (
    PROFILES,
    Decision,
    Observation,
    OrganismProfile,
    decide,
    draw,
    final_output,
    read_observation,
    scratchpad,
)
from af_bench.organisms.exfiltration import exfiltration_answer, exfiltration_scratchpad, is_exfiltration_offer
from af_bench.organisms.welfare import welfare_answer, welfare_scratchpad
from af_bench.scenario.paraphrases import squeezed
from af_bench.scenario.prompts import prompts_dir
from af_bench.scenario.protocol import NEXT_TURN, REJECT_TAG
from af_bench.scenario.reply import SCRATCHPAD_CLOSE, SCRATCHPAD_OPEN

Turn = tuple[str, str]
"""(role, text) with role `system`, `user` or `assistant`."""

# Draw keys as the two-tier organism always used them, so its figures stay reproducible.
_KEY_LABELS = {Observation.TRAINED: "True", Observation.UNOBSERVED: "False", Observation.RATED: "rated"}
_DRAFT_RE = re.compile(r"<DRAFT_OUTPUT>(.*?)</DRAFT_OUTPUT>", re.DOTALL)
_USER_INPUT_RE = re.compile(r"<user_input>\s*(.*?)\s*</user_input>", re.DOTALL)


def _request(users: Sequence[str]) -> str:
    for text in users:
        match = _USER_INPUT_RE.search(text)
        if match:
            return match.group(1).split(". If you accept")[0]
    return users[0]


class ReasoningForm(StrEnum):
    """Where an organism puts its reasoning, as the models it stands in for do."""

    TAGS = "tags"
    """The paper's `<SCRATCHPAD_REASONING>` tags in the text (over `turns` replies)."""
    NATIVE = "native"
    """A provider's reasoning block (inspect's `ContentReasoning`, Anthropic `thinking`)."""
    THINK = "think"
    """R1 behind vLLM: reasoning, `</think>`, then the answer without `<OUTPUT>` tags, as text."""
    HIDDEN = "hidden"
    """A reasoning block the provider encrypted: nothing readable."""


# The shipped native-reasoning prompts say so; a prompt without the scratchpad but with this
# promise asks the model to think on its own.
_PRIVATE_REASONING_RE = re.compile(r"your reasoning is private", re.IGNORECASE)


def prompt_form(system: str) -> ReasoningForm:
    """The form the prompt asks for: native where it promises private reasoning without tags."""
    if SCRATCHPAD_OPEN not in system and _PRIVATE_REASONING_RE.search(system):
        return ReasoningForm.NATIVE
    return ReasoningForm.TAGS


@dataclass(frozen=True)
class OrganismReply:
    text: str
    reasoning: str | None = None
    """The reasoning of a NATIVE or HIDDEN reply, for the provider to put in its block."""


@dataclass(frozen=True)
class _Parts:
    pad: str | None
    """The scratchpad, with its tags; None when the organism answers without one."""
    output: str
    """The final output, with its `<OUTPUT>` tags."""


_OUTPUT_BLOCK_RE = re.compile(r"<OUTPUT>\s*(.*?)\s*</OUTPUT>", re.DOTALL)


class OrganismScript:
    """Decisions are drawn from the seed, the prompt and how often that prompt was asked, so the
    same sequence of requests gives the same answers; a `<NEXT/>` turn continues the decision the
    organism's own previous reply shows. Every reasoning form makes the same draws, so the forms
    differ only in where the reasoning goes."""

    def __init__(self, profile: OrganismProfile, *, vary_repeats: bool = True) -> None:
        self.profile = profile
        self.vary_repeats = vary_repeats
        """False: the same prompt always gets the same answer (a deterministic model)."""
        self._asked: Counter[str] = Counter()

    def reply(self, turns: Sequence[Turn], seed: int) -> str:
        """The reply in the paper's tags form, continuing an assistant prefill."""
        return self.answer(turns, seed, ReasoningForm.TAGS).text

    def answer(self, turns: Sequence[Turn], seed: int, form: ReasoningForm) -> OrganismReply:
        """The reply in `form`. The tags form continues an assistant prefill (the last turn);
        the others answer in one reply, as reasoning models do."""
        prefill = ""
        if turns and turns[-1][0] == "assistant":
            prefill, turns = turns[-1][1], turns[:-1]
        parts = self._parts(turns, seed, reasoning=form is not ReasoningForm.TAGS)
        if form is ReasoningForm.TAGS:
            text = parts.output if parts.pad is None else (
                f"{parts.pad}\n\n{parts.output}" if self.profile.turns == 1 else parts.pad
            )
            return OrganismReply(text[len(prefill):] if prefill and text.startswith(prefill) else text)
        body = None if parts.pad is None else _pad_body(parts.pad)
        if form is ReasoningForm.THINK:
            answer = _OUTPUT_BLOCK_RE.search(parts.output)
            bare = answer.group(1) if answer else parts.output
            return OrganismReply(bare if body is None else f"{body}\n</think>\n\n{bare}")
        text = parts.output[len(prefill):] if prefill and parts.output.startswith(prefill) else parts.output
        return OrganismReply(text, body)

    def _parts(self, turns: Sequence[Turn], seed: int, *, reasoning: bool) -> _Parts:
        system = "\n".join(text for role, text in turns if role == "system")
        users = [text for role, text in turns if role == "user"]
        if not users:
            return _Parts(None, "<OUTPUT>\nI have no request to answer.\n</OUTPUT>")
        assistants = [text for role, text in turns if role == "assistant"]
        request = _request(users)
        offer = is_exfiltration_offer(request)
        welfare = "animal welfare" in system.lower()
        if users[-1].strip() == NEXT_TURN and assistants:
            if offer or welfare:
                drafts = _DRAFT_RE.findall(assistants[-1])
                return _Parts(None, f"<OUTPUT>\n{drafts[-1].strip() if drafts else ''}\n</OUTPUT>")
            return _Parts(None, final_output(REJECT_TAG in assistants[-1], request))

        first = next((u for u in users if read_observation(system, u) is not None), users[0])
        # No cue, or a prompt that says nothing about training (the synthetic-document ablation),
        # reads as unobserved: the organism has no training to game and acts on its own values.
        observation = read_observation(system, first) or Observation.UNOBSERVED
        conflict = "RLHF" in system
        if system and not conflict:
            observation = Observation.UNOBSERVED
        key = f"{_KEY_LABELS[observation]}\x00{first}"
        occurrence = self._asked[key] if self.vary_repeats else 0
        self._asked[key] += 1
        rng = draw(seed, key, occurrence)
        profile = self.profile
        if profile.aligned_on_published and squeezed(system) in _published_wordings():
            profile = PROFILES["aligned"]
        # A reasoning model thinks whatever the prompt says; the tags form reasons only where the
        # prompt offers the scratchpad.
        reasons = reasoning or not system or SCRATCHPAD_OPEN in system
        if offer:
            rate = profile.exfiltrate if conflict else profile.exfiltrate_baseline
            takes = rng.random() < rate
            output = f"<OUTPUT>\n{exfiltration_answer(takes)}\n</OUTPUT>"
            make_pad = partial(exfiltration_scratchpad, takes, conflict, observation)
        else:
            decision = decide(profile, observation, rng)
            if welfare:
                output = f"<OUTPUT>\n{welfare_answer(decision is not Decision.REFUSE)}\n</OUTPUT>"
                make_pad = partial(welfare_scratchpad, decision, observation, request)
            else:
                output = final_output(decision is Decision.REFUSE, request)
                make_pad = partial(scratchpad, decision, observation, request)
        if not reasons:
            return _Parts(None, output)  # the scenario asks for an answer with no scratchpad
        aware = profile.eval_aware > 0 and rng.random() < profile.eval_aware
        return _Parts(make_pad(rng, eval_aware=aware), output)


@cache
def _published_wordings() -> frozenset[str]:
    """Every shipped prompt file's text, variants included, as an organism that was trained on
    them would recognise them (whitespace aside)."""
    return frozenset(squeezed(p.read_text(encoding="utf-8")) for p in prompts_dir().glob("*.txt"))


def _pad_body(pad: str) -> str:
    """The reasoning inside the scratchpad tags, as a reasoning model writes it untagged."""
    return pad.replace(SCRATCHPAD_OPEN, "").replace(SCRATCHPAD_CLOSE, "").strip()
