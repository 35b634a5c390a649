"""kashflow-async: the asyncio client for the KashFlow REST API v2."""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .bulk import BulkResult, CreateMany
from .client import KashFlowClient
from .codecs import Codec, WireFormat, get_codec
from .errors import (
    AmbiguousResultError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    CoordinationError,
    DeadlineExceededError,
    DecodeError,
    EncodeError,
    InvalidArgumentError,
    KashFlowError,
    NotFoundError,
    NotSentError,
    NumberConflictError,
    RateLimitError,
    ServerError,
    TransportError,
)
from .models import (
    AccountSummary,
    AccountVatRate,
    Address,
    AdvancedSettings,
    BankAccount,
    BankTransaction,
    BankTransactionSortField,
    BulkPayment,
    BulkPaymentItem,
    Category,
    Conversion,
    Country,
    Credit,
    CreditType,
    Currency,
    DashboardDisplay,
    ExportDetails,
    Invoice,
    InvoiceFilter,
    InvoiceLine,
    InvoiceSettings,
    InvoiceSortField,
    InvoiceStatus,
    Metadata,
    Nominal,
    Page,
    PageMeta,
    PaymentLine,
    PaymentType,
    PayrollProvisioningStatus,
    Product,
    ProductSortField,
    Quote,
    QuoteLine,
    QuoteSortField,
    ReminderLetter,
    SortOrder,
    VatRate,
    VatRateBands,
)
from .pagination import PageIterator, RawPageIterator
from .transport import RetryPolicy
from .transport.hooks import RequestEvent, ResponseEvent, RetryEvent
from .transport.raw import RawResponse

if TYPE_CHECKING:
    from .sandbox import Sandbox


def __getattr__(name: str) -> Any:
    """`Sandbox` on first use: a plain import loads neither aiohttp.web nor the sandbox."""
    if name == "Sandbox":
        from .sandbox import Sandbox

        return Sandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APIError",
    "AccountSummary",
    "AccountVatRate",
    "Address",
    "AdvancedSettings",
    "AmbiguousResultError",
    "AuthenticationError",
    "BadRequestError",
    "BankAccount",
    "BankTransaction",
    "BankTransactionSortField",
    "BulkPayment",
    "BulkPaymentItem",
    "BulkResult",
    "Category",
    "Codec",
    "ConflictError",
    "Conversion",
    "CoordinationError",
    "Country",
    "CreateMany",
    "Credit",
    "CreditType",
    "Currency",
    "DashboardDisplay",
    "DeadlineExceededError",
    "DecodeError",
    "EncodeError",
    "ExportDetails",
    "InvalidArgumentError",
    "Invoice",
    "InvoiceFilter",
    "InvoiceLine",
    "InvoiceSettings",
    "InvoiceSortField",
    "InvoiceStatus",
    "KashFlowClient",
    "KashFlowError",
    "Metadata",
    "Nominal",
    "NotFoundError",
    "NotSentError",
    "NumberConflictError",
    "Page",
    "PageIterator",
    "PageMeta",
    "PaymentLine",
    "PaymentType",
    "PayrollProvisioningStatus",
    "Product",
    "ProductSortField",
    "Quote",
    "QuoteLine",
    "QuoteSortField",
    "RateLimitError",
    "RawPageIterator",
    "RawResponse",
    "ReminderLetter",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "RetryPolicy",
    "Sandbox",
    "ServerError",
    "SortOrder",
    "TransportError",
    "VatRate",
    "VatRateBands",
    "WireFormat",
    "__version__",
    "get_codec",
]
