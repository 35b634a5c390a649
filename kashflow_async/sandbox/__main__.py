"""``python -m kashflow_async.sandbox``: run the sandbox from the shell until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import re
import signal
import sys
from collections.abc import Sequence

from .faults import Faults
from .server import Sandbox

__all__ = ["build_parser", "main", "parse_duration", "serve"]

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
    return p


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Run a sandbox configured by parsed `args` until `stop` is set (or SIGINT/SIGTERM)."""
    faults = Faults(
        latency=args.latency,
        jitter=args.jitter,
        error_rate=args.error_rate,
        rate_limit=args.rate_limit,
        seed=args.seed,
    )
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    sandbox = Sandbox(
        seed=args.seed,
        invoices=args.invoices,
        quotes=args.quotes,
        customers=args.customers,
        faults=faults,
        port=args.port,
        today=args.today,
        default_format="xml" if args.xml else "json",
        access_log=args.access_log,
    )
    async with sandbox as sb:
        print(f"KashFlow sandbox at {sb.url}", flush=True)
        print(f"  session token:  {sb.token}")
        print(
            f"  login:          {sb.username} / {sb.password} / memorable word {sb.memorable_word}"
        )
        print(f"  try:            curl -H 'Authorization: KfToken {sb.token}' {sb.url}/invoices")
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    print("Sandbox stopped.", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, serve until interrupted; the exit status."""
    args = build_parser().parse_args(argv)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"cannot start the sandbox: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
