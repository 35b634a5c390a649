"""The pytest plugin's fixtures and the command line entry point."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from kashflow_async import KashFlowClient
from kashflow_async.sandbox import Faults, Sandbox, serve
from kashflow_async.sandbox.__main__ import build_parser, options_from_args, parse_duration


async def test_plugin_fixtures_give_a_sandbox_and_a_client(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient
) -> None:
    assert kashflow_client.base_url == kashflow_sandbox.url
    page = await kashflow_client.invoices.page(1, perpage=5)
    assert page.meta.total_records == kashflow_sandbox.state.invoice_count() == 50


@pytest.mark.kashflow_sandbox(invoices=12, seed=4)
@pytest.mark.kashflow_client(wire_format="xml")
async def test_plugin_markers_configure_the_fixtures(
    kashflow_sandbox: Sandbox, kashflow_client: KashFlowClient
) -> None:
    assert kashflow_client.wire_format == "xml"
    numbers = [i.number async for i in kashflow_client.invoices.list(perpage=5)]
    assert numbers == list(range(1, 13))


def test_durations_and_options_parse() -> None:
    assert parse_duration("20ms") == pytest.approx(0.02)
    assert parse_duration("0.5s") == pytest.approx(0.5)
    assert parse_duration("20") == pytest.approx(0.02)
    args = build_parser().parse_args(
        ["--port", "0", "--latency", "20ms", "--error-rate", "0.1", "--xml", "--invoices", "30"]
    )
    assert (args.port, args.latency, args.error_rate, args.xml, args.invoices) == (
        0,
        pytest.approx(0.02),
        0.1,
        True,
        30,
    )
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--error-rate", "2"])


async def test_serve_runs_until_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["--port", "0", "--invoices", "5", "--quotes", "2"])
    stop = asyncio.Event()
    task = asyncio.create_task(serve(options_from_args(args), stop))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if "KashFlow sandbox at" in capsys.readouterr().out:
            break
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_command_line_serves_and_stops_on_ctrl_c() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kashflow_async.sandbox",
        "--port",
        "0",
        "--invoices",
        "20",
        "--xml",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        first = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert first.startswith("KashFlow sandbox at http://127.0.0.1:")
        url = first.split(" at ", 1)[1].strip()
        token = (await proc.stdout.readline()).decode().split(":", 1)[1].strip()
        async with KashFlowClient(token=token, base_url=url, wire_format="xml") as kf:
            page = await kf.invoices.page(1, perpage=3)
        assert page.meta.total_records == 20
        proc.send_signal(signal.SIGINT)
        out, _ = await asyncio.wait_for(proc.communicate(), 15)
        assert proc.returncode == 0
        assert b"Sandbox stopped." in out
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_faults_config_is_checked() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError, match="scripted"):
        Faults(script=("explode",))
