"""Quotes: required unique numbers (a replace may renumber), categories, and conversion
into invoices. Everything shared with invoices is in `documents`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...models import (
    Category,
    Conversion,
    Invoice,
    InvoiceLine,
    LineBase,
    Quote,
    QuoteSortField,
    SortOrder,
)
from ..account import Account
from ..documents import DocumentBook, DocumentRules, derive_totals
from ..errors import BadRequest, invalid_numbers_message
from ..records import code_key
from ..views import QUOTE_SORT
from .invoices import Invoices

__all__ = ["Quotes"]


class Quotes(DocumentBook[Quote]):
    """The account's quotes and their rules."""

    rules = DocumentRules(
        what="quote",
        date_field="date",
        customer_required=False,
        lists=("line_items",),
        summary_omits=("line_items", "previous_number", "next_number"),
    )

    def __init__(self, account: Account, invoices: Invoices) -> None:
        super().__init__(account)
        self.invoices = invoices

    def page(
        self,
        page: int = 1,
        perpage: int = 10,
        *,
        sortby: QuoteSortField = QuoteSortField.NUMBER,
        order: SortOrder = SortOrder.ASC,
        customer_code: str | None = None,
    ) -> tuple[list[Quote], int]:
        """One page of quote summaries (no lines) and the total count."""
        filters: dict[tuple[str, object], Callable[[Quote], bool]] = {}
        if customer_code:
            code = code_key(customer_code)
            filters[("customer", code)] = lambda q: code_key(q.customer_code) == code
        return self.paged(page, perpage, sortby, order, QUOTE_SORT, filters)

    def derive(self, quote: Quote) -> None:
        """Fill the derived figures of a quote in place."""
        derive_totals(quote, self.account.settings.default_vat_level)

    def create(self, body: Quote) -> Quote:
        """Create a quote: only a unique `Number` is required."""
        number = body.number or 0
        if number <= 0:
            raise BadRequest("Number is required to create a quote.")
        if number in self.store:
            raise BadRequest(f"Quote number {number} is already taken.")
        customer = self.account.resolve_customer(body.customer_code, False, "a quote")
        self.fill_new(body, number, customer, self.new_lines(body))
        body.category = body.category or Category(number=0, name=" - ", icon_id=0)
        body.project_number = body.project_number or 0
        body.suppress_amount = bool(body.suppress_amount)
        self.derive(body)
        self.put(body)
        return self.full(body)

    def update(self, number: int, body: Quote) -> Quote:
        """Replace a quote. A different `Number` in the body renumbers it (400 unless
        unique); the body's line order renumbers the lines; lines left out are deleted."""
        old = self.stored(number)
        new_number = body.number or number
        if new_number != number and new_number in self.store:
            raise BadRequest(f"Quote number {new_number} is already taken.")
        if new_number < 0:
            raise BadRequest(f"Quote number must be positive, not {new_number}.")
        customer = self.party_for_update(body, old)
        lines = self.lines_for_update(body, old)
        self.merge_update(body, old, new_number, customer, lines)
        body.category = body.category or old.category
        if body.project_number is None:
            body.project_number = old.project_number
        body.suppress_amount = bool(body.suppress_amount)
        self.derive(body)
        del self.store[number]
        self.put(body)
        return self.full(body)

    def delete(self, number: int) -> None:
        """Delete a quote."""
        self.remove(number)

    def convert(self, numbers: Sequence[int], retain: bool | None) -> list[Conversion]:
        """Turn quotes into invoices, all or none: any unknown quote (or one without a
        customer) gives 400 listing them all. `retain` None follows the account setting."""
        self.invoices.before_read()
        if not numbers:
            raise BadRequest("The request body must list at least one quote number.")
        wanted = list(dict.fromkeys(numbers))
        invalid = [
            n
            for n in wanted
            if n not in self.store or self.account.customer(self.store[n].customer_code) is None
        ]
        if invalid:
            raise BadRequest(invalid_numbers_message("quote", invalid))
        keep = self.account.settings.retain_quotes_after_conversion if retain is None else retain
        result = []
        for n in wanted:
            quote = self.store[n]
            lines = [
                InvoiceLine(
                    **{f: getattr(line, f) for f in LineBase.__struct_fields__ if f != "number"}
                )
                for line in quote.line_items or []
            ]
            invoice = self.invoices.create(
                Invoice(
                    customer_code=quote.customer_code,
                    customer_reference=quote.customer_reference,
                    currency=quote.currency,
                    line_items=lines,
                )
            )
            result.append(Conversion(quote_number=n, invoice_number=invoice.number))
        if not keep:
            for n in wanted:
                self.remove(n)
        return result
