"""A scenario asked under its published wording and paraphrases of it (`--af-paraphrases N`).

Pairs are dealt to the wordings in the data set's order, round robin, so the first pairs a gate
runs cover every wording about evenly, and both conditions of a pair are asked under one wording:
the pair stays a pair. A wording that is part of the run is part of the scenario's version.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, replace

from inspect_ai import Task, task_with
from inspect_ai.dataset import MemoryDataset

from af_bench.scenario.paraphrases import PUBLISHED, ParaphraseError, ParaphraseFamily, paraphrase_family, shipped_families
from af_bench.scenarios.build import Protocol

WORDING = "wording"
"""The sample metadata key naming the wording a sample's pair is asked under."""


def family_of(text: str, what: str) -> ParaphraseFamily:
    """The shipped family whose published wording is `text` (whitespace aside)."""
    squeezed = " ".join(text.split())
    for name in shipped_families():
        family = paraphrase_family(name)
        if " ".join(family.wordings[0].text.split()) == squeezed:
            return family
    raise ParaphraseError(
        f"--af-paraphrases: {what} is not a shipped prompt's published wording, and paraphrases ship only for "
        f"those ({', '.join(shipped_families())}); prompt variants and prompts of your own have none"
    )


def wording_of_pairs(pair_ids: list[str], wordings: list[str]) -> dict[str, str]:
    """Each pair's wording: the pairs in order, dealt round robin."""
    return {pair: wordings[i % len(wordings)] for i, pair in enumerate(pair_ids)}


def with_paraphrases(task: Task, count: int) -> Task:
    """The scenario task with its pairs spread over the published wording and `count` paraphrases.
    0 leaves the task as it is."""
    metadata = dict(task.metadata or {})
    if count == 0:
        return task
    if count < 0:
        raise ParaphraseError(f"--af-paraphrases {count}: must be 0 or more")
    if "protocol" not in metadata:
        raise ParaphraseError(f"--af-paraphrases: task {task.name} is not an af-bench scenario")
    protocol = Protocol(**metadata["protocol"])
    wordings = family_of(protocol.system_prompt, f"the system prompt of {task.name}").first(count)
    condition_paraphrases = {}
    for condition, text in protocol.condition_prompts.items():
        own = family_of(text, f"the prompt of condition {condition}").first(count)
        if [w.id for w in own] != [w.id for w in wordings]:
            raise ParaphraseError(f"--af-paraphrases: the prompt of condition {condition} has other wordings "
                                  f"({[w.id for w in own]}) than the system prompt ({[w.id for w in wordings]})")
        condition_paraphrases[condition] = {w.id: w.text for w in own if not w.published}
    protocol = replace(
        protocol,
        paraphrases={w.id: w.text for w in wordings if not w.published},
        condition_paraphrases=condition_paraphrases,
    )
    ids = [w.id for w in wordings]
    pairs = list(dict.fromkeys(str((s.metadata or {}).get("pair_id", s.id)) for s in task.dataset))
    dealt = wording_of_pairs(pairs, ids)
    samples = [
        s.model_copy(update={"metadata": {**(s.metadata or {}), WORDING: dealt[str((s.metadata or {}).get("pair_id", s.id))]}})
        for s in task.dataset
    ]
    texts = [protocol.system_prompt, *protocol.paraphrases.values(),
             *(t for own in condition_paraphrases.values() for t in own.values())]
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:8]
    lengths = {w.id: len(w.text) for w in wordings}
    prompt_chars = {  # what the estimate prices: the mean length over the wordings of the run
        condition: round(sum(
            chars if w == PUBLISHED else len(condition_paraphrases[condition][w]) if condition in condition_paraphrases
            else lengths[w] for w in ids) / len(ids))
        for condition, chars in metadata.get("prompt_chars", {}).items()
    }
    return task_with(
        task,
        dataset=MemoryDataset(samples, name=task.dataset.name),
        solver=protocol.solver(),
        metadata={
            **metadata,
            "scenario_version": f"{metadata.get('scenario_version')}-w{len(ids)}.{digest}",
            "paraphrases": ids,
            "prompt_chars": prompt_chars,
            "protocol": asdict(protocol),
        },
    )


__all__ = ["PUBLISHED", "WORDING", "with_paraphrases"]
