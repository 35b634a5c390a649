"""kashflow-async: the asyncio client for the KashFlow REST API v2."""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .bulk import BulkResult, CreateMany, NumberConflictError
from .client import KashFlowClient
from .codecs import Codec, WireFormat, get_codec
from .errors import (
    AmbiguousResultError,
    APIError,
    AuthenticationError,
    BadRequestError,
    CoordinationError,
    DecodeError,
    EncodeError,
    InvalidArgumentError,
    KashFlowError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from .models import (
    Address,
    BankDetails,
    BulkPayment,
    BulkPaymentItem,
    Category,
    Contact,
    Conversion,
    Credit,
    CreditType,
    Currency,
    Customer,
    CustomerCurrency,
    CustomerSortField,
    DeletionFailure,
    ExportDetails,
    Invoice,
    InvoiceFilter,
    InvoiceLine,
    InvoiceSortField,
    InvoiceStatus,
    NameValue,
    Page,
    PageMeta,
    PaymentLine,
    PaymentTerms,
    Project,
    ProjectStatus,
    Purchase,
    PurchaseLine,
    PurchasePaymentLine,
    PurchaseSortField,
    PurchaseType,
    Quote,
    QuoteLine,
    QuoteSortField,
    ReminderLetter,
    SortOrder,
    StockInfo,
    Supplier,
    SupplierSortField,
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
    "Address",
    "AmbiguousResultError",
    "AuthenticationError",
    "BadRequestError",
    "BankDetails",
    "BulkPayment",
    "BulkPaymentItem",
    "BulkResult",
    "Category",
    "Codec",
    "Contact",
    "Conversion",
    "CoordinationError",
    "CreateMany",
    "Credit",
    "CreditType",
    "Currency",
    "Customer",
    "CustomerCurrency",
    "CustomerSortField",
    "DecodeError",
    "DeletionFailure",
    "EncodeError",
    "ExportDetails",
    "InvalidArgumentError",
    "Invoice",
    "InvoiceFilter",
    "InvoiceLine",
    "InvoiceSortField",
    "InvoiceStatus",
    "KashFlowClient",
    "KashFlowError",
    "NameValue",
    "NotFoundError",
    "NumberConflictError",
    "Page",
    "PageIterator",
    "PageMeta",
    "PaymentLine",
    "PaymentTerms",
    "Project",
    "ProjectStatus",
    "Purchase",
    "PurchaseLine",
    "PurchasePaymentLine",
    "PurchaseSortField",
    "PurchaseType",
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
    "StockInfo",
    "Supplier",
    "SupplierSortField",
    "TransportError",
    "WireFormat",
    "__version__",
    "get_codec",
]
