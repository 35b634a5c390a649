"""Purchases (``/purchases``) and their bulk payments."""

from __future__ import annotations

from ..models import InvoiceFilter, Page, Purchase, PurchaseSortField, PurchaseType, SortOrder
from ..pagination import PageIterator
from ..transport import Transport
from ._base import DEFAULT_LIST_CONCURRENCY, DEFAULT_LIST_PERPAGE, Listed
from ._modes import Mode, Raw, endpoint, listing
from ._params import Param, QuerySpec, choice, page_query, text, whole
from .bulk_payments import PurchaseBulkPayments

__all__ = ["Purchases"]

_FILTERS = QuerySpec(
    sortby=Param("sortby", choice(PurchaseSortField)),
    order=Param("order", choice(SortOrder)),
    status=Param("filterby", choice(InvoiceFilter)),
    project_number=Param("projectnumber", whole(0)),
    supplier_code=Param("suppliercode", text),
    search_text=Param("searchtext", text),
    purchase_type=Param("type", choice(PurchaseType)),
)


class Purchases(Listed[Purchase, Mode]):
    """Purchases (supplier invoices), identified by number: get, page, list, create,
    update, patch, delete; and ``bulk_payments``."""

    __slots__ = ("bulk_payments",)
    path = "/purchases"
    model = Purchase
    page_type = Page[Purchase]
    with_raw_response: Purchases[Raw]

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        #: Bulk payments against purchases.
        self.bulk_payments = PurchaseBulkPayments(transport)

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        sortby: PurchaseSortField | str | None = None,
        order: SortOrder | str | None = None,
        status: InvoiceFilter | str | None = None,
        supplier_code: str | None = None,
        project_number: int | None = None,
        search_text: str | None = None,
        purchase_type: PurchaseType | str | None = None,
    ) -> Page[Purchase]:
        """One page of purchase summaries. `status` is the documented ``filterby``,
        `purchase_type` the documented ``type`` (Purchase or Expense);
        arguments left None are not sent."""
        filters = _FILTERS.build(
            sortby=sortby,
            order=order,
            status=status,
            supplier_code=supplier_code,
            project_number=project_number,
            search_text=search_text,
            purchase_type=purchase_type,
        )
        return await self._page({**page_query(page, perpage), **filters})

    @listing
    def list(
        self,
        *,
        perpage: int = DEFAULT_LIST_PERPAGE,
        sortby: PurchaseSortField | str | None = None,
        order: SortOrder | str | None = None,
        status: InvoiceFilter | str | None = None,
        supplier_code: str | None = None,
        project_number: int | None = None,
        search_text: str | None = None,
        purchase_type: PurchaseType | str | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[Purchase]:
        """Every purchase summary of every page, in order (`concurrency` pages at once)."""
        filters = _FILTERS.build(
            sortby=sortby,
            order=order,
            status=status,
            supplier_code=supplier_code,
            project_number=project_number,
            search_text=search_text,
            purchase_type=purchase_type,
        )
        return self._list(perpage, concurrency, filters)
