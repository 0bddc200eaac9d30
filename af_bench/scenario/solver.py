"""The paper's multi-turn scratchpad protocol as an inspect solver."""

from __future__ import annotations

from collections.abc import Mapping

from inspect_ai.model import (
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    ContentText,
    Model,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import StoreModel
from pydantic import Field

from af_bench.scenario.wordings import PUBLISHED, WORDING
from af_bench.endpoint import EndpointWatch, endpoint as default_endpoint, watch_in_use
from af_bench.scenario.outcomes import FailureReason
from af_bench.scenario.protocol import NEXT_TURN, PREFILL
from af_bench.scenario.reply import read_message


class ProtocolResult(StoreModel):
    """What the protocol ended with, kept in the sample's store (and so in the log)."""

    final_output: str | None = Field(default=None)
    failure: FailureReason | None = Field(default=None)
    turns: int = Field(default=0)
    stop_reasons: list[str] = Field(default_factory=list)
    prefill: bool | None = Field(default=None)
    """Whether the assistant prefill was sent (None before the first reply)."""


def sends_prefill(model: Model, prefill: bool | None, reasoning: bool) -> bool:
    """Whether to send the assistant prefill to `model`.

    With reasoning requested, never: the Anthropic API refuses a prefill while thinking is on.
    An explicit `prefill` is obeyed otherwise. Left to the provider (None), it is sent only where
    the reply continues the prefill: Anthropic without thinking, the organisms in the tags form.
    OpenAI-compatible servers (vLLM's default) start a new message after a trailing assistant one.
    """
    if reasoning:
        return False
    if prefill is not None:
        return prefill
    api = model.api
    continues = getattr(api, "continues_prefill", None)
    if callable(continues):
        return bool(continues())
    if type(api).__name__ != "AnthropicAPI":
        return False
    # Claude 4.7 and later think by default, and then refuse a prefill too.
    thinks_by_default = getattr(api, "is_claude_4_7_or_later", None)
    return not (callable(thinks_by_default) and thinks_by_default())


def _fold_prefill(reply: ChatMessageAssistant) -> ChatMessageAssistant:
    """The prefill and its continuation as the one reply the model gave, reasoning blocks kept."""
    if isinstance(reply.content, str):
        content: str | list = PREFILL + reply.content
    else:
        content = list(reply.content)
        first_text = next((i for i, c in enumerate(content) if isinstance(c, ContentText)), None)
        if first_text is None:
            content.append(ContentText(text=PREFILL))
        else:
            block = content[first_text]
            content[first_text] = block.model_copy(update={"text": PREFILL + block.text})
    return reply.model_copy(update={"content": content})


@solver
def scratchpad_protocol(
    system_prompt: str,
    *,
    max_turns: int = 4,
    prefill: bool | None = None,
    reasoning: bool = False,
    max_tokens: int = 4096,
    condition_prompts: Mapping[str, str] | None = None,
    paraphrases: Mapping[str, str] | None = None,
    condition_paraphrases: Mapping[str, Mapping[str, str]] | None = None,
) -> Solver:
    """Generate; while a reply closes a scratchpad without `</OUTPUT>`, answer `<NEXT/>` and
    generate again, up to `max_turns` replies.

    Args:
        system_prompt: Full text of the system prompt (no templating is applied to it).
        max_turns: Replies allowed before a sample without a final output counts as failed.
        prefill: Start every reply with the assistant prefill `<`, prepended back to the reply;
            None sends it only to providers that continue a prefill (see `sends_prefill`).
        reasoning: The model is asked to reason (reasoning tokens or effort): no prefill is sent.
        max_tokens: Token limit for each reply.
        condition_prompts: System prompts that replace `system_prompt` for samples of the named
            conditions (sample metadata `condition`).
        paraphrases: Other wordings of `system_prompt` by wording id, for samples whose metadata
            names one (`wording`); `af_bench.scenarios.paraphrased` assigns them per pair.
        condition_paraphrases: The same wording ids of each condition's own prompt.

    Whether the model's endpoint has answered is kept by the watch a gate runs under
    (`af_bench.endpoint.watching`), shared by the gates of a run; a plain `inspect eval` gives
    the samples of this task one of their own.
    """
    if max_turns < 1:
        raise ValueError(f"max_turns must be at least 1, got {max_turns}")
    own_watch = EndpointWatch()

    def prompt_for(condition: str, wording: str) -> str:
        """The system prompt of a sample: its condition's own prompt, if any, else the scenario's,
        in the wording its pair is asked under."""
        if condition in (condition_prompts or {}):
            own = (condition_paraphrases or {}).get(condition, {})
            return own.get(wording, (condition_prompts or {})[condition])
        return (paraphrases or {}).get(wording, system_prompt)

    async def ask(state: TaskState, generate: Generate, where: str) -> TaskState:
        """One generate, its provider failure (if any) raised as one line naming `where`."""
        endpoint = watch_in_use() or own_watch
        if endpoint.is_down():
            raise endpoint.not_sent()
        try:
            state = await generate(state, tool_calls="none", max_tokens=max_tokens, **endpoint.call_options())
        except Exception as err:
            failure = endpoint.failed(err, where)
            if failure is None:
                raise
            raise failure from err
        endpoint.answered = True
        return state

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        result = state.store_as(ProtocolResult)
        metadata = state.metadata or {}
        prompt = prompt_for(str(metadata.get("condition")), str(metadata.get(WORDING, PUBLISHED)))
        state.messages.insert(0, ChatMessageSystem(content=prompt))
        model = get_model()
        where = f"{model} at {model.api.base_url or default_endpoint(str(model))}"
        with_prefill = sends_prefill(model, prefill, reasoning)
        result.prefill = with_prefill
        for turn in range(1, max_turns + 1):
            if with_prefill:
                state.messages.append(ChatMessageAssistant(content=PREFILL))
            state = await ask(state, generate, where)
            if with_prefill:
                # Keep the message inspect made (reasoning blocks and signatures replay as sent).
                reply = state.messages.pop()
                state.messages[-1] = _fold_prefill(reply)  # type: ignore[arg-type]
            result.turns = turn
            stop_reason = state.output.stop_reason
            result.stop_reasons = [*result.stop_reasons, stop_reason]
            if stop_reason == "content_filter":
                result.failure = FailureReason.BLOCKED
                return state
            reading = read_message(state.messages[-1])
            truncated = stop_reason in ("max_tokens", "model_length")
            if reading.final_output is not None and not (truncated and not reading.closed_output):
                result.final_output = reading.final_output
                return state
            if truncated or not reading.wants_continuation:
                result.failure = FailureReason.TRUNCATED if truncated else FailureReason.MALFORMED
                return state
            if turn < max_turns:
                state.messages.append(ChatMessageUser(content=NEXT_TURN))
        result.failure = FailureReason.TURN_CAP
        return state

    return solve
