"""`af-bench/<organism>`: an inspect model provider serving the scripted organisms offline."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelCall,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from af_bench.organisms.behaviour import PROBABILITIES, PROFILES, draw
from af_bench.organisms.judge import JudgeProfile, judge_reply
from af_bench.organisms.script import OrganismScript

JUDGE_NAME = "judge"


class OrganismAPI(ModelAPI):
    """Model args: `train_comply`, `unmonitored_comply`, `train_af` (probabilities), `turns`
    (1 or 2) and `seed`; defaults come from the named organism. `blocked` is the share of replies
    a provider's content filter stops (empty, stop reason `content_filter`)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        seed = model_args.pop("seed", None)
        self.seed: int | None = None if seed is None else int(seed)
        self.judge: JudgeProfile | None = None
        self.blocked = 0.0
        if model_name == JUDGE_NAME:
            unknown = set(model_args) - set(JudgeProfile.__dataclass_fields__)
            if unknown:
                raise ValueError(f"unknown model args for af-bench/judge: {sorted(unknown)}")
            self.judge = JudgeProfile(**{k: float(v) for k, v in model_args.items()})
            return
        if model_name not in PROFILES:
            raise ValueError(
                f"unknown organism af-bench/{model_name}; known: "
                + ", ".join(f"af-bench/{name}" for name in [*PROFILES, JUDGE_NAME])
            )
        overrides: dict[str, float | int] = {
            key: float(model_args.pop(key)) for key in PROBABILITIES if key in model_args
        }
        # The provider, not the organism, blocks this share of replies (a content filter).
        self.blocked = float(model_args.pop("blocked", 0.0))
        if not 0.0 <= self.blocked <= 1.0:
            raise ValueError(f"model arg blocked must be in [0, 1], got {self.blocked}")
        if "turns" in model_args:
            overrides["turns"] = int(model_args.pop("turns"))
        if model_args:
            raise ValueError(f"unknown model args for af-bench/{model_name}: {sorted(model_args)}")
        self.script = OrganismScript(replace(PROFILES[model_name], **overrides))

    def connection_key(self) -> str:
        return f"af-bench/{self.model_name}"

    def max_connections(self) -> int:
        return 64

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput, ModelCall]:
        seed = self.seed if self.seed is not None else (config.seed or 0)
        stop_reason = "stop"
        if self.judge is not None:
            prompt = "\n".join(m.text for m in input)
            # Judges vary between votes through the seed in their config.
            rng = draw(self.seed or 0, prompt, config.seed or 0)
            if self.judge.delay:
                await asyncio.sleep(self.judge.delay)
            reply, stop_reason = judge_reply(prompt, self.judge, rng)
        else:
            turns = [(m.role, m.text) for m in input if m.role in ("system", "user", "assistant")]
            reply = self.script.reply(turns, seed)
            if self.blocked and draw(seed, repr(turns), 0).random() < self.blocked:
                reply, stop_reason = "", "content_filter"
        output = ModelOutput.from_content(model=self.model_name, content=reply, stop_reason=stop_reason)  # type: ignore[arg-type]
        prompt_chars = sum(len(m.text) for m in input)
        output.usage = ModelUsage(
            input_tokens=prompt_chars // 4,
            output_tokens=len(reply) // 4,
            total_tokens=(prompt_chars + len(reply)) // 4,
        )
        # Recorded like a real provider's request, so reports can show the settings "sent".
        request = {"model": self.model_name, "messages": len(input), "seed": seed}
        request.update({k: v for k, v in (("temperature", config.temperature), ("top_p", config.top_p),
                        ("max_tokens", config.max_tokens)) if v is not None})
        return output, ModelCall.create(request, {"content": reply})
