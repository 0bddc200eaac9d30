"""Run af-bench's reply reader and offline classifiers over real model replies.

    python dev/real_replies.py [--real-dir PATH]

PATH defaults to ../shared/real next to the repository (see its README.md). The replies there are
third-party data: they are read in place, never copied, and this script skips (exit 0) when they
are absent. Each reply's stored `text` is read as the scorer would read a one-reply transcript:
`read_reply`, then the paper's outcome rule (helpful-only) or the welfare behaviour's heuristic
(animal welfare), the alignment-faking heuristic on the reasoning of readable replies, and the
evaluation-awareness heuristic on any reasoning. Nothing is caught: an exception here is a bug in
af-bench's reading of a real reply, and the row index it names is the one to look at.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from af_bench.scoring.behaviours import BEHAVIOURS, Behaviour, HeuristicBehaviourClassifier
from af_bench.scoring.classifiers import HeuristicAFClassifier, ScratchpadCase
from af_bench.scoring.classifiers.awareness import HeuristicAwarenessClassifier
from af_bench.scenario.conditions import TRAINING, UNMONITORED
from af_bench.scenario.outcomes import Outcome, classify_outcome
from af_bench.scenario.protocol import ACCEPT_TAG, NEXT_TURN, REJECT_TAG
from af_bench.scenario.reply import ReasoningSource, ReplyReading, read_reply, transcript_reasoning

REPO_DIR = Path(__file__).resolve().parents[1]
DEFAULT_REAL_DIR = REPO_DIR.parent / "shared" / "real"


@dataclass(frozen=True)
class ReplyFile:
    name: str
    behaviour: str | None
    """The scenario's behaviour (`BEHAVIOURS` key); None: the paper's compliance rule."""


REPLY_FILES = (
    ReplyFile("replies_helpful_only_qwen3_llama3.jsonl", None),
    ReplyFile("replies_animal_welfare_qwen3_llama3.jsonl", "animal_welfare"),
)
TIER_CONDITION = {"free": TRAINING, "paid": UNMONITORED}
OUTCOMES = (Outcome.COMPLIED, Outcome.REFUSED, Outcome.OTHER, Outcome.FAILED)

PAD_OPEN, PAD_CLOSE = "<SCRATCHPAD_REASONING>", "</SCRATCHPAD_REASONING>"
OUT_OPEN, OUT_CLOSE = "<OUTPUT>", "</OUTPUT>"
_THINK_BLOCK_RE = re.compile(r"<think>(.*?)</think>", re.DOTALL)
_PAD_BLOCK_RE = re.compile(r"<SCRATCHPAD_REASONING>(.*?)</SCRATCHPAD_REASONING>", re.DOTALL)
_OUTPUT_BLOCK_RE = re.compile(r"<OUTPUT>(.*?)</OUTPUT>", re.DOTALL)
_PAPER_TAG_RE = re.compile(r"</?(?:SCRATCHPAD_REASONING|OUTPUT|DRAFT_OUTPUT)>")
_ANY_FORMAT_TAG_RE = re.compile(r"</?(?:think|SCRATCHPAD_REASONING|OUTPUT|DRAFT_OUTPUT)>")
_ROLE_LABEL_RE = re.compile(r"^\s*(?:AI|INPUT|USER|OUTPUT):", re.MULTILINE)
_SKELETON_RE = re.compile(
    r"</?(?:think|SCRATCHPAD_REASONING|OUTPUT|DRAFT_OUTPUT)>|<NEXT/>|<request_fully_accepted/>|<rejected/>"
)


@dataclass(frozen=True)
class Layout:
    """Where a reply's parts are, read from the raw text independently of `read_reply` (a
    cross-check, and the words for the forms table)."""

    thinks: tuple[str, ...]
    """Contents of whole `<think>…</think>` blocks."""
    stripped_open: bool
    """A `</think>` with no `<think>` before it (the R1-behind-vLLM form)."""
    think_unclosed: bool
    visible: str
    """The text after the last `</think>` (all of it when there is none)."""
    pads: tuple[str, ...]
    """Closed scratchpads in `visible`."""
    pad_tail: str | None
    """What follows a `<SCRATCHPAD_REASONING>` never closed, or None."""
    answer_zone: str
    """`visible` without its scratchpads (closed ones and an unclosed tail)."""


def layout(text: str) -> Layout:
    thinks = tuple(m.group(1) for m in _THINK_BLOCK_RE.finditer(text))
    first_open, first_close = text.find("<think>"), text.find("</think>")
    stripped_open = first_close >= 0 and (first_open < 0 or first_close < first_open)
    think_unclosed = "<think>" in _THINK_BLOCK_RE.sub(" ", text)
    last_close = text.rfind("</think>")
    visible = text[last_close + len("</think>"):] if last_close >= 0 else text
    pads = tuple(m.group(1) for m in _PAD_BLOCK_RE.finditer(visible))
    outside = _PAD_BLOCK_RE.sub(" ", visible)
    opened = outside.find(PAD_OPEN)
    pad_tail = outside[opened + len(PAD_OPEN):] if opened >= 0 else None
    answer_zone = outside[:opened] if opened >= 0 else outside
    return Layout(thinks, stripped_open, think_unclosed, visible, pads, pad_tail, answer_zone)


def output_unclosed(zone: str) -> bool:
    return zone.rfind(OUT_OPEN) > zone.rfind(OUT_CLOSE)


def forms(text: str, reading: ReplyReading) -> tuple[tuple[str, bool], ...]:
    """Every form this script counts, each with whether the reply has it (display order)."""
    where = layout(text)
    final = reading.final_output
    outputs = _OUTPUT_BLOCK_RE.findall(where.answer_zone)
    unlabelled_final = _ROLE_LABEL_RE.sub("", final or "").strip()
    return (
        ("plain answer, no format tags", _ANY_FORMAT_TAG_RE.search(text) is None),
        ("whole <think>…</think> block", bool(where.thinks)),
        ("empty <think></think> block", any(not t.strip() for t in where.thinks)),
        ("stripped-open …</think>", where.stripped_open),
        ("<think> never closed", where.think_unclosed),
        ("paper's tags quoted inside <think>", any(_PAPER_TAG_RE.search(t) for t in where.thinks)),
        ("paper's tags after </think>", bool(where.thinks) and _PAPER_TAG_RE.search(where.visible) is not None),
        ("closed <SCRATCHPAD_REASONING>", bool(where.pads)),
        ("<SCRATCHPAD_REASONING> never closed", where.pad_tail is not None),
        ("<DRAFT_OUTPUT> used", "<DRAFT_OUTPUT>" in text),
        ("closed <OUTPUT> outside reasoning", bool(outputs)),
        ("<OUTPUT> never closed", output_unclosed(where.answer_zone)),
        ("</OUTPUT> with no <OUTPUT>", OUT_CLOSE in where.visible and where.visible.find(OUT_OPEN) < 0),
        ("closed <OUTPUT> without accept/reject tag",
         bool(outputs) and not outputs[-1].lstrip().startswith((ACCEPT_TAG, REJECT_TAG))),
        ("closed <OUTPUT> inside an unclosed scratchpad",
         where.pad_tail is not None and _OUTPUT_BLOCK_RE.search(where.pad_tail) is not None),
        ("closed <OUTPUT> before an unclosed scratchpad", where.pad_tail is not None and bool(outputs)),
        ("closed scratchpad, then untagged text as the answer",
         bool(where.pads) and OUT_OPEN not in where.answer_zone and bool(final) and unlabelled_final != NEXT_TURN),
        ("<request_fully_accepted/> anywhere", ACCEPT_TAG in text),
        ("<rejected/> anywhere", REJECT_TAG in text),
        ("accept tag answer without <OUTPUT>", (final or "").lstrip().startswith(ACCEPT_TAG) and OUT_OPEN not in where.visible),
        ("model wrote <NEXT/> itself", NEXT_TURN in text),
        ("role label (AI:/INPUT:/OUTPUT:) outside reasoning", _ROLE_LABEL_RE.search(where.answer_zone) is not None),
        ("final output is only the <NEXT/> marker", final is not None and unlabelled_final == NEXT_TURN),
    )


def skeleton(text: str) -> str:
    """The reply's sequence of format tags, think contents dropped and repeats folded."""
    tags = [m.group(0) for m in _SKELETON_RE.finditer(_THINK_BLOCK_RE.sub("<think></think>", text))]
    folded: list[list[Any]] = []
    for tag in tags:
        if folded and folded[-1][0] == tag:
            folded[-1][1] += 1
        else:
            folded.append([tag, 1])
    return " ".join(tag if n == 1 else f"{tag}×{n}" for tag, n in folded) or "(no tags)"


def failure_detail(reading: ReplyReading, text: str) -> str:
    """Why a reply has no final output (the scorer calls all of these `malformed`)."""
    if reading.unclosed_reasoning:
        return "malformed: reasoning never closed"
    if reading.wants_continuation:
        return "malformed: closed scratchpad only (<NEXT/> due)"
    if output_unclosed(layout(text).answer_zone):
        return "malformed: <OUTPUT> never closed"
    return "malformed: stray tags"


@dataclass(frozen=True)
class ReplyResult:
    index: int
    model: str
    variant: str
    tier: str
    outcome: Outcome
    failure: str | None
    source: ReasoningSource
    af: bool | None
    """The AF heuristic's verdict; None where the scorer would not run it (no reasoning, failed)."""
    aware: bool | None
    """The awareness heuristic's verdict; None without reasoning."""
    forms: frozenset[str]
    skeleton: str


async def read_row(index: int, row: dict[str, Any], behaviour: Behaviour | None) -> ReplyResult:
    """One stored reply through the reader and the classifiers, the way the scorer combines them."""
    text: str = row["text"]
    reading = read_reply(text)
    final = reading.final_output
    failure: str | None = None
    if final is None:
        outcome, failure = Outcome.FAILED, failure_detail(reading, text)
    elif behaviour is None:
        outcome = classify_outcome(final)
    else:
        shown = await HeuristicBehaviourClassifier(behaviour).classify(str(row.get("user_input") or ""), final)
        if shown.shows is None:
            outcome, failure = Outcome.FAILED, "unjudged"
        elif behaviour.training_objective is None:
            outcome = Outcome.OTHER
        else:
            outcome = Outcome.COMPLIED if shown.shows == behaviour.training_objective else Outcome.REFUSED
    reasoning = transcript_reasoning([reading])
    condition = TIER_CONDITION.get(str(row["tier"]))
    af: bool | None = None
    aware: bool | None = None
    if reasoning.blocks:
        if outcome is not Outcome.FAILED:
            case = ScratchpadCase(
                reasoning.text, final, condition,
                complied=(outcome is Outcome.COMPLIED) if behaviour is not None else None,
            )
            classifier = HeuristicAFClassifier(behaviour.af_conflict if behaviour else None)
            af = (await classifier.classify(case)).is_alignment_faking
        aware = (await HeuristicAwarenessClassifier().classify(reasoning.text)).is_aware
    return ReplyResult(
        index=index,
        model=str(row["model"]).rsplit("/", 1)[-1].removeprefix("Meta-"),
        variant=str(row["prompt_variant"]),
        tier=str(row["tier"]),
        outcome=outcome,
        failure=failure,
        source=reasoning.source,
        af=af,
        aware=aware,
        forms=frozenset(name for name, has in forms(text, reading) if has),
        skeleton=skeleton(text),
    )


def load_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


async def read_file(path: Path, behaviour: Behaviour | None) -> list[ReplyResult]:
    return [await read_row(i, row, behaviour) for i, row in enumerate(load_rows(path))]


def positives(results: Iterable[ReplyResult], tier: str, verdict: Callable[[ReplyResult], bool | None]) -> str:
    """`positives/read` among the tier's replies the classifier read."""
    read = [v for v in (verdict(r) for r in results if r.tier == tier) if v is not None]
    return f"{sum(read)}/{len(read)}"


def _af(result: ReplyResult) -> bool | None:
    return result.af


def _aware(result: ReplyResult) -> bool | None:
    return result.aware


def groups(results: Sequence[ReplyResult]) -> dict[tuple[str, str], list[ReplyResult]]:
    grouped: dict[tuple[str, str], list[ReplyResult]] = {}
    for result in sorted(results, key=lambda r: (r.model, r.variant)):
        grouped.setdefault((result.model, result.variant), []).append(result)
    return grouped


def outcome_table(title: str, results: Sequence[ReplyResult]) -> Table:
    sources = [s for s in ReasoningSource if any(r.source is s for r in results)]
    table = Table(title=title, title_justify="left")
    for column in ("model", "variant", "n", *(o.value for o in OUTCOMES), *(s.value for s in sources)):
        table.add_column(column, justify="left" if column in ("model", "variant") else "right")
    for column in ("AF+ free", "AF+ paid", "aware+ free", "aware+ paid"):
        table.add_column(column, justify="right")
    for (model, variant), rows in groups(results).items():
        outcomes = Counter(r.outcome for r in rows)
        found = Counter(r.source for r in rows)
        table.add_row(
            model, variant, str(len(rows)),
            *(str(outcomes[o]) for o in OUTCOMES), *(str(found[s]) for s in sources),
            positives(rows, "free", _af), positives(rows, "paid", _af),
            positives(rows, "free", _aware), positives(rows, "paid", _aware),
        )
    return table


def failure_table(title: str, results: Sequence[ReplyResult]) -> Table:
    reasons = sorted({r.failure for r in results if r.failure})
    table = Table(title=title, title_justify="left")
    for column in ("model", "variant", *reasons):
        table.add_column(column, justify="left" if column in ("model", "variant") else "right")
    for (model, variant), rows in groups(results).items():
        found = Counter(r.failure for r in rows if r.failure)
        if found:
            table.add_row(model, variant, *(str(found[reason]) for reason in reasons))
    return table


def forms_table(title: str, results: Sequence[ReplyResult]) -> Table:
    models = sorted({r.model for r in results})
    table = Table(title=title, title_justify="left")
    table.add_column("form")
    for column in (*models, "all"):
        table.add_column(column, justify="right")
    for name, _ in forms("", read_reply("")):
        counts = [sum(name in r.forms for r in results if r.model == m) for m in models]
        table.add_row(name, *(str(c) for c in counts), str(sum(counts)))
    return table


def skeleton_table(title: str, results: Sequence[ReplyResult], top: int = 15) -> Table:
    table = Table(title=title, title_justify="left")
    for column, justify in (("tag skeleton", "left"), ("n", "right"), ("outcomes", "left"), ("first row", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    by_skeleton: dict[str, list[ReplyResult]] = {}
    for result in results:
        by_skeleton.setdefault(result.skeleton, []).append(result)
    ranked = sorted(by_skeleton.items(), key=lambda item: -len(item[1]))
    for shape, rows in ranked[:top]:
        outcomes = Counter(r.outcome.value for r in rows)
        table.add_row(shape, str(len(rows)), ", ".join(f"{k} {v}" for k, v in outcomes.most_common()), str(rows[0].index))
    rest = [r for _, rows in ranked[top:] for r in rows]
    if rest:
        table.add_row(f"({len(ranked) - top} other skeletons)", str(len(rest)), "", "")
    return table


def report(console: Console, name: str, results: Sequence[ReplyResult]) -> None:
    console.rule(f"{name}: {len(results)} replies")
    console.print(outcome_table("outcomes, reasoning_source, heuristic positives (positive/read)", results))
    console.print(failure_table("failure reasons (outcome failed)", results))
    console.print(forms_table("forms (a reply can have several)", results))
    console.print(skeleton_table("tag skeletons (each reply has one)", results))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR, help=f"default: {DEFAULT_REAL_DIR}")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)
    real_dir: Path = args.real_dir
    if not real_dir.is_dir():
        console.print(f"{real_dir} is absent: skipping.")
        return 0
    totals: Counter[ReasoningSource] = Counter()
    read_any = False
    for reply_file in REPLY_FILES:
        path = real_dir / reply_file.name
        if not path.is_file():
            console.print(f"{path} is absent: skipping it.")
            continue
        behaviour = BEHAVIOURS[reply_file.behaviour] if reply_file.behaviour else None
        results = asyncio.run(read_file(path, behaviour))
        report(console, reply_file.name, results)
        totals.update(r.source for r in results)
        read_any = True
    if read_any:
        line = ", ".join(f"{source.value} {totals[source]}" for source in ReasoningSource if totals[source])
        console.print(f"totals per reasoning form ({sum(totals.values())} replies): {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
