"""Client construction, session ownership, timeouts and connection failures against a real
local server, and logging."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aioresponses import aioresponses

from kashflow_async import (
    AmbiguousResultError,
    InvalidArgumentError,
    Invoice,
    KashFlowClient,
    TransportError,
    __version__,
    get_codec,
)
from kashflow_async.transport import _logging as kf_logging

from .helpers import BASE, TOKEN, FakeTime, calls, reply

INVOICE = reply("json", Invoice(number=1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"wire_format": "yaml"},
        {"timeout": 0},
        {"timeout": -1.0},
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_concurrency": 0},
        {"rate_limit": 0},
        {"base_url": "ftp://example.com"},
        {"max_response_bytes": 0},
    ],
)
def test_constructor_checks_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        KashFlowClient(token=TOKEN, **kwargs)
    assert next(iter(kwargs)) in str(caught.value)


def test_client_can_be_built_outside_a_loop_and_opens_nothing() -> None:
    kf = KashFlowClient(token=TOKEN)
    assert kf.base_url == "https://api.kashflow.com/v2"
    assert kf.wire_format == "json"
    assert kf._transport.unclosed is False
    del kf
    gc.collect()  # no ResourceWarning: nothing was opened


async def test_async_with_closes_the_session_it_opened(mock: aioresponses) -> None:
    mock.get(f"{BASE}/invoices/1", **INVOICE)
    async with KashFlowClient(token=TOKEN, base_url=BASE) as kf:
        await kf.invoices.get(1)
        session = kf._transport.session
        assert not session.closed
    assert session.closed
    with pytest.raises(RuntimeError, match="closed"):
        await kf.invoices.get(1)


async def test_injected_session_is_used_and_left_open(mock: aioresponses) -> None:
    mock.get(f"{BASE}/invoices/1", **INVOICE)
    async with aiohttp.ClientSession() as session:
        async with KashFlowClient(token=TOKEN, base_url=BASE, session=session) as kf:
            await kf.invoices.get(1)
            assert kf._transport.session is session
        assert not session.closed


async def test_unclosed_client_warns() -> None:
    holder = [KashFlowClient(token=TOKEN, base_url=BASE)]
    session = holder[0]._transport.session
    with pytest.warns(ResourceWarning, match="unclosed KashFlowClient"):
        holder.clear()  # the last reference: the client is finalised here
    await session.close()


def test_repr_shows_no_secret() -> None:
    kf = KashFlowClient(token=TOKEN)
    assert TOKEN not in repr(kf)
    assert "***" in repr(kf)


# -- a real local server --------------------------------------------------------------------


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[web.Request]]]:
    """A local server: /v2/slow sleeps 5 s, /v2/invoices/{n} answers an invoice."""
    seen: list[web.Request] = []
    body = get_codec("json").encode(Invoice(number=1))

    async def slow(request: web.Request) -> web.Response:
        seen.append(request)
        await asyncio.sleep(5)
        return web.Response(body=body, content_type="application/json")

    async def invoice(request: web.Request) -> web.Response:
        seen.append(request)
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/v2/slow/invoices", slow)
    app.router.add_route("*", "/v2/slow/invoices/{n}", slow)
    app.router.add_route("*", "/v2/invoices/{n}", invoice)
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/v2", seen
    await runner.cleanup()


async def test_headers_on_the_wire(server: tuple[str, list[web.Request]]) -> None:
    url, seen = server
    async with KashFlowClient(token=TOKEN, base_url=url) as kf:
        assert (await kf.invoices.get(1)).number == 1
    headers = seen[0].headers
    assert headers["Authorization"] == f"KfToken {TOKEN}"
    assert headers["User-Agent"] == f"kashflow-async/{__version__}"
    assert headers["Accept"] == "application/json"


async def test_timeout_is_per_attempt_and_get_is_retried(
    server: tuple[str, list[web.Request]], fake_time: FakeTime
) -> None:
    url, seen = server
    async with KashFlowClient(
        token=TOKEN,
        base_url=f"{url}/slow",
        timeout=0.2,
        max_retries=1,
        retry_policy=fake_time.policy(),
    ) as kf:
        async with asyncio.timeout(5):
            with pytest.raises(TransportError, match="timed out") as caught:
                await kf.invoices.get(1)
    assert not isinstance(caught.value, AmbiguousResultError)
    assert len(seen) == 2


async def test_post_timing_out_is_ambiguous_and_sent_once(
    server: tuple[str, list[web.Request]], fake_time: FakeTime
) -> None:
    url, seen = server
    new = Invoice(customer_code="TCUST01")
    async with KashFlowClient(
        token=TOKEN, base_url=f"{url}/slow", timeout=0.2, retry_policy=fake_time.policy()
    ) as kf:
        async with asyncio.timeout(5):
            with pytest.raises(AmbiguousResultError) as caught:
                await kf.invoices.create(new)
    assert caught.value.sent is new
    assert len(seen) == 1
    assert fake_time.sleeps == []


async def test_post_to_a_closed_port_is_retried_then_transport_error(
    fake_time: FakeTime,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with KashFlowClient(
        token=TOKEN,
        base_url=f"http://127.0.0.1:{port}/v2",
        max_retries=2,
        retry_policy=fake_time.policy(),
    ) as kf:
        with pytest.raises(TransportError, match="could not connect") as caught:
            await kf.invoices.create(Invoice(customer_code="X"))
    assert not isinstance(caught.value, AmbiguousResultError)
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert fake_time.sleeps == [0.25, 0.5]


# -- logging --------------------------------------------------------------------------------


@pytest.fixture
def clean_logger() -> Any:
    logger = logging.getLogger("kashflow_async")
    level, handlers = logger.level, list(logger.handlers)
    # start from a logger nobody configured, whatever ran before in this process
    logger.setLevel(logging.NOTSET)
    logger.handlers[:] = []
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_kashflow_log_env_switches_logging_on(clean_logger: logging.Logger) -> None:
    kf_logging.configure_from_env({"KASHFLOW_LOG": "off"})
    assert clean_logger.level == logging.NOTSET
    kf_logging.configure_from_env({"KASHFLOW_LOG": "DEBUG"})
    kf_logging.configure_from_env({"KASHFLOW_LOG": "debug"})
    assert clean_logger.level == logging.DEBUG
    assert len(clean_logger.handlers) == 1
    kf_logging.configure_from_env({"KASHFLOW_LOG": "info"})
    assert clean_logger.level == logging.INFO
    assert len(clean_logger.handlers) == 1


async def test_each_attempt_is_logged(
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="kashflow_async")
    kf = make_client()
    mock.get(f"{BASE}/invoices/1", status=503)
    mock.get(f"{BASE}/invoices/1", **INVOICE)
    await kf.invoices.get(1)
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("GET /invoices/1 -> 503 (attempt 1, ") for m in messages)
    assert any(m.startswith("GET /invoices/1 -> 200 (attempt 2, ") for m in messages)
    assert any("retry 1 of 3 in 0.25 s" in m for m in messages)
    assert len(calls(mock)) == 2


async def test_nothing_is_logged_when_the_logger_is_off(
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="kashflow_async")
    kf = make_client()
    mock.get(f"{BASE}/invoices/1", **INVOICE)
    assert (await kf.invoices.get(1)).number == 1
    assert caplog.records == []
