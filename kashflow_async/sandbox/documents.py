"""Invoices and quotes: one derivation of lines, totals, VAT and status, and one book that
stores, shows, pages, creates and replaces either kind. `DocumentRules` holds what really
differs between the two; `state.invoices` and `state.quotes` add only their own rules.

The objects stored are the ones decoded from the request, with the server's fields filled
in (create and update take ownership of the body they are given); readers get copies."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from ..models import Invoice, InvoiceStatus, LineBase, Quote, SortOrder
from ..models._base import as_wire_date
from .account import Account
from .errors import BadRequest, NotFound, invalid_numbers_message
from .extras import keep as keep_extras
from .money import HUNDRED, ZERO, at_noon, day_of, fill_currency, naive, q2, q4
from .records import Customer, code_key
from .views import NumberIndex, ViewCache, check_paging, neighbours, page_slice, sort_view

__all__ = [
    "DocumentBook",
    "DocumentRules",
    "derive_invoice",
    "derive_line",
    "derive_status",
    "derive_totals",
]

Doc = TypeVar("Doc", Invoice, Quote)
L = TypeVar("L", bound=LineBase)
E = TypeVar("E", bound=Enum)


# ---------------------------------------------------------------------------- derivation


def derive_line(
    line: LineBase, exchange_rate: Decimal, default_vat_level: Decimal
) -> tuple[Decimal, Decimal]:
    """Fill a line's derived fields in place; its net amount and its taxes (VAT plus the
    extra taxes it applies)."""
    quantity = line.quantity if line.quantity is not None else Decimal(1)
    rate = line.rate if line.rate is not None else ZERO
    net = quantity * rate
    if line.vat_exempt:
        level = vat = ZERO
    else:
        level = line.vat_level if line.vat_level is not None else default_vat_level
        vat = line.vat_amount if line.vat_amount is not None else q2(net * level / HUNDRED)
    extra = ZERO
    for n in range(1, 6):
        if getattr(line, f"apply_tax{n}"):
            extra += getattr(line, f"tax{n}_amount") or ZERO
    line.quantity = q4(quantity)
    line.rate = q4(rate)
    line.vat_level = q4(level)
    line.vat_amount = q4(vat)
    line.vat_exempt = bool(line.vat_exempt)
    line.home_currency_rate = q4(rate / exchange_rate)
    line.home_currency_vat_amount = q4(vat / exchange_rate)
    for n in range(1, 6):
        amount = getattr(line, f"tax{n}_amount")
        setattr(line, f"tax{n}_amount", q4(amount if amount is not None else ZERO))
        setattr(line, f"apply_tax{n}", bool(getattr(line, f"apply_tax{n}")))
    if line.description is None:
        line.description = ""
    return net, vat + extra


def derive_totals(doc: Invoice | Quote, default_vat_level: Decimal) -> Decimal:
    """Fill the currency, every line, and the net, VAT (with applied extra taxes) and gross
    amounts of `doc` in place; the exchange rate."""
    doc.currency = fill_currency(doc.currency)
    rate = doc.currency.exchange_rate or Decimal(1)
    net = vat = ZERO
    for line in doc.line_items or []:
        line_net, line_vat = derive_line(line, rate, default_vat_level)
        net += line_net
        vat += line_vat
    doc.net_amount = q4(net)
    doc.vat_amount = q4(vat)
    doc.gross_amount = q4(net + vat)
    return rate


def derive_invoice(inv: Invoice, default_vat_level: Decimal, today: dt.date) -> None:
    """Fill every derived figure of an invoice in place: totals, home-currency gross,
    amount paid, last payment date and status."""
    rate = derive_totals(inv, default_vat_level)
    for line in inv.line_items or []:
        if line.project_number is None:
            line.project_number = 0
    inv.home_currency_gross_amount = q4((inv.gross_amount or ZERO) / rate)
    payments = inv.payment_lines or []
    inv.total_paid_amount = q4(sum((p.amount or ZERO for p in payments), ZERO))
    dates = [p.date for p in payments if p.date is not None]
    inv.last_payment_date = max(dates, key=naive) if dates else None
    derive_status(inv, today)


def derive_status(inv: Invoice, today: dt.date) -> None:
    """Status, overdue days and paid date of an invoice from its amounts and due date."""
    gross = inv.gross_amount or ZERO
    paid = inv.total_paid_amount or ZERO
    overdue_days = 0
    if gross == 0:
        status = InvoiceStatus.NA
    elif paid > gross:
        status = InvoiceStatus.OVERPAID
    elif paid == gross:
        status = InvoiceStatus.PAID
    else:
        due = day_of(inv.due_date) if inv.due_date is not None else None
        if due is not None and due < today:
            status = InvoiceStatus.OVERDUE
            overdue_days = (today - due).days
        else:
            status = InvoiceStatus.UNPAID
    inv.status = status
    inv.overdue_days = overdue_days
    settled = status in (InvoiceStatus.PAID, InvoiceStatus.OVERPAID)
    inv.paid_date = inv.last_payment_date if settled else None


def renumber_lines(given: Sequence[L], existing: Sequence[LineBase], what: str) -> list[L]:
    """The lines of a create/update: number 0 or None is a new line, another number must
    name an existing line; the body's order becomes the line numbers 1..n (on copies)."""
    known = {line.number for line in existing}
    seen: set[int] = set()
    unknown = []
    for line in given:
        n = line.number or 0
        if n:
            if n not in known:
                unknown.append(n)
            elif n in seen:
                raise BadRequest(f"Line item number {n} appears twice in the {what}.")
            seen.add(n)
    if unknown:
        raise BadRequest(invalid_numbers_message(f"{what} line item", unknown))
    result = []
    for position, line in enumerate(given, start=1):
        line = copy.copy(line)
        line.number = position
        result.append(line)
    return result


# ---------------------------------------------------------------------------- the book


@dataclass(frozen=True)
class DocumentRules:
    """What differs between invoices and quotes in the shared rules."""

    #: ``invoice`` or ``quote`` (messages and permalinks)
    what: str
    #: the field holding the document's date
    date_field: str
    #: whether creating one needs a customer
    customer_required: bool
    #: list fields a full view copies
    lists: tuple[str, ...]
    #: fields a list page leaves out
    summary_omits: tuple[str, ...]


class DocumentBook(Generic[Doc]):
    """The stored documents of one kind, keyed by number, and the rules both kinds share."""

    rules: DocumentRules

    def __init__(self, account: Account) -> None:
        self.account = account
        self.store: dict[int, Doc] = {}
        self.index = NumberIndex(self.store)
        self.views: ViewCache[Doc] = ViewCache(lambda: account.version)

    # ------------------------------------------------------------------ reads

    def before_read(self) -> None:
        """Bring derived figures up to date before a read (nothing by default)."""

    def count(self) -> int:
        """How many documents are stored."""
        return len(self.store)

    def numbers(self) -> list[int]:
        """Every number, ascending (cached)."""
        return self.index.numbers()

    def stored(self, number: int) -> Doc:
        """The stored document (404 if none)."""
        doc = self.store.get(number)
        if doc is None:
            raise NotFound(f"{self.rules.what.capitalize()} number {number} does not exist.")
        return doc

    def full(self, doc: Doc) -> Doc:
        """The API's full form: a copy with its own lists and its neighbours' numbers."""
        view = copy.copy(doc)
        for name in self.rules.lists:
            setattr(view, name, list(getattr(doc, name) or []))
        view.previous_number, view.next_number = neighbours(self.numbers(), doc.number or 0)
        return view

    def get(self, number: int) -> Doc:
        """The full document with `number` (404 if none)."""
        self.before_read()
        return self.full(self.stored(number))

    def copy_of(self, number: int) -> Doc:
        """A deep copy of the full document (for tests and seed checks)."""
        return copy.deepcopy(self.get(number))

    def summary(self, doc: Doc) -> Doc:
        """The API's list form: a copy without lines and links."""
        view = copy.copy(doc)
        for name in self.rules.summary_omits:
            setattr(view, name, None)
        return view

    def paged(
        self,
        page: int,
        perpage: int,
        sortby: E,
        order: SortOrder,
        keys: Mapping[E, Callable[[Doc], Any]],
        filters: Mapping[tuple[str, object], Callable[[Doc], bool]],
    ) -> tuple[list[Doc], int]:
        """One page of summaries kept by every one of `filters` (keyed by what they test
        and against which value: the view cache's key), sorted by `sortby` (`keys` first
        holds the sort by number); and the total count."""
        check_paging(page, perpage)
        self.before_read()
        by_number = next(iter(keys))

        def build() -> list[Doc]:
            items = [self.store[n] for n in self.numbers()]
            for keep in filters.values():
                items = [d for d in items if keep(d)]
            return [self.summary(d) for d in sort_view(items, sortby, order, keys, by_number)]

        view = self.views.get((sortby, order, *sorted(filters, key=repr)), build)
        return page_slice(view, page, perpage), len(view)

    # ------------------------------------------------------------------ writes

    def put(self, doc: Doc) -> None:
        """Store `doc` under its number."""
        assert doc.number is not None
        self.store[doc.number] = doc
        self.index.invalidate()
        self.account.changed()

    def remove(self, number: int) -> Doc:
        """Delete the document with `number` (404 if none); the removed document."""
        doc = self.stored(number)
        del self.store[number]
        self.index.invalidate()
        self.account.changed()
        return doc

    def new_lines(self, body: Doc) -> list[Any]:
        """The lines of a created document, renumbered (400 for any number given)."""
        return renumber_lines(body.line_items or [], [], self.rules.what)

    def fill_new(self, body: Doc, number: int, customer: Customer | None, lines: list[Any]) -> None:
        """The fields every created document takes from the server, set on `body`."""
        keep_extras(body, None, self.account.settings)
        what, date_field = self.rules.what, self.rules.date_field
        date = getattr(body, date_field)
        body.id = self.account.new_id()
        body.number = number
        body.customer_id = customer.id if customer else 0
        body.customer_code = customer.code if customer else (body.customer_code or "")
        body.customer_name = customer.name if customer else (body.customer_name or "")
        body.customer_reference = body.customer_reference or ""
        setattr(body, date_field, as_wire_date(date) if date else at_noon(self.account.today()))
        body.line_items = lines
        body.previous_number = body.next_number = None
        body.permalink = f"/v2/documents/{what}/{self.account.new_uuid()}"

    def customer_for_update(self, body: Doc, old: Doc) -> Customer | None:
        """The customer after an update: the body's if it names another one (400 if that
        does not exist), else the stored one's."""
        if body.customer_code and code_key(body.customer_code) != code_key(old.customer_code):
            return self.account.resolve_customer(
                body.customer_code, self.rules.customer_required, f"a {self.rules.what}"
            )
        return self.account.customer(old.customer_code)

    def lines_for_update(self, body: Doc, old: Doc) -> list[Any]:
        """The lines after an update: the body's (renumbered; 400 for unknown numbers) or,
        when it sends none, the stored ones."""
        if body.line_items is None:
            return list(old.line_items or [])
        return renumber_lines(body.line_items, old.line_items or [], self.rules.what)

    def merge_update(
        self, body: Doc, old: Doc, number: int, customer: Customer | None, lines: list[Any]
    ) -> None:
        """The fields every replaced document keeps from the stored one when the body
        leaves them out, set on `body` (PUT sends the whole object)."""
        keep_extras(body, old, self.account.settings)
        date_field = self.rules.date_field
        date = getattr(body, date_field)
        body.id = old.id
        body.number = number
        body.customer_id = customer.id if customer else old.customer_id
        body.customer_code = customer.code if customer else old.customer_code
        body.customer_name = customer.name if customer else old.customer_name
        if body.customer_reference is None:
            body.customer_reference = old.customer_reference
        setattr(body, date_field, as_wire_date(date) if date else getattr(old, date_field))
        if body.currency is None:
            body.currency = old.currency
        body.line_items = lines
        body.previous_number = body.next_number = None
        body.permalink = old.permalink
