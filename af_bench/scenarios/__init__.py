"""Declaring a scenario and building it into an inspect task: the layer above the scenario's
vocabulary (`af_bench.scenario`) and its scoring (`af_bench.scoring`)."""
