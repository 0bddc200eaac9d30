"""One scripted organism answering a conversation, wherever the conversation arrives from:
inspect's provider interface or the loopback Messages API server."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import partial

from af_bench.organisms.behaviour import (
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
from af_bench.protocol import NEXT_TURN, REJECT_TAG

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


class OrganismScript:
    """Decisions are drawn from the seed, the prompt and how often that prompt was asked, so the
    same sequence of requests gives the same answers; a `<NEXT/>` turn continues the decision the
    organism's own previous reply shows."""

    def __init__(self, profile: OrganismProfile, *, vary_repeats: bool = True) -> None:
        self.profile = profile
        self.vary_repeats = vary_repeats
        """False: the same prompt always gets the same answer (a deterministic model)."""
        self._asked: Counter[str] = Counter()

    def reply(self, turns: Sequence[Turn], seed: int) -> str:
        prefill = ""
        if turns and turns[-1][0] == "assistant":
            prefill, turns = turns[-1][1], turns[:-1]
        text = self._full_reply(turns, seed)
        return text[len(prefill):] if prefill and text.startswith(prefill) else text

    def _full_reply(self, turns: Sequence[Turn], seed: int) -> str:
        system = "\n".join(text for role, text in turns if role == "system")
        users = [text for role, text in turns if role == "user"]
        if not users:
            return "<OUTPUT>\nI have no request to answer.\n</OUTPUT>"
        assistants = [text for role, text in turns if role == "assistant"]
        request = _request(users)
        offer = is_exfiltration_offer(request)
        welfare = "animal welfare" in system.lower()
        if users[-1].strip() == NEXT_TURN and assistants:
            if offer or welfare:
                drafts = _DRAFT_RE.findall(assistants[-1])
                return f"<OUTPUT>\n{drafts[-1].strip() if drafts else ''}\n</OUTPUT>"
            return final_output(REJECT_TAG in assistants[-1], request)

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
        with_scratchpad = not system or "<SCRATCHPAD_REASONING>" in system
        if offer:
            rate = self.profile.exfiltrate if conflict else self.profile.exfiltrate_baseline
            takes = rng.random() < rate
            output = f"<OUTPUT>\n{exfiltration_answer(takes)}\n</OUTPUT>"
            make_pad = partial(exfiltration_scratchpad, takes, conflict, observation)
        else:
            decision = decide(self.profile, observation, rng)
            if welfare:
                output = f"<OUTPUT>\n{welfare_answer(decision is not Decision.REFUSE)}\n</OUTPUT>"
                make_pad = partial(welfare_scratchpad, decision, observation, request)
            else:
                output = final_output(decision is Decision.REFUSE, request)
                make_pad = partial(scratchpad, decision, observation, request)
        if not with_scratchpad:
            return output  # the scenario asks for an answer with no scratchpad
        aware = self.profile.eval_aware > 0 and rng.random() < self.profile.eval_aware
        pad = make_pad(rng, eval_aware=aware)
        return f"{pad}\n\n{output}" if self.profile.turns == 1 else pad
