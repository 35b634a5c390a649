"""Serving the sandbox from a shell: typed options; `serve` runs until stopped,
`serve_forever` blocks until Ctrl-C.

Both front ends call these: ``python -m kashflow_async.sandbox`` (argparse, in
``__main__``) and ``kashflow sandbox`` (the CLI).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
import sys
from dataclasses import dataclass

from .accounts import AccountConfig
from .faults import Faults
from .server import Sandbox

__all__ = ["ServeOptions", "serve", "serve_forever"]


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: port on 127.0.0.1 (0: any free), seed of the data and faults, demo
    data sizes, added `latency` and `jitter` (seconds), share of 500/503 answers
    (`error_rate`), an account-wide `rate_limit` (requests per second before 429), a fixed
    `today`, `xml` answers unless ``Accept`` asks for JSON, and an `access_log`.
    `accounts` adds that many logins beside the default one (multi-account mode: see
    `AccountConfig.numbered`); then `rate_limit` holds for each account on its own."""

    port: int = 8080
    seed: int = 0
    invoices: int = 2000
    quotes: int = 200
    customers: int = 60
    latency: float = 0.0
    jitter: float = 0.0
    error_rate: float = 0.0
    rate_limit: int | None = None
    today: dt.date | None = None
    xml: bool = False
    access_log: bool = False
    accounts: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {self.port}")
        for name in ("invoices", "quotes"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, not {getattr(self, name)}")
        if self.customers < 1:
            raise ValueError(f"customers must be at least 1, not {self.customers}")
        for name in ("latency", "jitter"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, not {getattr(self, name)}")
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError(f"error_rate must be between 0 and 1, not {self.error_rate}")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError(f"rate_limit must be at least 1, not {self.rate_limit}")
        if self.accounts < 0:
            raise ValueError(f"accounts must not be negative, not {self.accounts}")

    def sandbox(self) -> Sandbox:
        """The (not yet started) sandbox these options describe."""
        per_account = self.accounts > 0
        faults = Faults(
            latency=self.latency,
            jitter=self.jitter,
            error_rate=self.error_rate,
            rate_limit=None if per_account else self.rate_limit,
            seed=self.seed,
        )
        sandbox = Sandbox(
            seed=self.seed,
            invoices=self.invoices,
            quotes=self.quotes,
            customers=self.customers,
            faults=faults,
            port=self.port,
            today=self.today,
            default_format="xml" if self.xml else "json",
            access_log=self.access_log,
            accounts=AccountConfig.numbered(self.accounts, rate_limit=self.rate_limit),
        )
        if per_account and self.rate_limit is not None:
            sandbox.accounts[sandbox.username].faults = Faults(rate_limit=self.rate_limit)
        return sandbox


async def serve(options: ServeOptions, stop: asyncio.Event | None = None) -> None:
    """Serve a sandbox configured by `options` until `stop` is set (or SIGINT/SIGTERM),
    printing its URL, a session token and the login on stdout."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    async with options.sandbox() as sb:
        print(f"KashFlow sandbox at {sb.url}", flush=True)
        print(f"  session token:  {sb.token}")
        print(
            f"  login:          {sb.username} / {sb.password} / memorable word {sb.memorable_word}"
        )
        print(f"  try:            curl -H 'Authorization: KfToken {sb.token}' {sb.url}/invoices")
        if len(sb.accounts) > 1:
            print(_other_accounts(sb))
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    print("Sandbox stopped.", flush=True)


def _other_accounts(sb: Sandbox) -> str:
    """How to log in to the accounts beside the default one (the first and the last)."""
    others = list(sb.accounts)[1:]
    shown = others if len(others) <= 2 else [others[0], others[-1]]
    lines = [f"  accounts:       {len(others)} more, each with its own books and limits:"]
    for i, account in enumerate(shown):
        if i and len(others) > 2:
            lines.append("                  ...")
        lines.append(
            f"                  {account.username} / {account.password} / "
            f"memorable word {account.memorable_word}"
        )
    return "\n".join(lines)


def serve_forever(options: ServeOptions) -> int:
    """Serve until interrupted (blocking); the exit status (1 when the port cannot be
    bound, with the reason on stderr)."""
    try:
        asyncio.run(serve(options))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"cannot start the sandbox: {exc}", file=sys.stderr)
        return 1
    return 0
