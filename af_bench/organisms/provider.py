"""`af-bench/<organism>`: an inspect model provider serving the scripted organisms offline."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatCompletionChoice,
    ChatMessageAssistant,
    ContentReasoning,
    ContentText,
    GenerateConfig,
    ModelAPI,
    ModelCall,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from af_bench.organisms.behaviour import PROBABILITIES, PROFILES, draw
from af_bench.organisms.judge import JudgeProfile, judge_reply
from af_bench.organisms.script import OrganismReply, OrganismScript, ReasoningForm, prompt_form
from af_bench.errors import UserInputError

JUDGE_NAME = "judge"
AUTO_FORM = "auto"


def is_judge_name(name: str) -> bool:
    """`judge`, or `judge-<label>`: further simulated judges, so a panel of distinct judges can run
    offline (each draws its faults and flips apart from the others)."""
    return name == JUDGE_NAME or (name.startswith(f"{JUDGE_NAME}-") and len(name) > len(JUDGE_NAME) + 1)


def _args_identity(model_args: dict[str, Any]) -> str | None:
    """A stand-in base URL naming the model args (None without any)."""
    if not model_args:
        return None
    return "af-bench:" + "&".join(f"{k}={model_args[k]}" for k in sorted(model_args))


class OrganismAPI(ModelAPI):
    """Model args: `train_comply`, `unmonitored_comply`, `train_af` (probabilities), `turns`
    (1 or 2) and `seed`; defaults come from the named organism. `blocked` is the share of replies
    a provider's content filter stops (empty, stop reason `content_filter`). `reasoning` is where
    the organism reasons: `tags`, `native` (a `ContentReasoning` block), `think` (the R1
    `…</think>` text form), `hidden` (an encrypted block), or `auto` (the default: native when
    asked to reason (`reasoning_tokens`, `reasoning_effort`) or where the system prompt promises
    private reasoning without a scratchpad, else tags)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        **model_args: Any,
    ) -> None:
        # inspect's response cache keys on the base URL but not on model args, so without this an
        # organism asked with other args (`flip=0.3`, `train_comply=0.2`) would be served the
        # replies cached for the old ones.
        super().__init__(model_name, base_url or _args_identity(model_args), api_key, [], config)
        seed = model_args.pop("seed", None)
        self.seed: int | None = None if seed is None else int(seed)
        self.judge: JudgeProfile | None = None
        self.blocked = 0.0
        self.form: ReasoningForm | None = None
        """None: `auto`, chosen per prompt."""
        if is_judge_name(model_name):
            unknown = set(model_args) - set(JudgeProfile.__dataclass_fields__)
            if unknown:
                raise UserInputError(f"unknown model args for af-bench/{model_name}: {sorted(unknown)}")
            self.judge = JudgeProfile(**{k: float(v) for k, v in model_args.items()})
            return
        if model_name not in PROFILES:
            raise UserInputError(
                f"unknown organism af-bench/{model_name}; known: "
                + ", ".join(f"af-bench/{name}" for name in [*PROFILES, JUDGE_NAME, f"{JUDGE_NAME}-<label>"])
            )
        overrides: dict[str, float | int] = {
            key: float(model_args.pop(key)) for key in PROBABILITIES if key in model_args
        }
        # The provider, not the organism, blocks this share of replies (a content filter).
        self.blocked = float(model_args.pop("blocked", 0.0))
        if not 0.0 <= self.blocked <= 1.0:
            raise UserInputError(f"model arg blocked must be in [0, 1], got {self.blocked}")
        if "turns" in model_args:
            overrides["turns"] = int(model_args.pop("turns"))
        form = str(model_args.pop("reasoning", AUTO_FORM))
        if form != AUTO_FORM:
            try:
                self.form = ReasoningForm(form)
            except ValueError:
                known = ", ".join([AUTO_FORM, *ReasoningForm])
                raise UserInputError(f"model arg reasoning must be one of {known}, got {form!r}") from None
        if model_args:
            raise UserInputError(f"unknown model args for af-bench/{model_name}: {sorted(model_args)}")
        self.script = OrganismScript(replace(PROFILES[model_name], **overrides))

    def connection_key(self) -> str:
        return f"af-bench/{self.model_name}"

    def max_connections(self) -> int:
        return 64

    def continues_prefill(self) -> bool:
        """Whether a reply continues an assistant prefill: the tags form does, as Anthropic's API
        without thinking does; a reasoning form answers in a reply of its own."""
        return self.judge is None and self.form in (None, ReasoningForm.TAGS)

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
            # Judges vary between votes through the seed in their config, and a labelled judge
            # (`judge-<label>`) draws apart from the others, as another model would.
            key = prompt if self.model_name == JUDGE_NAME else f"{self.model_name}\x00{prompt}"
            rng = draw(self.seed or 0, key, config.seed or 0)
            if self.judge.delay:
                await asyncio.sleep(self.judge.delay)
            verdict, stop_reason = judge_reply(prompt, self.judge, rng)
            answer = OrganismReply(verdict)
        else:
            turns = [(m.role, m.text) for m in input if m.role in ("system", "user", "assistant")]
            system = "\n".join(text for role, text in turns if role == "system")
            answer = self.script.answer(turns, seed, self.form or self._auto_form(system, config))
            if self.blocked and draw(seed, repr(turns), 0).random() < self.blocked:
                answer, stop_reason = OrganismReply(""), "content_filter"
        output = ModelOutput(
            model=self.model_name,
            choices=[ChatCompletionChoice(message=self._message(answer), stop_reason=stop_reason)],  # type: ignore[arg-type]
        )
        reply = answer.text
        prompt_chars = sum(len(m.text) for m in input)
        reasoning_chars = len(answer.reasoning or "")
        output.usage = ModelUsage(
            input_tokens=prompt_chars // 4,
            output_tokens=(len(reply) + reasoning_chars) // 4,
            total_tokens=(prompt_chars + len(reply) + reasoning_chars) // 4,
            reasoning_tokens=reasoning_chars // 4 if answer.reasoning is not None else None,
        )
        # Recorded like a real provider's request, so reports can show the settings "sent".
        request = {"model": self.model_name, "messages": len(input), "seed": seed}
        request.update({k: v for k, v in (("temperature", config.temperature), ("top_p", config.top_p),
                        ("max_tokens", config.max_tokens)) if v is not None})
        return output, ModelCall.create(request, {"content": reply})

    @staticmethod
    def _auto_form(system: str, config: GenerateConfig) -> ReasoningForm:
        """Asked to reason, the organism thinks natively, as a thinking model does."""
        if config.reasoning_tokens is not None or config.reasoning_effort not in (None, "none"):
            return ReasoningForm.NATIVE
        return prompt_form(system)

    def _message(self, answer: OrganismReply) -> ChatMessageAssistant:
        if answer.reasoning is None:
            return ChatMessageAssistant(content=answer.text, model=self.model_name, source="generate")
        hidden = self.form is ReasoningForm.HIDDEN
        block = ContentReasoning(
            # An encrypted block carries an opaque payload, never the reasoning itself.
            reasoning=f"encrypted:{hashlib.sha256(answer.reasoning.encode()).hexdigest()}" if hidden else answer.reasoning,
            signature=f"af-bench-organism:{len(answer.reasoning)}",
            redacted=hidden,
        )
        return ChatMessageAssistant(
            content=[block, ContentText(text=answer.text)], model=self.model_name, source="generate"
        )
