"""What no-op event hooks add to a request, measured without the network.

Over loopback the difference between the client with and without hooks is a few per
cent of a request, well inside the noise of a shared machine. Here both clients send
through a stand-in session that answers at once with a canned invoice, so nearly all
the CPU is the client's own request path and the hooks' share of it shows clearly:
``µs with hooks - µs without``, median over alternating rounds. `overhead` divides it
by the client CPU of a real request measured in the same run.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from kashflow_async import KashFlowClient
from kashflow_async.codecs import get_codec

from ._data import typical_invoice

__all__ = ["measure"]


class _Answer:
    """A 200 answer with a canned body, as much of aiohttp's response as the client reads."""

    status = 200
    version = None

    def __init__(self, body: bytes) -> None:
        self._body = body
        self.content_length = len(body)
        self.headers = CIMultiDictProxy(
            CIMultiDict({"Content-Type": "application/json", "X-Request-Id": "req_1"})
        )

    async def read(self) -> bytes:
        return self._body

    def release(self) -> None:
        return None


class _Session:
    """Answers every request at once (no socket, no event-loop round trip)."""

    closed = False
    trust_env = False

    def __init__(self, body: bytes) -> None:
        self._answer = _Answer(body)

    async def request(self, *args: Any, **kwargs: Any) -> _Answer:
        return self._answer


def _noop(event: Any) -> None:
    return None


async def _cpu_per_call(kf: KashFlowClient, calls: int) -> float:
    gc.collect()
    start = time.process_time()
    for _ in range(calls):
        await kf.invoices.get(2)
    return (time.process_time() - start) / calls * 1e6


async def measure(rounds: int = 15, calls: int = 4000) -> dict[str, float]:
    """Client CPU µs per ``invoices.get`` without and with no-op hooks on every event,
    and the difference (medians over `rounds` alternating rounds of `calls` calls)."""
    body = get_codec("json").encode(typical_invoice(10))
    session: Any = _Session(body)
    hooks = {"request": [_noop], "response": [_noop], "retry": [_noop]}
    plain = KashFlowClient(token="t", base_url="http://127.0.0.1:9/v2", session=session)
    hooked = KashFlowClient(
        token="t", base_url="http://127.0.0.1:9/v2", session=session, event_hooks=hooks
    )
    async with plain, hooked:
        await _cpu_per_call(plain, calls // 4)  # warm: decoders, URL cache, headers
        await _cpu_per_call(hooked, calls // 4)
        without: list[float] = []
        with_: list[float] = []
        diffs: list[float] = []
        for r in range(rounds):
            order = (plain, hooked) if r % 2 == 0 else (hooked, plain)
            got = {id(kf): await _cpu_per_call(kf, calls) for kf in order}
            without.append(got[id(plain)])
            with_.append(got[id(hooked)])
            diffs.append(got[id(hooked)] - got[id(plain)])
    return {
        "without_us": statistics.median(without),
        "with_us": statistics.median(with_),
        "hooks_us": statistics.median(diffs),
    }


if __name__ == "__main__":
    print(asyncio.run(measure()))
