"""Fixtures for the client's unit tests: wire formats, controlled time, mocked HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from aiohttp import ClientResponse
from aioresponses import aioresponses
from aioresponses import core as aioresponses_core
from yarl import URL

from kashflow_async import KashFlowClient

from .helpers import BASE, TOKEN, FakeTime


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    """Each test that takes `fmt` runs once per wire format."""
    return str(request.param)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


class _SentWriter:
    """Stands in for the request writer of a mocked answer (the request is "sent")."""

    output_size = 0


class _MockedResponse(ClientResponse):
    """aioresponses builds answers without the ``stream_writer`` aiohttp 3.14 requires."""

    def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _SentWriter())
        super().__init__(method, url, **kwargs)


@pytest.fixture
def mock(monkeypatch: pytest.MonkeyPatch) -> Iterator[aioresponses]:
    monkeypatch.setattr(aioresponses_core, "ClientResponse", _MockedResponse)
    with aioresponses() as m:
        yield m


@pytest.fixture
async def make_client(fake_time: FakeTime) -> AsyncIterator[Callable[..., KashFlowClient]]:
    """Build clients (token auth, fake time by default); all are closed at teardown."""
    clients: list[KashFlowClient] = []

    def make(**kwargs: Any) -> KashFlowClient:
        kwargs.setdefault("base_url", BASE)
        if not {"token", "username"} & kwargs.keys():
            kwargs["token"] = TOKEN
        kwargs.setdefault("retry_policy", fake_time.policy())
        client = KashFlowClient(**kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
