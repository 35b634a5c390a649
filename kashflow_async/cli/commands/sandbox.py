"""``kashflow sandbox``: run the local sandbox server until Ctrl-C."""

from __future__ import annotations

from typing import Annotated

import typer

from ...sandbox.__main__ import main as sandbox_main

__all__ = ["sandbox"]


def sandbox(
    port: Annotated[int, typer.Option("--port", min=0, help="Port on 127.0.0.1 (0: any).")] = 8080,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the demo data and faults.")] = 0,
    invoices: Annotated[int, typer.Option("--invoices", min=0, help="Demo invoices.")] = 2000,
    quotes: Annotated[int, typer.Option("--quotes", min=0, help="Demo quotes.")] = 200,
    customers: Annotated[int, typer.Option("--customers", min=1, help="Demo customers.")] = 60,
    latency: Annotated[
        str, typer.Option("--latency", help="Added latency per request (20ms, 0.5s).")
    ] = "0ms",
    jitter: Annotated[str, typer.Option("--jitter", help="Random extra latency.")] = "0ms",
    error_rate: Annotated[
        float,
        typer.Option("--error-rate", min=0.0, max=1.0, help="Share of 500/503 answers."),
    ] = 0.0,
    rate_limit: Annotated[
        int | None, typer.Option("--rate-limit", min=1, help="Requests per second before 429.")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Fixed date of the account (YYYY-MM-DD).")
    ] = None,
    xml: Annotated[bool, typer.Option("--xml", help="Answer XML unless Accept asks JSON.")] = False,
) -> None:
    """Run a local KashFlow API sandbox with demo data (127.0.0.1 only) until Ctrl-C."""
    argv = [
        "--port", str(port), "--seed", str(seed), "--invoices", str(invoices),
        "--quotes", str(quotes), "--customers", str(customers), "--latency", latency,
        "--jitter", jitter, "--error-rate", repr(error_rate),
    ]  # fmt: skip
    if rate_limit is not None:
        argv += ["--rate-limit", str(rate_limit)]
    if today is not None:
        argv += ["--today", today]
    if xml:
        argv.append("--xml")
    try:
        code = sandbox_main(argv)
    except SystemExit as exc:  # the shared parser refused a value: a usage error
        code = exc.code if isinstance(exc.code, int) else 2
    raise typer.Exit(code)
