"""`kf.request` on an endpoint the client does not model (``GET /users``), in both formats."""

from __future__ import annotations

import pytest

from kashflow_async import KashFlowClient
from kashflow_async.sandbox import Sandbox


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_users_come_back_as_plain_data(wire_format: str) -> None:
    async with (
        Sandbox(username="owner@acme.test") as sb,
        KashFlowClient(
            username=sb.username,
            password=sb.password,
            memorable_word=sb.memorable_word,
            base_url=sb.url,
            wire_format=wire_format,
        ) as kf,
    ):
        users = await kf.request("GET", "/users")
        raw = await kf.with_raw_response.request("GET", "/users")
    assert isinstance(users, list)
    assert len(users) == 1
    (user,) = users
    assert user["Username"] == "owner@acme.test"
    assert user["RoleName"] == "Full Access"
    # JSON keeps numbers and booleans; XML has text only, by the project's XML convention
    assert user["NoOfLogins"] in (1, "1")
    assert "Password" not in user and "MemorableWord" not in user
    assert raw.status == 200
    assert sb.stats.requests["GET /users"] == 2
