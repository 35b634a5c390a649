"""Bulk payments (one payment spread over several invoices or purchases)."""

from __future__ import annotations

from decimal import Decimal

from ._base import Model, TopLevel, WireDate, WireDateTime

__all__ = ["BulkPayment", "BulkPaymentItem", "ExportDetails"]


class BulkPaymentItem(Model):
    """One payment of a bulk payment; ``id`` is None for an item not yet created."""

    _identity_field = "id"

    id: int | None = None
    object_number: int | None = None
    amount: Decimal | None = None
    contact_name: str | None = None
    contact_reference: str | None = None
    object_issued_date: WireDateTime | None = None
    paid_date: WireDateTime | None = None


class ExportDetails(Model):
    """How a purchase bulk payment is exported (None on invoice bulk payments)."""

    permalink: str | None = None
    email_id: str | None = None
    object_number: int | None = None


class BulkPayment(TopLevel):
    """A single payment against several invoices or purchases.

    ``date`` is a `datetime.date` when the text had no time (``2013-10-24``), else a
    `datetime.datetime`.
    """

    _required_fields = ("number", "date", "account_id", "method", "payment_items")

    number: int | None = None
    date: WireDate | None = None
    comment: str | None = None
    account_id: int | None = None
    method: int | None = None
    reconciled: bool | None = None
    export_details: ExportDetails | None = None
    payment_items: list[BulkPaymentItem] | None = None
    permalink: str | None = None
