"""Every endpoint in both wire formats: URL, query, headers, body sent, model returned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from aioresponses import aioresponses

from kashflow_async import (
    Address,
    BulkPayment,
    Conversion,
    Credit,
    CreditType,
    Invoice,
    InvoiceFilter,
    InvoiceSortField,
    KashFlowClient,
    Page,
    Quote,
    SortOrder,
    get_codec,
)
from kashflow_async.codecs.lossless import is_summary

from .helpers import BASE, MEDIA, TOKEN, calls, corpus, only_call, reply

UA_PREFIX = "kashflow-async/"


def check_headers(kwargs: dict[str, Any], fmt: str, *, with_body: bool) -> None:
    headers = kwargs["headers"]
    assert headers["Authorization"] == f"KfToken {TOKEN}"
    assert headers["Accept"] == MEDIA[fmt]
    assert headers["User-Agent"].startswith(UA_PREFIX)
    if with_body:
        assert headers["Content-Type"] == MEDIA[fmt]
    else:
        assert "Content-Type" not in headers
        assert kwargs.get("data") is None


def sent(kwargs: dict[str, Any], fmt: str, type_: Any) -> Any:
    """The request body as the server would decode it."""
    return get_codec(fmt).decode(kwargs["data"], type_)


def from_docs(name: str, type_: Any) -> Any:
    """A documented example, decoded from its JSON form (the reference for both formats)."""
    return get_codec("json").decode(corpus(name, "json"), type_)


@dataclass
class Crud:
    resource: str
    path: str
    model: type[Any]
    get: str
    create_request: str
    create_response: str
    update_request: str
    update_response: str

    def of(self, kf: KashFlowClient) -> Any:
        obj: Any = kf
        for part in self.resource.split("."):
            obj = getattr(obj, part)
        return obj


CRUD = [
    Crud(
        "invoices",
        "/invoices",
        Invoice,
        "invoices.get.response",
        "invoices.create.request",
        "invoices.get.response",
        "invoices.update.request",
        "invoices.get.response",
    ),
    Crud(
        "quotes",
        "/quotes",
        Quote,
        "quotes.get.response",
        "quotes.create.request",
        "quotes.get.response",
        "quotes.update.request",
        "quotes.get.response",
    ),
    Crud(
        "invoices.bulk_payments",
        "/invoices/bulk/payments",
        BulkPayment,
        "invoice_bulk_payments.get.response",
        "invoice_bulk_payments.create.request",
        "invoice_bulk_payments.create.response",
        "invoice_bulk_payments.update.request",
        "invoice_bulk_payments.update.response",
    ),
    Crud(
        "purchases.bulk_payments",
        "/purchases/bulk/payments",
        BulkPayment,
        "purchase_bulk_payments.get.response",
        "purchase_bulk_payments.create.request",
        "purchase_bulk_payments.create.response",
        "purchase_bulk_payments.update.request",
        "purchase_bulk_payments.update.response",
    ),
]
crud_cases = pytest.mark.parametrize("case", CRUD, ids=[c.resource for c in CRUD])


@crud_cases
async def test_get(
    case: Crud, fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.get(f"{BASE}{case.path}/42", body=corpus(case.get, fmt), content_type=MEDIA[fmt])
    result = await case.of(kf).get(42)
    method, url, kwargs = only_call(mock)
    assert (method, str(url)) == ("GET", f"{BASE}{case.path}/42")
    check_headers(kwargs, fmt, with_body=False)
    assert type(result) is case.model
    assert result == from_docs(case.get, case.model)


@crud_cases
async def test_create(
    case: Crud, fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    obj = from_docs(case.create_request, case.model)
    mock.post(
        f"{BASE}{case.path}",
        status=201,
        body=corpus(case.create_response, fmt),
        content_type=MEDIA[fmt],
    )
    result = await case.of(kf).create(obj)
    method, url, kwargs = only_call(mock)
    assert (method, str(url)) == ("POST", f"{BASE}{case.path}")
    check_headers(kwargs, fmt, with_body=True)
    assert sent(kwargs, fmt, case.model) == obj
    assert result == from_docs(case.create_response, case.model)


@crud_cases
async def test_update(
    case: Crud, fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    obj = from_docs(case.update_request, case.model)
    mock.put(
        f"{BASE}{case.path}/7", body=corpus(case.update_response, fmt), content_type=MEDIA[fmt]
    )
    result = await case.of(kf).update(7, obj)
    method, url, kwargs = only_call(mock)
    assert (method, str(url)) == ("PUT", f"{BASE}{case.path}/7")
    check_headers(kwargs, fmt, with_body=True)
    assert sent(kwargs, fmt, case.model) == obj
    assert result == from_docs(case.update_response, case.model)


@crud_cases
async def test_delete(
    case: Crud, fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.delete(f"{BASE}{case.path}/7", status=204, body=b"")
    assert await case.of(kf).delete(7) is None
    method, url, kwargs = only_call(mock)
    assert (method, str(url)) == ("DELETE", f"{BASE}{case.path}/7")
    check_headers(kwargs, fmt, with_body=False)


async def test_invoice_get_keeps_money_exact(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.get(
        f"{BASE}/invoices/2", body=corpus("invoices.get.response", fmt), content_type=MEDIA[fmt]
    )
    inv = await kf.invoices.get(2)
    assert inv.number == 2
    assert inv.gross_amount == Decimal("117.5000")
    assert str(inv.gross_amount) == "117.5000"
    assert inv.line_items is not None
    assert inv.line_items[0].rate == Decimal("10.0000")


async def test_invoice_page_query(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.get(
        f"{BASE}/invoices?page=2&perpage=3&sortby=GrossAmount&order=Desc&filterby=Unpaid"
        "&projectnumber=5&customercode=TCUST01",
        body=corpus("invoices.list.response", fmt),
        content_type=MEDIA[fmt],
    )
    page = await kf.invoices.page(
        2,
        perpage=3,
        sortby=InvoiceSortField.GROSS_AMOUNT,
        order="desc",
        status="Unpaid",
        customer_code="TCUST01",
        project_number=5,
    )
    method, url, kwargs = only_call(mock)
    assert method == "GET"
    assert url.path == "/v2/invoices"
    assert dict(url.query) == {
        "page": "2",
        "perpage": "3",
        "sortby": "GrossAmount",
        "order": "Desc",
        "filterby": "Unpaid",
        "projectnumber": "5",
        "customercode": "TCUST01",
    }
    check_headers(kwargs, fmt, with_body=False)
    assert isinstance(page, Page)
    assert [inv.number for inv in page.data] == [1, 2, 3]
    assert all(isinstance(inv, Invoice) and is_summary(inv) for inv in page.data)
    assert page.meta.total_records == 1943
    assert page == from_docs("invoices.list.response", Page[Invoice])


@pytest.mark.parametrize("resource", ["invoices", "quotes"])
async def test_page_without_arguments_sends_no_query(
    resource: str, fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    name = "invoices.list.response" if resource == "invoices" else "quotes.list.response"
    mock.get(f"{BASE}/{resource}", body=corpus(name, fmt), content_type=MEDIA[fmt])
    page = await getattr(kf, resource).page()
    _, url, _ = only_call(mock)
    assert str(url) == f"{BASE}/{resource}"
    assert url.query_string == ""
    assert len(page.data) == len(from_docs(name, Page[Any]).data)


async def test_quote_page_query(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.get(
        f"{BASE}/quotes?page=3&perpage=10&sortby=CategoryName&order=Asc&customercode=C1",
        body=corpus("quotes.page.response", fmt),
        content_type=MEDIA[fmt],
    )
    page = await kf.quotes.page(
        3, perpage=10, sortby="CategoryName", order=SortOrder.ASC, customer_code="C1"
    )
    _, url, _ = only_call(mock)
    assert dict(url.query) == {
        "page": "3",
        "perpage": "10",
        "sortby": "CategoryName",
        "order": "Asc",
        "customercode": "C1",
    }
    assert len(page.data) == 10
    assert all(isinstance(q, Quote) and is_summary(q) for q in page.data)
    assert page.meta.total_records == 148


async def test_update_address(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    address = Address(line1="1 High St", post_code="AB1 2CD", country_code="GB")
    mock.put(f"{BASE}/invoices/address?customercode=TCUST01", status=200, body=b"")
    assert await kf.invoices.update_address("TCUST01", address) is None
    method, url, kwargs = only_call(mock)
    assert method == "PUT"
    assert url.path == "/v2/invoices/address"
    assert dict(url.query) == {"customercode": "TCUST01"}
    check_headers(kwargs, fmt, with_body=True)
    assert sent(kwargs, fmt, Address) == address


async def test_credits(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.get(
        f"{BASE}/internal/invoices/196172/credits",
        body=corpus("credits.list.response", fmt),
        content_type=MEDIA[fmt],
    )
    credits = await kf.invoices.credits(196172)
    method, url, kwargs = only_call(mock)
    assert (method, str(url)) == ("GET", f"{BASE}/internal/invoices/196172/credits")
    check_headers(kwargs, fmt, with_body=False)
    assert len(credits) == 5
    assert all(type(c) is Credit for c in credits)
    assert credits[0].type is CreditType.ADVANCE_PAYMENT
    assert credits[0].amount == Decimal("46.0000")
    assert credits == from_docs("credits.list.response", list[Credit])


async def test_apply_credits(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    to_apply = from_docs("credits.apply.request", list[Credit])
    mock.post(
        f"{BASE}/internal/invoices/196172/credits",
        body=corpus("credits.apply.response", fmt),
        content_type=MEDIA[fmt],
    )
    invoice = await kf.invoices.apply_credits(196172, to_apply)
    method, url, kwargs = only_call(mock)
    assert (method, str(url)) == ("POST", f"{BASE}/internal/invoices/196172/credits")
    check_headers(kwargs, fmt, with_body=True)
    assert sent(kwargs, fmt, list[Credit]) == to_apply
    assert type(invoice) is Invoice
    assert invoice == from_docs("credits.apply.response", Invoice)


@pytest.mark.parametrize(
    ("retain", "query"),
    [
        (None, {"convertfrom": "quote"}),
        (True, {"convertfrom": "quote", "retainafterconversion": "true"}),
        (False, {"convertfrom": "quote", "retainafterconversion": "false"}),
    ],
)
async def test_convert_quotes(
    retain: bool | None,
    query: dict[str, str],
    fmt: str,
    mock: aioresponses,
    make_client: Callable[..., KashFlowClient],
) -> None:
    kf = make_client(wire_format=fmt)
    mock.post(
        f"{BASE}/internal/invoices?" + "&".join(f"{k}={v}" for k, v in query.items()),
        status=201,
        body=corpus("conversions.convert.response", fmt),
        content_type=MEDIA[fmt],
    )
    result = await kf.invoices.convert_quotes([101, 123, 2345, 65], retain=retain)
    method, url, kwargs = only_call(mock)
    assert method == "POST"
    assert url.path == "/v2/internal/invoices"
    assert dict(url.query) == query
    check_headers(kwargs, fmt, with_body=True)
    assert sent(kwargs, fmt, list[int]) == [101, 123, 2345, 65]
    assert result == [
        Conversion(quote_number=101, invoice_number=2000),
        Conversion(quote_number=123, invoice_number=2001),
        Conversion(quote_number=2345, invoice_number=2002),
        Conversion(quote_number=65, invoice_number=2003),
    ]


async def test_list_sends_same_filters_on_every_page(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    numbers = list(range(1, 8))  # 7 invoices, 3 per page: pages 1..3
    for page_no in (1, 2, 3):
        chunk = numbers[(page_no - 1) * 3 : page_no * 3]
        page = Page[Invoice](data=[Invoice(number=n) for n in chunk])
        page.meta.total_records = 7
        mock.get(
            f"{BASE}/invoices?page={page_no}&perpage=3&sortby=Number&order=Asc"
            "&filterby=Overdue&customercode=TCUST01",
            **reply(fmt, page),
        )
    seen = [
        inv.number
        async for inv in kf.invoices.list(
            perpage=3,
            sortby="Number",
            order="Asc",
            status=InvoiceFilter.OVERDUE,
            customer_code="TCUST01",
        )
    ]
    assert seen == numbers
    pages = sorted(int(url.query["page"]) for _, url, _ in calls(mock))
    assert pages == [1, 2, 3]
    for _, url, kwargs in calls(mock):
        assert url.query["filterby"] == "Overdue"
        assert url.query["customercode"] == "TCUST01"
        assert url.query["perpage"] == "3"
        check_headers(kwargs, fmt, with_body=False)


async def test_quotes_list(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    page1 = Page[Quote](data=[Quote(number=1), Quote(number=2)])
    page1.meta.total_records = 3
    page2 = Page[Quote](data=[Quote(number=3)])
    page2.meta.total_records = 3
    mock.get(f"{BASE}/quotes?page=1&perpage=2&customercode=C9", **reply(fmt, page1))
    mock.get(f"{BASE}/quotes?page=2&perpage=2&customercode=C9", **reply(fmt, page2))
    got = [q async for q in kf.quotes.list(perpage=2, customer_code="C9")]
    assert [q.number for q in got] == [1, 2, 3]
    assert len(calls(mock)) == 2
