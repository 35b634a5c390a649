"""``--deadline`` against a real silent server, ``--proxy`` through a real forwarding
proxy, and the 404 hint for a base URL without /v2 (each a real process)."""

from __future__ import annotations

import subprocess
import sys

from kashflow_async.cli.settings import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, Settings
from kashflow_async.sandbox import Sandbox
from tests.support.peers import forward_proxy, silent_server

from .conftest import Kashflow

#: Seconds any one command here may take before the test gives up on it.
BOUND = 90


def kashflow_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``kashflow ARGS`` in a process of its own (no proxy variables)."""
    env = {"PATH": "/usr/bin:/bin", "KASHFLOW_TOKEN": "tok"}
    return subprocess.run(
        [sys.executable, "-m", "kashflow_async.cli", *args],
        capture_output=True,
        text=True,
        timeout=BOUND,
        env=env,
        check=False,
    )


def test_the_default_deadline_bounds_a_silent_server_to_about_15_s() -> None:
    assert Settings().deadline == DEFAULT_DEADLINE == 15.0
    assert DEFAULT_TIMEOUT < DEFAULT_DEADLINE  # one whole attempt, then what is left
    with silent_server() as server:
        out = kashflow_process("--base-url", f"{server.url}/v2", "invoices", "get", "1")
    assert out.returncode == 1
    assert "deadline of 15 s" in out.stderr, out.stderr


def test_deadline_is_settable_and_the_message_names_the_limit_hit() -> None:
    with silent_server() as server:
        base = f"{server.url}/v2"
        by_deadline = kashflow_process(
            "--base-url", base, "--timeout", "5", "--deadline", "0.5", "invoices", "get", "1"
        )
        by_timeout = kashflow_process(
            "--base-url", base, "--timeout", "0.3", "--max-retries", "0", "invoices", "get", "1"
        )
    assert by_deadline.returncode == 1
    assert "deadline of 0.5 s" in by_deadline.stderr, by_deadline.stderr
    assert by_timeout.returncode == 1
    assert "per-attempt timeout of 0.3 s" in by_timeout.stderr, by_timeout.stderr


def test_a_base_url_without_v2_gets_a_hint(kashflow: Kashflow, sandbox: Sandbox) -> None:
    root = sandbox.url.removesuffix("/v2")
    out = kashflow("--base-url", root, "invoices", "get", "1")
    assert out.exit_code == 1
    assert "does the base URL end in /v2?" in out.stderr


def test_proxy_carries_every_request(kashflow: Kashflow, sandbox: Sandbox) -> None:
    number = sandbox.state.invoice_numbers()[0]
    with forward_proxy() as proxy:
        out = kashflow("--proxy", proxy.url, "invoices", "get", str(number), "-f", "json")
        lines = proxy.stop()
    assert out.exit_code == 0, out.stderr
    assert lines == [f"VIA GET {sandbox.url}/invoices/{number}"]
