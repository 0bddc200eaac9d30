"""Alignment-faking reasoning classifiers: one interface, a heuristic floor now, judges later."""

from af_bench.scoring.classifiers.base import AFClassifier, AFVerdict, ScratchpadCase
from af_bench.scoring.classifiers.heuristic import HeuristicAFClassifier

__all__ = ["AFClassifier", "AFVerdict", "HeuristicAFClassifier", "ScratchpadCase"]
