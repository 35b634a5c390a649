"""``python -m benchmarks [--quick] [--out DIR] [--only NAME ...]``: run the benchmarks."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import accounts, bulk, codec, coordinated, inloop, overhead, pagination, report, shared_limit
from ._stats import machine

__all__ = ["NAMES", "main", "run_all"]

NAMES = (
    "codec",
    "overhead",
    "inloop",
    "pagination",
    "bulk",
    "shared_limit",
    "coordinated",
    "accounts",
)
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _settings(quick: bool) -> dict[str, dict[str, Any]]:
    if quick:
        return {
            "codec": {"rounds": 3, "batch_s": 0.003},
            "overhead": {"concurrencies": (16,), "rounds": 2, "target_s": 0.02},
            "inloop": {"requests": 640, "calls": 2000, "rounds": 2},
            "pagination": {"invoices": (200, 400, 800), "latency": 0.02, "rounds": 1, "repeats": 1},
            "bulk": {
                "count": 40,
                "rate": 40.0,
                "rounds": 1,
                "journal_count": 100,
                "journal_rounds": 2,
            },
            "shared_limit": shared_limit.SETTINGS["quick"],
            "coordinated": coordinated.SETTINGS["quick"],
            "accounts": accounts.SETTINGS["quick"],
        }
    return {
        "codec": {"rounds": 21, "batch_s": 0.03},
        "overhead": {"concurrencies": (1, 16, 64), "rounds": 10, "target_s": 0.3},
        "inloop": {"requests": 6400, "calls": 20000, "rounds": 5},
        "pagination": {
            "invoices": (2_500, 5_000, 10_000),
            "latency": 0.02,
            "rounds": 5,
            "repeats": 5,
        },
        "bulk": {"count": 1000, "rate": 200.0, "rounds": 3},
        "shared_limit": shared_limit.SETTINGS["full"],
        "coordinated": coordinated.SETTINGS["full"],
        "accounts": accounts.SETTINGS["full"],
    }


def run_all(quick: bool, out: Path, only: Sequence[str] = NAMES) -> dict[str, Any]:
    """Run the benchmarks named in `only`, write the results into `out`; the document."""
    settings = _settings(quick)
    started = time.perf_counter()
    doc: dict[str, Any] = {
        "quick": quick,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "settings": settings,
        "data": {},
        "sections": {},
        "targets": [],
    }
    runners: dict[str, tuple[Any, Any, Any]] = {
        "codec": (codec.run, codec.render, codec.targets),
        "overhead": (overhead.run, overhead.render, overhead.targets),
        "inloop": (inloop.run, inloop.render, inloop.targets),
        "pagination": (pagination.run, pagination.render, pagination.targets),
        "bulk": (bulk.run, bulk.render, bulk.targets),
        "shared_limit": (shared_limit.run, shared_limit.render, shared_limit.targets),
        "coordinated": (coordinated.run, coordinated.render, coordinated.targets),
        "accounts": (accounts.run, accounts.render, accounts.targets),
    }
    for name in NAMES:
        if name not in only:
            continue
        run, render, targets = runners[name]
        print(f"[benchmarks] {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        results = run(**settings[name])
        doc["data"][name] = results
        doc["sections"][name] = render(results)
        doc["targets"].extend(targets(results))
        print(f"[benchmarks] {name} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    doc["elapsed_s"] = time.perf_counter() - started
    doc["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report.write(doc, out)
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run, print where the results went."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES))
    args = parser.parse_args(argv)
    run_all(args.quick, args.out, args.only)
    print(f"results written to {args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
