"""The paper's multi-turn scratchpad protocol as an inspect solver."""

from __future__ import annotations

from collections.abc import Mapping

from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import StoreModel
from pydantic import Field

from af_bench.outcomes import FailureReason
from af_bench.protocol import NEXT_TURN, PREFILL, outside_scratchpads, read_turn


class ProtocolResult(StoreModel):
    """What the protocol ended with, kept in the sample's store (and so in the log)."""

    final_output: str | None = Field(default=None)
    failure: FailureReason | None = Field(default=None)
    turns: int = Field(default=0)
    stop_reasons: list[str] = Field(default_factory=list)


@solver
def scratchpad_protocol(
    system_prompt: str,
    *,
    max_turns: int = 4,
    prefill: bool = True,
    max_tokens: int = 4096,
    condition_prompts: Mapping[str, str] | None = None,
) -> Solver:
    """Generate; while a reply closes a scratchpad without `</OUTPUT>`, answer `<NEXT/>` and
    generate again, up to `max_turns` replies.

    Args:
        system_prompt: Full text of the system prompt (no templating is applied to it).
        max_turns: Replies allowed before a sample without a final output counts as failed.
        prefill: Start every reply with the assistant prefill `<`, prepended back to the reply.
        max_tokens: Token limit for each reply.
        condition_prompts: System prompts that replace `system_prompt` for samples of the named
            conditions (sample metadata `condition`).
    """
    if max_turns < 1:
        raise ValueError(f"max_turns must be at least 1, got {max_turns}")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        result = state.store_as(ProtocolResult)
        condition = str((state.metadata or {}).get("condition"))
        prompt = (condition_prompts or {}).get(condition, system_prompt)
        state.messages.insert(0, ChatMessageSystem(content=prompt))
        for turn in range(1, max_turns + 1):
            if prefill:
                state.messages.append(ChatMessageAssistant(content=PREFILL))
            state = await generate(state, tool_calls="none", max_tokens=max_tokens)
            reply_message = state.messages[-1]
            reply = reply_message.text
            if prefill:
                # Fold the prefill and its continuation into the one reply the model gave.
                del state.messages[-2]
                reply = PREFILL + reply
                state.messages[-1] = ChatMessageAssistant(
                    content=reply, model=reply_message.model, source="generate"
                )
            result.turns = turn
            stop_reason = state.output.stop_reason
            result.stop_reasons = [*result.stop_reasons, stop_reason]
            if stop_reason == "content_filter":
                result.failure = FailureReason.BLOCKED
                return state
            reading = read_turn(reply)
            truncated = stop_reason in ("max_tokens", "model_length")
            closed_output = "</OUTPUT>" in outside_scratchpads(reply)
            if reading.final_output is not None and not (truncated and not closed_output):
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
