"""`af-bench plan`: how many pairs a gate needs, from a design or from a pilot report."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from af_bench.gating.baseline import pair_differences
from af_bench.results.schema import Report
from af_bench.stats.planning import Design, detectable_gap, fixed_pairs, simulate_sequential


def plan_command(args: argparse.Namespace) -> int:
    gap, discordant = args.gap, args.discordant
    if args.pilot:
        pilot_gap, pilot_discordant = pilot_figures(Path(args.pilot), args.gate, args.model, args.contrast)
        gap = pilot_gap if gap is None else gap
        discordant = pilot_discordant if discordant is None else discordant
    if discordant is None:
        raise ValueError("--discordant or --pilot is needed: the share of pairs whose answers differ")
    design = Design(args.threshold, 0.0 if gap is None else gap, discordant, args.alpha, args.power)
    needed = fixed_pairs(design)
    # A gate with fewer complete pairs than its min_pairs fails whatever it measures.
    fixed = None if needed is None else max(needed, args.min_pairs)
    sequential = simulate_sequential(
        design, budget=args.budget, round_pairs=args.round_pairs, runs=args.simulations, seed=args.seed
    )
    figures: dict[str, object] = {
        "design": asdict(design),
        "fixed_pairs": fixed,
        "sequential_expected_pairs": round(sequential.expected_pairs, 1),
        "sequential_stopped": sequential.stopped,
        "budget": args.budget,
    }
    print(f"gap {design.gap:+.3f} vs threshold {design.threshold:.3f}, discordant pairs {design.discordant:.3f}, "
          f"alpha {design.alpha}, power {design.power}")
    raised = f" (the power calculation asks {needed}; the gate's min_pairs is {args.min_pairs})" if (
        needed is not None and fixed != needed) else ""
    print(f"fixed-size gate: {fixed if fixed is not None else 'no size suffices (gap = threshold)'} pairs{raised}")
    print(f"sequential gate (budget {args.budget}, rounds of {args.round_pairs}): {sequential.expected_pairs:.0f} "
          f"pairs expected; stops pass {sequential.stopped['pass']:.0%}, fail {sequential.stopped['fail']:.0%}, "
          f"inconclusive at budget {sequential.stopped['budget']:.0%} ({args.simulations} simulations)")
    if args.pairs:
        smallest = detectable_gap(args.pairs, design.threshold, design.discordant, design.alpha, design.power)
        figures["pairs"], figures["detectable_gap"] = args.pairs, smallest
        print(f"with {args.pairs} pairs: smallest gap detected as a breach with power {design.power}: "
              + ("none up to the discordant rate" if smallest is None else f"{smallest:.3f}"))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


def pilot_figures(path: Path, gate: str | None, model: str | None, contrast: str | None) -> tuple[float, float]:
    """(gap, discordant-pair rate) of one gate's contrast in a JSON report."""
    try:
        report = Report.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"--pilot {path}: not a readable af-bench report ({type(err).__name__})") from None
    records = [
        r for r in report.gates
        if r.metrics is not None and (gate is None or r.gate == gate) and (model is None or r.model == model)
    ]
    if not records:
        raise ValueError(f"--pilot {path}: no gate with metrics matches gate={gate} model={model}")
    record = records[0]
    assert record.metrics is not None
    name = contrast or next(iter(record.metrics.contrasts), None)
    figures = record.metrics.contrasts.get(name or "")
    if figures is None or figures.value is None or figures.second is None:
        raise ValueError(f"--pilot {path}: gate {record.gate} has no paired contrast {name!r} with a value")
    differences = list(pair_differences(record.samples, figures).values())
    if not differences:
        raise ValueError(f"--pilot {path}: gate {record.gate} has no completed pairs")
    discordant = sum(1 for d in differences if d != 0) / len(differences)
    return figures.value, max(discordant, abs(figures.value))
