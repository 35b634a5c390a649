"""What invoices and purchases share beyond `documents`: numbering, due dates from the
party's payment terms, payment lines, the calendar-driven status, and the status,
party and project filters of their lists. `state.invoices` and `state.purchases` add
only their own fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..models import Invoice, InvoiceFilter, PaymentLine, Purchase
from ..models._base import as_wire_date
from .account import Account
from .documents import DocumentBook, Party, derive_payable, derive_status
from .errors import BadRequest, invalid_numbers_message
from .money import ZERO, at_noon, day_of, days_after, next_number, q4
from .records import code_key

__all__ = ["PayableBook"]

Doc = TypeVar("Doc", Invoice, Purchase)

#: Payment terms of a party that states none, in days.
DEFAULT_TERMS_DAYS = 30


def terms_days(party: Party) -> int:
    """Days after the issue date a document of `party` is due."""
    terms = party.payment_terms
    return terms.days if terms is not None and terms.days is not None else DEFAULT_TERMS_DAYS


class PayableBook(DocumentBook[Doc]):
    """Invoices or purchases: documents that are paid, and fall overdue."""

    def __init__(self, account: Account) -> None:
        super().__init__(account)
        self._derived_day: dt.date | None = None

    # ------------------------------------------------------------------ reads

    def before_read(self) -> None:
        """Statuses depend on the date: re-derive them all when the day changes."""
        day = self.account.today()
        if day != self._derived_day:
            self._derived_day = day
            for doc in self.store.values():
                derive_status(doc, day)
            self.account.changed()

    def derive(self, doc: Doc) -> None:
        """Fill every derived figure of a stored document in place."""
        derive_payable(doc, self.account.settings.default_vat_level, self.account.today())

    def list_filters(
        self, status: InvoiceFilter, party_code: str | None, project_number: int | None
    ) -> dict[tuple[str, object], Callable[[Doc], bool]]:
        """The filters of a list page: ``filterby``, the party's code, a project number
        on any line (keyed for the view cache)."""
        filters: dict[tuple[str, object], Callable[[Doc], bool]] = {}
        if status is not InvoiceFilter.ALL:
            filters[("status", status)] = lambda d: self._matches(d, status)
        if party_code:
            code = code_key(party_code)
            filters[("party", code)] = lambda d: code_key(self.party_code(d)) == code
        if project_number:
            filters[("project", project_number)] = lambda d: any(
                line.project_number == project_number for line in d.line_items or []
            )
        return filters

    def _matches(self, doc: Doc, status: InvoiceFilter) -> bool:
        if status in (InvoiceFilter.THIS_MONTH, InvoiceFilter.LAST_MONTH):
            if doc.issued_date is None:
                return False
            today = self.account.today()
            year, month = today.year, today.month
            if status is InvoiceFilter.LAST_MONTH:
                year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            issued = day_of(doc.issued_date)
            return (issued.year, issued.month) == (year, month)
        return doc.status is not None and doc.status.value == status.value

    # ------------------------------------------------------------------ writes

    def insert_payable(self, body: Doc) -> Party:
        """The shared part of a create, on `body`: a given unique ``Number`` is used (400
        if taken), else the next free one; lines, payment lines, the party's fields, the
        issue date (today) and due date (the party's terms). Returns the party."""
        what = self.rules.what
        party = self.resolve_party(self.party_code(body))
        assert party is not None
        number = body.number or 0
        if number < 0:
            raise BadRequest(f"{what.capitalize()} number must be positive, not {number}.")
        if number and number in self.store:
            raise BadRequest(f"{what.capitalize()} number {number} is already taken.")
        if not number:
            numbers = self.numbers()
            number = next_number(numbers, what)
        lines = self.new_lines(body)
        payments = self.payment_lines(body.payment_lines or [], [], number)
        self.fill_new(body, number, party, lines)
        issued = body.issued_date or at_noon(self.account.today())
        if body.due_date:
            body.due_date = as_wire_date(body.due_date)  # type: ignore[assignment]
        else:
            body.due_date = at_noon(days_after(issued, terms_days(party)))
        body.payment_lines = payments
        return party

    def update_payable(self, number: int, body: Doc, old: Doc) -> None:
        """The shared part of a replace, on `body`: lines with ``Number`` 0 are new, lines
        left out deleted; payment lines likewise by ``Id`` (bulk-payment lines kept); the
        number, id, party and due date kept unless the body changes them."""
        party = self.party_for_update(body, old)
        lines = self.lines_for_update(body, old)
        payments = (
            self.payment_lines(body.payment_lines, old.payment_lines or [], number)
            if body.payment_lines is not None
            else list(old.payment_lines or [])
        )
        self.merge_update(body, old, number, party, lines)
        if body.due_date:
            body.due_date = as_wire_date(body.due_date)  # type: ignore[assignment]
        else:
            body.due_date = old.due_date
        body.payment_lines = payments

    def record_payments(self, number: int, payments: Sequence[Any]) -> Doc:
        """Add payment lines to a document (seed data and tests); the stored document."""
        doc: Doc = self.stored(number)
        doc.payment_lines = [*(doc.payment_lines or []), *self.payment_lines(payments, [], number)]
        self.derive(doc)
        self.account.changed()
        return doc

    def payment_lines(
        self, given: Sequence[Any], existing: Sequence[Any], number: int
    ) -> list[Any]:
        """Payment lines of a create/update. Lines of bulk payments are kept as they are
        (bulk payments own them); other lines with an ``Id`` are updated, without one
        added, and missing ones deleted."""
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
                continue  # a bulk payment's line: unchanged by the document
            pid = p.id or account.new_payment_id()
            line = self.payment_line(number)
            line.id = pid
            line.date = as_wire_date(p.date) if p.date else at_noon(account.today())
            line.note = p.note or ""
            line.method = account.method_or_default(p.method)
            line.amount = q4(p.amount or ZERO)
            line.account_id = account.account_or_default(p.account_id)
            line.permalink = (own[pid].permalink if pid in own else None) or (
                f"/v2/documents/{self.rules.what}/payment/{account.new_uuid()}"
            )
            lines.append(line)
        return lines

    def payment_line(self, number: int) -> Any:
        """A new, empty payment line of document `number` (an invoice's names it)."""
        return PaymentLine(invoice_number=number)
