"""Login (user name, password, memorable word), one shared re-login for many 401s,
logout, and secrets kept out of logs, exceptions and reprs."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses
from yarl import URL

from kashflow_async import (
    AuthenticationError,
    InvalidArgumentError,
    Invoice,
    KashFlowClient,
    KashFlowError,
    ServerError,
    get_codec,
)
from kashflow_async.models import (
    ErrorBody,
    LoginChallenge,
    LoginRequest,
    MemorableWordPosition,
    SessionToken,
)

from .helpers import BASE, MEDIA, calls, reply

USER = "alice@example.com"
PASSWORD = "pw-Sup3rSecret!"
WORD = "zebracorn"
CREDS = {"username": USER, "password": PASSWORD, "memorable_word": WORD}
LOGIN = f"{BASE}/sessiontoken"


class FakeServer:
    """Answers the login steps and invoice GETs; tokens are T1, T2, ... in login order."""

    def __init__(self, fmt: str, *, valid: str = "T1", positions: tuple[int, ...] = (1, 4, 9)):
        self.codec = get_codec(fmt)
        self.fmt = fmt
        self.positions = positions
        self.valid = valid
        self.logins = 0
        self.challenges = 0
        self.gets: list[str] = []
        self.answers: list[LoginChallenge] = []
        self.login_bodies: list[LoginRequest] = []
        self.login_headers: list[Any] = []

    def result(self, obj: Any, status: int = 200) -> CallbackResult:
        return CallbackResult(
            status=status, body=self.codec.encode(obj), content_type=MEDIA[self.fmt]
        )

    def post_login(self, url: URL, **kwargs: Any) -> CallbackResult:
        self.challenges += 1
        self.login_headers.append(kwargs["headers"])
        self.login_bodies.append(self.codec.decode(kwargs["data"], LoginRequest))
        return self.result(
            LoginChallenge(
                temporary_token="TMP",
                memorable_word_list=[MemorableWordPosition(position=p) for p in self.positions],
            )
        )

    def put_login(self, url: URL, **kwargs: Any) -> CallbackResult:
        self.answers.append(self.codec.decode(kwargs["data"], LoginChallenge))
        self.logins += 1
        self.valid = f"T{self.logins}"
        return self.result(SessionToken(session_token=self.valid))

    async def get_invoice(self, url: URL, **kwargs: Any) -> CallbackResult:
        token = kwargs["headers"]["Authorization"]
        self.gets.append(token)
        await asyncio.sleep(0)  # let the other requests of a burst get here too
        if token != f"KfToken {self.valid}":
            return self.result(ErrorBody(message="expired", error="InvalidSessionToken"), 401)
        return self.result(Invoice(number=int(url.path.rsplit("/", 1)[1])))

    def install(self, m: aioresponses) -> None:
        m.post(LOGIN, callback=self.post_login, repeat=True)
        m.put(LOGIN, callback=self.put_login, repeat=True)
        m.get(f"{BASE}/invoices/1", callback=self.get_invoice, repeat=True)
        for n in range(2, 60):
            m.get(f"{BASE}/invoices/{n}", callback=self.get_invoice, repeat=True)


async def refused_login(url: URL, **kwargs: Any) -> CallbackResult:
    """A login the server refuses, taking a moment as a real one does."""
    for _ in range(3):
        await asyncio.sleep(0)
    body = ErrorBody(message="bad password", error="InvalidCredentials")
    return CallbackResult(status=401, **reply("json", body))


async def test_login_flow_then_requests_carry_the_session_token(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer(fmt, valid="none-yet")
    server.install(mock)
    kf = make_client(wire_format=fmt, **CREDS)
    assert (await kf.invoices.get(1)).number == 1
    assert (await kf.invoices.get(2)).number == 2
    assert server.login_bodies == [LoginRequest(user_name=USER, password=PASSWORD)]
    assert "Authorization" not in server.login_headers[0]
    assert server.answers == [
        LoginChallenge(
            temporary_token="TMP",
            memorable_word_list=[
                MemorableWordPosition(position=1, value="z"),
                MemorableWordPosition(position=4, value="r"),
                MemorableWordPosition(position=9, value="n"),
            ],
        )
    ]
    assert server.gets == ["KfToken T1", "KfToken T1"]


async def test_concurrent_first_requests_log_in_once(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", valid="none-yet")
    server.install(mock)
    kf = make_client(**CREDS)
    got = await asyncio.gather(*(kf.invoices.get(n) for n in range(1, 51)))
    assert [inv.number for inv in got] == list(range(1, 51))
    assert server.challenges == 1
    assert server.logins == 1


async def test_fifty_concurrent_401s_trigger_a_single_relogin(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer(fmt, valid="T0")
    server.install(mock)
    kf = make_client(wire_format=fmt, token="EXPIRED", **CREDS)
    got = await asyncio.gather(*(kf.invoices.get(n) for n in range(1, 51)))
    assert [inv.number for inv in got] == list(range(1, 51))
    assert server.challenges == 1
    assert server.logins == 1
    assert server.gets.count("KfToken EXPIRED") == 50
    assert server.gets.count("KfToken T1") == 50


async def test_a_later_expiry_logs_in_again(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", valid="none-yet")
    server.install(mock)
    kf = make_client(**CREDS)
    await kf.invoices.get(1)
    server.valid = "rotated-by-server"
    await asyncio.gather(*(kf.invoices.get(n) for n in range(1, 11)))
    assert server.logins == 2
    assert server.gets[-10:] == ["KfToken T2"] * 10


async def test_failed_relogin_is_shared_not_repeated(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", valid="T0")
    server.install(mock)
    mock.clear()
    mock.post(LOGIN, callback=refused_login, repeat=True)
    for n in range(1, 11):
        mock.get(f"{BASE}/invoices/{n}", callback=server.get_invoice, repeat=True)
    kf = make_client(token="EXPIRED", **CREDS)
    results = await asyncio.gather(
        *(kf.invoices.get(n) for n in range(1, 11)), return_exceptions=True
    )
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert len(calls(mock, "POST")) == 1


async def test_after_a_failed_relogin_a_later_request_tries_again(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", valid="T0")
    mock.post(LOGIN, status=503, repeat=False)  # login unavailable, no retries left
    mock.post(LOGIN, callback=server.post_login, repeat=True)
    mock.put(LOGIN, callback=server.put_login, repeat=True)
    mock.get(f"{BASE}/invoices/1", callback=server.get_invoice, repeat=True)
    kf = make_client(token="EXPIRED", max_retries=0, **CREDS)
    with pytest.raises(ServerError):
        await kf.invoices.get(1)
    assert (await kf.invoices.get(1)).number == 1
    assert server.logins == 1
    assert len(calls(mock, "POST")) == 2


async def test_failed_first_login_is_shared_by_concurrent_requests(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    mock.post(LOGIN, callback=refused_login, repeat=True)
    kf = make_client(**CREDS)
    results = await asyncio.gather(
        *(kf.invoices.get(n) for n in range(1, 21)), return_exceptions=True
    )
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert len(calls(mock)) == 1


async def test_token_only_client_raises_on_401(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(token="EXPIRED")
    body = ErrorBody(message="Session expired", error="InvalidSessionToken")
    mock.get(f"{BASE}/invoices/1", status=401, **reply("json", body), repeat=True)
    with pytest.raises(AuthenticationError) as caught:
        await kf.invoices.get(1)
    assert caught.value.error == "InvalidSessionToken"
    assert len(calls(mock)) == 1


async def test_401_for_another_reason_does_not_log_in(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(token="T0", **CREDS)
    body = ErrorBody(message="not allowed", error="Forbidden")
    mock.get(f"{BASE}/invoices/1", status=401, **reply("json", body), repeat=True)
    with pytest.raises(AuthenticationError):
        await kf.invoices.get(1)
    assert calls(mock, "POST") == []


async def test_still_401_after_relogin_raises(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json")
    server.install(mock)
    mock.clear()
    mock.post(LOGIN, callback=server.post_login, repeat=True)
    mock.put(LOGIN, callback=server.put_login, repeat=True)
    body = ErrorBody(message="expired", error="InvalidSessionToken")
    mock.get(f"{BASE}/invoices/1", status=401, **reply("json", body), repeat=True)
    kf = make_client(token="T0", **CREDS)
    with pytest.raises(AuthenticationError):
        await kf.invoices.get(1)
    assert server.logins == 1
    assert len(calls(mock, "GET")) == 2


async def test_post_rejected_for_expired_token_is_replayed_once(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json")
    mock.post(LOGIN, callback=server.post_login, repeat=True)
    mock.put(LOGIN, callback=server.put_login, repeat=True)
    body = ErrorBody(message="expired", error="InvalidSessionToken")
    mock.post(f"{BASE}/invoices", status=401, **reply("json", body))
    mock.post(f"{BASE}/invoices", status=201, **reply("json", Invoice(number=77)))
    kf = make_client(token="T0", **CREDS)
    assert (await kf.invoices.create(Invoice(customer_code="C"))).number == 77
    invoice_posts = [c for c in calls(mock, "POST") if c[1].path == "/v2/invoices"]
    assert [kw["headers"]["Authorization"] for _, _, kw in invoice_posts] == [
        "KfToken T0",
        "KfToken T1",
    ]


async def test_login_requests_are_retried(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", valid="none-yet")
    mock.post(LOGIN, exception=aiohttp.ServerDisconnectedError())
    server.install(mock)
    kf = make_client(**CREDS)
    assert (await kf.invoices.get(1)).number == 1
    assert len([c for c in calls(mock, "POST") if c[1].path == "/v2/sessiontoken"]) == 2


async def test_memorable_word_too_short(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", positions=(2, 40))
    server.install(mock)
    kf = make_client(**CREDS)
    with pytest.raises(InvalidArgumentError, match="memorable_word"):
        await kf.invoices.get(1)
    assert server.logins == 0


async def test_logout_deletes_the_token_and_next_request_logs_in(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer("json", valid="none-yet")
    server.install(mock)
    mock.delete(f"{BASE}/sessiontoken/T1", status=200, body=b"")
    kf = make_client(**CREDS)
    await kf.invoices.get(1)
    await kf.logout()
    deletes = calls(mock, "DELETE")
    assert [str(url) for _, url, _ in deletes] == [f"{BASE}/sessiontoken/T1"]
    await kf.invoices.get(1)
    assert server.logins == 2
    assert server.gets[-1] == "KfToken T2"


async def test_token_only_client_after_logout_refuses_without_sending(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    mock.delete(f"{BASE}/sessiontoken/T0", status=204)
    kf = make_client(token="T0")
    await kf.logout()
    with pytest.raises(AuthenticationError, match="logged out"):
        await kf.invoices.get(1)
    assert len(calls(mock)) == 1


async def test_logout_of_unknown_token_counts_as_logged_out(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    mock.delete(f"{BASE}/sessiontoken/T0", status=404)
    kf = make_client(token="T0")
    await kf.logout()
    await kf.logout()  # nothing left to log out: no request
    assert len(calls(mock)) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"username": USER},
        {"username": USER, "password": PASSWORD},
        {"token": ""},
        {"password": PASSWORD, "memorable_word": WORD},
    ],
)
def test_auth_arguments_are_checked(kwargs: dict[str, str]) -> None:
    with pytest.raises(InvalidArgumentError):
        KashFlowClient(**kwargs)  # type: ignore[arg-type]


async def test_no_secret_in_logs_exceptions_or_reprs(
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="kashflow_async")
    server = FakeServer("json", valid="T0")
    server.install(mock)
    mock.get(f"{BASE}/invoices/99", exception=aiohttp.ServerDisconnectedError(), repeat=True)
    mock.delete(
        re.compile(rf"{BASE}/sessiontoken/.*"),
        exception=aiohttp.ServerDisconnectedError(),
        repeat=True,
    )
    kf = make_client(token="EXPIRED", max_retries=1, **CREDS)
    await kf.invoices.get(1)  # 401, re-login (T1), replay
    errors: list[KashFlowError] = []
    for call in (kf.invoices.get(99), kf.logout()):
        try:
            await call
        except KashFlowError as exc:
            errors.append(exc)
    assert len(errors) == 2
    secrets = ["EXPIRED", "T1", PASSWORD, WORD, "TMP"]
    texts = [r.getMessage() for r in caplog.records]
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [str(e.__cause__) for e in errors if e.__cause__ is not None]
    texts += [repr(kf), repr(kf._transport), repr(kf._transport.auth)]
    assert any("GET /invoices/1 -> 401" in t for t in texts)  # logging did happen
    for text in texts:
        for secret in secrets:
            assert secret not in text, (secret, text)
    assert all(r.name == "kashflow_async" for r in caplog.records)
