"""Customers and suppliers: one book that stores, shows, pages, creates, replaces and
deletes either kind by code, with the figures derived from the documents each is party
to. `PartyRules` holds what differs; `state.customers` and `state.suppliers` add only
their own rules."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from ..models import (
    Customer,
    CustomerCurrency,
    Invoice,
    InvoiceStatus,
    PaymentTerms,
    Purchase,
    SortOrder,
    Supplier,
)
from .account import Account
from .errors import BadRequest, NotFound
from .extras import keep as keep_extras
from .money import ZERO, at_noon, fill_currency, naive
from .records import code_key
from .views import ViewCache, check_paging, page_slice

__all__ = ["NEVER", "PartyBook", "PartyRules", "Totals", "sort_key", "totals_by_party"]

P = TypeVar("P", Customer, Supplier)
E = TypeVar("E", bound=Enum)

#: The date the API shows for "never" (a customer never invoiced).
NEVER = at_noon(dt.date(1900, 1, 1))


@dataclass
class Totals:
    """What a party's documents add up to."""

    count: int = 0
    net: Decimal = ZERO
    vat: Decimal = ZERO
    paid: Decimal = ZERO
    due: Decimal = ZERO
    overdue: Decimal = ZERO
    dates: list[dt.datetime] = field(default_factory=list)


def totals_by_party(
    docs: Iterable[Invoice | Purchase], code: Callable[[Any], str | None]
) -> dict[str, Totals]:
    """The `Totals` of the documents of each party, by `code_key`."""
    found: dict[str, Totals] = {}
    for doc in docs:
        t = found.setdefault(code_key(code(doc)), Totals())
        t.count += 1
        t.net += doc.net_amount or ZERO
        t.vat += doc.vat_amount or ZERO
        t.paid += doc.total_paid_amount or ZERO
        due = (doc.gross_amount or ZERO) - (doc.total_paid_amount or ZERO)
        t.due += due
        if doc.status is InvoiceStatus.OVERDUE:
            t.overdue += due
        if doc.issued_date is not None:
            t.dates.append(naive(doc.issued_date))
    return found


def sort_key(sortby: Enum) -> Callable[[Any], Any]:
    """The sort key of a sort column: the member its name names (``TOTAL_PAID_AMOUNT``:
    `total_paid_amount`); texts by their lower case."""
    attr = sortby.name.lower()

    def key(party: Any) -> Any:
        value = getattr(party, attr)
        return value.lower() if isinstance(value, str) else value

    return key


@dataclass(frozen=True)
class PartyRules(Generic[P]):
    """What differs between customers and suppliers."""

    #: ``customer`` or ``supplier`` (messages, the create helpers' names)
    what: str
    #: the stored parties' documents: `Totals` by party
    totals: Callable[[], dict[str, Totals]]
    #: the figures a party shows, from its totals (set in place)
    derive: Callable[[P, Totals], None]
    #: fields a list page leaves out
    summary_omits: tuple[str, ...]
    #: how many documents refer to a party (by `code_key`)
    used_by: Callable[[str], int]
    #: a party was renamed (old code, new code): its documents follow
    renamed: Callable[[str, str], None]


class PartyBook(Generic[P]):
    """The stored customers (or suppliers) by `code_key`, and the rules both kinds share."""

    def __init__(self, account: Account, store: dict[str, P], rules: PartyRules[P]) -> None:
        self.account = account
        self.store: dict[str, P] = store
        self.rules: PartyRules[P] = rules
        self.views: ViewCache[P] = ViewCache(lambda: account.version)
        self._totals: tuple[int, dict[str, Totals]] = (-1, {})

    # ------------------------------------------------------------------ reads

    def count(self) -> int:
        """How many are stored."""
        return len(self.store)

    def __len__(self) -> int:
        return len(self.store)

    def stored(self, code: str) -> P:
        """The stored party with `code` (404 if none)."""
        party: P | None = self.store.get(code_key(code))
        if party is None:
            raise NotFound(f"{self.rules.what.capitalize()} code {code!r} does not exist.")
        return party

    def totals(self) -> dict[str, Totals]:
        """Every party's `Totals` (computed once per change of the account)."""
        version = self.account.version
        if self._totals[0] != version:
            self._totals = (version, self.rules.totals())
        return self._totals[1]

    def full(self, party: P) -> P:
        """The API's full form: a copy with its derived figures."""
        view = copy.copy(party)
        self.rules.derive(view, self.totals().get(code_key(party.code)) or Totals())
        return view

    def get(self, code: str) -> P:
        """The full party with `code` (404 if none)."""
        return self.full(self.stored(code))

    def summary(self, party: P) -> P:
        """The API's list form: the full form without what lists leave out."""
        view = self.full(party)
        for name in self.rules.summary_omits:
            setattr(view, name, None)
        return view

    def page(
        self,
        page: int,
        perpage: int,
        sortby: E,
        order: SortOrder,
        *,
        name_starts_with: str = "",
        search_text: str = "",
        archived: bool | None = None,
    ) -> tuple[list[P], int]:
        """One page of summaries (``namestartswith``, ``searchtext`` and
        ``filterarchived`` applied) and the total count."""
        check_paging(page, perpage)
        key = (sortby, order, name_starts_with.lower(), search_text.lower(), archived)

        def build() -> list[P]:
            items = sorted(self.store.values(), key=lambda p: code_key(p.code))
            if name_starts_with:
                prefix = name_starts_with.lower()
                items = [p for p in items if (p.name or "").lower().startswith(prefix)]
            if search_text:
                text = search_text.lower()
                items = [p for p in items if text in f"{p.code} {p.name}".lower()]
            if archived is not None:
                items = [p for p in items if bool(p.is_archived) == archived]
            views = [self.summary(p) for p in items]
            views.sort(key=sort_key(sortby), reverse=order is SortOrder.DESC)
            return views

        view = self.views.get(key, build)
        return page_slice(view, page, perpage), len(view)

    # ------------------------------------------------------------------ writes

    def create(self, body: P) -> P:
        """Create a party: a unique ``Code`` (or, with ``Create…CodeIfDuplicate``, one
        made from the name) and a ``Name`` (or, with ``Create…NameIfEmptyOrNull``, the
        code). Derived figures are the server's."""
        what = self.rules.what.capitalize()
        code = (body.code or "").strip()
        make_code = bool(getattr(body, f"create_{self.rules.what}_code_if_duplicate"))
        if not code and not make_code:
            raise BadRequest(f"Code is required to create a {self.rules.what}.")
        if (not code or code_key(code) in self.store) and make_code:
            code = self._free_code(body.name or code or what)
        elif code_key(code) in self.store:
            raise BadRequest(f"{what} code {code!r} is already taken.")
        name = (body.name or "").strip()
        if not name:
            if not getattr(body, f"create_{self.rules.what}_name_if_empty_or_null"):
                raise BadRequest(f"Name is required to create a {self.rules.what}.")
            name = code
        keep_extras(body, None, self.account.settings)
        now = at_noon(self.account.today())
        body.id = self.account.new_id()
        body.code, body.name = code, name
        body.created_date = body.last_updated_date = now
        self._fill(body)
        self._put(body)
        return self.full(body)

    def update(self, code: str, body: P) -> P:
        """Replace a party with the whole object in `body`. A different ``Code`` in the
        body renames it (400 unless unique; its documents follow)."""
        old = self.stored(code)
        new_code = (body.code or "").strip() or old.code or code
        if code_key(new_code) != code_key(old.code) and code_key(new_code) in self.store:
            raise BadRequest(f"{self.rules.what.capitalize()} code {new_code!r} is already taken.")
        keep_extras(body, old, self.account.settings)
        body.id = old.id
        body.code = new_code
        body.name = (body.name or "").strip() or old.name
        body.created_date = old.created_date
        body.last_updated_date = at_noon(self.account.today())
        self._fill(body)
        del self.store[code_key(old.code)]
        self._put(body)
        if old.code != new_code:
            self.rules.renamed(old.code or "", new_code)
        return self.full(body)

    def delete(self, code: str) -> P:
        """Delete a party that no document refers to (400 naming how many do)."""
        party = self.stored(code)
        used = self.rules.used_by(code_key(party.code))
        if used:
            raise BadRequest(
                f"{self.rules.what.capitalize()} {party.code!r} has {used} document(s): "
                "delete them first."
            )
        return self.remove(code)

    def remove(self, code: str) -> P:
        """Remove the party with `code` (404 if none), whatever refers to it."""
        party = self.stored(code)
        del self.store[code_key(party.code)]
        self.account.changed()
        return party

    def add(self, party: P) -> P:
        """Register a party as it is (seed data and tests)."""
        self._fill(party)
        self._put(party)
        return party

    def _put(self, party: P) -> None:
        self.store[code_key(party.code)] = party
        self.account.changed()

    def _free_code(self, name: str) -> str:
        stem = "".join(ch for ch in name.upper() if ch.isalnum())[:4] or "CODE"
        n = 1
        while code_key(f"{stem}{n:02d}") in self.store:
            n += 1
        return f"{stem}{n:02d}"

    @staticmethod
    def _fill(body: P) -> None:
        """Defaults every stored party shows."""
        if isinstance(body, Customer):
            body.currency = fill_currency(body.currency, CustomerCurrency)
        else:
            body.currency = fill_currency(body.currency)
        body.contacts = list(body.contacts or [])
        body.payment_terms = body.payment_terms or PaymentTerms(days=30, type="AfterIssuedDate")
        body.is_archived = bool(body.is_archived)
        body.note = body.note or ""
        body.vat_number = body.vat_number or ""
        for helper in ("code_if_duplicate", "name_if_empty_or_null"):
            for kind in ("customer", "supplier"):
                if hasattr(body, f"create_{kind}_{helper}"):
                    setattr(body, f"create_{kind}_{helper}", None)  # write-only
