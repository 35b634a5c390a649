"""Integration fixtures: a small sandbox on loopback and the real client on it, in both
wire formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from kashflow_async import KashFlowClient
from kashflow_async.codecs import get_codec
from kashflow_async.sandbox import Sandbox

#: The sandbox's calendar in these tests (statuses depend on it).
TODAY = dt.date(2024, 6, 15)
SMALL: dict[str, Any] = {
    "seed": 7,
    "invoices": 60,
    "quotes": 25,
    "customers": 8,
    "purchases": 12,
    "today": TODAY,
}


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    """The wire format under test."""
    return str(request.param)


@pytest.fixture
async def sb(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """A running sandbox; ``@pytest.mark.sandbox(**kwargs)`` overrides its settings."""
    marker = request.node.get_closest_marker("sandbox")
    options = {**SMALL, **(marker.kwargs if marker else {})}
    async with Sandbox(**options) as sandbox:
        yield sandbox


@pytest.fixture
async def kf(sb: Sandbox, fmt: str) -> AsyncIterator[KashFlowClient]:
    """The real client on the sandbox, speaking `fmt`."""
    async with KashFlowClient(token=sb.token, base_url=sb.url, wire_format=fmt) as client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A raw aiohttp session (for status codes and headers the client does not expose)."""
    async with aiohttp.ClientSession() as session:
        yield session


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sandbox(**kwargs): Sandbox settings for the sb fixture")


class Raw:
    """Raw requests in one format, with the sandbox's token."""

    def __init__(self, session: aiohttp.ClientSession, sb: Sandbox, fmt: str) -> None:
        self.session = session
        self.sb = sb
        self.codec = get_codec(fmt)

    def headers(self, token: str | None = "") -> dict[str, str]:
        headers = {"Accept": self.codec.media_type, "Content-Type": self.codec.media_type}
        if token is not None:
            headers["Authorization"] = f"KfToken {token or self.sb.token}"
        return headers

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        data: bytes | None = None,
        token: str | None = "",
    ) -> tuple[int, bytes, dict[str, str]]:
        payload = (
            data if data is not None else (self.codec.encode(body) if body is not None else None)
        )
        async with self.session.request(
            method, self.sb.url + path, data=payload, headers=self.headers(token)
        ) as resp:
            return resp.status, await resp.read(), dict(resp.headers)


@pytest.fixture
def raw(http: aiohttp.ClientSession, sb: Sandbox, fmt: str) -> Raw:
    """Raw requests in `fmt`."""
    return Raw(http, sb, fmt)
