"""Bulk payments: one payment spread over several invoices or purchases."""

from __future__ import annotations

from ..models import BulkPayment
from ._base import Resource

__all__ = ["InvoiceBulkPayments", "PurchaseBulkPayments"]


class InvoiceBulkPayments(Resource[BulkPayment]):
    """Bulk payments against invoices (``/invoices/bulk/payments/{number}``).

    A 400 naming invalid invoice numbers raises `BadRequestError` with `invalid_numbers`.
    """

    __slots__ = ()
    path = "/invoices/bulk/payments"
    model = BulkPayment


class PurchaseBulkPayments(Resource[BulkPayment]):
    """Bulk payments against purchases (``/purchases/bulk/payments/{number}``)."""

    __slots__ = ()
    path = "/purchases/bulk/payments"
    model = BulkPayment


class Purchases:
    """The purchases side of the API (only its bulk payments so far)."""

    __slots__ = ("bulk_payments",)

    def __init__(self, bulk_payments: PurchaseBulkPayments) -> None:
        self.bulk_payments = bulk_payments

    def __repr__(self) -> str:
        return "<Purchases>"
