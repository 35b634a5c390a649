"""Format negotiation, error bodies and undecodable bodies."""

from __future__ import annotations

import pytest

from kashflow_async import BadRequestError, DecodeError, Invoice, KashFlowClient
from kashflow_async.codecs import get_codec
from kashflow_async.models import ErrorBody
from kashflow_async.sandbox import Sandbox

from .conftest import Raw


async def test_answers_and_errors_use_the_requested_format(raw: Raw, fmt: str) -> None:
    status, body, headers = await raw.call("GET", "/invoices/1")
    assert status == 200
    assert headers["Content-Type"].startswith(raw.codec.media_type)
    assert raw.codec.decode(body, Invoice).number == 1
    status, body, headers = await raw.call("GET", "/invoices/99999")
    assert status == 404
    assert headers["Content-Type"].startswith(raw.codec.media_type)
    err = raw.codec.decode(body, ErrorBody)
    assert err.error == "NotFound"
    assert err.message is not None and "99999" in err.message
    other = get_codec("xml" if fmt == "json" else "json")
    with pytest.raises(DecodeError):
        other.decode(body, ErrorBody)


async def test_text_xml_is_xml_and_q_values_decide(sb: Sandbox, raw: Raw) -> None:
    headers = {"Authorization": f"KfToken {sb.token}", "Accept": "text/xml"}
    async with raw.session.get(sb.url + "/invoices/1", headers=headers) as resp:
        assert resp.content_type == "application/xml"
    headers["Accept"] = "application/xml;q=0.5, application/json"
    async with raw.session.get(sb.url + "/invoices/1", headers=headers) as resp:
        assert resp.content_type == "application/json"
    del headers["Accept"]
    async with raw.session.get(sb.url + "/invoices/1", headers=headers) as resp:
        assert resp.content_type == "application/json"


@pytest.mark.sandbox(default_format="xml")
async def test_default_format_applies_without_accept(sb: Sandbox, raw: Raw) -> None:
    headers = {"Authorization": f"KfToken {sb.token}"}
    async with raw.session.get(sb.url + "/invoices/1", headers=headers) as resp:
        assert resp.content_type == "application/xml"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"{not json <nor xml", "not a valid Invoice"),
        (None, "not a valid Invoice"),
    ],
)
async def test_undecodable_body_is_400_with_a_clear_message(
    raw: Raw, fmt: str, data: bytes | None, needle: str
) -> None:
    if data is None:  # well-formed, but a field of the wrong type
        data = (
            b'{"CustomerCode": "TCUST01", "LineItems": "many"}'
            if fmt == "json"
            else b"<Invoice><CustomerCode>TCUST01</CustomerCode>"
            b"<LineItems><InvoiceLine><Rate>lots</Rate></InvoiceLine></LineItems></Invoice>"
        )
    status, body, _ = await raw.call("POST", "/invoices", data=data)
    assert status == 400
    err = raw.codec.decode(body, ErrorBody)
    assert err.error == "BadRequest"
    assert err.message is not None and needle in err.message


async def test_client_sees_bad_request_message(kf: KashFlowClient) -> None:
    with pytest.raises(BadRequestError) as info:
        await kf.invoices.create(Invoice(customer_code="NOSUCH"))
    assert "NOSUCH" in (info.value.message or "")


async def test_unknown_route_is_404_error_body(raw: Raw) -> None:
    status, body, _ = await raw.call("GET", "/nosuchthing")
    assert status == 404
    assert raw.codec.decode(body, ErrorBody).error == "NotFound"
