"""The scorer: a sample's typed score value, the metrics over it and the classifiers it asks."""
