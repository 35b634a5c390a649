"""pytest plugin (registered through the ``pytest11`` entry point): the `kashflow_sandbox`
fixture, a running `Sandbox`, and `kashflow_client`, a `KashFlowClient` on it.

Configure them per test with ``@pytest.mark.kashflow_sandbox(invoices=500, faults=...)``
(any `Sandbox` keyword) and ``@pytest.mark.kashflow_client(wire_format="xml")`` (any
`KashFlowClient` keyword). The fixtures need pytest-asyncio.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..client import KashFlowClient
    from .server import Sandbox

__all__ = ["kashflow_client", "kashflow_sandbox"]

#: What the fixture's sandbox holds unless the marker says otherwise (small, fast).
DEFAULTS: dict[str, Any] = {"invoices": 50, "quotes": 20, "customers": 10, "purchases": 20}


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers that configure the fixtures."""
    config.addinivalue_line(
        "markers", "kashflow_sandbox(**kwargs): Sandbox keywords for the kashflow_sandbox fixture"
    )
    config.addinivalue_line(
        "markers",
        "kashflow_client(**kwargs): KashFlowClient keywords for the kashflow_client fixture",
    )


def _marker_kwargs(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    marker = request.node.get_closest_marker(name)
    return dict(marker.kwargs) if marker is not None else {}


try:
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # pragma: no cover - pytest then reports the async fixture as unsupported
    _async_fixture = pytest.fixture  # type: ignore[assignment]


@_async_fixture
async def kashflow_sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """A running Sandbox on 127.0.0.1 with small demo data (marker: kashflow_sandbox)."""
    from .server import Sandbox

    async with Sandbox(**{**DEFAULTS, **_marker_kwargs(request, "kashflow_sandbox")}) as sb:
        yield sb


@_async_fixture
async def kashflow_client(
    request: pytest.FixtureRequest, kashflow_sandbox: Sandbox
) -> AsyncIterator[KashFlowClient]:
    """A KashFlowClient logged in to `kashflow_sandbox` (marker: kashflow_client)."""
    from ..client import KashFlowClient

    options: dict[str, Any] = {"token": kashflow_sandbox.token}
    options.update(_marker_kwargs(request, "kashflow_client"))
    async with KashFlowClient(base_url=kashflow_sandbox.url, **options) as client:
        yield client
