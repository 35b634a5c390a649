"""Invoices, quotes and purchases: one derivation of lines, totals, VAT, payments and
status, and one book that stores, shows, pages, creates and replaces any of the three
kinds. `DocumentRules` holds what really differs between them (the date field, whether the
party is a customer or a supplier); `state.invoices`, `state.quotes` and
`state.purchases` add only their own rules.

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

from ..models import (
    Customer,
    DocumentLine,
    Invoice,
    InvoiceStatus,
    LineBase,
    Purchase,
    Quote,
    SortOrder,
    Supplier,
)
from ..models._base import as_wire_date
from .account import Account
from .errors import BadRequest, NotFound, invalid_numbers_message
from .extras import keep as keep_extras
from .money import HUNDRED, ZERO, at_noon, day_of, fill_currency, naive, q2, q4
from .records import code_key
from .views import NumberIndex, ViewCache, check_paging, neighbours, page_slice, sort_view

__all__ = [
    "DocumentBook",
    "DocumentRules",
    "derive_invoice",
    "derive_line",
    "derive_payable",
    "derive_status",
    "derive_totals",
]

Doc = TypeVar("Doc", Invoice, Quote, Purchase)
L = TypeVar("L", bound=DocumentLine)
#: the customer of an invoice or quote, the supplier of a purchase
Party = Customer | Supplier
E = TypeVar("E", bound=Enum)


# ---------------------------------------------------------------------------- derivation


def derive_line(
    line: DocumentLine, exchange_rate: Decimal, default_vat_level: Decimal
) -> tuple[Decimal, Decimal]:
    """Fill a line's derived fields in place; its net amount and its taxes (VAT plus the
    extra taxes an invoice or quote line applies)."""
    quantity = line.quantity if line.quantity is not None else Decimal(1)
    rate = line.rate if line.rate is not None else ZERO
    net = quantity * rate
    if line.vat_exempt:
        level = vat = ZERO
    else:
        level = line.vat_level if line.vat_level is not None else default_vat_level
        vat = line.vat_amount if line.vat_amount is not None else q2(net * level / HUNDRED)
    extra = _extra_taxes(line) if isinstance(line, LineBase) else ZERO
    line.quantity = q4(quantity)
    line.rate = q4(rate)
    line.vat_level = q4(level)
    line.vat_amount = q4(vat)
    line.vat_exempt = bool(line.vat_exempt)
    line.home_currency_rate = q4(rate / exchange_rate)
    line.home_currency_vat_amount = q4(vat / exchange_rate)
    if line.description is None:
        line.description = ""
    return net, vat + extra


def _extra_taxes(line: LineBase) -> Decimal:
    """The extra taxes an invoice or quote line applies (each filled in place)."""
    extra = ZERO
    for n in range(1, 6):
        amount = getattr(line, f"tax{n}_amount")
        applied = bool(getattr(line, f"apply_tax{n}"))
        if applied:
            extra += amount or ZERO
        setattr(line, f"tax{n}_amount", q4(amount if amount is not None else ZERO))
        setattr(line, f"apply_tax{n}", applied)
    return extra


def derive_totals(doc: Invoice | Quote | Purchase, default_vat_level: Decimal) -> Decimal:
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


def derive_payable(doc: Invoice | Purchase, default_vat_level: Decimal, today: dt.date) -> None:
    """Fill every derived figure of an invoice or a purchase in place: totals,
    home-currency gross, amount paid and status."""
    rate = derive_totals(doc, default_vat_level)
    for line in doc.line_items or []:
        if line.project_number is None:
            line.project_number = 0
    doc.home_currency_gross_amount = q4((doc.gross_amount or ZERO) / rate)
    payments = doc.payment_lines or []
    doc.total_paid_amount = q4(sum((p.amount or ZERO for p in payments), ZERO))
    derive_status(doc, today)


def derive_invoice(inv: Invoice, default_vat_level: Decimal, today: dt.date) -> None:
    """`derive_payable`, and the invoice's last payment date."""
    inv.last_payment_date = last_payment(inv)
    derive_payable(inv, default_vat_level, today)


def last_payment(doc: Invoice | Purchase) -> Any:
    """The date of the latest payment line (None without payments)."""
    dates = [p.date for p in doc.payment_lines or [] if p.date is not None]
    return max(dates, key=naive) if dates else None


def derive_status(inv: Invoice | Purchase, today: dt.date) -> None:
    """Status, overdue days and paid date of an invoice or purchase from its amounts and
    due date (a purchase also shows the amount still due)."""
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
    inv.paid_date = last_payment(inv) if settled else None
    if isinstance(inv, Purchase):
        inv.due_amount = q4(gross - paid)


def renumber_lines(given: Sequence[L], existing: Sequence[DocumentLine], what: str) -> list[L]:
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

    #: ``invoice``, ``quote`` or ``purchase`` (messages)
    what: str
    #: the field holding the document's date
    date_field: str
    #: whether creating one needs a customer (a supplier)
    customer_required: bool
    #: list fields a full view copies
    lists: tuple[str, ...]
    #: fields a list page leaves out
    summary_omits: tuple[str, ...]
    #: who the document is with: ``customer`` or ``supplier`` (the ``{party}_code``,
    #: ``_id``, ``_name`` and ``_reference`` fields)
    party: str = "customer"
    #: the permalink's document type (default: `what`)
    permalink_type: str = ""


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

    def fill_new(self, body: Doc, number: int, party: Party | None, lines: list[Any]) -> None:
        """The fields every created document takes from the server, set on `body`."""
        keep_extras(body, None, self.account.settings)
        rules = self.rules
        date = getattr(body, rules.date_field)
        body.id = self.account.new_id()
        body.number = number
        self._set_party(body, party, None)
        reference = f"{rules.party}_reference"
        setattr(body, reference, getattr(body, reference) or "")
        setattr(
            body, rules.date_field, as_wire_date(date) if date else at_noon(self.account.today())
        )
        body.line_items = lines
        body.previous_number = body.next_number = None
        kind = rules.permalink_type or rules.what
        body.permalink = f"/v2/documents/{kind}/{self.account.new_uuid()}"

    def _set_party(self, body: Doc, party: Party | None, old: Doc | None) -> None:
        """The party's id, code and name on `body`: `party`'s, else the stored
        document's (`old`), else what the body says (a quote may name no customer)."""
        prefix = self.rules.party
        for field in ("id", "code", "name"):
            name = f"{prefix}_{field}"
            if party is not None:
                value = getattr(party, field)
            elif old is not None:
                value = getattr(old, name)
            else:
                value = 0 if field == "id" else (getattr(body, name) or "")
            setattr(body, name, value)

    def party_code(self, doc: Doc) -> str | None:
        """The code of the customer (or supplier) `doc` is with."""
        code: str | None = getattr(doc, f"{self.rules.party}_code")
        return code

    def resolve_party(self, code: str | None) -> Party | None:
        """The customer (or supplier) a body names (400 as `Account.resolve_party` says)."""
        rules = self.rules
        article = "an" if rules.what[:1] in "aeiou" else "a"
        return self.account.resolve_party(
            rules.party, code, rules.customer_required, f"{article} {rules.what}"
        )

    def party_for_update(self, body: Doc, old: Doc) -> Party | None:
        """The party after an update: the body's if it names another one (400 if that
        does not exist), else the stored one's."""
        given = self.party_code(body)
        if given and code_key(given) != code_key(self.party_code(old)):
            return self.resolve_party(given)
        return self.account.party(self.rules.party, self.party_code(old))

    def lines_for_update(self, body: Doc, old: Doc) -> list[Any]:
        """The lines after an update: the body's (renumbered; 400 for unknown numbers) or,
        when it sends none, the stored ones."""
        if body.line_items is None:
            return list(old.line_items or [])
        return renumber_lines(body.line_items, old.line_items or [], self.rules.what)

    def merge_update(
        self, body: Doc, old: Doc, number: int, party: Party | None, lines: list[Any]
    ) -> None:
        """The fields every replaced document keeps from the stored one when the body
        leaves them out, set on `body` (PUT sends the whole object)."""
        keep_extras(body, old, self.account.settings)
        date_field = self.rules.date_field
        date = getattr(body, date_field)
        body.id = old.id
        body.number = number
        self._set_party(body, party, old)
        reference = f"{self.rules.party}_reference"
        if getattr(body, reference) is None:
            setattr(body, reference, getattr(old, reference))
        setattr(body, date_field, as_wire_date(date) if date else getattr(old, date_field))
        if body.currency is None:
            body.currency = old.currency
        body.line_items = lines
        body.previous_number = body.next_number = None
        body.permalink = old.permalink
