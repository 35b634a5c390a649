"""The API's resources: thin declarations over the transport."""

from ._modes import Plain, Raw
from .bank import BankAccounts, BankTransactions
from .bulk_payments import InvoiceBulkPayments, PurchaseBulkPayments
from .customers import Customers
from .invoices import Invoices
from .nominals import Nominals
from .products import Products
from .projects import Projects
from .purchases import Purchases
from .quotes import Quotes
from .reference import Reference
from .suppliers import Suppliers

__all__ = [
    "BankAccounts",
    "BankTransactions",
    "Customers",
    "InvoiceBulkPayments",
    "Invoices",
    "Nominals",
    "Plain",
    "Products",
    "Projects",
    "PurchaseBulkPayments",
    "Purchases",
    "Quotes",
    "Raw",
    "Reference",
    "Suppliers",
]
