"""The API's resources: thin declarations over the transport."""

from ._modes import Plain, Raw
from .bank import BankAccounts, BankTransactions
from .bulk_payments import InvoiceBulkPayments, PurchaseBulkPayments
from .invoices import Invoices
from .nominals import Nominals
from .products import Products
from .purchases import Purchases
from .quotes import Quotes
from .reference import Reference

__all__ = [
    "BankAccounts",
    "BankTransactions",
    "InvoiceBulkPayments",
    "Invoices",
    "Nominals",
    "Plain",
    "Products",
    "PurchaseBulkPayments",
    "Purchases",
    "Quotes",
    "Raw",
    "Reference",
]
