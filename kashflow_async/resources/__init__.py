"""The API's resources: thin declarations over the transport."""

from .bulk_payments import InvoiceBulkPayments, PurchaseBulkPayments, Purchases
from .invoices import Invoices
from .quotes import Quotes

__all__ = ["InvoiceBulkPayments", "Invoices", "PurchaseBulkPayments", "Purchases", "Quotes"]
