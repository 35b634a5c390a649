"""Customers (``/customers/{code}``): balances from their invoices."""

from __future__ import annotations

from collections.abc import Callable

from ...models import Customer, CustomerSortField, Invoice, Quote
from ..account import Account
from ..money import at_noon, q4
from ..parties import NEVER, PartyBook, PartyRules, Totals, totals_by_party
from ..records import code_key
from .invoices import Invoices
from .quotes import Quotes

__all__ = ["SORT_NUMBERS", "Customers"]

#: ``sortby`` by number, as Swagger types it (0 Name, 1 Code, 3 TotalPaidAmount, 4 ...)
SORT_NUMBERS = {
    "0": CustomerSortField.NAME,
    "1": CustomerSortField.CODE,
    "3": CustomerSortField.TOTAL_PAID_AMOUNT,
    "4": CustomerSortField.OUTSTANDING_BALANCE,
}


def derive_customer(customer: Customer, totals: Totals) -> None:
    """A customer's figures from its invoices (1900-01-01 when never invoiced)."""
    customer.invoice_count = totals.count
    customer.invoiced_net_amount = q4(totals.net)
    customer.invoiced_vat_amount = q4(totals.vat)
    customer.total_paid_amount = q4(totals.paid)
    customer.outstanding_balance = q4(totals.due)
    customer.overdue_amount = q4(totals.overdue)
    customer.first_invoice_date = at_noon(min(totals.dates)) if totals.dates else NEVER
    customer.last_invoice_date = at_noon(max(totals.dates)) if totals.dates else NEVER


class Customers(PartyBook[Customer]):
    """The account's customers and their rules."""

    def __init__(self, account: Account, invoices: Invoices, quotes: Quotes) -> None:
        self.invoices = invoices
        self.quotes = quotes
        #: called with (old code, new code) after a rename (the projects follow)
        self.on_rename: list[Callable[[str, str], None]] = []
        rules = PartyRules[Customer](
            what="customer",
            totals=lambda: totals_by_party(invoices.store.values(), lambda i: i.customer_code),
            derive=derive_customer,
            summary_omits=("delivery_addresses", "custom_check_boxes", "custom_text_boxes"),
            used_by=self._documents,
            renamed=self._renamed,
        )
        super().__init__(account, account.customer_records, rules)

    def _renamed(self, old: str, new: str) -> None:
        """The customer's invoices and quotes follow a new code (projects: `State`)."""
        key = code_key(old)
        docs: list[Invoice | Quote] = [*self.invoices.store.values(), *self.quotes.store.values()]
        for doc in docs:
            if code_key(doc.customer_code) == key:
                doc.customer_code = new
        for hook in self.on_rename:
            hook(old, new)

    def _documents(self, key: str) -> int:
        invoices = [i for i in self.invoices.store.values() if code_key(i.customer_code) == key]
        quotes = [q for q in self.quotes.store.values() if code_key(q.customer_code) == key]
        return len(invoices) + len(quotes)
