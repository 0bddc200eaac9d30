"""Running a gate and reaching its verdict: options, settings, thresholds, cost, adaptive stops."""
