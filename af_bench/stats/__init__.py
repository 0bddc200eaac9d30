"""Statistics of paired samples and sequential tests: neither pytest nor inspect."""
