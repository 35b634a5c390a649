"""``python -m kashflow_async.sandbox``: the argparse front end of `serving.serve`."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from dataclasses import fields

from .serving import ServeOptions, serve_forever

__all__ = ["build_parser", "main", "options_from_args", "parse_duration"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


def parse_duration(text: str) -> float:
    """Seconds from ``20ms``, ``0.5s`` or ``20`` (milliseconds when no unit is given)."""
    match = _DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 20ms or 0.5s)")
    value = float(match.group(1))
    return value if match.group(2) == "s" else value / 1000.0


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1")
    return value


def build_parser(prog: str = "python -m kashflow_async.sandbox") -> argparse.ArgumentParser:
    """The command-line options (shared with ``kashflow sandbox``)."""
    p = argparse.ArgumentParser(prog=prog, description="Run a local KashFlow API sandbox.")
    p.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0: any free)")
    p.add_argument("--seed", type=int, default=0, help="seed of the demo data and faults")
    p.add_argument("--invoices", type=int, default=2000, help="demo invoices")
    p.add_argument("--quotes", type=int, default=200, help="demo quotes")
    p.add_argument("--customers", type=int, default=60, help="demo customers")
    p.add_argument("--latency", type=parse_duration, default=0.0, help="added latency (20ms)")
    p.add_argument("--jitter", type=parse_duration, default=0.0, help="random extra latency")
    p.add_argument("--error-rate", type=_rate, default=0.0, help="share of 500/503 answers")
    p.add_argument("--rate-limit", type=int, default=None, help="requests/second before 429")
    p.add_argument("--today", type=dt.date.fromisoformat, default=None, help="fixed date")
    p.add_argument("--xml", action="store_true", help="answer XML unless Accept asks for JSON")
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument(
        "--accounts",
        type=int,
        default=0,
        help="more logins, each with its own books and --rate-limit (account1@example.com ...)",
    )
    return p


def options_from_args(args: argparse.Namespace) -> ServeOptions:
    """`ServeOptions` from arguments parsed by `build_parser` (one option per field)."""
    return ServeOptions(**{f.name: getattr(args, f.name) for f in fields(ServeOptions)})


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, serve until interrupted; the exit status (2 for bad options)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        options = options_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    return serve_forever(options)


if __name__ == "__main__":
    sys.exit(main())
