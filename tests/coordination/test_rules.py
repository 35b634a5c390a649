"""The small rules of the coordination, one by one (no Redis needed)."""

from __future__ import annotations

import asyncio
import math

import pytest
from redis import exceptions as rx
from redis.asyncio import Redis

from kashflow_async.coordination._link import classify, describe_client
from kashflow_async.coordination._local import interval, share
from kashflow_async.coordination._releases import FIRST_RETRY, LAST_RETRY, _next_delay
from kashflow_async.coordination.sealing import Seal, Unsealable


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (rx.ConnectionError("Connection refused"), "outage"),
        (rx.TimeoutError("Timeout reading"), "outage"),
        (ConnectionResetError(), "outage"),
        (asyncio.TimeoutError(), "outage"),
        (rx.BusyLoadingError("LOADING Redis is loading"), "outage"),
        (rx.ResponseError("BUSY Redis is busy running a script"), "outage"),
        (rx.AuthenticationError("WRONGPASS invalid username-password pair"), "misconfiguration"),
        (rx.AuthenticationError("Authentication required."), "misconfiguration"),
        (rx.NoPermissionError("NOPERM this user has no permissions"), "misconfiguration"),
        (rx.ResponseError("ERR DB index is out of range"), "misconfiguration"),
        (rx.ResponseError("ERR user_script:3: attempt to compare nil"), "misconfiguration"),
        (
            rx.ReadOnlyError("READONLY You can't write against a read only replica"),
            "misconfiguration",
        ),
        (ValueError("not Redis"), None),
    ],
)
def test_only_connection_failures_are_outages(exc: BaseException, kind: str | None) -> None:
    assert classify(exc) == kind


@pytest.mark.parametrize("rate", [1, 4, 10, 20, 25, 40, 100, 1000])
@pytest.mark.parametrize("live", [1, 2, 3, 4, 7, 16])
def test_degraded_shares_together_never_fill_more_than_a_window(rate: int, live: int) -> None:
    step = interval(rate, live)
    # evenly spaced sends fit floor(1/step) + 1 into any one-second window
    per_process = math.floor(1.0 / step) + 1
    if rate >= live:
        assert per_process * live <= rate
    else:
        assert per_process == 1  # at least one each: progress over precision


def test_the_in_flight_share_is_rounded_down_and_at_least_one() -> None:
    assert [share(8, n) for n in (1, 2, 3, 4, 8, 9)] == [8, 4, 2, 2, 1, 1]
    assert share(4, 0) == 4  # no process seen: this one alone


def test_release_retries_back_off_between_bounds() -> None:
    delays = [FIRST_RETRY]
    for _ in range(8):
        delays.append(_next_delay(delays[-1]))
    assert delays[0] == FIRST_RETRY and max(delays) == LAST_RETRY
    assert delays == sorted(delays)


def test_a_redis_client_is_described_without_its_password() -> None:
    client = Redis.from_url("redis://user:secret@10.0.0.7:6380/3")
    assert describe_client(client) == "10.0.0.7:6380/3"


CREDENTIALS = {
    "username": "alice",
    "password": "pw",
    "memorable_word": "word",
    "base_url": "https://api.kashflow.com/v2",
    "namespace": "acme",
}


def test_a_sealed_token_opens_only_with_the_same_credentials_and_namespace() -> None:
    seal = Seal(**CREDENTIALS)
    blob = seal.seal("token-123")
    assert "token-123" not in blob and seal.open(blob) == "token-123"
    assert seal.seal("token-123") != blob  # a fresh nonce each time
    for name, other in [
        ("username", "bob"),
        ("password", "pw2"),
        ("memorable_word", "other"),
        ("base_url", "http://127.0.0.1:8080/v2"),
        ("namespace", "globex"),
    ]:
        with pytest.raises(Unsealable):
            Seal(**{**CREDENTIALS, name: other}).open(blob)


@pytest.mark.parametrize("blob", ["", "not base64!", "AAAA", "Ag" + "A" * 60])
def test_what_is_not_a_sealed_token_is_refused(blob: str) -> None:
    with pytest.raises(Unsealable):
        Seal(**CREDENTIALS).open(blob)


def test_a_tampered_token_is_refused() -> None:
    import base64

    seal = Seal(**CREDENTIALS)
    raw = bytearray(base64.b64decode(seal.seal("token-123")))
    raw[-1] ^= 1
    with pytest.raises(Unsealable):
        seal.open(base64.b64encode(bytes(raw)).decode())
