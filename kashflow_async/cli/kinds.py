"""What the invoice and quote commands share, described once per kind of record."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from ..client import KashFlowClient
from ..models import Invoice, Nominal, Quote
from ..resources import Invoices, Quotes
from .formats.columns import (
    INVOICE_COLUMNS,
    INVOICE_TABLE,
    LINE_TABLE,
    NOMINAL_COLUMNS,
    QUOTE_COLUMNS,
    QUOTE_TABLE,
    Column,
)
from .formats.rows import (
    INVOICE_CSV_COLUMNS,
    QUOTE_CSV_COLUMNS,
    invoice_rows,
    invoices_from_rows,
    quote_rows,
    quotes_from_rows,
)

__all__ = ["INVOICES", "KINDS", "LISTED_KINDS", "NOMINALS", "QUOTES", "Kind", "ListedKind"]


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
    resource: Callable[[KashFlowClient], Invoices | Quotes]

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


def _invoices(kf: KashFlowClient) -> Invoices:
    return kf.invoices


def _quotes(kf: KashFlowClient) -> Quotes:
    return kf.quotes


INVOICES = Kind(
    "invoice",
    Invoice,
    INVOICE_COLUMNS,
    INVOICE_TABLE,
    INVOICE_CSV_COLUMNS,
    invoice_rows,
    invoices_from_rows,
    _invoices,
)
QUOTES = Kind(
    "quote",
    Quote,
    QUOTE_COLUMNS,
    QUOTE_TABLE,
    QUOTE_CSV_COLUMNS,
    quote_rows,
    quotes_from_rows,
    _quotes,
)

#: Every kind of record the CLI imports and exports.
KINDS = (INVOICES, QUOTES)


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
