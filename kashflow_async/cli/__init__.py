"""The ``kashflow`` command (typer + rich; install the ``cli`` extra)."""

from __future__ import annotations

from .app import app
from .commands.credits import credits_app
from .commands.demo import demo
from .commands.invoices import invoices_app
from .commands.payments import payments_app
from .commands.quotes import quotes_app
from .commands.sandbox import sandbox

__all__ = ["app", "main"]

app.command("demo")(demo)
app.command("sandbox")(sandbox)
app.add_typer(invoices_app, name="invoices")
app.add_typer(quotes_app, name="quotes")
app.add_typer(payments_app, name="payments")
app.add_typer(credits_app, name="credits")


def main() -> None:
    """Entry point of the ``kashflow`` command."""
    app(prog_name="kashflow")
