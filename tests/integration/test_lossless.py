"""Lossless updates over loopback, in JSON and XML: what the server sent survives
get -> change -> update and patch; summaries are refused with nothing sent; built objects
send only what they set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import aiohttp
import msgspec
import pytest
from lxml import etree

from kashflow_async import InvalidArgumentError, KashFlowClient
from kashflow_async.models import Address, Invoice, InvoiceLine, Quote
from kashflow_async.sandbox import Sandbox

pytestmark = pytest.mark.sandbox(extra_members=True)


def members(body: bytes, fmt: str) -> Any:
    """A body as JSON-like data (XML: element text; names without namespaces)."""
    if fmt == "json":
        return msgspec.json.decode(body)

    def plain(element: Any) -> Any:
        children = [c for c in element if isinstance(c.tag, str)]
        if not children:
            return element.text
        if {etree.QName(c).localname for c in children} <= {"InvoiceLine", "QuoteLine"}:
            return [plain(c) for c in children]
        return {etree.QName(c).localname: plain(c) for c in children}

    return plain(etree.fromstring(body))


async def served(kf: KashFlowClient, fmt: str, number: int, kind: str = "invoices") -> Any:
    raw = await getattr(kf, kind).with_raw_response.get(number)
    return members(raw.content, fmt)


def assert_future_members(doc: Any) -> None:
    """The members the sandbox's `extra_members` adds, at every depth."""
    assert doc["FutureNote"] == "added by a newer server"
    assert doc["FutureFlags"] == {"Channel": "web", "Priority": "high"}
    assert doc["LineItems"], "the document has lines"
    for line in doc["LineItems"]:
        assert line["FutureLineCode"] == f"L{line['Number']}"


async def test_undeclared_members_survive_get_change_update(
    sb: Sandbox, kf: KashFlowClient, fmt: str
) -> None:
    inv = await kf.invoices.get(2)
    assert inv.address is not None
    inv.customer_reference = "PO-1"
    await kf.invoices.update(2, inv)
    sb.extra_members = False  # from now on the sandbox shows only what it was sent
    doc = await served(kf, fmt, 2)
    assert doc["CustomerReference"] == "PO-1"
    assert_future_members(doc)
    assert doc["Address"]["FutureLine5"] == "Unit 5"


async def test_patch_keeps_undeclared_members(sb: Sandbox, kf: KashFlowClient, fmt: str) -> None:
    changed = await kf.invoices.patch(3, customer_reference="PO-3")
    assert changed.customer_reference == "PO-3"
    quote = await kf.quotes.patch(1, customer_reference="Q-1")
    assert isinstance(quote, Quote) and quote.customer_reference == "Q-1"
    sb.extra_members = False  # from now on the sandbox shows only what it was sent
    assert_future_members(await served(kf, fmt, 3))
    doc = await served(kf, fmt, 1, "quotes")
    assert doc["CustomerReference"] == "Q-1"
    assert_future_members(doc)


async def test_patch_checks_names_and_values_before_sending(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    before = sb.stats.total
    with pytest.raises(InvalidArgumentError, match=r"customer_ref.*nearest: customer_reference"):
        await kf.invoices.patch(2, customer_ref="PO-1")
    with pytest.raises(InvalidArgumentError, match=r"net_amount.*Decimal"):
        await kf.invoices.patch(2, net_amount=1.5)
    with pytest.raises(
        InvalidArgumentError, match=r"line_items\[0\]: expected QuoteLine, got InvoiceLine"
    ):
        await kf.quotes.patch(1, line_items=[InvoiceLine()])
    assert sb.stats.total == before


async def test_summary_is_refused_with_nothing_sent(sb: Sandbox, kf: KashFlowClient) -> None:
    page = await kf.invoices.page(1, perpage=5)
    summary = page.data[0]
    assert summary.line_items is None
    before = sb.stats.total
    with pytest.raises(InvalidArgumentError, match=r"get\(.*patch\("):
        await kf.invoices.update(summary.number or 0, summary)
    async for quote in kf.quotes.list(perpage=5):
        with pytest.raises(InvalidArgumentError, match="summary"):
            await kf.quotes.update(quote.number or 0, quote)
        break
    assert sb.stats.requests["PUT /invoices/{number}"] == 0
    assert sb.stats.requests["PUT /quotes/{number}"] == 0
    assert sb.stats.total == before + 1  # the one list page


@pytest.fixture
async def wire(sb: Sandbox, fmt: str) -> AsyncIterator[SimpleNamespace]:
    """A client whose request bodies are recorded as they are written."""
    bodies: list[bytes] = []

    async def on_chunk(_: Any, __: Any, params: aiohttp.TraceRequestChunkSentParams) -> None:
        bodies.append(params.chunk)

    trace = aiohttp.TraceConfig()
    trace.on_request_chunk_sent.append(on_chunk)
    async with (
        aiohttp.ClientSession(trace_configs=[trace]) as session,
        KashFlowClient(token=sb.token, base_url=sb.url, wire_format=fmt, session=session) as kf,
    ):
        yield SimpleNamespace(kf=kf, bodies=bodies)


async def test_built_object_sends_only_what_it_sets(
    sb: Sandbox, wire: SimpleNamespace, fmt: str
) -> None:
    kf = wire.kf
    existing = await kf.invoices.get(4)
    built = Invoice(
        customer_code=existing.customer_code,
        address=Address(line1="1 New Road"),
        line_items=[InvoiceLine(description="Hosting", quantity=Decimal(1), rate=Decimal(10))],
    )
    await kf.invoices.update(4, built)
    sent = members(b"".join(wire.bodies), fmt)
    assert set(sent) == {"CustomerCode", "Address", "LineItems"}
    assert sent["Address"] == {"Line1": "1 New Road"}
    lines = sent["LineItems"]
    assert [set(line) for line in lines] == [{"Description", "Quantity", "Rate"}]
    # PUT replaces the whole object: what the built object did not send is gone
    sb.extra_members = False
    doc = await served(kf, fmt, 4)
    assert "FutureNote" not in doc
    assert all("FutureLineCode" not in line for line in doc["LineItems"])


async def test_reordered_lines_keep_their_own_members(
    sb: Sandbox, kf: KashFlowClient, fmt: str
) -> None:
    inv = await kf.invoices.get(5)
    assert inv.line_items is not None and len(inv.line_items) >= 2
    codes = [f"L{line.number}" for line in inv.line_items]
    inv.line_items.reverse()
    await kf.invoices.update(5, inv)
    sb.extra_members = False
    lines = (await served(kf, fmt, 5))["LineItems"]
    assert [int(line["Number"]) for line in lines] == list(range(1, len(lines) + 1))
    assert [line["FutureLineCode"] for line in lines] == codes[::-1]


def body_with_extras(fmt: str, customer_code: str) -> bytes:
    """An invoice body with undeclared members on the invoice, its line and its address."""
    if fmt == "json":
        return msgspec.json.encode(
            {
                "CustomerCode": customer_code,
                "Shiny": {"Level": "3"},
                "Address": {"Line1": "1 High St", "Line5": "Annex"},
                "LineItems": [{"Number": 0, "Quantity": 1, "Rate": 10, "Colour": "red"}],
            }
        )
    ns = "http://schemas.datacontract.org/2004/07/KashFlow.Api.Models"
    return (
        f'<Invoice xmlns="{ns}"><Address><Line1>1 High St</Line1><Line5>Annex</Line5>'
        f"</Address><CustomerCode>{customer_code}</CustomerCode><LineItems><InvoiceLine>"
        "<Colour>red</Colour><Number>0</Number><Quantity>1</Quantity><Rate>10</Rate>"
        "</InvoiceLine></LineItems><Shiny><Level>3</Level></Shiny></Invoice>"
    ).encode()


async def test_sandbox_keeps_members_a_client_sends_in_both_formats(
    sb: Sandbox, kf: KashFlowClient, fmt: str, raw: Any
) -> None:
    sb.extra_members = False
    code = (await kf.invoices.get(2)).customer_code or ""
    status, body, _ = await raw.call("POST", "/invoices", data=body_with_extras(fmt, code))
    assert status in (200, 201), body
    number = int(members(body, fmt)["Number"])
    for other in ("json", "xml"):
        async with KashFlowClient(token=sb.token, base_url=sb.url, wire_format=other) as client:
            doc = await served(client, other, number)
        assert doc["Shiny"] == {"Level": "3"}
        assert doc["Address"]["Line5"] == "Annex"
        assert doc["LineItems"][0]["Colour"] == "red"
    # a PUT without LineItems keeps the stored lines, and what they carry
    status, body, _ = await raw.call("PUT", f"/invoices/{number}", data=b"")
    assert status == 400
    status, _, _ = await raw.call(
        "PUT", f"/invoices/{number}", Invoice(customer_code=code, customer_reference="X")
    )
    assert status == 200
    doc = await served(kf, fmt, number)
    assert doc["LineItems"][0]["Colour"] == "red"
    assert "Shiny" not in doc  # undeclared members are replaced with the body's: none
