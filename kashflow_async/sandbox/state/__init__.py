"""The sandbox's in-memory KashFlow account and every documented rule (no HTTP here).

One room per endpoint family, each over the shared `Account`: `invoices`, `quotes`,
`purchases`, `customers`, `suppliers`, `projects`, `bulk_payments`, `customer_credits`,
`nominals`, `products`, `bank` (with `bank.transactions`), `vat_rates`, `preferences`
(settings pages). A new family is one new module here, a room in `State`, and its
routes. Every mutating method validates its whole input first and only then changes
anything, so a request applies fully or not at all. Derived figures are computed with
`Decimal` (in `documents`); the values a client sends for them are ignored. `State`
keeps the account's reference data and the short names tests and seeding use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ...models import DeletionFailure, Invoice, Quote
from ..account import Account
from ..money import ZERO
from ..records import INVOICES, PURCHASES, BulkKind, code_key
from .bank import BankAccounts, BankTransactions
from .bulk_payments import BulkPayments
from .credits import Credits
from .customers import Customers
from .invoices import Invoices
from .nominals import Nominals
from .products import Products
from .projects import Projects
from .purchases import Purchases
from .quotes import Quotes
from .reference import Preferences, VatRates
from .suppliers import Suppliers

__all__ = [
    "BankAccounts",
    "BankTransactions",
    "BulkPayments",
    "Credits",
    "Customers",
    "Invoices",
    "Nominals",
    "Preferences",
    "Products",
    "Projects",
    "Purchases",
    "Quotes",
    "State",
    "Suppliers",
    "VatRates",
]


class State(Account):
    """One KashFlow account in memory: the shared `Account` and a room per family.

    `today` fixes the calendar date the rules use (overdue status, ThisMonth/LastMonth);
    None follows the real date.
    """

    def __init__(self, *, today: dt.date | None = None, seed: int = 0) -> None:
        super().__init__(today=today, seed=seed)
        self.invoices = Invoices(self)
        self.quotes = Quotes(self, self.invoices)
        self.purchases = Purchases(self)
        self.customers = Customers(self, self.invoices, self.quotes)
        self.suppliers = Suppliers(self, self.purchases)
        self.projects = Projects(self, self.invoices, self.quotes, self.purchases)
        self.customers.on_rename.append(self.projects.follow_customer)
        self.bulk_payments = BulkPayments(self, self.invoices, self.purchases)
        self.customer_credits = Credits(self, self.invoices)
        self.nominals = Nominals(self)
        self.products = Products(self, self.nominals)
        #: bank accounts as the API serves them (``bank.transactions``: their
        #: transactions); the payment rules' records are `bank_accounts`
        self.bank = BankAccounts(self, BankTransactions(self, self.invoices, self.purchases))
        self.vat_rates = VatRates()
        self.preferences = Preferences(self)

    def set_today(self, day: dt.date | None) -> None:
        """Move the sandbox's calendar (None: follow the real date); statuses follow."""
        super().set_today(day)
        self.invoices.before_read()
        self.purchases.before_read()

    # ------------------------------------------------------------------ customers

    def delete_customers(self, codes: list[str]) -> list[DeletionFailure]:
        """``DELETE /customerlist``: delete each customer with its invoices (and their
        bulk payment items) and quotes; its projects stay, with CustomerId 0. The codes
        that name no customer are returned as failures; the others are deleted."""
        failures = []
        for code in dict.fromkeys(codes):
            if self.customer(code) is None:
                failures.append(DeletionFailure(code=code, reason="Customer does not exist."))
                continue
            key = code_key(code)
            for inv in list(self.invoices.store.values()):
                if code_key(inv.customer_code) == key:
                    self.delete_invoice(inv.number or 0)
            for quote in list(self.quotes.store.values()):
                if code_key(quote.customer_code) == key:
                    self.quotes.delete(quote.number or 0)
            self.projects.unlink_customer(code)
            self.customers.remove(code)
        return failures

    def delete_purchase(self, number: int) -> None:
        """Delete a purchase; its items are removed from any bulk payment."""
        self.purchases.delete(number)
        self.bulk_payments.forget_object(PURCHASES, number)

    # ------------------------------------------------------------------ invoices

    def invoice_count(self) -> int:
        """How many invoices the account holds."""
        return self.invoices.count()

    def invoice_numbers(self) -> list[int]:
        """Every invoice number, ascending."""
        return self.invoices.numbers()

    def invoice(self, number: int) -> Invoice:
        """A deep copy of the full invoice (for tests and seed checks)."""
        return self.invoices.copy_of(number)

    def invoice_page(
        self, page: int = 1, perpage: int = 10, **query: Any
    ) -> tuple[list[Invoice], int]:
        """`Invoices.page`: one page of summaries and the total count."""
        return self.invoices.page(page, perpage, **query)

    def create_invoice(self, body: Invoice) -> Invoice:
        """`Invoices.create` (takes ownership of `body`)."""
        return self.invoices.create(body)

    def delete_invoice(self, number: int) -> None:
        """Delete an invoice; its items are removed from any bulk payment."""
        self.invoices.delete(number)
        self.bulk_payments.forget_object(INVOICES, number)

    def amount_due(self, inv: Invoice) -> Decimal:
        """`Invoice.amount_due`, 0 when unknown (kept for older tests)."""
        return inv.amount_due or ZERO

    # ------------------------------------------------------------------ quotes

    def quote_count(self) -> int:
        """How many quotes the account holds."""
        return self.quotes.count()

    def quote_numbers(self) -> list[int]:
        """Every quote number, ascending."""
        return self.quotes.numbers()

    def quote(self, number: int) -> Quote:
        """A deep copy of the full quote (for tests)."""
        return self.quotes.copy_of(number)

    def create_quote(self, body: Quote) -> Quote:
        """`Quotes.create` (takes ownership of `body`)."""
        return self.quotes.create(body)

    # ------------------------------------------------------------------ bulk payments

    def bulk_payment_numbers(self, kind: BulkKind) -> list[int]:
        """Numbers of the stored bulk payments of `kind`."""
        return self.bulk_payments.numbers(kind)

    def reconcile_bulk_payment(self, kind: BulkKind, number: int) -> None:
        """Mark a bulk payment reconciled (what a bank reconciliation would do)."""
        self.bulk_payments.reconcile(kind, number)
