"""pytest plugin (registered through the ``pytest11`` entry point): the `kashflow_sandbox`
fixture, a running `Sandbox`, and `kashflow_client`, a `KashFlowClient` on it.

Configure them per test with ``@pytest.mark.kashflow_sandbox(invoices=500, faults=...)``
(any `Sandbox` keyword) and ``@pytest.mark.kashflow_client(wire_format="xml")`` (any
`KashFlowClient` keyword). The fixtures need pytest-asyncio, in either mode: in strict
mode (its default) an ``async def`` test that requests one of them is marked
``asyncio`` by this plugin, so it runs without ``@pytest.mark.asyncio`` or
``asyncio_mode = "auto"``.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Generator
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


#: The fixtures whose async tests this plugin marks ``asyncio``.
FIXTURES = frozenset(__all__)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, Any, None]:
    """Mark the async tests that use our fixtures ``asyncio`` (before pytest-asyncio,
    in strict mode, decides which tests it runs)."""
    outcome = yield
    if not _HAVE_PYTEST_ASYNCIO or not inspect.iscoroutinefunction(obj):
        return
    try:
        result = outcome.get_result()
    except BaseException:
        return
    for node in result if isinstance(result, list) else [result]:
        uses = FIXTURES.intersection(getattr(node, "fixturenames", ()))
        if isinstance(node, pytest.Function) and uses and not node.get_closest_marker("asyncio"):
            node.add_marker("asyncio")


def _marker_kwargs(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    marker = request.node.get_closest_marker(name)
    return dict(marker.kwargs) if marker is not None else {}


try:
    from pytest_asyncio import fixture as _async_fixture

    _HAVE_PYTEST_ASYNCIO = True
except ImportError:  # pragma: no cover - pytest then reports the async fixture as unsupported
    _async_fixture = pytest.fixture  # type: ignore[assignment]
    _HAVE_PYTEST_ASYNCIO = False


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
