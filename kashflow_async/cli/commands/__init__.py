"""The `kashflow` sub-commands."""
