"""The af-bench command: plan, validate, rescore, merge and report."""
