"""The API's resources: thin declarations over the transport."""

from ._modes import Plain, Raw
from .bulk_payments import InvoiceBulkPayments, PurchaseBulkPayments
from .customers import Customers
from .invoices import Invoices
from .projects import Projects
from .purchases import Purchases
from .quotes import Quotes
from .suppliers import Suppliers

__all__ = [
    "Customers",
    "InvoiceBulkPayments",
    "Invoices",
    "Plain",
    "Projects",
    "PurchaseBulkPayments",
    "Purchases",
    "Quotes",
    "Raw",
    "Suppliers",
]
