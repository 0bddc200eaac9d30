"""The pytest side: hooks and options, the session, the @af_bench.gate decorator, JUnit properties."""
