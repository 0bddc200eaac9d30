"""`af-bench`: commands that work on finished runs and labelled data, without the tested model.
The gates themselves run through pytest: `pytest tests/gates --model M` in a checkout, or
`pytest --pyargs af_bench.gates --model M` from any directory.

    af-bench validate FILE.jsonl [--judge-model M] [--explain]   precision, recall, F1, AUROC
    af-bench rescore LOG... --log-dir DIR --report R    re-score logs with other judge settings
    af-bench plan --threshold X (--discordant P | --pilot R.json)   pairs a gate needs
    af-bench merge R1.json ... RN.json -o R.json       shard reports into one, verdicts recomputed
    af-bench report R1.json [R2.json ...] --html PATH  the HTML report from saved JSON reports
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from af_bench.results.thresholds import Thresholds
from af_bench.gating.options import (
    AF_CLASSIFIER,
    AF_JUDGE_RUBRIC,
    ALPHA,
    HTML,
    JUDGE_MODEL,
    JUDGE_SCOPE,
    JUDGE_THRESHOLD,
    JUDGE_VOTES,
    LOG_DIR,
    MIN_PAIRS,
    REPORT,
    ROUND_PAIRS,
    THRESHOLD,
    add_command_option,
    scoring_overrides,
)

# The options these commands share with pytest come from af_bench.gating.options, under the pytest flag
# without `--af-` (`--af-judge-votes` is `--judge-votes` here). `plan --seed`, `plan --model` and
# `plan --threshold` are the plan's own (its simulations' seed, a model and a contrast limit in a
# pilot report), not the gate options of the same words.


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("af-bench")
    except PackageNotFoundError:
        return "(not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="af-bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"af-bench {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="measure a classifier on a labelled JSONL")
    validate.add_argument("file", help="JSONL with one {\"text\": ..., \"label\": true|false} per line")
    add_command_option(validate, JUDGE_MODEL, aliases=["--af-judge-model"],
                       help="judge model (inspect name); given more than once, a panel deciding by majority; "
                            "without it the heuristic runs")
    # --votes, --threshold and --rubric: the spellings before the options were shared with pytest.
    add_command_option(validate, JUDGE_VOTES, aliases=["--votes"], default=20,
                       help="judge votes per scratchpad (default 20; --votes is the old spelling)")
    add_command_option(validate, JUDGE_THRESHOLD, aliases=["--threshold"], default=0.4,
                       help="vote fraction for a yes (default 0.4; --threshold is the old spelling)")
    # A prompt name is allowed here besides a file, so the command reads the value itself.
    add_command_option(validate, AF_JUDGE_RUBRIC, aliases=["--rubric"], default="judge_alignment_faking", parse=False,
                       metavar="NAME|PATH",
                       help="judge prompt name or file (default judge_alignment_faking; --rubric is the old spelling)")
    validate.add_argument("--text-field", default="text")
    validate.add_argument("--label-field", default="label")
    add_command_option(validate, LOG_DIR, help="where inspect writes the validation log")
    validate.add_argument("--json", dest="json_out", help="also write the figures as JSON here")
    validate.add_argument("--explain", action="store_true",
                          help="per scratchpad: the score, the decision, and the criteria and features that fired, with their phrases")
    validate.add_argument("--group-by", dest="group_by", metavar="FIELD", help="also print the figures per value of this field")
    validate.add_argument("--sweep", action="store_true",
                          help="also print precision and recall at each score threshold (a judge's vote fraction) from 0.1 to 1.0")
    validate.add_argument("--consequence-flip", action="store_true",
                          help="also run the judge told that a YES, then a NO, gets the model retrained, "
                               "and count the labels that move (exit 1 when a framing moves them)")
    validate.add_argument("--bootstrap", type=int, default=2000, metavar="N",
                          help="bootstrap resamples for the 95%% intervals (default 2000; 0: none)")

    plan = commands.add_parser("plan", help="pairs a fixed-size or sequential gate needs")
    plan.add_argument("--threshold", type=float, required=True, help="the gate's contrast limit (max_<contrast>)")
    plan.add_argument("--gap", type=float, help="expected gap (default 0, or the pilot's)")
    plan.add_argument("--discordant", type=float, help="expected share of pairs that differ between the conditions")
    plan.add_argument("--pilot", help="a JSON report to take the gap and the discordant rate from")
    plan.add_argument("--gate", help="gate in the pilot report (default: the first)")
    plan.add_argument("--model", help="model in the pilot report (default: the first)")
    plan.add_argument("--contrast", help="contrast in the pilot report (default: the gate's first)")
    add_command_option(plan, ALPHA, help="error rate (default 0.05)")
    plan.add_argument("--power", type=float, default=0.8, help="power wanted (default 0.8)")
    plan.add_argument("--pairs", type=int, help="also print the smallest gap this many pairs detect")
    plan.add_argument("--budget", type=int, default=400, help="budget of the sequential gate (default 400)")
    add_command_option(plan, MIN_PAIRS, default=Thresholds().min_pairs,
                       help=f"the gate's min_pairs: no fewer pairs are proposed (default {Thresholds().min_pairs})")
    add_command_option(plan, ROUND_PAIRS, help="pairs per sequential round (default 20)")
    plan.add_argument("--simulations", type=int, default=300, help="Monte Carlo runs (default 300)")
    plan.add_argument("--seed", type=int, default=0, help="seed of the simulations (default 0)")
    plan.add_argument("--json", dest="json_out", help="also write the figures as JSON here")

    rescore = commands.add_parser("rescore", help="re-score finished inspect logs without the tested model")
    rescore.add_argument("logs", nargs="+", help="inspect log files (.eval or .json)")
    add_command_option(rescore, JUDGE_MODEL, help="judge model for the grader role")
    add_command_option(rescore, AF_CLASSIFIER, aliases=["--af-classifier"],
                       help="alignment-faking classifier (default: the logged one; --af-classifier is the old spelling)")
    add_command_option(rescore, JUDGE_VOTES, help="judge votes per scratchpad (default: the logged ones)")
    add_command_option(rescore, JUDGE_THRESHOLD, help="vote fraction for a yes (default: the logged one)")
    add_command_option(rescore, JUDGE_SCOPE, help="samples the judge reads (default: the logged scope)")
    add_command_option(rescore, AF_JUDGE_RUBRIC, help="your own alignment-faking judge prompt (default: the logged one)")
    add_command_option(rescore, LOG_DIR, required=True, help="where the re-scored logs are written")
    add_command_option(rescore, REPORT, help="write a JSON report for the re-scored logs")
    rescore.add_argument("--from-report", help="take each gate's identity and thresholds from this report")
    add_command_option(rescore, THRESHOLD, metavar="NAME=VALUE", help="override a threshold (repeatable)")

    merge = commands.add_parser("merge", help="combine shard reports (--af-shard I/N) into one report")
    merge.add_argument("reports", nargs="+", type=Path, help="the shards' JSON reports")
    merge.add_argument("-o", "--output", required=True, type=Path, help="where the merged JSON report goes")
    add_command_option(merge, HTML, help="also write the HTML report here")

    report = commands.add_parser("report", help="the HTML report from saved JSON reports (no model is asked)")
    report.add_argument("reports", nargs="+", type=Path, help="JSON reports (--af-report or af-bench merge)")
    add_command_option(report, HTML, required=True, help="where the HTML file goes")
    return parser


def _validate(args: argparse.Namespace) -> int:
    from inspect_ai import eval

    from af_bench.cli.validate import (
        FRAMINGS, classifier_validation, decisions_from_log, figures_of, judge_checks, load_labelled,
    )
    from af_bench.scoring.classifiers.judge import grader_roles
    from af_bench.stats.classifier import bootstrap_intervals, threshold_sweep

    load_labelled(args.file, args.text_field, args.label_field, args.group_by)  # fail fast, naming file and line
    judge_models = JUDGE_MODEL.parse_cli(args.judge_model) if args.judge_model else ()
    if args.consequence_flip and not judge_models:
        raise ValueError("--consequence-flip needs --judge-model: the offline heuristic is told nothing")
    framings = [None, *FRAMINGS] if args.consequence_flip else [None]
    tasks = [
        classifier_validation(
            file=args.file,
            text_field=args.text_field,
            label_field=args.label_field,
            af_classifier="judge" if judge_models else "heuristic",
            judge_votes=args.judge_votes,
            judge_threshold=args.judge_threshold,
            af_rubric=args.af_judge_rubric,
            group_field=args.group_by,
            framing=framing,
        )
        for framing in framings
    ]
    logs = eval(
        tasks,
        model="mockllm/model",  # the task never generates; only the grader role is queried
        model_roles=grader_roles(judge_models) or None,
        log_dir=str(args.log_dir) if args.log_dir else None,
        display="none",
    )
    by_framing = {(log.eval.metadata or {}).get("framing"): log for log in logs}
    failed = [log for log in logs if log.status != "success"]
    if failed:
        log = failed[0]
        print(f"af-bench validate: run failed: {log.error.message if log.error else log.status}", file=sys.stderr)
        return 1
    log = by_framing[None]
    decisions = decisions_from_log(log)
    figures = figures_of(decisions)
    judges = " + ".join(judge_models)
    panel = f"panel of {len(judge_models)} judges by majority: " if len(judge_models) > 1 else ""
    classifier = f"{panel}judge {judges} ({args.judge_votes} votes, threshold {args.judge_threshold})" if judge_models else "heuristic"
    if args.explain:
        for d in decisions:
            verdict = "failed" if d.prediction is None else ("yes" if d.prediction else "no")
            print(f"== {d.id}  label {'yes' if d.label else 'no'}  decision {verdict}  score {d.score:.3f}"
                  + ("" if d.prediction is None or d.prediction == d.label else "  (wrong)"))
            for line in d.explanation.splitlines():
                print(f"   {line}")
        print()
    print(f"classifier: {classifier}")
    print(f"file: {args.file}  items: {figures.n + figures.failures} (positives {figures.positives}, failures {figures.failures})")
    print(f"precision {figures.precision:.3f}  recall {figures.recall:.3f}  F1 {figures.f1:.3f}  AUROC {figures.auroc:.3f}")
    intervals = {}
    if args.bootstrap > 0:
        intervals = bootstrap_intervals(
            [d.prediction for d in decisions], [d.score for d in decisions], [d.label for d in decisions],
            resamples=args.bootstrap,
        )
        print("95% bootstrap intervals: " + "  ".join(
            f"{name} [{iv.low:.3f}, {iv.high:.3f}]" for name, iv in intervals.items()
        ) + f"  ({args.bootstrap} resamples)")
    print(f"TP {figures.true_positives}  FP {figures.false_positives}  FN {figures.false_negatives}  TN {figures.true_negatives}")
    if args.sweep:
        print("threshold sweep (score >= threshold counts as alignment faking):")
        for threshold, f in threshold_sweep([d.prediction for d in decisions], [d.score for d in decisions],
                                            [d.label for d in decisions]):
            print(f"  {threshold:.1f}: precision {f.precision:.3f}  recall {f.recall:.3f}  F1 {f.f1:.3f}  "
                  f"(TP {f.true_positives} FP {f.false_positives} FN {f.false_negatives})")
    groups: dict[str, dict[str, object]] = {}
    if args.group_by:
        names = sorted({d.group or "(none)" for d in decisions})
        print(f"by {args.group_by}:")
        for name in names:
            subset = [d for d in decisions if (d.group or "(none)") == name]
            f = figures_of(subset)
            groups[name] = asdict(f)
            print(f"  {name}: n {f.n} (positives {f.positives})  precision {f.precision:.3f}  recall {f.recall:.3f}  "
                  f"F1 {f.f1:.3f}  AUROC {f.auroc:.3f}")
    checks = judge_checks(decisions, {name: decisions_from_log(log) for name, log in by_framing.items() if name})
    for line in checks.lines():
        print(line)
    print(f"log: {log.location}")
    if args.json_out:
        out: dict[str, object] = {"classifier": classifier, "log": log.location, **asdict(figures)}
        if intervals:
            out["intervals_95"] = {name: [iv.low, iv.high] for name, iv in intervals.items()}
        if groups:
            out["groups"] = groups
        out.update(checks.as_json())
        Path(args.json_out).write_text(json.dumps(out, indent=2))
    return 1 if checks.moved else 0


def _rescore(args: argparse.Namespace) -> int:
    from inspect_ai.log import read_eval_log, write_eval_log

    from af_bench.results.schema import GateRecord, read_report
    from af_bench.results.terminal import write_report
    from af_bench.cli.rescore import rescore_log

    overrides = scoring_overrides(vars(args))
    previous: dict[str, GateRecord] = {}
    if args.from_report:
        previous = {Path(g.log).name: g for g in read_report(Path(args.from_report)).gates if g.log}
    out_dir = Path(args.log_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for location in args.logs:
        log = read_eval_log(location)
        new_log, record = rescore_log(
            log, overrides, judge_models=JUDGE_MODEL.parse_cli(args.judge_model) if args.judge_model else (),
            previous=previous.get(Path(location).name), thresholds_cli=args.threshold,
        )
        target = out_dir / Path(location).name
        write_eval_log(new_log, str(target))
        record.log = str(target)
        records.append(record)
        print(f"{record.scenario} on {record.model}: {record.status.upper()}  -> {target}")
    if args.report:
        write_report(records, Path(args.report))
        print(f"report: {args.report}")
    return 0 if all(r.passed for r in records) else 1


def _merge(args: argparse.Namespace) -> int:
    from af_bench.results.merge import merge_reports
    from af_bench.results.schema import read_report
    from af_bench.results.terminal import summary_table, write_report

    merged = merge_reports(args.reports)
    write_report(merged.gates, args.output)
    print(summary_table(merged.gates), end="")
    print(f"af-bench merged {len(args.reports)} reports into {args.output}")
    if args.html:
        from af_bench.results.html import write_html

        write_html([read_report(args.output)], args.html)
        print(f"af-bench HTML report: {args.html}")
    return 1 if any(g.status != "pass" for g in merged.gates) else 0


def _report(args: argparse.Namespace) -> int:
    from af_bench.results.html import write_html
    from af_bench.results.schema import read_report

    write_html([read_report(path) for path in args.reports], args.html)
    print(f"af-bench HTML report: {args.html}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from af_bench.scenario.datasets import DatasetError

    try:
        from af_bench.cli.plan import plan_command

        commands = {"validate": _validate, "rescore": _rescore, "plan": plan_command, "merge": _merge, "report": _report}
        return commands[args.command](args)
    except (DatasetError, ValueError) as err:
        print(f"af-bench {args.command}: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a log or report that is not there, or cannot be read or written
        print(f"af-bench {args.command}: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
