"""Invoices: numbering, due dates, addresses, payment lines, the calendar-driven status and
the filters of ``GET /invoices``. Everything shared with quotes is in `documents`."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ...models import (
    Address,
    Customer,
    Invoice,
    InvoiceFilter,
    InvoiceSortField,
    InvoiceStatus,
    ReminderLetter,
    SortOrder,
)
from ..account import Account
from ..documents import DocumentRules, derive_invoice
from ..errors import BadRequest, NotFound
from ..payables import PayableBook
from ..records import code_key
from ..views import INVOICE_SORT

__all__ = ["Invoices", "postal_address"]


def postal_address(customer: Customer) -> Address | None:
    """A copy of the customer's first address (what its invoices default to)."""
    return copy.deepcopy(customer.addresses[0]) if customer.addresses else None


class Invoices(PayableBook[Invoice]):
    """The account's invoices and their rules."""

    rules = DocumentRules(
        what="invoice",
        date_field="issued_date",
        customer_required=True,
        lists=("line_items", "payment_lines", "reminder_letters"),
        summary_omits=(
            "line_items",
            "payment_lines",
            "reminder_letters",
            "previous_number",
            "next_number",
            "permalink",
            "packing_slip_permalink",
            "home_currency_gross_amount",
        ),
    )

    def __init__(self, account: Account) -> None:
        super().__init__(account)
        self._ids: dict[int, int] = {}

    # ------------------------------------------------------------------ reads

    def derive(self, inv: Invoice) -> None:
        """Fill every derived figure of a stored invoice in place."""
        derive_invoice(inv, self.account.settings.default_vat_level, self.account.today())

    def full(self, doc: Invoice) -> Invoice:
        """The full form; reminder letters only while the invoice is overdue."""
        view = super().full(doc)
        if doc.status is not InvoiceStatus.OVERDUE:
            view.reminder_letters = []
        return view

    def by_id(self, invoice_id: int) -> Invoice:
        """The full invoice whose `Id` is `invoice_id` (404 if none)."""
        self.before_read()
        number = self._ids.get(invoice_id)
        if number is None:
            raise NotFound(f"Invoice id {invoice_id} does not exist.")
        return self.full(self.store[number])

    def page(
        self,
        page: int = 1,
        perpage: int = 10,
        *,
        sortby: InvoiceSortField = InvoiceSortField.NUMBER,
        order: SortOrder = SortOrder.ASC,
        status: InvoiceFilter = InvoiceFilter.ALL,
        project_number: int | None = None,
        customer_code: str | None = None,
    ) -> tuple[list[Invoice], int]:
        """One page of invoice summaries (no lines, no payments) and the total count."""
        filters = self.list_filters(status, customer_code, project_number)
        return self.paged(page, perpage, sortby, order, INVOICE_SORT, filters)

    # ------------------------------------------------------------------ writes

    def create(self, body: Invoice) -> Invoice:
        """Create an invoice: a given unique `Number` is used (400 if taken), else the next
        free number. Derived figures are computed; the address defaults to the customer's."""
        self.before_read()
        return self.full(self.insert(body))

    def insert(self, body: Invoice) -> Invoice:
        """`create` without the neighbour lookup (fast enough for seeding thousands); the
        stored invoice itself, which is `body`."""
        customer = self.insert_payable(body)
        assert isinstance(customer, Customer)
        body.address = body.address or postal_address(customer)
        body.reminder_letters = list(body.reminder_letters or [])
        body.email_count = body.email_count or 0
        body.suppress_number = bool(body.suppress_number)
        body.automatic_credit_control_enabled = bool(body.automatic_credit_control_enabled)
        body.use_custom_delivery_address = bool(body.use_custom_delivery_address)
        body.packing_slip_permalink = (
            "v2/documents/packingslip/" + (body.permalink or "").rsplit("/", 1)[1]
        )
        self.derive(body)
        self._put(body)
        return body

    def update(self, number: int, body: Invoice) -> Invoice:
        """Replace an invoice with the whole object in `body`: lines with `Number` 0 are new,
        existing lines left out are deleted; payment lines likewise by `Id` (bulk-payment
        lines are kept). The number, id and derived figures are the server's."""
        self.before_read()
        old = self.stored(number)
        self.update_payable(number, body, old)
        if body.address is None:
            body.address = old.address
        body.reminder_letters = old.reminder_letters
        body.email_count = old.email_count
        body.suppress_number = bool(body.suppress_number)
        if body.automatic_credit_control_enabled is None:
            body.automatic_credit_control_enabled = old.automatic_credit_control_enabled
        body.automatic_credit_control_enabled = bool(body.automatic_credit_control_enabled)
        body.use_custom_delivery_address = bool(body.use_custom_delivery_address)
        body.packing_slip_permalink = old.packing_slip_permalink
        self.derive(body)
        self._put(body)
        return self.full(body)

    def _put(self, inv: Invoice) -> None:
        assert inv.id is not None
        self._ids[inv.id] = inv.number or 0
        self.put(inv)

    def delete(self, number: int) -> Invoice:
        """Delete an invoice; the deleted invoice (its bulk items are the caller's)."""
        inv = self.remove(number)
        if inv.id is not None:
            self._ids.pop(inv.id, None)
        return inv

    def set_reminder_letters(self, number: int, letters: Sequence[ReminderLetter]) -> None:
        """Record the reminder letters sent for an invoice (shown while it is overdue)."""
        self.stored(number).reminder_letters = list(letters)
        self.account.changed()

    def update_address(self, customer_code: str, address: Address) -> int:
        """Set `address` on every invoice of the customer; how many were changed."""
        if not customer_code.strip():
            raise BadRequest("customercode is required.")
        if self.account.customer(customer_code) is None:
            raise NotFound(f"Customer code {customer_code!r} does not exist.")
        key = code_key(customer_code)
        changed = 0
        for inv in self.store.values():
            if code_key(inv.customer_code) == key:
                inv.address = copy.deepcopy(address)
                changed += 1
        self.account.changed()
        return changed
