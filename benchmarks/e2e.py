"""Benchmarks 2 and 3: GET one invoice end to end against a canned-bytes server, and the
cost of the retry machinery on the success path."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import random
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

import aiohttp
import httpx

from kashflow_async import KashFlowClient
from kashflow_async.transport.transport import USER_AGENT

from . import _rivals as rv
from ._data import full_invoice
from ._servers import CannedServer
from ._stats import fmt, summarize, table

__all__ = ["CONTENDERS", "render", "render_retry", "run", "run_retry"]

CONTENDERS = (
    "bare aiohttp (no decoding)",
    "kashflow-async JSON",
    "kashflow-async XML",
    "httpx + pydantic",
)
BARE = CONTENDERS[0]
TOKEN = "benchmark-token"
INVOICE_LINES = 10

Call = Callable[[], Awaitable[Any]]


def _documents() -> tuple[bytes, bytes]:
    from kashflow_async.codecs import get_codec

    inv = full_invoice(INVOICE_LINES, seed=11)
    return get_codec("json").encode(inv), get_codec("xml").encode(inv)


async def _drive(call: Call, requests: int, concurrency: int) -> float:
    """Requests per second for `requests` calls made by `concurrency` workers."""
    per_worker, extra = divmod(requests, concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker(per_worker + (i < extra)) for i in range(concurrency)))
    return requests / (time.perf_counter() - start)


async def _contenders(stack: AsyncExitStack, url: str, concurrency: int) -> dict[str, Call]:
    """One open client per contender, all with `concurrency` connections."""
    path = "/invoices/42"
    headers = {
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "Authorization": "KfToken " + TOKEN,
    }
    timeout = aiohttp.ClientTimeout(total=30.0)
    session = await stack.enter_async_context(
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
    )
    full = url + path

    async def bare() -> None:
        async with session.get(
            full, headers=headers, timeout=timeout, allow_redirects=False
        ) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"status {resp.status}")

    calls: dict[str, Call] = {BARE: bare}
    for fmt_ in ("json", "xml"):
        kf = await stack.enter_async_context(
            KashFlowClient(token=TOKEN, base_url=url, wire_format=fmt_, max_concurrency=concurrency)
        )
        calls[f"kashflow-async {fmt_.upper()}"] = partial(kf.invoices.get, 42)
    hx = await stack.enter_async_context(
        httpx.AsyncClient(
            base_url=url,
            headers=headers,
            timeout=30.0,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
    )

    async def httpx_pydantic() -> rv.PInvoice:
        resp = await hx.get(path)
        resp.raise_for_status()
        return rv.PInvoice.model_validate_json(resp.content)

    calls["httpx + pydantic"] = httpx_pydantic
    return calls


async def _measure(
    url: str, concurrencies: tuple[int, ...], requests: dict[int, int], rounds: int, seed: int
) -> dict[str, dict[str, list[float]]]:
    rng = random.Random(seed)
    out: dict[str, dict[str, list[float]]] = {}
    for c in concurrencies:
        async with AsyncExitStack() as stack:
            calls = await _contenders(stack, url, c)
            for call in calls.values():  # warm up: connections open, decoders built
                await _drive(call, max(c, min(200, requests[c] // 4)), c)
            samples: dict[str, list[float]] = {name: [] for name in calls}
            order = list(calls)
            for _ in range(rounds):
                rng.shuffle(order)
                for name in order:
                    samples[name].append(await _drive(calls[name], requests[c], c))
        out[str(c)] = samples
    return out


def _run_on(factory: Callable[[], asyncio.AbstractEventLoop] | None, coro: Any) -> Any:
    """Run `coro` to completion on a new loop from `factory` (None: the default loop)."""
    loop = factory() if factory is not None else asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(coro)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


def _loop_variants() -> dict[str, Any]:
    variants: dict[str, Any] = {"asyncio": None}
    if importlib.util.find_spec("uvloop") is not None:
        uvloop: Any = importlib.import_module("uvloop")
        variants["uvloop"] = uvloop.new_event_loop
    return variants


def run(
    *, concurrencies: tuple[int, ...], requests: dict[int, int], rounds: int, seed: int = 0
) -> dict[str, Any]:
    """Requests/s of every contender at every concurrency, interleaved, per event loop."""
    json_body, xml_body = _documents()
    results: dict[str, Any] = {
        "invoice_lines": INVOICE_LINES,
        "json_bytes": len(json_body),
        "xml_bytes": len(xml_body),
        "rounds": rounds,
        "requests": {str(c): requests[c] for c in concurrencies},
        "loops": {},
    }
    variants = _loop_variants()
    if "uvloop" not in variants:
        results["uvloop"] = "not installed: skipped"
    with CannedServer(json_body, xml_body) as server:
        for name, factory in variants.items():
            coro = _measure(server.url, concurrencies, requests, rounds, seed)
            samples = _run_on(factory, coro)
            results["loops"][name] = {
                c: {n: summarize(v).as_dict() for n, v in per.items()} for c, per in samples.items()
            }
    return results


def render(results: dict[str, Any]) -> str:
    """Markdown: requests/s (median, IQR) per concurrency, ratio to the bare loop."""
    parts = [
        f"GET one invoice ({results['invoice_lines']} lines; {results['json_bytes']:,} B "
        f"JSON, {results['xml_bytes']:,} B XML) from a server in another process answering "
        "canned bytes over HTTP/1.1 keep-alive on 127.0.0.1. Requests per round: "
        + ", ".join(f"{n:,} at concurrency {c}" for c, n in results["requests"].items())
        + f"; {results['rounds']} interleaved rounds. Every client keeps `concurrency` "
        "connections; ×bare = requests/s over the bare aiohttp loop's.",
    ]
    if "uvloop" in results:
        parts.append(f"uvloop: {results['uvloop']}.")
    for loop, per_c in results["loops"].items():
        header = ["contender"]
        for c in per_c:
            header += [f"c={c} req/s", f"c={c} IQR", f"c={c} ×bare"]
        rows = []
        for name in CONTENDERS:
            row = [name]
            for per in per_c.values():
                s, bare = per[name], per[BARE]
                row += [
                    fmt(s["median"]),
                    f"{fmt(s['p25'])}–{fmt(s['p75'])}",
                    f"{s['median'] / bare['median']:.2f}",
                ]
            rows.append(row)
        parts.append(f"**Event loop: {loop}**\n\n" + table(header, rows))
    return "\n\n".join(parts)


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) at the highest concurrency, per event loop."""
    out = []
    for loop, per_c in results["loops"].items():
        c = max(per_c, key=int)
        per = per_c[c]
        kf = per["kashflow-async JSON"]["median"]
        bare = kf / per[BARE]["median"]
        vs_httpx = kf / per["httpx + pydantic"]["median"]
        out.append((f"end to end c={c} ≥0.85× bare aiohttp ({loop})", f"{bare:.2f}×", bare >= 0.85))
        out.append(
            (f"end to end c={c} ≥4× httpx + pydantic ({loop})", f"{vs_httpx:.2f}×", vs_httpx >= 4)
        )
    return out


# ----------------------------------------------------------------------------- retries


async def _measure_retry(
    url: str, concurrencies: tuple[int, ...], requests: dict[int, int], rounds: int, seed: int
) -> dict[str, dict[str, list[float]]]:
    rng = random.Random(seed)
    out: dict[str, dict[str, list[float]]] = {}
    for c in concurrencies:
        async with AsyncExitStack() as stack:
            calls: dict[str, Call] = {}
            for retries in (3, 0):
                kf = await stack.enter_async_context(
                    KashFlowClient(
                        token=TOKEN, base_url=url, max_retries=retries, max_concurrency=c
                    )
                )
                calls[f"max_retries={retries}"] = partial(kf.invoices.get, 42)
            for call in calls.values():
                await _drive(call, max(c, requests[c] // 4), c)
            samples: dict[str, list[float]] = {name: [] for name in calls}
            order = list(calls)
            for _ in range(rounds):
                rng.shuffle(order)
                for name in order:
                    rate = await _drive(calls[name], requests[c], c)
                    samples[name].append(1e6 / rate)
        out[str(c)] = samples
    return out


def run_retry(
    *, concurrencies: tuple[int, ...], requests: dict[int, int], rounds: int, seed: int = 1
) -> dict[str, Any]:
    """µs per request with retries enabled (3) and disabled (0), interleaved."""
    json_body, xml_body = _documents()
    with CannedServer(json_body, xml_body) as server:
        samples = asyncio.run(_measure_retry(server.url, concurrencies, requests, rounds, seed))
    return {
        "rounds": rounds,
        "requests": {str(c): requests[c] for c in concurrencies},
        "us_per_request": {
            c: {n: summarize(v).as_dict() for n, v in per.items()} for c, per in samples.items()
        },
    }


def render_retry(results: dict[str, Any]) -> str:
    """Markdown: µs per request (wall time / requests) with and without retries."""
    rows = []
    for c, per in results["us_per_request"].items():
        on, off = per["max_retries=3"], per["max_retries=0"]
        diff = (on["median"] - off["median"]) / off["median"]
        rows.append(
            [
                c,
                fmt(on["median"]),
                f"{fmt(on['p25'])}–{fmt(on['p75'])}",
                fmt(off["median"]),
                f"{fmt(off['p25'])}–{fmt(off['p75'])}",
                f"{diff:+.1%}",
                f"±{max(on['p75'] - on['p25'], off['p75'] - off['p25']) / off['median']:.1%}",
            ]
        )
    intro = (
        "kashflow-async JSON, GET one invoice from the canned server; µs per request = wall "
        "time / requests (at concurrency > 1 this is the inverse throughput). "
        f"{results['rounds']} interleaved rounds of "
        + ", ".join(f"{n:,} requests at concurrency {c}" for c, n in results["requests"].items())
        + ". Indistinguishable means the difference of medians is within the larger IQR."
    )
    header = [
        "concurrency",
        "retries on µs",
        "IQR",
        "retries off µs",
        "IQR",
        "difference",
        "noise (IQR)",
    ]
    return intro + "\n\n" + table(header, rows)


def retry_targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Retries on vs off: the difference of medians within the noise."""
    out = []
    for c, per in results["us_per_request"].items():
        on, off = per["max_retries=3"], per["max_retries=0"]
        diff = (on["median"] - off["median"]) / off["median"]
        noise = max(on["p75"] - on["p25"], off["p75"] - off["p25"]) / off["median"]
        out.append(
            (
                f"retries on vs off indistinguishable (c={c})",
                f"{diff:+.1%} (noise ±{noise:.1%})",
                abs(diff) <= max(noise, 0.01),
            )
        )
    return out
