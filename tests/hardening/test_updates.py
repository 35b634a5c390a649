"""Updating safely over real loopback HTTP, in both formats: keyless lines keep their own
undeclared members whatever the caller does to the list, summaries stay refused through
copies, patch refuses the key and required Nones, and ``if_unchanged`` raises
`ConflictError` naming the first member the server's copy changed."""

from __future__ import annotations

import copy
import pickle
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from aiohttp import web
from lxml import etree

from kashflow_async import (
    ConflictError,
    InvalidArgumentError,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    Quote,
    QuoteLine,
)
from kashflow_async.sandbox import Sandbox

from .support import app_thread

XSI = "http://www.w3.org/2001/XMLSchema-instance"


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# ---------------------------------------------------------------------------- keyless lines

KEYLESS_JSON = b"""{"Number": 7, "CustomerCode": "C1", "LineItems": [
  {"Description": "A", "Rate": 1.00, "Memo": "memo of A"},
  {"Description": "B", "Rate": 2.00, "Memo": "memo of B"},
  {"Description": "C", "Rate": 3.00, "Memo": "memo of C"}]}"""
KEYLESS_XML = f"""<Quote xmlns:i="{XSI}"><CustomerCode>C1</CustomerCode><LineItems>
  <QuoteLine><Description>A</Description><Memo>memo of A</Memo><Rate>1.00</Rate></QuoteLine>
  <QuoteLine><Description>B</Description><Memo>memo of B</Memo><Rate>2.00</Rate></QuoteLine>
  <QuoteLine><Description>C</Description><Memo>memo of C</Memo><Rate>3.00</Rate></QuoteLine>
</LineItems><Number>7</Number></Quote>""".encode()


class Keyless:
    """Serves a quote whose lines have no ``Number``; keeps every PUT body."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.puts: list[bytes] = []
        app = web.Application()
        app.router.add_get("/v2/quotes/7", self.get)
        app.router.add_put("/v2/quotes/7", self.put)
        self.app = app

    async def get(self, request: web.Request) -> web.Response:
        if self.fmt == "json":
            return web.Response(body=KEYLESS_JSON, content_type="application/json")
        return web.Response(body=KEYLESS_XML, content_type="application/xml")

    async def put(self, request: web.Request) -> web.Response:
        self.puts.append(await request.read())
        return await self.get(request)

    def sent_lines(self) -> list[tuple[str, str | None]]:
        """(Description, Memo) of each line of the last PUT."""
        body = self.puts[-1]
        if self.fmt == "json":
            lines = msgspec.json.decode(body)["LineItems"]
            return [(ln["Description"], ln.get("Memo")) for ln in lines]
        root = etree.fromstring(body)
        items = next(c for c in root if etree.QName(c).localname == "LineItems")

        def text(line: Any, name: str) -> str | None:
            return next((c.text for c in line if etree.QName(c).localname == name), None)

        return [(str(text(ln, "Description")), text(ln, "Memo")) for ln in items]


@pytest.fixture
def keyless(fmt: str) -> Iterator[tuple[Keyless, str]]:
    server = Keyless(fmt)
    with app_thread(server.app) as root:
        yield server, root + "/v2"


async def test_keyless_lines_edited_deleted_and_reordered_keep_their_own_members(
    keyless: tuple[Keyless, str], fmt: str
) -> None:
    server, root = keyless
    async with KashFlowClient(token="t", base_url=root, wire_format=fmt) as kf:  # type: ignore[arg-type]
        quote = await kf.quotes.get(7)
        assert quote.line_items is not None
        _, b, c = quote.line_items
        del quote.line_items[0]
        b.rate, c.rate = Decimal(20), Decimal(30)
        await kf.quotes.update(7, quote)
        assert server.sent_lines() == [("B", "memo of B"), ("C", "memo of C")]

        quote.line_items = [c, QuoteLine(description="N", rate=Decimal(4)), b]
        await kf.quotes.update(7, quote)
        assert server.sent_lines() == [("C", "memo of C"), ("N", None), ("B", "memo of B")]


# ---------------------------------------------------------------------------- the sandbox


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(seed=11, invoices=12, quotes=6, customers=4, extra_members=True) as sandbox:
        yield sandbox


@pytest.fixture
async def kf(sb: Sandbox, fmt: str) -> AsyncIterator[KashFlowClient]:
    async with KashFlowClient(token=sb.token, base_url=sb.url, wire_format=fmt) as client:  # type: ignore[arg-type]
        yield client


@pytest.mark.parametrize(
    "how",
    [
        lambda s: msgspec.structs.replace(s, customer_reference="PO-2"),
        copy.copy,
        copy.deepcopy,
        lambda s: pickle.loads(pickle.dumps(s)),
    ],
    ids=["replace", "copy", "deepcopy", "pickle"],
)
async def test_a_summary_is_refused_through_any_copy(
    sb: Sandbox, kf: KashFlowClient, how: Any
) -> None:
    summary = (await kf.invoices.page(1, perpage=3)).data[0]
    twin = how(summary)
    with pytest.raises(InvalidArgumentError, match="summary"):
        await kf.invoices.update(twin.number, twin)
    assert sb.stats.requests["PUT /invoices/{number}"] == 0


async def test_patch_refuses_the_number_and_required_nones(sb: Sandbox, kf: KashFlowClient) -> None:
    with pytest.raises(InvalidArgumentError, match=r"cannot change Invoice\.number"):
        await kf.invoices.patch(1, number=99)
    with pytest.raises(InvalidArgumentError, match=r"cannot set Invoice\.customer_code to None"):
        await kf.invoices.patch(1, customer_code=None)
    with pytest.raises(InvalidArgumentError, match=r"cannot change Quote\.number"):
        await kf.quotes.patch(1, number=99)
    assert sb.stats.total == 0


async def test_if_unchanged_passes_when_nobody_else_wrote(sb: Sandbox, kf: KashFlowClient) -> None:
    inv = await kf.invoices.get(3)
    inv.customer_reference = "PO-mine"
    stored = await kf.invoices.update(3, inv, if_unchanged=True)
    assert stored.customer_reference == "PO-mine"
    again = await kf.invoices.patch(3, if_unchanged=True, customer_reference="PO-again")
    assert again.customer_reference == "PO-again"
    # creating a neighbour changes the read copy's NextNumber, not the invoice itself
    last = await kf.invoices.get(12)
    assert last.next_number is None
    new = Invoice(customer_code=last.customer_code, line_items=[InvoiceLine(rate=Decimal(1))])
    await kf.invoices.create(new)
    last.customer_reference = "PO-last"
    assert (await kf.invoices.update(12, last, if_unchanged=True)).next_number == 13


async def test_if_unchanged_raises_naming_the_first_changed_member(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    mine = await kf.invoices.get(4)
    theirs = await kf.invoices.get(4)
    assert theirs.line_items
    theirs.line_items[0].description = "changed by someone else"
    await kf.invoices.update(4, theirs)
    mine.customer_reference = "PO-mine"
    puts = sb.stats.requests["PUT /invoices/{number}"]
    with pytest.raises(ConflictError) as caught:
        await kf.invoices.update(4, mine, if_unchanged=True)
    assert caught.value.member == "LineItems[0].Description"
    assert caught.value.now == "changed by someone else"
    assert "/invoices/4" in str(caught.value)
    assert sb.stats.requests["PUT /invoices/{number}"] == puts  # nothing written
    assert (await kf.invoices.get(4)).customer_reference != "PO-mine"


async def test_if_unchanged_sees_undeclared_members_change(sb: Sandbox, kf: KashFlowClient) -> None:
    mine = await kf.quotes.get(3)
    sb.extra_members = False  # a newer server's members are gone from the copy now
    with pytest.raises(ConflictError) as caught:
        await kf.quotes.update(3, mine, if_unchanged=True)
    assert caught.value.member.startswith("Future")


async def test_if_unchanged_needs_an_object_read_from_the_server(kf: KashFlowClient) -> None:
    with pytest.raises(InvalidArgumentError, match="if_unchanged=True needs an object read"):
        await kf.quotes.update(1, Quote(number=1), if_unchanged=True)
