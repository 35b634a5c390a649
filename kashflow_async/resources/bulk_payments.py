"""Bulk payments: one payment spread over several invoices or purchases."""

from __future__ import annotations

from ..models import BulkPayment
from ._base import Resource
from ._modes import Mode, Raw

__all__ = ["InvoiceBulkPayments", "PurchaseBulkPayments"]


class InvoiceBulkPayments(Resource[BulkPayment, Mode]):
    """Bulk payments against invoices (``/invoices/bulk/payments/{number}``).

    A 400 naming invalid invoice numbers raises `BadRequestError` with `invalid_numbers`.
    """

    __slots__ = ()
    path = "/invoices/bulk/payments"
    model = BulkPayment
    with_raw_response: InvoiceBulkPayments[Raw]


class PurchaseBulkPayments(Resource[BulkPayment, Mode]):
    """Bulk payments against purchases (``/purchases/bulk/payments/{number}``)."""

    __slots__ = ()
    path = "/purchases/bulk/payments"
    model = BulkPayment
    with_raw_response: PurchaseBulkPayments[Raw]
