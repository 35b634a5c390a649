"""Bulk payments against invoices or purchases (``/{objecttype}/bulk/payments``): each item
is a payment line on its object; the bulk payment owns those lines."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from ...models import BulkPayment, BulkPaymentItem, ExportDetails
from ...models._base import WireDate, as_wire_date
from ..account import Account
from ..errors import BadRequest, NotFound, invalid_numbers_message
from ..money import ZERO, at_noon, day_of, q2, q4
from ..payables import PayableBook
from ..records import INVOICES, PURCHASES, BulkKind
from .invoices import Invoices
from .purchases import Purchases

__all__ = ["BulkPayments"]


class BulkPayments:
    """The account's bulk payments of both kinds, stored as the decoded `BulkPayment`
    objects with the server's fields filled in."""

    def __init__(self, account: Account, invoices: Invoices, purchases: Purchases) -> None:
        self.account = account
        self.invoices = invoices
        self.purchases = purchases
        self._stored: dict[BulkKind, dict[int, BulkPayment]] = {INVOICES: {}, PURCHASES: {}}
        self._next: dict[BulkKind, int] = {INVOICES: 1, PURCHASES: 1}

    # ------------------------------------------------------------------ reads

    def numbers(self, kind: BulkKind) -> list[int]:
        """Numbers of the stored bulk payments of `kind`."""
        return sorted(self._stored[kind])

    def stored(self, kind: BulkKind, number: int) -> BulkPayment:
        """The stored bulk payment (404 if none)."""
        payment = self._stored[kind].get(number)
        if payment is None:
            raise NotFound(f"Bulk payment number {number} does not exist.")
        return payment

    def get(self, kind: BulkKind, number: int) -> BulkPayment:
        """A bulk payment with `number` (404 if none)."""
        return self._view(kind, self.stored(kind, number), full=True)

    def _view(self, kind: BulkKind, stored: BulkPayment, full: bool) -> BulkPayment:
        """The API form: `full` (GET) shows date-times, POST/PUT answers dates."""
        view = copy.copy(stored)
        items = stored.payment_items or []
        view.payment_items = [self._item_view(kind, i, full) for i in items]
        day = day_of(stored.date or self.account.today())
        view.date = at_noon(day) if full else WireDate(day.year, day.month, day.day)
        if stored.export_details is not None:
            view.export_details = copy.copy(stored.export_details)
            view.export_details.object_number = items[0].object_number if items else None
        if not full:
            view.permalink = None
        return view

    def _item_view(self, kind: BulkKind, item: BulkPaymentItem, full: bool) -> BulkPaymentItem:
        number = item.object_number or 0
        if kind == INVOICES:
            inv = self.invoices.store[number]
            contact, reference, issued = inv.customer_name, inv.customer_reference, inv.issued_date
        else:
            pur = self.purchases.store[number]
            contact, reference, issued = pur.supplier_name, pur.supplier_reference, pur.issued_date
        view = copy.copy(item)
        view.amount = item.amount if full else q2(item.amount or ZERO)
        view.contact_name = contact
        view.contact_reference = reference
        view.object_issued_date = as_wire_date(issued) if issued else None  # type: ignore[assignment]
        return view

    # ------------------------------------------------------------------ writes

    def create(self, kind: BulkKind, body: BulkPayment) -> BulkPayment:
        """Create a bulk payment (all fields but Comment required; unknown method or bank
        account give the defaults; all object numbers valid or 400 listing the invalid
        ones; Date not within a TransactionLockDate). Each item becomes a payment line."""
        self.invoices.before_read()
        day, account_id, method = self._validate(kind, body)
        number = self._next[kind]
        self._next[kind] = number + 1
        for item in body.payment_items or []:
            self._fill_item(item, self.account.new_payment_id(), day)
        self._fill(body, number, day, account_id, method, reconciled=False)
        if kind == PURCHASES:
            first = self.purchases.store[(body.payment_items or [])[0].object_number or 0]
            supplier = self.account.supplier(first.supplier_code)
            contacts = (supplier.contacts if supplier else None) or []
            body.permalink = f"/v2/documents/purchase/payment/{self.account.new_uuid()}"
            body.export_details = ExportDetails(
                email_id=contacts[0].email or "" if contacts else "", permalink=body.permalink
            )
        else:
            body.export_details = body.permalink = None
        self._store(kind, body, touched=set())
        return self._view(kind, body, full=False)

    def update(self, kind: BulkKind, number: int, body: BulkPayment) -> BulkPayment:
        """Update a bulk payment: items with `Id` updated, without one added, missing ones
        deleted; same 400 rules as create (and the current date must not be locked either).
        `Reconciled` is reset when the date or bank account changes or an item is added."""
        old = self.stored(kind, number)
        old_day = day_of(old.date or self.account.today())
        self.invoices.before_read()
        self.account.check_lock(old_day, old.account_id, "bulk payment")
        day, account_id, method = self._validate(kind, body)
        current = {i.id for i in old.payment_items or []}
        given = body.payment_items or []
        unknown = [i.id for i in given if i.id and i.id not in current]
        if unknown:
            raise BadRequest(invalid_numbers_message("payment item id", unknown))
        for i in given:
            if i.id and i.paid_date is not None:
                self.account.check_lock(day_of(i.paid_date), account_id, "payment item")
        added = False
        for i in given:
            if i.id:
                # an item still dated like the old header follows a new header date
                paid = day if i.paid_date is None else day_of(i.paid_date)
                self._fill_item(i, i.id, day if paid == old_day else paid)
            else:
                added = True
                self._fill_item(i, self.account.new_payment_id(), day)
        moved = added or day != old_day or account_id != old.account_id
        self._fill(
            body, number, day, account_id, method, reconciled=bool(old.reconciled) and not moved
        )
        body.export_details, body.permalink = old.export_details, old.permalink
        self._store(kind, body, touched={i.object_number or 0 for i in old.payment_items or []})
        return self._view(kind, body, full=False)

    def delete(self, kind: BulkKind, number: int) -> None:
        """Delete a bulk payment and its payment lines (400 if its date is locked)."""
        old = self.stored(kind, number)
        self.account.check_lock(
            day_of(old.date or self.account.today()), old.account_id, "bulk payment"
        )
        touched = {i.object_number or 0 for i in old.payment_items or []}
        self.account.bulk_line_ids -= {i.id or 0 for i in old.payment_items or []}
        old.payment_items = []
        self._apply(kind, old, touched)
        del self._stored[kind][number]

    def reconcile(self, kind: BulkKind, number: int) -> None:
        """Mark a bulk payment reconciled (what a bank reconciliation would do)."""
        self.stored(kind, number).reconciled = True

    def forget_object(self, kind: BulkKind, number: int) -> None:
        """Drop the items paying object `number` (it was deleted) from every bulk payment."""
        for payment in self._stored[kind].values():
            items = payment.payment_items or []
            self.account.bulk_line_ids -= {i.id or 0 for i in items if i.object_number == number}
            payment.payment_items = [i for i in items if i.object_number != number]

    # ------------------------------------------------------------------ rules

    def _validate(self, kind: BulkKind, body: BulkPayment) -> tuple[dt.date, int, int]:
        missing = [
            name
            for name, value in (
                ("Date", body.date),
                ("AccountId", body.account_id),
                ("Method", body.method),
                ("PaymentItems", body.payment_items),
            )
            if value is None
        ]
        if missing:
            raise BadRequest("Missing required field(s): " + ", ".join(missing) + ".")
        assert body.date is not None
        assert body.payment_items is not None
        if not body.payment_items:
            raise BadRequest("PaymentItems must hold at least one payment item.")
        for i, item in enumerate(body.payment_items):
            if item.object_number is None or item.amount is None:
                raise BadRequest(f"PaymentItems[{i}] needs both ObjectNumber and Amount.")
            if item.amount <= 0:
                raise BadRequest(f"PaymentItems[{i}].Amount must be more than 0.")
        objects = self._book(kind).store
        invalid = list(
            dict.fromkeys(
                item.object_number
                for item in body.payment_items
                if item.object_number is not None and item.object_number not in objects
            )
        )
        if invalid:
            raise BadRequest(invalid_numbers_message(kind[:-1], invalid))
        account_id = self.account.account_or_default(body.account_id)
        method = self.account.method_or_default(body.method)
        day = day_of(body.date)
        self.account.check_lock(day, account_id, "bulk payment")
        return day, account_id, method

    @staticmethod
    def _fill_item(item: BulkPaymentItem, item_id: int, paid: dt.date) -> None:
        item.id = item_id
        item.amount = q4(item.amount or ZERO)
        item.paid_date = at_noon(paid)

    @staticmethod
    def _fill(
        body: BulkPayment, number: int, day: dt.date, account_id: int, method: int, reconciled: bool
    ) -> None:
        body.number = number
        body.date = WireDate(day.year, day.month, day.day)
        body.account_id = account_id
        body.method = method
        body.reconciled = reconciled

    def _store(self, kind: BulkKind, body: BulkPayment, touched: set[int]) -> None:
        number = body.number or 0
        old = self._stored[kind].get(number)
        if old is not None:
            self.account.bulk_line_ids -= {i.id or 0 for i in old.payment_items or []}
        self.account.bulk_line_ids |= {i.id or 0 for i in body.payment_items or []}
        self._stored[kind][number] = body
        self._apply(kind, body, touched)

    def _book(self, kind: BulkKind) -> PayableBook[Any]:
        return self.invoices if kind == INVOICES else self.purchases

    def _apply(self, kind: BulkKind, payment: BulkPayment, touched: set[int]) -> None:
        """Write the payment's lines onto its objects (replacing its earlier ones)."""
        book = self._book(kind)
        items = payment.payment_items or []
        for number in {i.object_number or 0 for i in items} | touched:
            doc = book.store.get(number)
            if doc is None:
                continue
            lines = []
            for i in items:
                if i.object_number != number:
                    continue
                line = book.payment_line(number)
                line.id = i.id
                line.date = i.paid_date
                line.note = payment.comment or ""
                line.method = payment.method
                line.amount = i.amount
                line.account_id = payment.account_id
                line.permalink = f"/v2/documents/{kind[:-1]}/payment/bulk/{payment.number}/{i.id}"
                line.bulk_id = payment.number
                if hasattr(line, "bulk_payment_number"):
                    line.bulk_payment_number = payment.number
                lines.append(line)
            kept = [p for p in doc.payment_lines or [] if p.bulk_id != payment.number]
            doc.payment_lines = kept + lines
            book.derive(doc)
        self.account.changed()
