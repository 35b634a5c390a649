"""The server around the rules: clients that go away mid-request, and what a plain
``import kashflow_async`` loads."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys

import pytest

from kashflow_async.sandbox import Sandbox


async def test_a_client_going_away_mid_request_is_one_debug_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with Sandbox(invoices=3, quotes=1, customers=3, purchases=1) as sb:
        _, writer = await asyncio.open_connection("127.0.0.1", sb.port)
        writer.write(
            b"POST /v2/invoices HTTP/1.1\r\nHost: sandbox\r\n"
            + f"Authorization: KfToken {sb.token}\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            + b'{"CustomerCode": "TC'
        )
        await writer.drain()
        for _ in range(500):  # until the server is reading the body
            await asyncio.sleep(0.01)
            if sb.stats.in_flight:
                break
        writer.close()
        await writer.wait_closed()
        for _ in range(500):  # until the server has given up on it
            await asyncio.sleep(0.01)
            if not sb.stats.in_flight:
                break
        assert sb.state.invoice_count() == 3
    assert [(r.route, r.status) for r in sb.stats.records] == [("/invoices", 499)]
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert loud == []
    lines = [r for r in caplog.records if r.name == "kashflow_async.sandbox"]
    assert len(lines) == 1
    assert lines[0].levelno == logging.DEBUG
    assert "client went away during POST /invoices" in lines[0].getMessage()


def test_plain_import_loads_neither_aiohttp_web_nor_the_sandbox() -> None:
    probe = (
        "import sys, kashflow_async\n"
        "print(sorted(m for m in ('aiohttp.web', 'kashflow_async.sandbox') if m in sys.modules))\n"
        "kashflow_async.Sandbox\n"
        "print('kashflow_async.sandbox' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.splitlines() == ["[]", "True"]
