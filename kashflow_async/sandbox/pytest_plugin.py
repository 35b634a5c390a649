"""pytest plugin: the kashflow_sandbox fixture (registered through the pytest11 entry point)."""
