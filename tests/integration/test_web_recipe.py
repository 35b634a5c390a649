"""The web backends guide's aiohttp.web recipe: one client opened in the app's lifespan
and shared by every handler; a caller that disconnects frees its KashFlow concurrency slot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from kashflow_async import KashFlowClient, NotFoundError
from kashflow_async.sandbox import FaultRule, Faults, Sandbox

KASHFLOW = web.AppKey("kashflow", KashFlowClient)


def make_app(token: str, base_url: str, max_concurrency: int, **options: Any) -> web.Application:
    async def kashflow_client(app: web.Application) -> AsyncIterator[None]:
        async with KashFlowClient(
            token=token, base_url=base_url, max_concurrency=max_concurrency, **options
        ) as kf:
            app[KASHFLOW] = kf
            yield

    async def invoice(request: web.Request) -> web.Response:
        kf = request.app[KASHFLOW]
        try:
            inv = await kf.invoices.get(int(request.match_info["number"]))
        except NotFoundError:
            raise web.HTTPNotFound() from None
        return web.json_response({"number": inv.number, "due": str(inv.amount_due)})

    async def quote(request: web.Request) -> web.Response:
        found = await request.app[KASHFLOW].quotes.get(int(request.match_info["number"]))
        return web.json_response({"number": found.number})

    app = web.Application()
    app.cleanup_ctx.append(kashflow_client)
    app.router.add_get("/invoices/{number}", invoice)
    app.router.add_get("/quotes/{number}", quote)
    return app


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_one_client_shared_by_every_handler(sb: Sandbox) -> None:
    app = make_app(sb.token, sb.url, max_concurrency=4)
    runner, url = await _serve(app)
    try:
        kf = app[KASHFLOW]
        async with aiohttp.ClientSession() as http:

            async def get(path: str) -> tuple[int, dict[str, object]]:
                async with http.get(url + path) as resp:
                    body = await resp.json() if resp.status == 200 else {}
                    return resp.status, body

            answers = await asyncio.gather(*(get(f"/invoices/{n}") for n in range(1, 9)))
            assert [body["number"] for _, body in answers] == list(range(1, 9))
            assert (await get("/invoices/999999"))[0] == 404
        assert app[KASHFLOW] is kf
        assert sb.stats.max_in_flight <= 4
    finally:
        await runner.cleanup()
    assert kf._transport.unclosed is False  # closed with the app


async def test_a_disconnected_caller_frees_its_slot(sb: Sandbox) -> None:
    # one slot; an invoice takes 60 s at the sandbox, a quote no time
    sb.faults = Faults(routes={"/invoices/{number}": FaultRule(latency=60.0)})
    sending = asyncio.Event()
    hooks = {"request": [lambda event: sending.set()]}
    app = make_app(sb.token, sb.url, max_concurrency=1, event_hooks=hooks)
    runner, url = await _serve(app)
    try:
        async with aiohttp.ClientSession() as http:

            async def slow_caller() -> None:
                async with http.get(f"{url}/invoices/1") as resp:
                    await resp.read()

            async def quote() -> tuple[int, object]:
                async with http.get(f"{url}/quotes/2") as resp:
                    return resp.status, (await resp.json())["number"]

            caller = asyncio.create_task(slow_caller())
            await asyncio.wait_for(sending.wait(), 10)  # the invoice request holds the slot
            caller.cancel()  # the caller hangs up
            # without the slot back, this would wait the invoice's 60 s
            assert await asyncio.wait_for(quote(), 10) == (200, 2)
        records = [r for r in sb.stats.records if r.route == "/invoices/{number}"]
        assert len(records) == 1
    finally:
        await runner.cleanup()
