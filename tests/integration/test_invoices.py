"""Invoices over loopback with the real client: list, sort, filter, get, create, update,
delete, address update, and the derived figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kashflow_async import (
    Address,
    BadRequestError,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    NotFoundError,
    PaymentLine,
)
from kashflow_async.models import InvoiceStatus
from kashflow_async.sandbox import Sandbox

from .conftest import TODAY, Raw

D = Decimal


def all_invoices(sb: Sandbox) -> list[Invoice]:
    return [sb.state.invoice(n) for n in sb.state.invoice_numbers()]


def wall(value: dt.date | None) -> dt.datetime:
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=None)


async def test_list_page_has_metadata_and_summaries(sb: Sandbox, kf: KashFlowClient) -> None:
    page = await kf.invoices.page(2, perpage=7)
    total = sb.state.invoice_count()
    numbers = sb.state.invoice_numbers()
    assert [i.number for i in page.data] == numbers[7:14]
    assert page.meta.total_records == total
    last = -(-total // 7)
    assert page.meta.first_page_url is not None and "page=1&perpage=7" in page.meta.first_page_url
    assert page.meta.last_page_url is not None and f"page={last}&" in page.meta.last_page_url
    assert page.meta.next_page_url is not None and "page=3&" in page.meta.next_page_url
    assert page.meta.previous_page_url is not None and "page=1&" in page.meta.previous_page_url
    assert page.meta.first_page_url.startswith(sb.url + "/invoices?")
    for inv in page.data:
        assert inv.line_items is None
        assert inv.payment_lines is None
        assert inv.gross_amount is not None and inv.status is not None
    first = await kf.invoices.page(1, perpage=7)
    assert first.meta.previous_page_url is None
    final = await kf.invoices.page(last, perpage=7)
    assert final.meta.next_page_url is None
    assert len(final.data) == total - 7 * (last - 1)


async def test_list_iterates_every_invoice_once_in_order(sb: Sandbox, kf: KashFlowClient) -> None:
    seen = [inv.number async for inv in kf.invoices.list(perpage=9, concurrency=3)]
    assert seen == sb.state.invoice_numbers()


SORT_KEYS: dict[str, Any] = {
    "Number": lambda i: i.number,
    "CustomerRef": lambda i: (i.customer_reference or "").strip().lower(),
    "CustomerName": lambda i: (i.customer_name or "").strip().lower(),
    "InvoiceDate": lambda i: wall(i.issued_date),
    "PaymentDueDate": lambda i: wall(i.due_date),
    "GrossAmount": lambda i: i.gross_amount,
    "NetAmount": lambda i: i.net_amount,
    "Status": lambda i: i.status.value,
}


@pytest.mark.parametrize("order", ["Asc", "Desc"])
@pytest.mark.parametrize("sortby", list(SORT_KEYS))
async def test_sort_by_each_documented_field(
    sb: Sandbox, kf: KashFlowClient, sortby: str, order: str
) -> None:
    got = [i async for i in kf.invoices.list(perpage=25, sortby=sortby, order=order)]
    key = SORT_KEYS[sortby]
    keys = [key(i) for i in got]
    assert keys == sorted(keys, reverse=order == "Desc")
    assert sorted(i.number for i in got) == sb.state.invoice_numbers()
    if sortby != "Number":
        assert len(set(keys)) > 1  # the seed data really varies in this field


def _month(day: dt.date, back: int) -> tuple[int, int]:
    year, month = day.year, day.month - back
    if month < 1:
        year, month = year - 1, month + 12
    return year, month


FILTERS: dict[str, Any] = {
    "Unpaid": lambda i: i.status is InvoiceStatus.UNPAID,
    "Overdue": lambda i: i.status is InvoiceStatus.OVERDUE,
    "Overpaid": lambda i: i.status is InvoiceStatus.OVERPAID,
    "Paid": lambda i: i.status is InvoiceStatus.PAID,
    "ThisMonth": lambda i: (
        (wall(i.issued_date).year, wall(i.issued_date).month) == _month(TODAY, 0)
    ),
    "LastMonth": lambda i: (
        (wall(i.issued_date).year, wall(i.issued_date).month) == _month(TODAY, 1)
    ),
    "All": lambda i: True,
}


@pytest.mark.sandbox(invoices=150)
@pytest.mark.parametrize("status", list(FILTERS))
async def test_filter_by_each_documented_value(
    sb: Sandbox, kf: KashFlowClient, status: str
) -> None:
    expected = [i.number for i in all_invoices(sb) if FILTERS[status](i)]
    got = [i.number async for i in kf.invoices.list(perpage=40, status=status)]
    assert got == expected
    assert expected, f"the seed has no {status} invoice"
    page = await kf.invoices.page(1, perpage=5, status=status)
    assert page.meta.total_records == len(expected)


async def test_filter_by_customer_code_and_project_number(sb: Sandbox, kf: KashFlowClient) -> None:
    invoices = all_invoices(sb)
    code = invoices[0].customer_code
    assert code is not None
    got = [i.number async for i in kf.invoices.list(customer_code=code.lower())]
    assert got == [i.number for i in invoices if i.customer_code == code]
    projects = {
        line.project_number for i in invoices for line in i.line_items or [] if line.project_number
    }
    assert projects, "the seed has project lines"
    project = min(p for p in projects if p is not None)
    got = [i.number async for i in kf.invoices.list(project_number=project)]
    assert got == [
        i.number
        for i in invoices
        if any(line.project_number == project for line in i.line_items or [])
    ]
    everything = [i.number async for i in kf.invoices.list(project_number=0)]
    assert everything == sb.state.invoice_numbers()


async def test_get_has_neighbours_lines_payments_and_permalinks(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    numbers = sb.state.invoice_numbers()
    inv = await kf.invoices.get(numbers[1])
    assert inv.previous_number == numbers[0]
    assert inv.next_number == numbers[2]
    assert inv.line_items
    assert inv.payment_lines is not None
    assert inv.permalink is not None and inv.permalink.startswith("/v2/documents/invoice/")
    assert inv.packing_slip_permalink is not None
    assert inv.packing_slip_permalink.startswith("v2/documents/packingslip/")
    first = await kf.invoices.get(numbers[0])
    assert first.previous_number is None


async def test_unknown_number_is_404(kf: KashFlowClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await kf.invoices.get(987654)
    assert info.value.status == 404


async def test_create_uses_given_unique_number_else_next_free(
    sb: Sandbox, kf: KashFlowClient, raw: Raw
) -> None:
    highest = sb.state.invoice_numbers()[-1]
    made = await kf.invoices.create(Invoice(number=highest + 50, customer_code="TCUST01"))
    assert made.number == highest + 50
    nxt = await kf.invoices.create(Invoice(customer_code="TCUST02"))
    assert nxt.number == highest + 51
    with pytest.raises(BadRequestError) as info:
        await kf.invoices.create(Invoice(number=1, customer_code="TCUST01"))
    assert "already taken" in (info.value.message or "")
    count = sb.state.invoice_count()
    status, _, _ = await raw.call("POST", "/invoices", Invoice(customer_code="TCUST01"))
    assert status == 201
    assert sb.state.invoice_count() == count + 1


async def test_derived_figures_are_computed_not_trusted(kf: KashFlowClient) -> None:
    sent = Invoice(
        customer_code="TCUST01",
        net_amount=D("1"),
        vat_amount=D("2"),
        gross_amount=D("3"),
        total_paid_amount=D("999"),
        status=InvoiceStatus.PAID,
        issued_date=dt.datetime(2024, 6, 1, 12),
        due_date=dt.datetime(2024, 7, 1, 12),
        line_items=[
            InvoiceLine(quantity=D("3"), rate=D("10.10"), vat_level=D("20")),
            InvoiceLine(quantity=D("2"), rate=D("5"), vat_level=D("17.5"), vat_amount=D("1.23")),
            InvoiceLine(quantity=D("1"), rate=D("7"), vat_level=D("20"), vat_exempt=True),
        ],
    )
    inv = await kf.invoices.create(sent)
    lines = inv.line_items or []
    assert [line.vat_amount for line in lines] == [D("6.06"), D("1.23"), D("0")]
    assert inv.net_amount == D("30.30") + D("10") + D("7")
    assert inv.vat_amount == D("6.06") + D("1.23")
    assert inv.gross_amount == D("47.30") + D("7.29")
    assert inv.total_paid_amount == 0
    assert inv.status is InvoiceStatus.UNPAID
    assert inv.overdue_days == 0


@pytest.mark.parametrize(
    ("paid", "due", "status", "overdue_days"),
    [
        (None, dt.datetime(2024, 7, 1, 12), InvoiceStatus.UNPAID, 0),
        (None, dt.datetime(2024, 6, 5, 12), InvoiceStatus.OVERDUE, 10),
        (D("50"), dt.datetime(2024, 6, 5, 12), InvoiceStatus.OVERDUE, 10),
        (D("120"), dt.datetime(2024, 6, 5, 12), InvoiceStatus.PAID, 0),
        (D("130"), dt.datetime(2024, 6, 5, 12), InvoiceStatus.OVERPAID, 0),
    ],
)
async def test_status_and_overdue_days_follow_due_date_and_payments(
    kf: KashFlowClient,
    paid: Decimal | None,
    due: dt.datetime,
    status: InvoiceStatus,
    overdue_days: int,
) -> None:
    payments = (
        [PaymentLine(amount=paid, date=dt.datetime(2024, 6, 10, 12), method=2508)]
        if paid is not None
        else []
    )
    inv = await kf.invoices.create(
        Invoice(
            customer_code="TCUST01",
            issued_date=dt.datetime(2024, 5, 1, 12),
            due_date=due,
            line_items=[InvoiceLine(quantity=D(1), rate=D(100), vat_level=D(20))],
            payment_lines=payments,
        )
    )
    assert inv.gross_amount == D("120")
    assert inv.status is status
    assert inv.overdue_days == overdue_days
    assert inv.total_paid_amount == (paid or 0)
    if status in (InvoiceStatus.PAID, InvoiceStatus.OVERPAID):
        assert inv.paid_date is not None and inv.paid_date.date() == dt.date(2024, 6, 10)
    else:
        assert inv.paid_date is None


async def test_zero_invoice_is_na(kf: KashFlowClient) -> None:
    inv = await kf.invoices.create(
        Invoice(customer_code="TCUST01", line_items=[InvoiceLine(quantity=D(4), rate=D(0))])
    )
    assert inv.gross_amount == 0
    assert inv.status is InvoiceStatus.NA


async def test_update_adds_number_zero_lines_deletes_missing_and_renumbers(
    kf: KashFlowClient,
) -> None:
    inv = await kf.invoices.create(
        Invoice(
            customer_code="TCUST01",
            line_items=[
                InvoiceLine(description="a", quantity=D(1), rate=D(10)),
                InvoiceLine(description="b", quantity=D(1), rate=D(20)),
                InvoiceLine(description="c", quantity=D(1), rate=D(30)),
            ],
        )
    )
    assert inv.number is not None
    lines = inv.line_items or []
    assert [line.number for line in lines] == [1, 2, 3]
    lines[2].description = "c changed"
    inv.line_items = [lines[2], InvoiceLine(number=0, description="new", rate=D(5)), lines[0]]
    inv.customer_reference = "PO-77"
    updated = await kf.invoices.update(inv.number, inv)
    got = updated.line_items or []
    assert [(line.number, line.description) for line in got] == [
        (1, "c changed"),
        (2, "new"),
        (3, "a"),
    ]
    assert updated.net_amount == D("45")
    assert updated.customer_reference == "PO-77"
    again = await kf.invoices.get(inv.number)
    assert [line.description for line in again.line_items or []] == ["c changed", "new", "a"]
    updated.line_items = [InvoiceLine(number=99, description="ghost")]
    with pytest.raises(BadRequestError) as info:
        await kf.invoices.update(inv.number, updated)
    assert info.value.invalid_numbers == [99]


async def test_delete_then_get_is_404(sb: Sandbox, kf: KashFlowClient, raw: Raw) -> None:
    number = sb.state.invoice_numbers()[3]
    await kf.invoices.delete(number)
    with pytest.raises(NotFoundError):
        await kf.invoices.get(number)
    with pytest.raises(NotFoundError):
        await kf.invoices.delete(number)
    other = sb.state.invoice_numbers()[3]
    status, body, _ = await raw.call("DELETE", f"/invoices/{other}")
    assert status == 204
    assert body == b""


async def test_update_address_changes_every_invoice_of_the_customer(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    before = {i.number: i for i in all_invoices(sb)}
    address = Address(line1="1 New Road", line2="Leeds", post_code="LS1 1AA", country_code="GB")
    await kf.invoices.update_address("TCUST01", address)
    after = all_invoices(sb)
    mine = [i for i in after if i.customer_code == "TCUST01"]
    assert mine
    for inv in after:
        if inv.customer_code == "TCUST01":
            assert inv.address == address
        else:
            assert inv.address == before[inv.number].address
    with pytest.raises(NotFoundError):
        await kf.invoices.update_address("NOSUCH", address)
