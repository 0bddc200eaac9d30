# pytester drives the plugin tests; it must be enabled from the top-level conftest.
pytest_plugins = ["pytester"]
