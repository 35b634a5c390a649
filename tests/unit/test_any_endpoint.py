"""``kf.request``: any endpoint through the same request path as the resources (mocked HTTP).

The retry, 429 and re-login tests run once through ``kf.invoices.get`` and once through
``kf.request``, with the same expectations.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from kashflow_async import (
    AmbiguousResultError,
    EncodeError,
    InvalidArgumentError,
    Invoice,
    KashFlowClient,
    RateLimitError,
    RawResponse,
    get_codec,
)
from kashflow_async.transport._request_args import check_method, check_path, query_params

from .helpers import BASE, MEDIA, TOKEN, FakeTime, calls, connect_refused, only_call, reply
from .test_client_auth import CREDS, FakeServer

OK_INVOICE = reply("json", Invoice(number=9))

Get = Callable[[KashFlowClient, int], Awaitable[Invoice]]


def via_resource(kf: KashFlowClient, n: int) -> Awaitable[Invoice]:
    return kf.invoices.get(n)


def via_request(kf: KashFlowClient, n: int) -> Awaitable[Invoice]:
    return kf.request("GET", f"/invoices/{n}", cast_to=Invoice)


BOTH = pytest.mark.parametrize("get", [via_resource, via_request], ids=["resource", "request"])


# -- the same retries, 429s and re-logins as kf.invoices.get ------------------------------


@BOTH
@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_statuses_are_retried(
    get: Get,
    status: int,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
    fake_time: FakeTime,
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", status=status)
    mock.get(f"{BASE}/invoices/9", status=status)
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    assert (await get(kf, 9)).number == 9
    assert len(calls(mock)) == 3
    assert fake_time.sleeps == [0.25, 0.5]


@BOTH
async def test_connection_failures_are_retried(
    get: Get, mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", exception=connect_refused())
    mock.get(f"{BASE}/invoices/9", exception=aiohttp.ServerDisconnectedError())
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    assert (await get(kf, 9)).number == 9
    assert len(calls(mock)) == 3


@BOTH
async def test_429_retry_after_is_honoured_and_pauses_the_client(
    get: Get, mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/9", status=429, headers={"Retry-After": "7"})
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    assert (await get(kf, 9)).number == 9
    assert fake_time.sleeps == [7.0]
    # the whole client was paused for the 7 s, which the retry waited out
    assert kf._transport.limits.gate._until == fake_time.now == 1007.0


@BOTH
async def test_429_still_failing_after_retries_raises_rate_limit_error(
    get: Get, mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client(max_retries=2)
    mock.get(f"{BASE}/invoices/9", status=429, headers={"Retry-After": "3"}, repeat=True)
    with pytest.raises(RateLimitError) as caught:
        await get(kf, 9)
    assert caught.value.retry_after == 3.0
    assert len(calls(mock)) == 3


@BOTH
async def test_many_expired_tokens_make_one_relogin_and_every_call_is_replayed(
    get: Get, fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    server = FakeServer(fmt, valid="T0")
    server.install(mock)
    kf = make_client(wire_format=fmt, token="EXPIRED", **CREDS)
    got = await asyncio.gather(*(get(kf, n) for n in range(1, 21)))
    assert [inv.number for inv in got] == list(range(1, 21))
    assert server.logins == 1
    assert server.gets.count("KfToken EXPIRED") == 20
    assert server.gets.count("KfToken T1") == 20


# -- the retry-safe POST rule -------------------------------------------------------------


async def test_a_post_that_may_have_arrived_is_not_resent(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.post(f"{BASE}/customers", exception=aiohttp.ServerDisconnectedError(), repeat=True)
    body = {"Code": "NEW01", "Name": "New Ltd"}
    with pytest.raises(AmbiguousResultError) as caught:
        await kf.request("POST", "/customers", body=body)
    assert caught.value.sent == body
    assert len(calls(mock)) == 1


@pytest.mark.parametrize("first", [connect_refused(), 429, 503], ids=str)
async def test_a_post_that_never_arrived_or_was_refused_is_retried(
    first: Any, mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    kf = make_client()
    if isinstance(first, int):
        mock.post(f"{BASE}/customers", status=first)
    else:
        mock.post(f"{BASE}/customers", exception=first)
    mock.post(f"{BASE}/customers", status=201, payload={"Code": "NEW01"})
    assert await kf.request("POST", "/customers", body={"Code": "NEW01"}) == {"Code": "NEW01"}
    assert len(calls(mock)) == 2


async def test_a_post_answered_500_is_not_resent(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.post(f"{BASE}/customers", status=500, repeat=True)
    with pytest.raises(Exception, match="500"):
        await kf.request("POST", "/customers", body={"Code": "NEW01"})
    assert len(calls(mock)) == 1


# -- what goes out ------------------------------------------------------------------------


async def test_plain_json_body_keeps_money_exact_and_writes_dates_as_the_api_does(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.put(f"{BASE}/customers/A1", status=200, payload={})
    body = {"Rate": Decimal("12.3400"), "Due": dt.date(2026, 1, 31), "Ok": True, "N": None}
    await kf.request("PUT", "/customers/A1", body=body)
    _, _, kwargs = only_call(mock)
    assert kwargs["data"] == b'{"Rate":12.3400,"Due":"2026-01-31","Ok":true,"N":null}'
    assert kwargs["headers"]["Content-Type"] == MEDIA["json"]
    assert kwargs["headers"]["Authorization"] == f"KfToken {TOKEN}"


async def test_plain_xml_body_is_one_root_with_members_in_ordinal_order(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format="xml")
    mock.post(f"{BASE}/customers", status=201, body=b"", content_type=MEDIA["xml"])
    body = {"Customer": {"Name": "A & B", "Code": "AB01", "Balance": Decimal("1.50")}}
    assert await kf.request("POST", "/customers", body=body) is None
    sent = only_call(mock)[2]["data"].decode()
    assert sent.endswith(
        "<Balance>1.50</Balance><Code>AB01</Code><Name>A &amp; B</Name></Customer>"
    )
    assert "<Customer xmlns:i=" in sent


async def test_a_model_body_goes_through_the_codec(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.post(f"{BASE}/invoices", status=201, **reply(fmt, Invoice(number=5)))
    got = await kf.request("POST", "/invoices", body=Invoice(customer_code="X"), cast_to=Invoice)
    assert got.number == 5
    assert get_codec(fmt).decode(only_call(mock)[2]["data"], Invoice).customer_code == "X"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"Rate": 1.1}, "$.Rate"),
        ({"Lines": [{"Qty": Decimal(1)}, {"Qty": 0.5}]}, "$.Lines[1].Qty"),
        ({"When": object()}, "$.When"),
    ],
)
async def test_a_body_that_cannot_be_sent_exactly_is_refused_before_sending(
    body: Any, where: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    with pytest.raises(EncodeError, match=where.replace("[", r"\[").replace("$", r"\$")):
        await kf.request("POST", "/things", body=body)
    assert calls(mock) == []


async def test_an_xml_plain_body_needs_its_root_name(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format="xml")
    with pytest.raises(EncodeError, match="root element"):
        await kf.request("POST", "/customers", body={"Code": "A", "Name": "B"})
    assert calls(mock) == []


async def test_params_are_sent_as_text(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/vatrates?date=2026-04-01&all=true&page=2", payload=[])
    params = {"date": dt.date(2026, 4, 1), "all": True, "page": 2, "skip": None}
    assert await kf.request("GET", "/vatrates", params=params) == []


# -- what comes back ----------------------------------------------------------------------


async def test_json_answers_plain_data_with_exact_numbers(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/nominals", body=b'[{"Code": 4000, "Rate": 0.10}]', content_type=MEDIA["json"])
    got = await kf.request("GET", "/nominals")
    assert got == [{"Code": 4000, "Rate": Decimal("0.10")}]
    assert type(got[0]["Rate"]) is Decimal


async def test_xml_answers_plain_data_by_the_xml_convention(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format="xml")
    body = (
        b'<ArrayOfNominal xmlns="urn:x" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        b"<Nominal><Code>4000</Code><Name i:nil='true'/></Nominal></ArrayOfNominal>"
    )
    mock.get(f"{BASE}/nominals", body=body, content_type=MEDIA["xml"])
    assert await kf.request("GET", "/nominals") == [{"Code": "4000", "Name": None}]


async def test_the_raw_twin_and_with_options_take_the_same_path(
    mock: aioresponses, make_client: Callable[..., KashFlowClient], fake_time: FakeTime
) -> None:
    seen: list[Any] = []
    kf = make_client(event_hooks={"response": [seen.append]})
    mock.get(f"{BASE}/invoices/9", status=503)
    mock.get(f"{BASE}/invoices/9", **OK_INVOICE)
    raw = await kf.with_raw_response.request("GET", "/invoices/9", cast_to=Invoice)
    assert isinstance(raw, RawResponse)
    assert raw.attempts == 2
    assert raw.parse().number == 9
    assert [(e.route, e.status) for e in seen] == [("/invoices/9", 503), ("/invoices/9", 200)]
    mock.get(f"{BASE}/invoices/9", status=503)
    with pytest.raises(Exception, match="503"):
        await kf.with_options(max_retries=0).request("GET", "/invoices/9")


# -- what is refused before sending -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "invoices/1",
        "//evil.example/v2/invoices",
        "/../v1/invoices",
        "/invoices/../../admin",
        "/invoices/%2e%2e/x",
        "/invoices/.",
        "/invoices?page=2",
        "/invoices#x",
        "/a\\b",
        "/a%2fb",
        "/a\r\nHost: evil",
        "https://evil.example/v2/invoices",
        "",
    ],
)
def test_paths_outside_the_base_url_are_refused(path: str) -> None:
    with pytest.raises(InvalidArgumentError, match="path"):
        check_path(path)


@pytest.mark.parametrize(
    "path", ["/invoices", "/customers/SHA01", "/customers/A B", "/x/..y/z.", "/a%20b"]
)
def test_paths_below_the_base_url_are_kept(path: str) -> None:
    assert check_path(path) == path


def test_methods_and_params_are_checked() -> None:
    assert check_method("get") == "GET"
    with pytest.raises(InvalidArgumentError, match="method must be one of"):
        check_method("TRACE")
    with pytest.raises(InvalidArgumentError, match=r"params\['when'\]"):
        query_params({"when": 1.5})
    with pytest.raises(InvalidArgumentError, match="mapping"):
        query_params([("a", "b")])  # type: ignore[arg-type]
    assert query_params({"a": None}) is None


async def test_refused_arguments_send_nothing(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    with pytest.raises(InvalidArgumentError, match="path"):
        await kf.request("GET", "/../admin")
    with pytest.raises(InvalidArgumentError, match="cast_to"):
        await kf.request("GET", "/invoices/1", cast_to="Invoice")  # type: ignore[call-overload]
    with pytest.raises(InvalidArgumentError, match="method"):
        await kf.request("CONNECT", "/invoices/1")
    assert calls(mock) == []
