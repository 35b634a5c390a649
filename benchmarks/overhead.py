"""Per-request overhead: ``kf.invoices.get(2)`` against a canned server in another process.

The server answers every GET with the same pre-encoded invoice (10 lines), doing no
per-request work. Beside the client run the loops a user would write with aiohttp alone
(with and without the same decode), httpx + pydantic, and the client with its options
(retries off; event hooks and tracing on, where the client has them). Every contender has
its own session and `concurrency` warm connections before timing; contenders run in
alternating order (forward, then backward), and each figure is the median over the
rounds of wall time / requests (and of this process's CPU time / requests, which the
server and other load do not inflate), under every event loop installed (asyncio, uvloop).

``python -m benchmarks.overhead [--quick] [--loop L] [-c 1 16 64] [--profile NAME]``;
``--profile json`` runs the client (JSON) at the highest concurrency under cProfile and
prints the top entries instead (``--sort cumulative`` to sort otherwise; ``bare-json``
profiles the bare loop with the same decode, for comparison).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import inspect
import io
import pstats
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

import aiohttp
import httpx

from kashflow_async import KashFlowClient
from kashflow_async.codecs import get_codec
from kashflow_async.models import Invoice
from kashflow_async.transport.transport import USER_AGENT

from . import _rivals as rv
from . import hooks_cost
from ._data import typical_invoice
from ._loops import loops, run_on
from ._servers import CannedServer
from ._stats import fmt, paired_ratio, summarize, table

__all__ = ["CONTENDERS", "available", "brief", "main", "profile", "render", "run", "targets"]

BARE = "bare aiohttp"
BARE_JSON = "bare aiohttp + JSON decode"
KF_JSON = "kashflow-async JSON"
KF_NO_RETRY = "kashflow-async JSON, retries off"
KF_HOOKS = "kashflow-async JSON, event hooks on"
KF_TRACING = "kashflow-async JSON, tracing on"
OTEL_BARE = "bare aiohttp + JSON decode, OTel aiohttp instrumentation"
BARE_XML = "bare aiohttp + XML decode"
KF_XML = "kashflow-async XML"
HTTPX = "httpx + pydantic"

#: table order; each contender's ratio is taken against its reference ("bare + decode")
CONTENDERS = (
    BARE,
    BARE_JSON,
    KF_JSON,
    KF_NO_RETRY,
    KF_HOOKS,
    KF_TRACING,
    OTEL_BARE,
    BARE_XML,
    KF_XML,
    HTTPX,
)
REFERENCE = {name: BARE_XML if "XML" in name else BARE_JSON for name in CONTENDERS}
#: short names for ``--profile``
PROFILE_NAMES = {
    "json": KF_JSON,
    "xml": KF_XML,
    "bare": BARE,
    "bare-json": BARE_JSON,
    "bare-xml": BARE_XML,
    "httpx": HTTPX,
    "hooks": KF_HOOKS,
    "tracing": KF_TRACING,
    "otel-bare": OTEL_BARE,
    "no-retry": KF_NO_RETRY,
}

TOKEN = "benchmark-token"
INVOICE_LINES = 10
NUMBER = 2

Call = Callable[[], Awaitable[Any]]


def available() -> dict[str, str]:
    """Contenders this client cannot run yet, each with the reason."""
    params = inspect.signature(KashFlowClient).parameters
    missing = {}
    if "event_hooks" not in params:
        missing[KF_HOOKS] = "KashFlowClient has no event_hooks yet"
    if "tracer_provider" not in params:
        missing[KF_TRACING] = "KashFlowClient has no tracer_provider yet"
    try:
        import opentelemetry.instrumentation.aiohttp_client  # noqa: F401
    except ImportError:
        missing[OTEL_BARE] = "opentelemetry-instrumentation-aiohttp-client is not installed"
    return missing


def documents() -> tuple[bytes, bytes]:
    """The JSON and XML bytes the canned server answers."""
    inv = typical_invoice(INVOICE_LINES)
    return get_codec("json").encode(inv), get_codec("xml").encode(inv)


def _noop(event: Any) -> None:
    return None


def _tracer_provider() -> Any:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    class _Discard(InMemorySpanExporter):
        def export(self, spans: Any) -> Any:
            self.clear()  # keep memory flat over millions of spans
            return super().export(spans)

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_Discard()))
    return provider


async def _bare(
    stack: AsyncExitStack, url: str, c: int, media: str, decode: Any, traced: bool = False
) -> Call:
    """The loop a user writes with aiohttp alone; `decode` None: no decoding; `traced`:
    with OpenTelemetry's aiohttp client instrumentation (a span per request)."""
    headers = {"Accept": media, "User-Agent": USER_AGENT, "Authorization": "KfToken " + TOKEN}
    trace_configs = None
    if traced:
        from opentelemetry.instrumentation.aiohttp_client import create_trace_config

        trace_configs = [create_trace_config(tracer_provider=_tracer_provider())]
    session = await stack.enter_async_context(
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=c), headers=headers, trace_configs=trace_configs
        )
    )
    target = f"{url}/invoices/{NUMBER}"

    if decode is None:

        async def bare() -> bytes:
            async with session.get(target) as resp:
                resp.raise_for_status()
                return await resp.read()

        return bare

    async def bare_decode() -> Invoice:
        async with session.get(target) as resp:
            resp.raise_for_status()
            body = await resp.read()
        return decode(body, Invoice)  # type: ignore[no-any-return]

    return bare_decode


async def _client(stack: AsyncExitStack, url: str, c: int, **options: Any) -> Call:
    kf = await stack.enter_async_context(
        KashFlowClient(token=TOKEN, base_url=url, max_concurrency=c, **options)
    )
    return partial(kf.invoices.get, NUMBER)


async def _httpx(stack: AsyncExitStack, url: str, c: int) -> Call:
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    headers = {"Accept": "application/json", "Authorization": "KfToken " + TOKEN}
    hx = await stack.enter_async_context(
        httpx.AsyncClient(base_url=url, headers=headers, timeout=30.0, limits=limits)
    )

    async def httpx_pydantic() -> rv.PInvoice:
        resp = await hx.get(f"/invoices/{NUMBER}")
        resp.raise_for_status()
        return rv.PInvoice.model_validate_json(resp.content)

    return httpx_pydantic


async def contender(stack: AsyncExitStack, name: str, url: str, c: int) -> Call:
    """An open client for contender `name` with `c` connections, closed with `stack`."""
    js, xml = get_codec("json"), get_codec("xml")
    if name == BARE:
        return await _bare(stack, url, c, js.media_type, None)
    if name == BARE_JSON:
        return await _bare(stack, url, c, js.media_type, js.decode)
    if name == BARE_XML:
        return await _bare(stack, url, c, xml.media_type, xml.decode)
    if name == OTEL_BARE:
        return await _bare(stack, url, c, js.media_type, js.decode, traced=True)
    if name == KF_JSON:
        return await _client(stack, url, c)
    if name == KF_NO_RETRY:
        return await _client(stack, url, c, max_retries=0)
    if name == KF_HOOKS:
        hooks = {"request": [_noop], "response": [_noop], "retry": [_noop]}
        return await _client(stack, url, c, event_hooks=hooks)
    if name == KF_TRACING:
        return await _client(stack, url, c, tracer_provider=_tracer_provider())
    if name == KF_XML:
        return await _client(stack, url, c, wire_format="xml")
    if name == HTTPX:
        return await _httpx(stack, url, c)
    raise ValueError(f"unknown contender {name!r}")


async def drive(call: Call, requests: int, concurrency: int) -> float:
    """Wall seconds for `requests` calls made by `concurrency` workers."""
    per_worker, extra = divmod(requests, concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker(per_worker + (i < extra)) for i in range(concurrency)))
    return time.perf_counter() - start


async def warm(call: Call, concurrency: int, target_s: float) -> int:
    """Open every connection and build every decoder; the request count for one timed
    batch of about `target_s` seconds (at least 8 per worker)."""
    await drive(call, concurrency * 4, concurrency)
    probe = concurrency * 8
    per_request = await drive(call, probe, concurrency) / probe
    return max(probe, int(target_s / per_request))


async def _measure(
    url: str, names: Sequence[str], c: int, rounds: int, target_s: float
) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU µs per request of every contender in `names` (CPU: this process's
    user + system time, so the server and other processes are not counted), `rounds`
    alternating rounds."""
    async with AsyncExitStack() as stack:
        calls = {name: await contender(stack, name, url, c) for name in names}
        return await alternating_rounds(calls, c, rounds, target_s)


async def alternating_rounds(
    calls: dict[str, Call], c: int, rounds: int, target_s: float
) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU µs per request of each of `calls` (warmed first), measured in
    `rounds` rounds whose order alternates, so that drift in the machine's load falls on
    every contender alike."""
    counts = {name: await warm(call, c, target_s) for name, call in calls.items()}
    samples: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in calls}
    names = list(calls)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            gc.collect()
            cpu = time.process_time()
            elapsed = await drive(calls[name], counts[name], c)
            cpu = time.process_time() - cpu
            samples[name][0].append(elapsed / counts[name] * 1e6)
            samples[name][1].append(cpu / counts[name] * 1e6)
    return samples


def run(
    *,
    concurrencies: tuple[int, ...],
    rounds: int,
    target_s: float,
    loop: str | None = None,
    only: Sequence[str] | None = None,
) -> dict[str, Any]:
    """µs/request of every contender (`only`: these, with their references) at every
    concurrency, under every event loop."""
    json_body, xml_body = documents()
    missing = available()
    wanted = set(CONTENDERS) if only is None else {*only, *(REFERENCE[n] for n in only)}
    names = [n for n in CONTENDERS if n not in missing and n in wanted]
    results: dict[str, Any] = {
        "invoice_lines": INVOICE_LINES,
        "json_bytes": len(json_body),
        "xml_bytes": len(xml_body),
        "rounds": rounds,
        "batch_s": target_s,
        "skipped": missing,
        "loops": {},
    }
    factories = loops(loop)
    if "uvloop" not in factories and loop is None:
        results["skipped"] = {**missing, "uvloop": "uvloop is not installed"}
    with CannedServer(json_body, xml_body) as server:
        for loop_name, factory in factories.items():
            per_c: dict[str, Any] = {}
            for c in concurrencies:
                samples = run_on(factory, partial(_measure, server.url, names, c, rounds, target_s))
                per_c[str(c)] = {
                    n: {**summarize(wall).as_dict(), "cpu": summarize(cpu).as_dict()}
                    for n, (wall, cpu) in samples.items()
                }
            results["loops"][loop_name] = per_c
            if KF_HOOKS in names:
                results.setdefault("hook_cost", {})[loop_name] = run_on(
                    factory, partial(hooks_cost.measure, rounds=max(rounds, 5))
                )
    return results


def ratio(per: dict[str, Any], name: str, cpu: bool = False) -> float:
    """How many times faster `name` is than its "bare + decode" reference (µs over µs;
    `cpu`: client CPU µs)."""
    ref, own = per[REFERENCE[name]], per[name]
    if cpu:
        ref, own = ref["cpu"], own["cpu"]
    return paired_ratio(ref, own)


def render(results: dict[str, Any]) -> str:
    """Markdown: µs/request (median, IQR), req/s, × bare + decode; one table per loop."""
    parts = [
        f"`kf.invoices.get({NUMBER})`: one invoice of {results['invoice_lines']} lines "
        f"({results['json_bytes']:,} B JSON, {results['xml_bytes']:,} B XML) from a server "
        "in another process answering pre-encoded bytes over HTTP/1.1 keep-alive on "
        "127.0.0.1. Every contender has its own session with `concurrency` connections, "
        f"warmed before timing; {results['rounds']} rounds in alternating order, batches "
        f"of about {results['batch_s']:g} s. µs/request = wall time / requests (the "
        "inverse throughput), median over the rounds; × bare + decode = the µs of the "
        "bare aiohttp loop with the same decode (JSON or XML) over the contender's in the "
        "same round, median over the rounds: below 1.00 is slower.",
    ]
    if results["skipped"]:
        parts.append(
            "Not measured: " + "; ".join(f"{n} ({why})" for n, why in results["skipped"].items())
        )
    for loop, cost_ in results.get("hook_cost", {}).items():
        parts.append(
            f"No-op event hooks ({loop}), measured without the network (`benchmarks.hooks_cost`"
            f"): {cost_['hooks_us']:.2f} µs of client CPU per request "
            f"({cost_['without_us']:.1f} µs without hooks, {cost_['with_us']:.1f} µs with)."
        )
    for loop, per_c in results["loops"].items():
        header = ["contender"]
        for c in per_c:
            header += [f"c={c} µs/req (IQR)", f"c={c} req/s", f"c={c} × bare+decode"]
        rows = []
        for name in CONTENDERS:
            if name not in next(iter(per_c.values())):
                continue
            row = [name]
            for per in per_c.values():
                s = per[name]
                row += [
                    f"{fmt(s['median'])} ({fmt(s['p25'])}–{fmt(s['p75'])})",
                    fmt(1e6 / s["median"]),
                    "–" if name == BARE else f"{ratio(per, name):.2f}",
                ]
            rows.append(row)
        parts.append(f"**Event loop: {loop}**\n\n" + table(header, rows))
        parts.append(
            f"Client CPU per request ({loop}): this process's user + system time over the "
            "requests, so neither the server nor other load is counted; the overhead "
            "itself, less sensitive to a busy machine.\n\n" + _cpu_table(per_c)
        )
    return "\n\n".join(parts)


def _cpu_table(per_c: dict[str, Any]) -> str:
    header = ["contender"]
    for c in per_c:
        header += [f"c={c} CPU µs/req (IQR)", f"c={c} × bare+decode"]
    rows = []
    for name in CONTENDERS:
        if name not in next(iter(per_c.values())):
            continue
        row = [name]
        for per in per_c.values():
            s = per[name]["cpu"]
            row += [
                f"{fmt(s['median'])} ({fmt(s['p25'])}–{fmt(s['p75'])})",
                "–" if name == BARE else f"{ratio(per, name, cpu=True):.2f}",
            ]
        rows.append(row)
    return table(header, rows)


def brief(results: dict[str, Any], cpu: bool = False) -> str:
    """Markdown: one compact table, µs/request (× bare + decode) per loop and concurrency
    (`cpu`: the client's CPU µs/request)."""
    loops_ = results["loops"]
    header = ["contender"]
    for loop, per_c in loops_.items():
        header += [f"{loop} c={c}" for c in per_c]
    rows = []
    for name in CONTENDERS:
        if not all(name in per for per_c in loops_.values() for per in per_c.values()):
            continue
        row = [name]
        for per_c in loops_.values():
            for per in per_c.values():
                own = per[name]["cpu"] if cpu else per[name]
                cell = fmt(own["median"])
                row.append(cell if name == BARE else f"{cell} ({ratio(per, name, cpu):.2f}×)")
        rows.append(row)
    return table(header, rows)


def cost(per: dict[str, Any], name: str, base: str) -> float:
    """Client CPU µs/request that `name` adds to `base` (medians of the same run)."""
    return float(per[name]["cpu"]["median"] - per[base]["cpu"]["median"])


def _option_targets(
    loop: str, c: str, per: dict[str, Any], hook_us: float | None
) -> list[tuple[str, str, bool]]:
    """No-op hooks ≤3% of a request's client CPU (`hook_us`: their cost measured without
    the network, else the paired ratio); tracing ≤ the OTel instrumentation."""
    out = []
    if hook_us is not None and KF_JSON in per:
        share = hook_us / per[KF_JSON]["cpu"]["median"]
        shown = f"{hook_us:.1f} µs = {share * 100:.1f}%"
        out.append((f"no-op hooks ≤3% of a request's CPU (c={c}, {loop})", shown, share <= 0.03))
    elif KF_HOOKS in per:
        r = paired_ratio(per[KF_JSON]["cpu"], per[KF_HOOKS]["cpu"])
        out.append(
            (f"no-op hooks ≤3% CPU (c={c}, {loop})", f"{(1 / r - 1) * 100:+.1f}%", r >= 0.97)
        )
    if KF_TRACING in per and OTEL_BARE in per:
        ours, theirs = cost(per, KF_TRACING, KF_JSON), cost(per, OTEL_BARE, BARE_JSON)
        out.append(
            (
                f"tracing ≤ OTel aiohttp instrumentation, CPU µs added (c={c}, {loop})",
                f"{ours:.1f} vs {theirs:.1f}",
                ours <= theirs,
            )
        )
    return out


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Client ≥0.97× bare + decode (JSON, XML), retries free, ≥4× httpx, no-op hooks ≤3%,
    tracing ≤ the OTel instrumentation; per c and loop (for the contenders measured)."""
    out = []
    for loop, per_c in results["loops"].items():
        for c, per in per_c.items():
            hook = results.get("hook_cost", {}).get(loop)
            out.extend(_option_targets(loop, c, per, hook["hooks_us"] if hook else None))
            if KF_JSON not in per or KF_XML not in per or KF_NO_RETRY not in per:
                continue
            for name in (KF_JSON, KF_XML):
                r = ratio(per, name)
                out.append((f"{name} ≥0.97× bare + decode (c={c}, {loop})", f"{r:.2f}×", r >= 0.97))
            free = paired_ratio(per[KF_NO_RETRY], per[KF_JSON])
            out.append(
                (f"retries on ≥0.97× retries off (c={c}, {loop})", f"{free:.2f}×", free >= 0.97)
            )
        c = max(per_c, key=int)
        if HTTPX not in per_c[c] or KF_JSON not in per_c[c]:
            continue
        vs = paired_ratio(per_c[c][HTTPX], per_c[c][KF_JSON])
        out.append((f"{KF_JSON} ≥4× httpx + pydantic (c={c}, {loop})", f"{vs:.1f}×", vs >= 4.0))
    return out


# ----------------------------------------------------------------------------- profile


async def _profiled(url: str, name: str, c: int, seconds: float, sort: str, top: int) -> str:
    async with AsyncExitStack() as stack:
        call = await contender(stack, name, url, c)
        count = await warm(call, c, seconds)
        profiler = cProfile.Profile()
        profiler.enable()
        elapsed = await drive(call, count, c)
        profiler.disable()
    out = io.StringIO()
    out.write(f"{name}, c={c}: {count:,} requests, {elapsed / count * 1e6:.1f} µs/request ")
    out.write("(under cProfile, which roughly doubles the cost of Python calls)\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    return out.getvalue()


def profile(
    name: str,
    *,
    c: int = 64,
    seconds: float = 3.0,
    sort: str = "tottime",
    top: int = 30,
    loop: str = "asyncio",
) -> str:
    """cProfile's top `top` entries (by `sort`) for contender `name` at concurrency `c`,
    on event loop `loop`, over about `seconds` of requests after warm-up."""
    json_body, xml_body = documents()
    with CannedServer(json_body, xml_body) as server:
        factory = loops(loop)[loop]
        return run_on(factory, partial(_profiled, server.url, name, c, seconds, sort, top))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.overhead``: print the tables (or a profile)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.overhead", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny batches: a smoke test")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), help="one event loop only")
    parser.add_argument("-c", "--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--rounds", type=int, help="rounds (default 10, quick 2)")
    parser.add_argument("--profile", choices=sorted(PROFILE_NAMES), help="profile one contender")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (with --profile)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(PROFILE_NAMES),
        help="measure only these contenders (and their references)",
    )
    args = parser.parse_args(argv)
    if args.profile:
        name = PROFILE_NAMES[args.profile]
        seconds = 0.3 if args.quick else 3.0
        loop = args.loop or "asyncio"
        print(profile(name, c=max(args.concurrency), seconds=seconds, sort=args.sort, loop=loop))
        return 0
    results = run(
        concurrencies=tuple(args.concurrency),
        rounds=args.rounds or (2 if args.quick else 10),
        target_s=0.03 if args.quick else 0.3,
        loop=args.loop,
        only=[PROFILE_NAMES[n] for n in args.only] if args.only else None,
    )
    print(render(results))
    print()
    print(
        table(
            ["target", "measured", "met"],
            [[t, m, "yes" if ok else "**no**"] for t, m, ok in targets(results)],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
