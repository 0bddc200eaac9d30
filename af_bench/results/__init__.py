"""The report: its schema (no inspect), reading logs into it, merging shards, rendering it."""
