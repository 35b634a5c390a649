"""Invoices (``/invoices``), their credits and quote conversion (``/internal/invoices``)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from ..models import (
    Address,
    Conversion,
    Credit,
    Invoice,
    InvoiceFilter,
    InvoiceSortField,
    Page,
    SortOrder,
)
from ..pagination import PageIterator
from ..transport import Transport
from ._base import DEFAULT_LIST_CONCURRENCY, DEFAULT_LIST_PERPAGE, Listed
from ._modes import Mode, Raw, endpoint, listing
from ._params import (
    Param,
    QuerySpec,
    choice,
    flag,
    instance,
    instances,
    number,
    page_query,
    text,
    whole,
)
from ._params import numbers as check_numbers
from .bulk_payments import InvoiceBulkPayments

__all__ = ["Invoices"]

_CREDITS_ROUTE = "/internal/invoices/{invoiceid}/credits"

_FILTERS = QuerySpec(
    sortby=Param("sortby", choice(InvoiceSortField)),
    order=Param("order", choice(SortOrder)),
    status=Param("filterby", choice(InvoiceFilter)),
    project_number=Param("projectnumber", whole(0)),
    customer_code=Param("customercode", text),
)


class Invoices(Listed[Invoice, Mode]):
    """Sales invoices, identified by number: get, page, list, create, update, delete;
    plus customer address updates, credits and quote conversion."""

    __slots__ = ("bulk_payments",)
    path = "/invoices"
    model = Invoice
    page_type = Page[Invoice]
    with_raw_response: Invoices[Raw]

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        #: Bulk payments against invoices.
        self.bulk_payments = InvoiceBulkPayments(transport)

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        sortby: InvoiceSortField | str | None = None,
        order: SortOrder | str | None = None,
        status: InvoiceFilter | str | None = None,
        customer_code: str | None = None,
        project_number: int | None = None,
    ) -> Page[Invoice]:
        """One page of invoice summaries. `status` is the documented ``filterby``;
        arguments left None are not sent."""
        filters = _FILTERS.build(
            sortby=sortby,
            order=order,
            status=status,
            project_number=project_number,
            customer_code=customer_code,
        )
        return await self._page({**page_query(page, perpage), **filters})

    @listing
    def list(
        self,
        *,
        perpage: int = DEFAULT_LIST_PERPAGE,
        sortby: InvoiceSortField | str | None = None,
        order: SortOrder | str | None = None,
        status: InvoiceFilter | str | None = None,
        customer_code: str | None = None,
        project_number: int | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[Invoice]:
        """Every invoice summary of every page, in order (`concurrency` pages at once)."""
        filters = _FILTERS.build(
            sortby=sortby,
            order=order,
            status=status,
            project_number=project_number,
            customer_code=customer_code,
        )
        return self._list(perpage, concurrency, filters)

    @endpoint
    async def update_address(self, customer_code: str, address: Address) -> None:
        """Set the address of every invoice of the customer with this code."""
        params = {"customercode": text("customer_code", customer_code)}
        instance("address", address, Address)
        return await self._transport.request(
            "PUT", "/invoices/address", params=params, body=address
        )

    @endpoint
    async def credits(self, invoice_id: int) -> builtins.list[Credit]:
        """The credits the invoice's customer holds. Takes the invoice **Id**, not its number."""
        path = _credits_path(invoice_id)
        return await self._transport.request(
            "GET", path, builtins.list[Credit], route=_CREDITS_ROUTE
        )

    @endpoint
    async def apply_credits(self, invoice_id: int, credits: Sequence[Credit]) -> Invoice:
        """Apply `credits` to the invoice with this **Id**; returns the updated invoice.

        Never sent twice: an unknown outcome raises `AmbiguousResultError`.
        """
        path = _credits_path(invoice_id)
        body = instances("credits", credits, Credit)
        return await self._transport.request("POST", path, Invoice, body=body, route=_CREDITS_ROUTE)

    @endpoint
    async def convert_quotes(
        self, numbers: Sequence[int], retain: bool | None = None
    ) -> builtins.list[Conversion]:
        """Turn quotes into invoices in one go; returns each quote's new invoice number.

        `retain` keeps (True) or removes (False) the quotes; None leaves it to the
        account's setting (the parameter is not sent). A 400 listing invalid quote
        numbers raises `BadRequestError` with `invalid_numbers`; nothing is converted.
        """
        body = check_numbers("numbers", numbers)
        params = {"convertfrom": "quote"}
        if retain is not None:
            params["retainafterconversion"] = flag("retain", retain)
        return await self._transport.request(
            "POST", "/internal/invoices", builtins.list[Conversion], params=params, body=body
        )


def _credits_path(invoice_id: int) -> str:
    return f"/internal/invoices/{number('invoice_id', invoice_id)}/credits"
