"""The API's resources: thin declarations over the transport."""

from ._modes import Plain, Raw
from .bulk_payments import InvoiceBulkPayments, PurchaseBulkPayments
from .invoices import Invoices
from .purchases import Purchases
from .quotes import Quotes

__all__ = [
    "InvoiceBulkPayments",
    "Invoices",
    "Plain",
    "PurchaseBulkPayments",
    "Purchases",
    "Quotes",
    "Raw",
]
