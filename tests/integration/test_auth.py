"""Login, session tokens, idle expiry and logout over loopback with the real client."""

from __future__ import annotations

import pytest

from kashflow_async import AuthenticationError, KashFlowClient
from kashflow_async.models import ErrorBody
from kashflow_async.sandbox import FakeClock, Sandbox

from .conftest import SMALL, Raw


async def test_login_with_memorable_word_then_requests_carry_the_token(
    sb: Sandbox, fmt: str
) -> None:
    async with KashFlowClient(
        username=sb.username,
        password=sb.password,
        memorable_word=sb.memorable_word,
        base_url=sb.url,
        wire_format=fmt,
    ) as kf:
        inv = await kf.invoices.get(1)
        again = await kf.invoices.get(2)
    assert inv.number == 1
    assert again.number == 2
    assert sb.stats.requests["POST /sessiontoken"] == 1
    assert sb.stats.requests["PUT /sessiontoken"] == 1


async def test_wrong_memorable_word_is_refused(raw: Raw) -> None:
    from kashflow_async.models import LoginChallenge, LoginRequest

    status, body, _ = await raw.call(
        "POST",
        "/sessiontoken",
        LoginRequest(user_name=raw.sb.username, password=raw.sb.password),
        token=None,
    )
    assert status == 200
    challenge = raw.codec.decode(body, LoginChallenge)
    assert len(challenge.memorable_word_list) == 3
    for pos in challenge.memorable_word_list:
        pos.value = "#"
    status, body, _ = await raw.call("PUT", "/sessiontoken", challenge, token=None)
    assert status == 401
    status, _, _ = await raw.call(
        "POST", "/sessiontoken", LoginRequest(user_name="x", password="y"), token=None
    )
    assert status == 401


@pytest.mark.parametrize("token", ["not-a-token", None])
async def test_unknown_or_missing_token_gives_401_invalid_session_token(
    sb: Sandbox, fmt: str, raw: Raw, token: str | None
) -> None:
    async with KashFlowClient(token="not-a-token", base_url=sb.url, wire_format=fmt) as kf:
        with pytest.raises(AuthenticationError) as info:
            await kf.invoices.get(1)
    assert info.value.status == 401
    assert info.value.error == "InvalidSessionToken"
    status, body, _ = await raw.call("GET", "/invoices/1", token=token)
    assert status == 401
    assert raw.codec.decode(body, ErrorBody).error == "InvalidSessionToken"


async def test_tokens_expire_after_idle_time_and_credentials_log_in_again(fmt: str) -> None:
    clock = FakeClock()
    async with (
        Sandbox(**SMALL, token_idle_timeout=0.5, clock=clock) as sb,
        KashFlowClient(token=sb.token, base_url=sb.url, wire_format=fmt) as kf,
    ):
        await kf.invoices.get(1)
        clock.advance(0.25)
        await kf.invoices.get(1)  # use refreshes the idle time
        clock.advance(0.5)  # idle for exactly the timeout: still live
        await kf.invoices.get(1)
        clock.advance(0.625)
        with pytest.raises(AuthenticationError) as info:
            await kf.invoices.get(1)
        assert info.value.error == "InvalidSessionToken"
        async with KashFlowClient(
            username=sb.username,
            password=sb.password,
            memorable_word=sb.memorable_word,
            base_url=sb.url,
            wire_format=fmt,
        ) as again:
            await again.invoices.get(1)
            clock.advance(0.75)
            assert (await again.invoices.get(2)).number == 2
    assert sb.stats.requests["PUT /sessiontoken"] == 2
    assert sb.stats.logins == 2
    statuses = [r.status for r in sb.stats.records if r.route == "/invoices/{number}"]
    assert statuses == [200, 200, 200, 401, 200, 401, 200]


async def test_logout_ends_the_session(sb: Sandbox, fmt: str) -> None:
    token = sb.new_token()
    async with KashFlowClient(token=token, base_url=sb.url, wire_format=fmt) as kf:
        await kf.invoices.get(1)
        assert sb.sessions.is_live(token)
        await kf.logout()
    assert sb.stats.requests["DELETE /sessiontoken/{token}"] == 1
    assert not sb.sessions.is_live(token)
    async with KashFlowClient(token=token, base_url=sb.url, wire_format=fmt) as kf:
        with pytest.raises(AuthenticationError):
            await kf.invoices.get(1)
