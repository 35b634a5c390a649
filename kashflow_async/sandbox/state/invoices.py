"""Invoices: numbering, due dates, addresses, payment lines, the calendar-driven status and
the filters of ``GET /invoices``. Everything shared with quotes is in `documents`."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence

from ...models import (
    Address,
    Invoice,
    InvoiceFilter,
    InvoiceSortField,
    InvoiceStatus,
    PaymentLine,
    ReminderLetter,
    SortOrder,
)
from ...models._base import as_wire_date
from ..account import Account
from ..documents import DocumentBook, DocumentRules, derive_invoice, derive_status
from ..errors import BadRequest, NotFound, invalid_numbers_message
from ..money import ZERO, at_noon, day_of, days_after, next_number, q4
from ..records import code_key
from ..views import INVOICE_SORT

__all__ = ["Invoices"]


class Invoices(DocumentBook[Invoice]):
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
        self._derived_day: dt.date | None = None

    # ------------------------------------------------------------------ reads

    def before_read(self) -> None:
        """Statuses depend on the date: re-derive them all when the day changes."""
        day = self.account.today()
        if day != self._derived_day:
            self._derived_day = day
            for inv in self.store.values():
                derive_status(inv, day)
            self.account.changed()

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
        filters: dict[tuple[str, object], Callable[[Invoice], bool]] = {}
        if status is not InvoiceFilter.ALL:
            filters[("status", status)] = lambda i: self._matches(i, status)
        if customer_code:
            code = code_key(customer_code)
            filters[("customer", code)] = lambda i: code_key(i.customer_code) == code
        if project_number:
            filters[("project", project_number)] = lambda i: any(
                line.project_number == project_number for line in i.line_items or []
            )
        return self.paged(page, perpage, sortby, order, INVOICE_SORT, filters)

    def _matches(self, inv: Invoice, status: InvoiceFilter) -> bool:
        if status in (InvoiceFilter.THIS_MONTH, InvoiceFilter.LAST_MONTH):
            if inv.issued_date is None:
                return False
            today = self.account.today()
            year, month = today.year, today.month
            if status is InvoiceFilter.LAST_MONTH:
                year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            issued = day_of(inv.issued_date)
            return (issued.year, issued.month) == (year, month)
        return inv.status is not None and inv.status.value == status.value

    # ------------------------------------------------------------------ writes

    def create(self, body: Invoice) -> Invoice:
        """Create an invoice: a given unique `Number` is used (400 if taken), else the next
        free number. Derived figures are computed; the address defaults to the customer's."""
        self.before_read()
        return self.full(self.insert(body))

    def insert(self, body: Invoice) -> Invoice:
        """`create` without the neighbour lookup (fast enough for seeding thousands); the
        stored invoice itself, which is `body`."""
        customer = self.account.resolve_customer(body.customer_code, True, "an invoice")
        assert customer is not None
        number = body.number or 0
        if number < 0:
            raise BadRequest(f"Invoice number must be positive, not {number}.")
        if number and number in self.store:
            raise BadRequest(f"Invoice number {number} is already taken.")
        if not number:
            numbers = self.numbers()
            number = next_number(numbers, "invoice")
        lines = self.new_lines(body)
        payments = self.payment_lines(body.payment_lines or [], [], number)
        self.fill_new(body, number, customer, lines)
        issued = body.issued_date or at_noon(self.account.today())
        if body.due_date:
            body.due_date = as_wire_date(body.due_date)  # type: ignore[assignment]
        else:
            body.due_date = at_noon(days_after(issued, customer.payment_terms_days))
        body.address = body.address or customer.address
        body.payment_lines = payments
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
        customer = self.customer_for_update(body, old)
        lines = self.lines_for_update(body, old)
        payments = (
            self.payment_lines(body.payment_lines, old.payment_lines or [], number)
            if body.payment_lines is not None
            else list(old.payment_lines or [])
        )
        self.merge_update(body, old, number, customer, lines)
        if body.due_date:
            body.due_date = as_wire_date(body.due_date)  # type: ignore[assignment]
        else:
            body.due_date = old.due_date
        if body.address is None:
            body.address = old.address
        body.payment_lines = payments
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

    def record_payments(self, number: int, payments: Sequence[PaymentLine]) -> Invoice:
        """Add payment lines to an invoice (seed data and tests); the stored invoice."""
        inv = self.stored(number)
        inv.payment_lines = [*(inv.payment_lines or []), *self.payment_lines(payments, [], number)]
        self.derive(inv)
        self.account.changed()
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

    # ------------------------------------------------------------------ payment lines

    def payment_lines(
        self, given: Sequence[PaymentLine], existing: Sequence[PaymentLine], number: int
    ) -> list[PaymentLine]:
        """Payment lines of an invoice create/update. Lines of bulk payments are kept as
        they are (bulk payments own them); other lines with an ``Id`` are updated, without
        one added, and missing ones deleted."""
        account = self.account
        own = {p.id: p for p in existing if not p.bulk_id}
        bulk = account.bulk_line_ids
        unknown = [p.id for p in given if p.id and p.id not in own and p.id not in bulk]
        if unknown:
            raise BadRequest(invalid_numbers_message("payment line id", unknown))
        for p in given:
            if p.amount is None:
                raise BadRequest("Every payment line needs an Amount.")
            if p.date is not None:
                account.check_lock(day_of(p.date), p.account_id, "payment line")
        lines = [p for p in existing if p.bulk_id]
        for p in given:
            if p.id and p.id not in own:
                continue  # a bulk payment's line: unchanged by the invoice
            pid = p.id or account.new_payment_id()
            lines.append(
                PaymentLine(
                    id=pid,
                    invoice_number=number,
                    date=as_wire_date(p.date) if p.date else at_noon(account.today()),  # type: ignore[arg-type]
                    note=p.note or "",
                    method=account.method_or_default(p.method),
                    amount=q4(p.amount or ZERO),
                    account_id=account.account_or_default(p.account_id),
                    permalink=(own[pid].permalink if pid in own else None)
                    or f"/v2/documents/invoice/payment/{account.new_uuid()}",
                )
            )
        return lines
