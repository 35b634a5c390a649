"""The ``kashflow`` command (typer + rich: install the ``cli`` extra).

Importing this package imports neither typer nor rich, so that `main` can say what to
install when they are missing. The typer application is `kashflow_async.cli.app.app`.
"""

from __future__ import annotations

import sys

__all__ = ["MISSING_EXTRA", "main"]

#: The line printed when the command's libraries are not installed.
MISSING_EXTRA = (
    "kashflow: the command needs the cli extra: pip install 'kashflow-async[cli]' (missing: {name})"
)


def main() -> None:
    """Entry point of the ``kashflow`` command."""
    try:
        import rich  # noqa: F401
        import typer  # noqa: F401
    except ImportError as exc:
        print(MISSING_EXTRA.format(name=exc.name or "typer"), file=sys.stderr)
        sys.exit(1)
    try:
        from .app import app

        app(prog_name="kashflow")
    except KeyboardInterrupt:  # Ctrl-C outside a command's run (while starting up)
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
