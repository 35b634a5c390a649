"""msgspec models of every object of the KashFlow REST API v2."""

from ._base import (
    Code,
    Model,
    TopLevel,
    WireDate,
    WireDateTime,
    format_date,
    parse_date,
    wire_name,
)
from .auth import LoginChallenge, LoginRequest, MemorableWordPosition, SessionToken
from .bank import BankAccount, BankTransaction, BankTransactionSortField, PaymentType
from .common import Address, Category, Currency, ErrorBody, Page, PageMeta
from .credits import Conversion, Credit
from .enums import (
    CreditType,
    InvoiceFilter,
    InvoiceSortField,
    InvoiceStatus,
    QuoteSortField,
    SortOrder,
)
from .invoices import Invoice, InvoiceLine, LineBase, PaymentLine, ReminderLetter
from .nominals import Nominal
from .payments import BulkPayment, BulkPaymentItem, ExportDetails
from .products import Product, ProductSortField
from .quotes import Quote, QuoteLine
from .reference import (
    AccountVatRate,
    Country,
    Metadata,
    PayrollProvisioningStatus,
    VatRate,
    VatRateBands,
)
from .settings import AccountSummary, AdvancedSettings, DashboardDisplay, InvoiceSettings

__all__ = [
    "AccountSummary",
    "AccountVatRate",
    "Address",
    "AdvancedSettings",
    "BankAccount",
    "BankTransaction",
    "BankTransactionSortField",
    "BulkPayment",
    "BulkPaymentItem",
    "Category",
    "Code",
    "Conversion",
    "Country",
    "Credit",
    "CreditType",
    "Currency",
    "DashboardDisplay",
    "ErrorBody",
    "ExportDetails",
    "Invoice",
    "InvoiceFilter",
    "InvoiceLine",
    "InvoiceSettings",
    "InvoiceSortField",
    "InvoiceStatus",
    "LineBase",
    "LoginChallenge",
    "LoginRequest",
    "MemorableWordPosition",
    "Metadata",
    "Model",
    "Nominal",
    "Page",
    "PageMeta",
    "PaymentLine",
    "PaymentType",
    "PayrollProvisioningStatus",
    "Product",
    "ProductSortField",
    "Quote",
    "QuoteLine",
    "QuoteSortField",
    "ReminderLetter",
    "SessionToken",
    "SortOrder",
    "TopLevel",
    "VatRate",
    "VatRateBands",
    "WireDate",
    "WireDateTime",
    "format_date",
    "parse_date",
    "wire_name",
]
