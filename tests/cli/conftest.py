"""CLI fixtures: a sandbox served from its own thread (`tests.support.threads`: the
command runs its own event loop, as it does in a shell), and a runner that invokes
``kashflow`` against it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kashflow_async.cli.app import app
from kashflow_async.sandbox import Sandbox
from tests.support.threads import sandbox_env, sandbox_thread

TODAY = dt.date(2024, 6, 15)
SMALL: dict[str, Any] = {
    "seed": 11,
    "invoices": 60,
    "quotes": 25,
    "customers": 8,
    "purchases": 10,
    "today": TODAY,
}


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox in a thread; ``@pytest.mark.sandbox(**kwargs)`` overrides its settings."""
    marker = request.node.get_closest_marker("sandbox")
    with sandbox_thread(Sandbox(**{**SMALL, **(marker.kwargs if marker else {})})) as sb:
        yield sb


@pytest.fixture(params=["json", "xml"])
def wire(request: pytest.FixtureRequest) -> str:
    """The wire format the CLI speaks."""
    return str(request.param)


class Kashflow:
    """Invokes the ``kashflow`` app against a sandbox, in one wire format."""

    def __init__(self, sandbox: Sandbox, wire: str) -> None:
        self.sandbox = sandbox
        self.wire = wire
        self.runner = CliRunner()

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, input: str | None = None
    ) -> Result:
        head = ["--xml"] if self.wire == "xml" else []
        return self.runner.invoke(
            app,
            [*head, *args],
            input=input,
            env={**sandbox_env(self.sandbox), **(env or {})},
            catch_exceptions=False,
        )


@pytest.fixture
def kashflow(sandbox: Sandbox, wire: str) -> Kashflow:
    """Run ``kashflow ...`` against the sandbox."""
    return Kashflow(sandbox, wire)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sandbox(**kwargs): settings of the CLI sandbox")


def run_cli(
    args: Sequence[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kashflow_async.cli`` in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "kashflow_async.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
