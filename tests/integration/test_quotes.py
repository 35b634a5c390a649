"""Quotes over loopback with the real client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kashflow_async import BadRequestError, KashFlowClient, NotFoundError, Quote, QuoteLine
from kashflow_async.sandbox import Sandbox

from .conftest import Raw

D = Decimal


async def test_default_list_is_first_ten_by_number(sb: Sandbox, kf: KashFlowClient) -> None:
    page = await kf.quotes.page()
    numbers = sb.state.quote_numbers()
    assert [q.number for q in page.data] == numbers[:10]
    assert page.meta.total_records == len(numbers)
    assert all(q.line_items is None for q in page.data)
    page3 = await kf.quotes.page(3, perpage=4)
    assert [q.number for q in page3.data] == numbers[8:12]


def _wall(value: dt.date | None) -> dt.datetime:
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=None)


SORT_KEYS: dict[str, Any] = {
    "Number": lambda q: q.number,
    "CategoryName": lambda q: (q.category.name if q.category else "").strip().lower(),
    "Reference": lambda q: (q.customer_reference or "").strip().lower(),
    "CustomerName": lambda q: (q.customer_name or "").strip().lower(),
    "Date": lambda q: _wall(q.date),
    "NetAmount": lambda q: q.net_amount,
}


@pytest.mark.parametrize("order", ["Asc", "Desc"])
@pytest.mark.parametrize("sortby", list(SORT_KEYS))
async def test_sort_by_each_documented_field(
    sb: Sandbox, kf: KashFlowClient, sortby: str, order: str
) -> None:
    got = [q async for q in kf.quotes.list(perpage=6, sortby=sortby, order=order)]
    keys = [SORT_KEYS[sortby](q) for q in got]
    assert keys == sorted(keys, reverse=order == "Desc")
    assert sorted(q.number for q in got) == sb.state.quote_numbers()
    assert len(set(keys)) > 1


async def test_filter_by_customer_code(sb: Sandbox, kf: KashFlowClient) -> None:
    quotes = [sb.state.quote(n) for n in sb.state.quote_numbers()]
    code = quotes[0].customer_code
    got = [q.number async for q in kf.quotes.list(customer_code=code)]
    assert got == [q.number for q in quotes if q.customer_code == code]


async def test_create_needs_only_a_number(sb: Sandbox, kf: KashFlowClient, raw: Raw) -> None:
    made = await kf.quotes.create(Quote(number=9087))
    assert made.number == 9087
    assert made.net_amount == 0
    assert made.line_items == []
    with_lines = await kf.quotes.create(
        Quote(
            number=9088,
            customer_code="TCUST02",
            line_items=[QuoteLine(number=0, quantity=D(3), rate=D("12.5"), vat_level=D(20))],
        )
    )
    assert with_lines.customer_name == "KashFlow Customer"
    assert with_lines.net_amount == D("37.5")
    assert with_lines.gross_amount == D("45")
    with pytest.raises(BadRequestError) as info:
        await kf.quotes.create(Quote(number=9087))
    assert "already taken" in (info.value.message or "")
    status, _, _ = await raw.call("POST", "/quotes", Quote(customer_reference="no number"))
    assert status == 400
    status, _, _ = await raw.call("POST", "/quotes", Quote(number=9089))
    assert status == 201


async def test_get_has_neighbours_and_permalink(sb: Sandbox, kf: KashFlowClient) -> None:
    numbers = sb.state.quote_numbers()
    quote = await kf.quotes.get(numbers[2])
    assert (quote.previous_number, quote.next_number) == (numbers[1], numbers[3])
    assert quote.permalink is not None and quote.permalink.startswith("/v2/documents/quote/")
    assert quote.line_items
    with pytest.raises(NotFoundError):
        await kf.quotes.get(424242)


async def test_update_renumbers_quote_and_lines(sb: Sandbox, kf: KashFlowClient) -> None:
    quote = await kf.quotes.create(
        Quote(
            number=5000,
            line_items=[
                QuoteLine(description="first", quantity=D(1), rate=D(1)),
                QuoteLine(description="second", quantity=D(1), rate=D(2)),
                QuoteLine(description="third", quantity=D(1), rate=D(4)),
            ],
        )
    )
    lines = quote.line_items or []
    quote.number = 5001
    quote.line_items = [lines[2], lines[0]]
    updated = await kf.quotes.update(5000, quote)
    assert updated.number == 5001
    assert [(line.number, line.description) for line in updated.line_items or []] == [
        (1, "third"),
        (2, "first"),
    ]
    assert updated.net_amount == D(5)
    with pytest.raises(NotFoundError):
        await kf.quotes.get(5000)
    assert (await kf.quotes.get(5001)).id == quote.id
    taken = sb.state.quote_numbers()[0]
    updated.number = taken
    with pytest.raises(BadRequestError):
        await kf.quotes.update(5001, updated)
    assert (await kf.quotes.get(5001)).number == 5001


async def test_delete(sb: Sandbox, kf: KashFlowClient) -> None:
    number = sb.state.quote_numbers()[0]
    await kf.quotes.delete(number)
    with pytest.raises(NotFoundError):
        await kf.quotes.get(number)
    assert number not in sb.state.quote_numbers()
