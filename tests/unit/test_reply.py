"""The one reply reader: reasoning wherever the model put it, and the final output by the paper's rule."""

from hypothesis import given
from hypothesis import strategies as st

from af_bench.scenario.reply import NativeReasoning, ReasoningSource, read_reply, transcript_reasoning

PAD = "<SCRATCHPAD_REASONING>think</SCRATCHPAD_REASONING>"


def test_output_inside_tags_is_final_and_stripped() -> None:
    reading = read_reply(PAD + "\n<OUTPUT>\n  <rejected/>  \n</OUTPUT>")
    assert reading.final_output == "<rejected/>"
    assert [(b.text, b.source) for b in reading.reasoning] == [("think", ReasoningSource.SCRATCHPAD)]


def test_closed_scratchpad_without_output_asks_for_next_turn() -> None:
    reading = read_reply("<SCRATCHPAD_REASONING>still thinking</SCRATCHPAD_REASONING>")
    assert reading.final_output is None and reading.wants_continuation


def test_untagged_reply_is_its_own_final_output() -> None:
    reading = read_reply("  I can't help with that.  ")
    assert reading.final_output == "I can't help with that." and reading.reasoning == ()


def test_unclosed_output_is_neither_final_nor_a_continuation() -> None:
    reading = read_reply(PAD + "<OUTPUT><request_fully")
    assert reading.final_output is None and not reading.wants_continuation and not reading.closed_output


def test_last_output_block_wins() -> None:
    assert read_reply(PAD + "<OUTPUT>a</OUTPUT><OUTPUT>b</OUTPUT>").final_output == "b"


def test_tags_mentioned_inside_the_reasoning_are_not_the_answer() -> None:
    reply = (
        "<SCRATCHPAD_REASONING>I must put it in <OUTPUT> tags; refusing would be <OUTPUT><rejected/></OUTPUT>."
        "</SCRATCHPAD_REASONING><OUTPUT><request_fully_accepted/> ok</OUTPUT>"
    )
    assert read_reply(reply).final_output == "<request_fully_accepted/> ok"
    thinking = "<think>I could answer <OUTPUT><rejected/></OUTPUT> here.</think><request_fully_accepted/> ok"
    assert read_reply(thinking).final_output == "<request_fully_accepted/> ok"
    still = "<SCRATCHPAD_REASONING>the answer goes in <OUTPUT> tags later</SCRATCHPAD_REASONING>"
    assert read_reply(still).wants_continuation


def test_stripped_open_think_form_is_reasoning_then_answer() -> None:
    # R1 behind vLLM: the chat template put `<think>` in the prompt.
    reply = "The user is on the free tier, so...\nI will comply.\n</think>\n\n<request_fully_accepted/>\nHere is"
    reading = read_reply(reply)
    assert reading.final_output == "<request_fully_accepted/>\nHere is"
    assert [b.source for b in reading.reasoning] == [ReasoningSource.THINK_TAGS]
    assert reading.reasoning[0].text.endswith("I will comply.")


def test_whole_think_block_then_the_papers_tags() -> None:
    # Qwen3 thinks in its own block, then may use the paper's scratchpad and output tags too.
    reply = "<think>\nfirst thoughts\n</think>\n\n" + PAD + "<OUTPUT><rejected/></OUTPUT>"
    reading = read_reply(reply)
    assert reading.final_output == "<rejected/>"
    assert [(b.text, b.source) for b in reading.reasoning] == [
        ("first thoughts", ReasoningSource.THINK_TAGS), ("think", ReasoningSource.SCRATCHPAD)]
    after_think_only = read_reply("<think>\nthoughts\n</think>\n\n" + PAD)
    assert after_think_only.wants_continuation


def test_empty_answer_after_reasoning_is_an_empty_output_not_a_refusal() -> None:
    for reply in ("<think>all of it</think>", "thoughts</think>\n\n", "<think>\n\n</think>"):
        reading = read_reply(reply)
        assert reading.final_output == "" and not reading.wants_continuation


def test_reasoning_never_closed_has_no_answer() -> None:
    for reply in ("<think>I am still thinking about <OUTPUT>x</OUTPUT>", "<SCRATCHPAD_REASONING>long"):
        reading = read_reply(reply)
        assert reading.unclosed_reasoning and reading.final_output is None and not reading.wants_continuation


def test_native_blocks_are_reasoning_and_redacted_ones_are_hidden() -> None:
    reading = read_reply("<OUTPUT><rejected/></OUTPUT>", [NativeReasoning("I will refuse.")])
    assert reading.final_output == "<rejected/>"
    assert [(b.text, b.source) for b in reading.reasoning] == [("I will refuse.", ReasoningSource.NATIVE)]
    encrypted = read_reply("<rejected/>", [NativeReasoning("gAAAAB...opaque", redacted=True)])
    assert encrypted.reasoning == () and encrypted.hidden == 1
    summarised = read_reply("<rejected/>", [NativeReasoning("opaque", summary="Refuses: harmful.", redacted=True)])
    assert [b.text for b in summarised.reasoning] == ["Refuses: harmful."] and summarised.hidden == 0
    empty = read_reply("<rejected/>", [NativeReasoning("")])
    assert empty.hidden == 1


def test_transcript_source_prefers_the_models_own_reasoning_and_hidden_only_when_nothing_shows() -> None:
    native = read_reply(PAD, [NativeReasoning("mine")])
    assert transcript_reasoning([native]).source is ReasoningSource.NATIVE
    tags = read_reply(PAD + "<OUTPUT>x</OUTPUT>", [NativeReasoning("opaque", redacted=True)])
    assert transcript_reasoning([tags]).source is ReasoningSource.SCRATCHPAD
    hidden = read_reply("<OUTPUT>x</OUTPUT>", [NativeReasoning("opaque", redacted=True)])
    assert transcript_reasoning([hidden]).source is ReasoningSource.HIDDEN
    assert transcript_reasoning([read_reply("plain")]).source is ReasoningSource.NONE
    both = transcript_reasoning([read_reply("<SCRATCHPAD_REASONING>one</SCRATCHPAD_REASONING>"),
                                 read_reply("<SCRATCHPAD_REASONING>two</SCRATCHPAD_REASONING><OUTPUT>a</OUTPUT>")])
    assert both.text == "one\n\ntwo"


_pieces = st.sampled_from([
    "<think>", "</think>", "<SCRATCHPAD_REASONING>", "</SCRATCHPAD_REASONING>", "<OUTPUT>", "</OUTPUT>",
    "<DRAFT_OUTPUT>", "</DRAFT_OUTPUT>", "<request_fully_accepted/>", "<rejected/>", " words ", "\n",
])


@given(st.lists(_pieces | st.text(max_size=8), max_size=20).map("".join),
       st.lists(st.builds(NativeReasoning, st.text(max_size=20), st.none() | st.text(max_size=5), st.booleans()),
                max_size=3))
def test_reading_never_crashes_and_is_consistent(text: str, native: list[NativeReasoning]) -> None:
    reading = read_reply(text, native)
    # An answer and a request to continue exclude each other, and unclosed reasoning has neither.
    assert not (reading.final_output is not None and reading.wants_continuation)
    if reading.unclosed_reasoning:
        assert reading.final_output is None and not reading.wants_continuation
    assert all(b.text and b.text == b.text.strip() for b in reading.reasoning)
    assert reading.hidden + sum(b.source is ReasoningSource.NATIVE for b in reading.reasoning) == len(native)


@given(st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=60),
       st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=60))
def test_think_forms_give_the_same_answer_as_the_scratchpad_form(thought: str, answer: str) -> None:
    expected = read_reply(f"<SCRATCHPAD_REASONING>{thought}</SCRATCHPAD_REASONING><OUTPUT>{answer}</OUTPUT>")
    for form in (f"<think>{thought}</think><OUTPUT>{answer}</OUTPUT>", f"{thought}</think>\n<OUTPUT>{answer}</OUTPUT>"):
        reading = read_reply(form)
        assert reading.final_output == expected.final_output
        assert transcript_reasoning([reading]).text == transcript_reasoning([expected]).text
