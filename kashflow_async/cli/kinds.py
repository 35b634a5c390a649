"""What the record commands share, described once per kind of record: a row of `KINDS`
(invoices, quotes, purchases, customers, suppliers, projects)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from ..client import KashFlowClient
from ..models import Customer, Invoice, Nominal, Project, Purchase, Quote, Supplier
from .formats.columns import (
    CUSTOMER_COLUMNS,
    CUSTOMER_TABLE,
    INVOICE_COLUMNS,
    INVOICE_TABLE,
    LINE_TABLE,
    NOMINAL_COLUMNS,
    PROJECT_COLUMNS,
    PROJECT_TABLE,
    PURCHASE_COLUMNS,
    PURCHASE_TABLE,
    QUOTE_COLUMNS,
    QUOTE_TABLE,
    SUPPLIER_COLUMNS,
    SUPPLIER_TABLE,
    Column,
)
from .formats.rows import (
    INVOICE_CSV_COLUMNS,
    PURCHASE_CSV_COLUMNS,
    QUOTE_CSV_COLUMNS,
    flat_from_rows,
    flat_rows,
    invoice_rows,
    invoices_from_rows,
    purchase_rows,
    purchases_from_rows,
    quote_rows,
    quotes_from_rows,
)

__all__ = [
    "CUSTOMERS",
    "INVOICES",
    "KINDS",
    "LISTED_KINDS",
    "NOMINALS",
    "PROJECTS",
    "PURCHASES",
    "QUOTES",
    "SUPPLIERS",
    "Kind",
    "ListedKind",
]


@dataclass(frozen=True)
class Kind:
    """A kind of record the CLI lists, exports and imports."""

    #: singular name for messages (``invoice``)
    name: str
    model: type[Any]
    columns: list[Column[Any]]
    table_columns: list[Column[Any]]
    csv_columns: list[str]
    rows: Callable[[Any], list[list[str]]]
    from_rows: Callable[[Iterable[tuple[int, dict[str, str]]]], Iterator[tuple[int, str, Any]]]
    #: the client's resource for this kind (``kf.invoices``)
    resource: Callable[[KashFlowClient], Any]
    #: what one record is identified by: its ``number``, or its ``code``
    key: str = "number"
    #: the CSV column holding it
    key_column: str = "Number"

    @property
    def plural(self) -> str:
        """``invoices``."""
        return self.name + "s"

    def detail_fields(self, record: Any) -> list[tuple[str, Any]]:
        """The field/value pairs shown by ``get`` as a table."""
        return [(c.name, c.get(record)) for c in self.columns]

    @property
    def line_columns(self) -> list[Column[Any]]:
        """Columns of the line items table."""
        return LINE_TABLE

    @property
    def wire_fields(self) -> set[str]:
        """The wire names of the model's fields (``IssuedDate``)."""
        return {f.encode_name for f in msgspec.structs.fields(self.model)}

    def foreign(self, names: Iterable[str]) -> list[str]:
        """Those of `names` that only another kind of record has (``Date`` for invoices:
        a quote's field), in the order given."""
        others = set().union(*(k.wire_fields | set(k.csv_columns) for k in KINDS if k != self))
        own = self.wire_fields | set(self.csv_columns)
        return [n for n in names if n in others and n not in own]


INVOICES = Kind(
    "invoice",
    Invoice,
    INVOICE_COLUMNS,
    INVOICE_TABLE,
    INVOICE_CSV_COLUMNS,
    invoice_rows,
    invoices_from_rows,
    lambda kf: kf.invoices,
)
QUOTES = Kind(
    "quote",
    Quote,
    QUOTE_COLUMNS,
    QUOTE_TABLE,
    QUOTE_CSV_COLUMNS,
    quote_rows,
    quotes_from_rows,
    lambda kf: kf.quotes,
)
PURCHASES = Kind(
    "purchase",
    Purchase,
    PURCHASE_COLUMNS,
    PURCHASE_TABLE,
    PURCHASE_CSV_COLUMNS,
    purchase_rows,
    purchases_from_rows,
    lambda kf: kf.purchases,
)
#: What a customer or supplier CSV sets when imported (the other columns are figures).
_PARTY_FIELDS = {
    "Code": ("code", "text"),
    "Name": ("name", "text"),
    "VatNumber": ("vat_number", "text"),
    "Currency": ("currency", "currency"),
}
CUSTOMERS = Kind(
    "customer",
    Customer,
    CUSTOMER_COLUMNS,
    CUSTOMER_TABLE,
    [c.name for c in CUSTOMER_COLUMNS],
    flat_rows(CUSTOMER_COLUMNS),
    flat_from_rows(Customer, {**_PARTY_FIELDS, "Email": ("email", "text")}, "Code"),
    lambda kf: kf.customers,
    key="code",
    key_column="Code",
)
SUPPLIERS = Kind(
    "supplier",
    Supplier,
    SUPPLIER_COLUMNS,
    SUPPLIER_TABLE,
    [c.name for c in SUPPLIER_COLUMNS],
    flat_rows(SUPPLIER_COLUMNS),
    flat_from_rows(Supplier, _PARTY_FIELDS, "Code"),
    lambda kf: kf.suppliers,
    key="code",
    key_column="Code",
)
PROJECTS = Kind(
    "project",
    Project,
    PROJECT_COLUMNS,
    PROJECT_TABLE,
    [c.name for c in PROJECT_COLUMNS],
    flat_rows(PROJECT_COLUMNS),
    flat_from_rows(
        Project,
        {
            "Number": ("number", "int"),
            "Name": ("name", "text"),
            "Reference": ("reference", "text"),
            "CustomerCode": ("customer_code", "text"),
            "StartDate": ("start_date", "date"),
            "EndDate": ("end_date", "date"),
            "TargetSalesAmount": ("target_sales_amount", "decimal"),
        },
        "Number",
    ),
    lambda kf: kf.projects,
)

#: Every kind of record the CLI imports and exports.
KINDS = (INVOICES, QUOTES, PURCHASES, CUSTOMERS, SUPPLIERS, PROJECTS)


@dataclass(frozen=True)
class ListedKind:
    """A kind of record the CLI only lists, whole, in one request (no pages)."""

    #: singular name for messages (``nominal code``)
    name: str
    #: the command group (``nominals``)
    plural: str
    #: the command group's help line
    help: str
    columns: list[Column[Any]]
    fetch: Callable[[KashFlowClient], Awaitable[list[Any]]]


def _nominals(kf: KashFlowClient) -> Awaitable[list[Nominal]]:
    return kf.nominals.list()


NOMINALS = ListedKind(
    "nominal code", "nominals", "Nominal codes (the chart of accounts).", NOMINAL_COLUMNS, _nominals
)

#: Every kind of record the CLI lists whole.
LISTED_KINDS = (NOMINALS,)
