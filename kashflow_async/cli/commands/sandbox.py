"""``kashflow sandbox``: run the local sandbox server until Ctrl-C."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Annotated

import typer

from ...sandbox.__main__ import parse_duration
from ...sandbox.serving import ServeOptions, serve_forever
from ..errors import usage_error
from ..options import flag

__all__ = ["sandbox"]


def _seconds(text: str | float) -> float:
    """Seconds from ``20ms`` or ``0.5s`` (typer passes the default as a number)."""
    if isinstance(text, (int, float)):
        return float(text)
    try:
        return parse_duration(text)
    except argparse.ArgumentTypeError as exc:
        raise typer.BadParameter(str(exc)) from None


def sandbox(
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any).")
    ] = 8080,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the demo data and faults.")] = 0,
    invoices: Annotated[int, typer.Option("--invoices", min=0, help="Demo invoices.")] = 2000,
    quotes: Annotated[int, typer.Option("--quotes", min=0, help="Demo quotes.")] = 200,
    customers: Annotated[int, typer.Option("--customers", min=1, help="Demo customers.")] = 60,
    latency: Annotated[
        float,
        typer.Option(
            "--latency",
            parser=_seconds,
            metavar="DURATION",
            help="Added latency per request (20ms, 0.5s).",
        ),
    ] = 0.0,
    jitter: Annotated[
        float,
        typer.Option("--jitter", parser=_seconds, metavar="DURATION", help="Random extra latency."),
    ] = 0.0,
    error_rate: Annotated[
        float, typer.Option("--error-rate", min=0.0, max=1.0, help="Share of 500/503 answers.")
    ] = 0.0,
    rate_limit: Annotated[
        int | None, typer.Option("--rate-limit", min=1, help="Requests per second before 429.")
    ] = None,
    today: Annotated[
        dt.datetime | None,
        typer.Option("--today", formats=["%Y-%m-%d"], help="Fixed date of the account."),
    ] = None,
    xml: Annotated[bool, flag("--xml", help="Answer XML unless Accept asks JSON.")] = False,
    access_log: Annotated[bool, flag("--access-log", help="Log every request.")] = False,
    accounts: Annotated[
        int,
        typer.Option(
            "--accounts",
            min=0,
            help="More logins, each with its own books and --rate-limit (account1@example.com…).",
        ),
    ] = 0,
) -> None:
    """Run a local KashFlow API sandbox with demo data (127.0.0.1 only) until Ctrl-C."""
    try:
        options = ServeOptions(
            port=port, seed=seed, invoices=invoices, quotes=quotes, customers=customers,
            latency=latency, jitter=jitter, error_rate=error_rate, rate_limit=rate_limit,
            today=today.date() if today else None, xml=xml, access_log=access_log,
            accounts=accounts,
        )  # fmt: skip
    except ValueError as exc:
        usage_error(str(exc))
    raise typer.Exit(serve_forever(options))
