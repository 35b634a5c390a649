"""Purchases (``/purchases/{number}``): a supplier's invoices, with the invoice
arithmetic, numbering, due dates and payment rules (`payables`, `documents`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...models import (
    InvoiceFilter,
    Purchase,
    PurchasePaymentLine,
    PurchaseSortField,
    PurchaseType,
    SortOrder,
)
from ..documents import DocumentRules
from ..money import ZERO, naive
from ..payables import PayableBook

__all__ = ["PURCHASE_SORT", "Purchases"]


def _text(value: str | None) -> str:
    return (value or "").strip().lower()


#: Sort keys by ``sortby`` (the first: by number).
PURCHASE_SORT: dict[PurchaseSortField, Callable[[Purchase], Any]] = {
    PurchaseSortField.NUMBER: lambda p: p.number or 0,
    PurchaseSortField.SUPPLIER_REFERENCE: lambda p: _text(p.supplier_reference),
    PurchaseSortField.SUPPLIER_NAME: lambda p: _text(p.supplier_name),
    PurchaseSortField.PURCHASE_DATE: lambda p: naive(p.issued_date),
    PurchaseSortField.PAYMENT_DUE_DATE: lambda p: naive(p.due_date),
    PurchaseSortField.GROSS_AMOUNT: lambda p: p.gross_amount or ZERO,
    PurchaseSortField.NET_AMOUNT: lambda p: p.net_amount or ZERO,
    PurchaseSortField.STATUS: lambda p: p.status.value if p.status else "",
    PurchaseSortField.PAID_DATE: lambda p: naive(p.paid_date),
    PurchaseSortField.DUE_AMOUNT: lambda p: p.due_amount or ZERO,
    PurchaseSortField.TYPE: lambda p: _text(p.type),
    PurchaseSortField.PROJECT: lambda p: p.project_number or 0,
    PurchaseSortField.VAT: lambda p: p.vat_amount or ZERO,
}


class Purchases(PayableBook[Purchase]):
    """The account's purchases and their rules."""

    rules = DocumentRules(
        what="purchase",
        date_field="issued_date",
        customer_required=True,
        lists=("line_items", "payment_lines"),
        summary_omits=("line_items", "payment_lines", "previous_number", "next_number"),
        party="supplier",
        permalink_type="purchaseorder",
    )

    def payment_line(self, number: int) -> PurchasePaymentLine:
        """A new, empty payment line of a purchase."""
        return PurchasePaymentLine()

    def page(
        self,
        page: int = 1,
        perpage: int = 10,
        *,
        sortby: PurchaseSortField = PurchaseSortField.NUMBER,
        order: SortOrder = SortOrder.ASC,
        status: InvoiceFilter = InvoiceFilter.ALL,
        supplier_code: str | None = None,
        project_number: int | None = None,
        purchase_type: PurchaseType | None = None,
        search_text: str | None = None,
    ) -> tuple[list[Purchase], int]:
        """One page of purchase summaries (no lines, no payments) and the total count."""
        filters = self.list_filters(status, supplier_code, project_number)
        if purchase_type is not None:
            filters[("type", purchase_type)] = lambda p: _text(p.type) == _text(purchase_type)
        if search_text:
            text = search_text.strip().lower()
            filters[("search", text)] = lambda p: (
                text in (f"{p.number} {p.supplier_reference} {p.supplier_name}".lower())
            )
        return self.paged(page, perpage, sortby, order, PURCHASE_SORT, filters)

    def create(self, body: Purchase) -> Purchase:
        """Create a purchase: a given unique `Number` is kept (400 if taken), else the
        next free one; a supplier code that exists is required."""
        self.before_read()
        return self.full(self.insert(body))

    def insert(self, body: Purchase) -> Purchase:
        """`create` without the neighbour lookup (seeding); the stored purchase."""
        self.insert_payable(body)
        self._defaults(body)
        self.derive(body)
        self.put(body)
        return body

    def update(self, number: int, body: Purchase) -> Purchase:
        """Replace a purchase with the whole object in `body` (lines and payment lines
        as for invoices)."""
        self.before_read()
        old = self.stored(number)
        self.update_payable(number, body, old)
        self._defaults(body)
        body.file_count = old.file_count
        self.derive(body)
        self.put(body)
        return self.full(body)

    def delete(self, number: int) -> Purchase:
        """Delete a purchase; the deleted purchase (its bulk items are the caller's)."""
        return self.remove(number)

    @staticmethod
    def _defaults(body: Purchase) -> None:
        body.type = body.type or PurchaseType.PURCHASE.value
        body.file_count = body.file_count or 0
        body.additional_field_value = body.additional_field_value or ""
        for flag in (
            "is_wht_deduction_to_be_applied",
            "purchase_in_ec_member_state",
            "stock_management_applicable",
        ):
            setattr(body, flag, bool(getattr(body, flag)))
