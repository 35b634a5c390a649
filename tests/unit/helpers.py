"""Helpers for the client's unit tests: corpus, controlled time, mocked HTTP inspection."""

from __future__ import annotations

import asyncio
import types
from pathlib import Path
from typing import Any

import aiohttp
from aioresponses import aioresponses
from yarl import URL

from kashflow_async import RetryPolicy, get_codec

BASE = "https://api.test/v2"
TOKEN = "tok-SECRET-5f0c2a"
CORPUS = Path(__file__).resolve().parents[2] / "codecs"
MEDIA = {"json": "application/json", "xml": "application/xml"}


def corpus(name: str, fmt: str) -> bytes:
    """A documented wire example from ``codecs/`` (``invoices.get.response``)."""
    return (CORPUS / f"{name}.{fmt}").read_bytes()


class FakeTime:
    """A clock that only moves when something sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_700_000_000.0 + self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    def policy(self, jitter: float = 0.5) -> RetryPolicy:
        return RetryPolicy(
            sleep=self.sleep, random=lambda: jitter, clock=self.clock, wall_clock=self.wall
        )


def calls(m: aioresponses, method: str | None = None) -> list[tuple[str, URL, dict[str, Any]]]:
    """Every request the mock saw: (method, URL with query, keyword arguments)."""
    found = []
    for (meth, url), reqs in m.requests.items():
        if method is None or meth == method:
            found.extend((meth, url, call.kwargs) for call in reqs)
    return found


def only_call(m: aioresponses) -> tuple[str, URL, dict[str, Any]]:
    seen = calls(m)
    assert len(seen) == 1, seen
    return seen[0]


def reply(fmt: str, obj: Any) -> dict[str, Any]:
    """aioresponses keywords answering `obj` encoded in `fmt`."""
    return {"body": get_codec(fmt).encode(obj), "content_type": MEDIA[fmt]}


def connect_refused() -> aiohttp.ClientConnectorError:
    """The error aiohttp raises when nothing listens on the port."""
    key = types.SimpleNamespace(host="api.test", port=443, ssl=True)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))  # type: ignore[arg-type]
