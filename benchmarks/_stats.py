"""Summary statistics, interleaved timing, machine description and markdown helpers."""

from __future__ import annotations

import gc
import importlib.metadata
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "Summary",
    "calibrate",
    "fmt",
    "machine",
    "paired_ratio",
    "summarize",
    "table",
    "time_batch",
]


class Summary:
    """Median and spread of repeated measurements."""

    __slots__ = ("max", "median", "min", "n", "p25", "p75", "values")

    def __init__(self, values: Sequence[float]) -> None:
        self.values = list(values)  # in round order, for `paired_ratio`
        ordered = sorted(values)
        self.n = len(ordered)
        self.median = statistics.median(ordered)
        self.min = ordered[0]
        self.max = ordered[-1]
        if self.n >= 4:
            q = statistics.quantiles(ordered, n=4, method="inclusive")
            self.p25, self.p75 = q[0], q[2]
        else:
            self.p25, self.p75 = self.min, self.max

    @property
    def spread(self) -> float:
        """Interquartile range relative to the median (min..max when fewer than 4 rounds)."""
        return (self.p75 - self.p25) / self.median if self.median else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "median": self.median,
            "p25": self.p25,
            "p75": self.p75,
            "min": self.min,
            "max": self.max,
            "n": self.n,
            "values": self.values,
        }


def summarize(values: Sequence[float]) -> Summary:
    """The `Summary` of `values` (at least one)."""
    return Summary(values)


def paired_ratio(ref: dict[str, Any], own: dict[str, Any]) -> float:
    """How many times faster `own` is than `ref` (two `Summary.as_dict()` of times taken in
    the same rounds): the median over rounds of ref ÷ own, so that what slows a whole round
    (other load, frequency changes) cancels; median over median for older results."""
    if "values" in ref and "values" in own and len(ref["values"]) == len(own["values"]):
        return float(
            statistics.median(r / o for r, o in zip(ref["values"], own["values"], strict=True))
        )
    return float(ref["median"] / own["median"])


def time_batch(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call of `fn` over `number` back-to-back calls (GC off, as timeit does;
    callers collect between rounds)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()
    return elapsed / number


def calibrate(fn: Callable[[], Any], target_s: float, cap: int = 100_000) -> int:
    """Calls per batch so that a batch of `fn` takes about `target_s` seconds."""
    fn()
    per_call = time_batch(fn, 1)
    number = 1
    while per_call * number < target_s / 10 and number < cap:
        number *= 2
        per_call = time_batch(fn, number)
    return max(1, min(cap, int(target_s / max(per_call, 1e-9))))


def fmt(value: float, digits: int = 3) -> str:
    """A number with `digits` significant figures, thousands separated."""
    if value == 0:
        return "0"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    return f"{value:,.{digits - 1 - int(f'{abs(value):e}'.split('e')[1])}f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table (first column left-aligned, the others right-aligned)."""
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|")
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


_PACKAGES = (
    "kashflow-async",
    "msgspec",
    "lxml",
    "aiohttp",
    "aiolimiter",
    "pydantic",
    "pydantic-core",
    "httpx",
    "xmltodict",
    "uvloop",
    "matplotlib",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        if name == "kashflow-async":
            from kashflow_async import __version__

            return f"{__version__} (source tree)"
        return "not installed"


def machine() -> dict[str, Any]:
    """Cores, CPU, OS, Python and the versions of the libraries measured."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "loadavg": [round(x, 2) for x in load],
        "packages": {name: _version(name) for name in _PACKAGES},
    }
