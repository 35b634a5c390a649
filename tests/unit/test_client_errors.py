"""Status and failure mapping onto the public errors, from either wire format."""

from __future__ import annotations

import asyncio
import ssl
import types
from collections.abc import Callable

import aiohttp
import pytest
from aioresponses import aioresponses

from kashflow_async import (
    AmbiguousResultError,
    APIError,
    AuthenticationError,
    BadRequestError,
    BulkPayment,
    DecodeError,
    InvalidArgumentError,
    Invoice,
    KashFlowClient,
    KashFlowError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from kashflow_async.models import ErrorBody

from .helpers import BASE, MEDIA, TOKEN, calls, connect_refused, reply


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, APIError),
        (404, NotFoundError),
        (409, APIError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
    ],
)
async def test_status_maps_to_error_class_with_server_fields(
    status: int,
    cls: type[APIError],
    fmt: str,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
) -> None:
    kf = make_client(wire_format=fmt, max_retries=0)
    body = ErrorBody(message=f"went wrong ({status})", error="SomeError")
    mock.get(f"{BASE}/invoices/5", status=status, **reply(fmt, body))
    with pytest.raises(cls) as caught:
        await kf.invoices.get(5)
    err = caught.value
    assert type(err) is cls
    assert isinstance(err, KashFlowError)
    assert err.status == status
    assert err.message == f"went wrong ({status})"
    assert err.error == "SomeError"
    assert err.method == "GET"
    assert err.url == f"{BASE}/invoices/5"
    assert len(calls(mock)) == 1


async def test_error_body_in_other_format_than_requested(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format="json", max_retries=0)
    xml = (
        b'<Error xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        b"<Message>Invoice 5 does not exist</Message><Error>NotFound</Error></Error>"
    )
    mock.get(f"{BASE}/invoices/5", status=404, body=xml, content_type="application/xml")
    with pytest.raises(NotFoundError) as caught:
        await kf.invoices.get(5)
    assert caught.value.message == "Invoice 5 does not exist"
    assert caught.value.error == "NotFound"


async def test_error_body_that_is_neither_format_becomes_the_message(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(max_retries=0)
    mock.get(f"{BASE}/invoices/5", status=500, body=b"Internal failure", content_type="text/plain")
    with pytest.raises(ServerError) as caught:
        await kf.invoices.get(5)
    assert caught.value.message == "Internal failure"
    assert caught.value.error is None


async def test_bad_request_lists_invalid_numbers(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    body = ErrorBody(message="Invalid quote number(s): 101, 2345", error="InvalidQuotes")
    mock.post(f"{BASE}/internal/invoices?convertfrom=quote", status=400, **reply(fmt, body))
    with pytest.raises(BadRequestError) as caught:
        await kf.invoices.convert_quotes([101, 123, 2345])
    assert caught.value.invalid_numbers == [101, 2345]
    assert len(calls(mock)) == 1


async def test_undecodable_success_body_raises_decode_error(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.get(f"{BASE}/invoices/5", body=b"<<<not a body{{{", content_type=MEDIA[fmt])
    with pytest.raises(DecodeError) as caught:
        await kf.invoices.get(5)
    assert "Invoice" in str(caught.value)
    assert len(calls(mock)) == 1


async def test_body_of_wrong_shape_raises_decode_error(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/invoices/5", body=b'{"Number": "not a number"}', content_type=MEDIA["json"])
    with pytest.raises(DecodeError) as caught:
        await kf.invoices.get(5)
    assert caught.value.path == "$.Number"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_oversized_body_is_refused(
    declared: bool, fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt, max_response_bytes=1000)
    big = b" " * 5000
    headers = {"Content-Length": str(len(big))} if declared else {}
    mock.get(f"{BASE}/invoices/5", body=big, headers=headers, content_type=MEDIA[fmt])
    with pytest.raises(DecodeError, match="max_response_bytes=1000"):
        await kf.invoices.get(5)
    assert len(calls(mock)) == 1


async def test_body_within_limit_is_read(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(max_response_bytes=200)
    body = b'{"Number": 5}' + b" " * 150
    mock.get(f"{BASE}/invoices/5", body=body, content_type=MEDIA["json"])
    assert (await kf.invoices.get(5)).number == 5


async def test_connect_failure_after_retries_is_transport_error(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(max_retries=2)
    mock.get(f"{BASE}/invoices/5", exception=connect_refused(), repeat=True)
    with pytest.raises(TransportError) as caught:
        await kf.invoices.get(5)
    assert type(caught.value) is TransportError
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert len(calls(mock)) == 3


async def test_timeout_of_get_after_retries_is_transport_error(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(max_retries=1)
    mock.get(f"{BASE}/invoices/5", exception=asyncio.TimeoutError(), repeat=True)
    with pytest.raises(TransportError, match="timed out") as caught:
        await kf.invoices.get(5)
    assert not isinstance(caught.value, AmbiguousResultError)
    assert len(calls(mock)) == 2


async def test_certificate_error_is_not_retried(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()

    key = types.SimpleNamespace(host="api.test", port=443, ssl=True)
    bad_cert = aiohttp.ClientConnectorCertificateError(
        key,  # type: ignore[arg-type]
        ssl.SSLCertVerificationError("certificate verify failed"),
    )
    mock.get(f"{BASE}/invoices/5", exception=bad_cert, repeat=True)
    with pytest.raises(TransportError):
        await kf.invoices.get(5)
    assert len(calls(mock)) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda kf: kf.invoices.get(0),
        lambda kf: kf.invoices.get(-3),
        lambda kf: kf.invoices.get(True),
        lambda kf: kf.invoices.get("5"),
        lambda kf: kf.invoices.page(0),
        lambda kf: kf.invoices.page(1, perpage=0),
        lambda kf: kf.invoices.page(1, perpage=501),
        lambda kf: kf.invoices.page(1, sortby="Colour"),
        lambda kf: kf.invoices.page(1, order="Up"),
        lambda kf: kf.invoices.page(1, status="Cancelled"),
        lambda kf: kf.invoices.page(1, status="NA"),
        lambda kf: kf.invoices.page(1, project_number=-1),
        lambda kf: kf.invoices.page(1, customer_code=""),
        lambda kf: kf.quotes.page(1, sortby="GrossAmount"),
        lambda kf: kf.invoices.create({"CustomerCode": "X"}),
        lambda kf: kf.invoices.update(3, BulkPayment()),
        lambda kf: kf.invoices.credits(0),
        lambda kf: kf.invoices.apply_credits(5, []),
        lambda kf: kf.invoices.apply_credits(5, [Invoice()]),
        lambda kf: kf.invoices.convert_quotes([]),
        lambda kf: kf.invoices.convert_quotes([1, 0]),
        lambda kf: kf.invoices.convert_quotes([1], retain="yes"),
        lambda kf: kf.invoices.update_address("", None),
        lambda kf: kf.invoices.bulk_payments.delete(0),
        lambda kf: kf.purchases.bulk_payments.get(-1),
    ],
)
async def test_invalid_arguments_refused_before_sending(
    call: Callable[[KashFlowClient], object],
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
) -> None:
    kf = make_client()
    with pytest.raises(InvalidArgumentError) as caught:
        await call(kf)  # type: ignore[misc]
    assert isinstance(caught.value, ValueError)
    assert calls(mock) == []


@pytest.mark.parametrize(
    ("kwargs", "named", "allowed"),
    [
        ({"sortby": "Colour"}, "sortby", "CustomerRef"),
        ({"order": "Up"}, "order", "Desc"),
        ({"status": "Cancelled"}, "status", "ThisMonth"),
        ({"perpage": 1000}, "perpage", "500"),
    ],
)
def test_invalid_argument_message_names_argument_and_allowed_values(
    kwargs: dict[str, object], named: str, allowed: str, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    with pytest.raises(InvalidArgumentError) as caught:
        kf.invoices.list(**kwargs)  # type: ignore[arg-type]
    assert named in str(caught.value)
    assert allowed in str(caught.value)


async def test_list_rejects_bad_concurrency_at_call_time(
    make_client: Callable[..., KashFlowClient],
) -> None:
    kf = make_client()
    with pytest.raises(InvalidArgumentError, match="concurrency"):
        kf.invoices.list(concurrency=0)


async def test_error_messages_never_show_the_token(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(max_retries=0)
    mock.get(f"{BASE}/invoices/5", status=404, **reply("json", ErrorBody(message="nope")))
    mock.get(f"{BASE}/invoices/6", exception=connect_refused())
    for number in (5, 6):
        with pytest.raises(KashFlowError) as caught:
            await kf.invoices.get(number)
        assert TOKEN not in str(caught.value)
        assert TOKEN not in repr(caught.value)
