"""The sandbox's in-memory KashFlow account and every documented rule (no HTTP here).

Every public mutating method validates its whole input first and only then changes
anything, so a request either applies fully or not at all. Derived figures (line VAT,
totals, amount paid, status, overdue days) are computed here with `Decimal`; the values a
client sends for them are ignored.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import math
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import msgspec

from ..models import (
    Address,
    BulkPayment,
    BulkPaymentItem,
    Category,
    Conversion,
    Credit,
    CreditType,
    Currency,
    ExportDetails,
    Invoice,
    InvoiceFilter,
    InvoiceLine,
    InvoiceSortField,
    InvoiceStatus,
    LineBase,
    LoginChallenge,
    MemorableWordPosition,
    PaymentLine,
    Quote,
    QuoteSortField,
    ReminderLetter,
    SessionToken,
    SortOrder,
)
from ..models._base import WireDate, WireDateTime, as_wire_date

__all__ = [
    "AccountSettings",
    "BadRequest",
    "BankAccount",
    "BulkItemRecord",
    "BulkKind",
    "BulkPaymentRecord",
    "CreditRecord",
    "Customer",
    "NotFound",
    "PaymentMethod",
    "Purchase",
    "SandboxError",
    "Sessions",
    "State",
    "Supplier",
    "Unauthorized",
]

S = TypeVar("S", bound=msgspec.Struct)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_FOUR = Decimal("0.0001")
_NOON = dt.time(12, 0, 0)

#: ``{objecttype}`` of the bulk-payment URLs.
BulkKind = str
INVOICES: BulkKind = "invoices"
PURCHASES: BulkKind = "purchases"

KNOWN_CURRENCIES: dict[str, tuple[str, str]] = {
    "GBP": ("British Pounds", "£"),
    "EUR": ("Euro", "€"),
    "USD": ("US Dollars", "$"),
    "INR": ("Indian Rupees", "Rs"),
}


# ---------------------------------------------------------------------------- errors


class SandboxError(Exception):
    """A rule refused the request: HTTP `status` with the body's `error` and `message`."""

    status = 500
    error = "InternalServerError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(SandboxError):
    """HTTP 400."""

    status = 400
    error = "BadRequest"


class NotFound(SandboxError):
    """HTTP 404."""

    status = 404
    error = "NotFound"


class Unauthorized(SandboxError):
    """HTTP 401."""

    status = 401

    def __init__(self, message: str, error: str = "InvalidSessionToken") -> None:
        super().__init__(message)
        self.error = error


def invalid_numbers_message(what: str, numbers: Iterable[int]) -> str:
    """``Invalid invoice number(s): 3793, 3438`` (the form `parse_invalid_numbers` reads)."""
    return f"Invalid {what} number(s): " + ", ".join(str(n) for n in numbers)


# ---------------------------------------------------------------------------- helpers


def q4(value: Decimal) -> Decimal:
    """`value` with the four decimal places the API shows (``117.5000``)."""
    return value.quantize(_FOUR, rounding=ROUND_HALF_UP)


def q2(value: Decimal) -> Decimal:
    """`value` rounded to pence."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def naive(value: dt.date | None) -> dt.datetime:
    """A comparable naive datetime (wall time) for any date or datetime; None sorts first."""
    if value is None:
        return dt.datetime.min
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


def at_noon(day: dt.date) -> WireDateTime:
    """`day` at 12:00:00, as the API stores dates without a time."""
    return as_wire_date(dt.datetime.combine(naive(day).date(), _NOON))  # type: ignore[return-value]


def day_of(value: dt.date) -> dt.date:
    """The calendar date of a date or datetime."""
    return naive(value).date()


def _code_key(code: str | None) -> str:
    return (code or "").strip().lower()


def _copy(obj: S) -> S:
    """A deep copy of a model (stored objects never leave the state uncopied to callers)."""
    return copy.deepcopy(obj)


# ---------------------------------------------------------------------------- records


@dataclass
class Customer:
    """A customer; invoices and quotes refer to it by `code`."""

    id: int
    code: str
    name: str
    email: str = ""
    address: Address | None = None
    payment_terms_days: int = 30


@dataclass
class Supplier:
    """A supplier; purchases refer to it by `code`."""

    id: int
    code: str
    name: str
    email: str = ""


@dataclass
class BankAccount:
    """A bank account, with its own transaction lock date (payments on or before it are
    locked)."""

    id: int
    name: str
    lock_date: dt.date | None = None


@dataclass
class PaymentMethod:
    """A payment method (``Method`` of payments)."""

    id: int
    name: str


@dataclass
class Purchase:
    """A minimal purchase invoice, so that purchase bulk payments are real."""

    id: int
    number: int
    supplier_code: str
    supplier_name: str
    reference: str
    issued_date: dt.datetime
    gross_amount: Decimal
    payment_lines: list[PaymentLine] = field(default_factory=list)

    @property
    def total_paid(self) -> Decimal:
        """Sum of the payments made against this purchase."""
        return q4(sum((p.amount or ZERO for p in self.payment_lines), ZERO))


@dataclass
class BulkItemRecord:
    """One item of a stored bulk payment; its `id` is also the id of the payment line."""

    id: int
    object_number: int
    amount: Decimal
    paid_date: dt.date


@dataclass
class BulkPaymentRecord:
    """A stored bulk payment of one kind (``invoices`` or ``purchases``)."""

    kind: BulkKind
    number: int
    date: dt.date
    comment: str | None
    account_id: int
    method: int
    reconciled: bool
    items: list[BulkItemRecord]
    export_email: str | None = None
    export_permalink: str | None = None


@dataclass
class CreditRecord:
    """A stored advance payment or credit note of a customer (overpayments are derived from
    overpaid invoices instead)."""

    id: int
    customer_code: str
    type: CreditType
    amount: Decimal
    date: dt.datetime
    comment: str


@dataclass
class AccountSettings:
    """Account-wide settings the rules depend on."""

    #: payments dated on or before this date are locked (None: no lock)
    transaction_lock_date: dt.date | None = None
    #: whether converted quotes are kept when ``retainafterconversion`` is absent
    retain_quotes_after_conversion: bool = True
    #: VAT level (percent) of a line that gives none
    default_vat_level: Decimal = Decimal(20)
    default_bank_account_id: int = 0
    default_payment_method_id: int = 0


# ---------------------------------------------------------------------------- sessions


@dataclass
class _Session:
    token: str
    last_used: float


class Sessions:
    """Login with username, password and three characters of the memorable word; session
    tokens that expire after `idle_timeout` seconds without use."""

    def __init__(
        self,
        username: str,
        password: str,
        memorable_word: str,
        *,
        idle_timeout: float = 1200.0,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if len(memorable_word) < 3:
            raise ValueError("the memorable word needs at least 3 characters")
        self.username = username
        self.password = password
        self.memorable_word = memorable_word
        self.idle_timeout = idle_timeout
        self._rng = rng or random.Random()
        self._clock = clock
        self._pending: dict[str, tuple[list[int], float]] = {}
        self._sessions: dict[str, _Session] = {}

    def login(self, username: str, password: str) -> LoginChallenge:
        """Step 1: check the credentials; answer a temporary token and three positions."""
        if username != self.username or password != self.password:
            raise Unauthorized("The username or password is incorrect.", "InvalidCredentials")
        positions = sorted(self._rng.sample(range(1, len(self.memorable_word) + 1), 3))
        temporary = secrets.token_hex(16)
        self._pending[temporary] = (positions, self._clock())
        return LoginChallenge(
            temporary_token=temporary,
            memorable_word_list=[MemorableWordPosition(position=p) for p in positions],
        )

    def verify(self, challenge: LoginChallenge) -> SessionToken:
        """Step 2: check the characters of the memorable word; answer a session token."""
        pending = self._pending.get(challenge.temporary_token)
        if pending is None or self._clock() - pending[1] > self.idle_timeout:
            self._pending.pop(challenge.temporary_token, None)
            raise Unauthorized("The temporary token is unknown or expired.", "InvalidToken")
        positions, _ = pending
        given = {p.position: p.value for p in challenge.memorable_word_list}
        if sorted(given) != positions or any(
            (given[p] or "").lower() != self.memorable_word[p - 1].lower() for p in positions
        ):
            raise Unauthorized(
                "The characters of the memorable word are incorrect.", "InvalidMemorableWord"
            )
        del self._pending[challenge.temporary_token]
        return SessionToken(session_token=self.issue())

    def issue(self) -> str:
        """A new session token (the sandbox hands one out ready-made)."""
        token = secrets.token_hex(20)
        self._sessions[token] = _Session(token, self._clock())
        return token

    def check(self, token: str | None) -> None:
        """Raise `Unauthorized` unless `token` is a live session token; refresh its idle
        time."""
        session = self._sessions.get(token or "")
        now = self._clock()
        if session is None:
            raise Unauthorized("The session token is missing or invalid.")
        if now - session.last_used > self.idle_timeout:
            del self._sessions[session.token]
            raise Unauthorized("The session token has expired.")
        session.last_used = now

    def logout(self, token: str) -> bool:
        """End a session; whether it existed."""
        return self._sessions.pop(token, None) is not None

    def expire(self, token: str | None = None) -> None:
        """Expire one session token, or all of them (for tests of re-login)."""
        if token is None:
            self._sessions.clear()
        else:
            self._sessions.pop(token, None)

    def is_live(self, token: str) -> bool:
        """Whether `token` would currently be accepted (does not refresh it)."""
        session = self._sessions.get(token)
        return session is not None and self._clock() - session.last_used <= self.idle_timeout


# ---------------------------------------------------------------------------- the state


def _page_slice(items: Sequence[S], page: int, perpage: int) -> list[S]:
    start = (page - 1) * perpage
    return list(items[start : start + perpage])


def check_paging(page: int, perpage: int) -> None:
    """400 unless both are at least 1."""
    if page < 1:
        raise BadRequest(f"page must be 1 or more, not {page}.")
    if perpage < 1:
        raise BadRequest(f"perpage must be 1 or more, not {perpage}.")


def last_page(total: int, perpage: int) -> int:
    """The number of the last page (1 for an empty list)."""
    return max(1, math.ceil(total / perpage))


class State:
    """One KashFlow account in memory.

    `today` fixes the calendar date the rules use (overdue status, ThisMonth/LastMonth);
    None follows the real date.
    """

    def __init__(self, *, today: dt.date | None = None, seed: int = 0) -> None:
        self._today = today
        self.settings = AccountSettings()
        self.customers: dict[str, Customer] = {}
        self.suppliers: dict[str, Supplier] = {}
        self.bank_accounts: dict[int, BankAccount] = {}
        self.payment_methods: dict[int, PaymentMethod] = {}
        self.purchases: dict[int, Purchase] = {}
        self.credits: dict[tuple[CreditType, int], CreditRecord] = {}
        self._invoices: dict[int, Invoice] = {}
        self._invoice_ids: dict[int, int] = {}
        self._quotes: dict[int, Quote] = {}
        self._bulk: dict[BulkKind, dict[int, BulkPaymentRecord]] = {INVOICES: {}, PURCHASES: {}}
        self._bulk_next: dict[BulkKind, int] = {INVOICES: 1, PURCHASES: 1}
        self._rng = random.Random(seed)
        self._next_id = 100_000
        self._next_payment_id = 1
        self._views: dict[tuple[Any, ...], list[Any]] = {}
        self._invoice_numbers: list[int] | None = None
        self._quote_numbers: list[int] | None = None
        self._derived_day: dt.date | None = None
        self.version = 0

    # ------------------------------------------------------------------ clock and ids

    def today(self) -> dt.date:
        """The date the rules use."""
        return self._today or dt.date.today()

    def set_today(self, day: dt.date | None) -> None:
        """Move the sandbox's calendar (None: follow the real date)."""
        self._today = day
        self._refresh_day(force=True)

    def new_id(self) -> int:
        """A fresh unique identifier (invoices, quotes, customers, credits)."""
        self._next_id += 1
        return self._next_id

    def _new_payment_id(self) -> int:
        pid = self._next_payment_id
        self._next_payment_id += 1
        return pid

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _changed(self, numbers_changed: bool = False) -> None:
        self.version += 1
        self._views.clear()
        if numbers_changed:
            self._invoice_numbers = None
            self._quote_numbers = None

    def _refresh_day(self, force: bool = False) -> None:
        """Statuses depend on the date: re-derive everything when the day changes."""
        day = self.today()
        if force or day != self._derived_day:
            self._derived_day = day
            for inv in self._invoices.values():
                self._derive_status(inv)
            self._changed()

    # ------------------------------------------------------------------ reference data

    def add_customer(self, customer: Customer) -> Customer:
        """Register a customer (seed data and tests)."""
        self.customers[_code_key(customer.code)] = customer
        return customer

    def customer(self, code: str | None) -> Customer | None:
        """The customer with `code` (case-insensitive, surrounding spaces ignored)."""
        return self.customers.get(_code_key(code))

    def add_supplier(self, supplier: Supplier) -> Supplier:
        """Register a supplier."""
        self.suppliers[_code_key(supplier.code)] = supplier
        return supplier

    def add_bank_account(self, account: BankAccount, default: bool = False) -> BankAccount:
        """Register a bank account (the first one, or `default`, becomes the default)."""
        self.bank_accounts[account.id] = account
        if default or not self.settings.default_bank_account_id:
            self.settings.default_bank_account_id = account.id
        return account

    def add_payment_method(self, method: PaymentMethod, default: bool = False) -> PaymentMethod:
        """Register a payment method (the first one, or `default`, becomes the default)."""
        self.payment_methods[method.id] = method
        if default or not self.settings.default_payment_method_id:
            self.settings.default_payment_method_id = method.id
        return method

    def add_purchase(self, purchase: Purchase) -> Purchase:
        """Register a purchase."""
        if purchase.number in self.purchases:
            raise BadRequest(f"Purchase number {purchase.number} is already taken.")
        self.purchases[purchase.number] = purchase
        return purchase

    def add_credit(self, credit: CreditRecord) -> CreditRecord:
        """Register an advance payment or credit note of a customer."""
        if credit.type is CreditType.OVER_PAYMENT:
            raise ValueError("overpayments are derived from overpaid invoices")
        self.credits[(credit.type, credit.id)] = credit
        return credit

    # ------------------------------------------------------------------ derived figures

    def _fill_currency(self, currency: Currency | None) -> Currency:
        base = currency or Currency()
        code = (base.code or "").strip().upper() or "GBP"
        name, symbol = KNOWN_CURRENCIES.get(code, (code, ""))
        rate = base.exchange_rate
        if rate is None or rate <= 0:
            rate = Decimal(1)
        return Currency(
            id=base.id or 0,
            code=code,
            name=base.name or name,
            symbol=base.symbol or symbol,
            exchange_rate=q4(rate),
            display_symbol_on_right=bool(base.display_symbol_on_right),
        )

    def _derive_line(self, line: LineBase, exchange_rate: Decimal) -> tuple[Decimal, Decimal]:
        """Fill a line's derived fields in place; return its net amount and its taxes."""
        quantity = line.quantity if line.quantity is not None else Decimal(1)
        rate = line.rate if line.rate is not None else ZERO
        net = quantity * rate
        if line.vat_exempt:
            level = ZERO
            vat = ZERO
        else:
            level = (
                line.vat_level if line.vat_level is not None else self.settings.default_vat_level
            )
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

    def _derive_invoice(self, inv: Invoice) -> None:
        """Fill every derived figure of a stored invoice in place."""
        inv.currency = self._fill_currency(inv.currency)
        rate = inv.currency.exchange_rate or Decimal(1)
        net = vat = ZERO
        for line in inv.line_items or []:
            line_net, line_vat = self._derive_line(line, rate)
            net += line_net
            vat += line_vat
            if line.project_number is None:
                line.project_number = 0
        inv.net_amount = q4(net)
        inv.vat_amount = q4(vat)
        inv.gross_amount = q4(net + vat)
        inv.home_currency_gross_amount = q4((net + vat) / rate)
        payments = inv.payment_lines or []
        inv.total_paid_amount = q4(sum((p.amount or ZERO for p in payments), ZERO))
        dates = [p.date for p in payments if p.date is not None]
        inv.last_payment_date = max(dates, key=naive) if dates else None
        self._derive_status(inv)

    def _derive_status(self, inv: Invoice) -> None:
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
            today = self.today()
            if due is not None and due < today:
                status = InvoiceStatus.OVERDUE
                overdue_days = (today - due).days
            else:
                status = InvoiceStatus.UNPAID
        inv.status = status
        inv.overdue_days = overdue_days
        settled = status in (InvoiceStatus.PAID, InvoiceStatus.OVERPAID)
        inv.paid_date = inv.last_payment_date if settled else None

    def amount_due(self, inv: Invoice) -> Decimal:
        """Gross amount less the amount paid (negative when overpaid)."""
        return (inv.gross_amount or ZERO) - (inv.total_paid_amount or ZERO)

    # ------------------------------------------------------------------ invoices: reads

    def invoice_count(self) -> int:
        """How many invoices the account holds."""
        return len(self._invoices)

    def invoice_numbers(self) -> list[int]:
        """Every invoice number, ascending (cached)."""
        if self._invoice_numbers is None:
            self._invoice_numbers = sorted(self._invoices)
        return self._invoice_numbers

    def _stored_invoice(self, number: int) -> Invoice:
        inv = self._invoices.get(number)
        if inv is None:
            raise NotFound(f"Invoice number {number} does not exist.")
        return inv

    def _full_invoice(self, inv: Invoice) -> Invoice:
        numbers = self.invoice_numbers()
        i = bisect.bisect_left(numbers, inv.number or 0)
        letters = inv.reminder_letters if inv.status is InvoiceStatus.OVERDUE else []
        return msgspec.structs.replace(
            inv,
            line_items=list(inv.line_items or []),
            payment_lines=list(inv.payment_lines or []),
            reminder_letters=list(letters or []),
            previous_number=numbers[i - 1] if i > 0 else None,
            next_number=numbers[i + 1] if i + 1 < len(numbers) else None,
        )

    def get_invoice(self, number: int) -> Invoice:
        """The full invoice with `number` (404 if none), with its neighbours' numbers."""
        self._refresh_day()
        return self._full_invoice(self._stored_invoice(number))

    def invoice_by_id(self, invoice_id: int) -> Invoice:
        """The full invoice whose `Id` is `invoice_id` (404 if none)."""
        self._refresh_day()
        number = self._invoice_ids.get(invoice_id)
        if number is None:
            raise NotFound(f"Invoice id {invoice_id} does not exist.")
        return self._full_invoice(self._invoices[number])

    def invoice(self, number: int) -> Invoice:
        """A deep copy of the stored invoice (for tests and seed checks)."""
        self._refresh_day()
        return _copy(self._full_invoice(self._stored_invoice(number)))

    def _invoice_view(
        self,
        sortby: InvoiceSortField,
        order: SortOrder,
        status: InvoiceFilter,
        project_number: int | None,
        customer_code: str | None,
    ) -> list[Invoice]:
        key = ("inv", sortby, order, status, project_number, _code_key(customer_code))
        view = self._views.get(key)
        if view is not None:
            return view
        items: Iterable[Invoice] = (self._invoices[n] for n in self.invoice_numbers())
        if status is not InvoiceFilter.ALL:
            items = [i for i in items if self._matches_filter(i, status)]
        if customer_code:
            code = _code_key(customer_code)
            items = [i for i in items if _code_key(i.customer_code) == code]
        if project_number:
            items = [
                i
                for i in items
                if any(line.project_number == project_number for line in i.line_items or [])
            ]
        result = list(items)
        sort_key = _INVOICE_SORT[sortby]
        if sortby is not InvoiceSortField.NUMBER:
            result.sort(key=sort_key, reverse=order is SortOrder.DESC)
        elif order is SortOrder.DESC:
            result.reverse()
        view = [_summary_invoice(i) for i in result]
        self._views[key] = view
        return view

    def _matches_filter(self, inv: Invoice, status: InvoiceFilter) -> bool:
        if status in (InvoiceFilter.THIS_MONTH, InvoiceFilter.LAST_MONTH):
            if inv.issued_date is None:
                return False
            today = self.today()
            year, month = today.year, today.month
            if status is InvoiceFilter.LAST_MONTH:
                year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            issued = day_of(inv.issued_date)
            return (issued.year, issued.month) == (year, month)
        return inv.status is not None and inv.status.value == status.value

    def invoice_page(
        self,
        page: int = 1,
        perpage: int = 10,
        *,
        sortby: InvoiceSortField = InvoiceSortField.NUMBER,
        order: SortOrder = SortOrder.ASC,
        status: InvoiceFilter = InvoiceFilter.ALL,
        project_number: int | None = None,
        customer_code: str | None = None,
    ) -> tuple[list[Invoice], int]:
        """One page of invoice summaries (no lines, no payments) and the total count."""
        check_paging(page, perpage)
        self._refresh_day()
        view = self._invoice_view(sortby, order, status, project_number, customer_code)
        return _page_slice(view, page, perpage), len(view)

    # ------------------------------------------------------------------ invoices: writes

    def _next_invoice_number(self) -> int:
        numbers = self.invoice_numbers()
        return (numbers[-1] + 1) if numbers else 1

    def _resolve_customer(self, code: str | None, required: bool, what: str) -> Customer | None:
        if not (code or "").strip():
            if required:
                raise BadRequest(f"CustomerCode is required to create {what}.")
            return None
        customer = self.customer(code)
        if customer is None:
            raise BadRequest(f"Customer code {code!r} does not exist.")
        return customer

    def _new_lines(
        self, given: Sequence[LineBase], existing: Sequence[LineBase], what: str
    ) -> list[Any]:
        """The lines of a create/update: number 0 or None is a new line, another number
        must name an existing line; the body's order becomes the line numbers 1..n."""
        by_number = {line.number: line for line in existing}
        seen: set[int] = set()
        unknown = []
        for line in given:
            n = line.number or 0
            if n:
                if n not in by_number:
                    unknown.append(n)
                elif n in seen:
                    raise BadRequest(f"Line item number {n} appears twice in the {what}.")
                seen.add(n)
        if unknown:
            raise BadRequest(invalid_numbers_message(f"{what} line item", unknown))
        result = []
        for position, line in enumerate(given, start=1):
            result.append(msgspec.structs.replace(line, number=position))
        return result

    def _new_payment_lines(
        self, given: Sequence[PaymentLine], existing: Sequence[PaymentLine], number: int
    ) -> list[PaymentLine]:
        """Payment lines of an invoice create/update. Lines of bulk payments are kept as
        they are (bulk payments own them); other lines with an ``Id`` are updated, without
        one added, and missing ones deleted."""
        own = {p.id: p for p in existing if not p.bulk_id}
        unknown = [p.id for p in given if p.id and p.id not in own and not self._is_bulk(p.id)]
        if unknown:
            raise BadRequest(invalid_numbers_message("payment line id", unknown))
        for p in given:
            if p.amount is None:
                raise BadRequest("Every payment line needs an Amount.")
            if p.date is not None:
                self._check_lock(day_of(p.date), p.account_id, "payment line")
        lines = [p for p in existing if p.bulk_id]
        for p in given:
            if p.id and p.id not in own:
                continue  # a bulk payment's line: unchanged by the invoice
            pid = p.id or self._new_payment_id()
            lines.append(
                PaymentLine(
                    id=pid,
                    invoice_number=number,
                    date=as_wire_date(p.date) if p.date else at_noon(self.today()),  # type: ignore[arg-type]
                    note=p.note or "",
                    method=self._method_or_default(p.method),
                    amount=q4(p.amount or ZERO),
                    account_id=self._account_or_default(p.account_id),
                    permalink=(own[pid].permalink if pid in own else None)
                    or f"/v2/documents/invoice/payment/{self._uuid()}",
                )
            )
        return lines

    def _is_bulk(self, payment_id: int) -> bool:
        return any(
            item.id == payment_id
            for records in self._bulk.values()
            for record in records.values()
            for item in record.items
        )

    def create_invoice(self, body: Invoice) -> Invoice:
        """Create an invoice: a given unique `Number` is used (400 if taken), else the next
        free number. Derived figures are computed; the address defaults to the customer's."""
        self._refresh_day()
        return self._full_invoice(self.insert_invoice(body))

    def insert_invoice(self, body: Invoice) -> Invoice:
        """`create_invoice` without the neighbour lookup (fast enough for seeding thousands);
        returns the stored invoice itself."""
        customer = self._resolve_customer(body.customer_code, True, "an invoice")
        assert customer is not None
        number = body.number or 0
        if number < 0:
            raise BadRequest(f"Invoice number must be positive, not {number}.")
        if number and number in self._invoices:
            raise BadRequest(f"Invoice number {number} is already taken.")
        if not number:
            number = self._next_invoice_number()
        lines = self._new_lines(body.line_items or [], [], "invoice")
        payments = self._new_payment_lines(body.payment_lines or [], [], number)
        issued = as_wire_date(body.issued_date) if body.issued_date else at_noon(self.today())
        due = (
            as_wire_date(body.due_date)
            if body.due_date
            else at_noon(day_of(issued) + dt.timedelta(days=customer.payment_terms_days))
        )
        inv = msgspec.structs.replace(
            body,
            id=self.new_id(),
            number=number,
            customer_id=customer.id,
            customer_code=customer.code,
            customer_name=customer.name,
            customer_reference=body.customer_reference or "",
            issued_date=issued,
            due_date=due,
            address=body.address or customer.address,
            line_items=lines,
            payment_lines=payments,
            reminder_letters=list(body.reminder_letters or []),
            previous_number=None,
            next_number=None,
            email_count=body.email_count or 0,
            suppress_number=bool(body.suppress_number),
            automatic_credit_control_enabled=bool(body.automatic_credit_control_enabled),
            use_custom_delivery_address=bool(body.use_custom_delivery_address),
            permalink=f"/v2/documents/invoice/{self._uuid()}",
            packing_slip_permalink=None,
        )
        inv.packing_slip_permalink = "v2/documents/packingslip/" + inv.permalink.rsplit("/", 1)[1]  # type: ignore[union-attr]
        self._derive_invoice(inv)
        self._store_invoice(inv)
        return inv

    def _store_invoice(self, inv: Invoice) -> None:
        assert inv.number is not None
        assert inv.id is not None
        self._invoices[inv.number] = inv
        self._invoice_ids[inv.id] = inv.number
        self._changed(numbers_changed=True)

    def update_invoice(self, number: int, body: Invoice) -> Invoice:
        """Replace an invoice with the whole object in `body`: lines with `Number` 0 are new,
        existing lines left out are deleted; payment lines likewise by `Id` (bulk-payment
        lines are kept). The number, id and derived figures are the server's."""
        self._refresh_day()
        old = self._stored_invoice(number)
        customer = self.customer(old.customer_code)
        if body.customer_code and _code_key(body.customer_code) != _code_key(old.customer_code):
            customer = self._resolve_customer(body.customer_code, True, "an invoice")
        lines = (
            self._new_lines(body.line_items, old.line_items or [], "invoice")
            if body.line_items is not None
            else list(old.line_items or [])
        )
        payments = (
            self._new_payment_lines(body.payment_lines, old.payment_lines or [], number)
            if body.payment_lines is not None
            else list(old.payment_lines or [])
        )
        inv = msgspec.structs.replace(
            body,
            id=old.id,
            number=number,
            customer_id=customer.id if customer else old.customer_id,
            customer_code=customer.code if customer else old.customer_code,
            customer_name=customer.name if customer else old.customer_name,
            customer_reference=body.customer_reference
            if body.customer_reference is not None
            else old.customer_reference,
            issued_date=as_wire_date(body.issued_date) if body.issued_date else old.issued_date,
            due_date=as_wire_date(body.due_date) if body.due_date else old.due_date,
            address=body.address if body.address is not None else old.address,
            currency=body.currency if body.currency is not None else old.currency,
            line_items=lines,
            payment_lines=payments,
            reminder_letters=old.reminder_letters,
            previous_number=None,
            next_number=None,
            email_count=old.email_count,
            suppress_number=bool(body.suppress_number),
            automatic_credit_control_enabled=bool(
                body.automatic_credit_control_enabled
                if body.automatic_credit_control_enabled is not None
                else old.automatic_credit_control_enabled
            ),
            use_custom_delivery_address=bool(body.use_custom_delivery_address),
            permalink=old.permalink,
            packing_slip_permalink=old.packing_slip_permalink,
        )
        self._derive_invoice(inv)
        self._store_invoice(inv)
        return self._full_invoice(inv)

    def record_payments(self, number: int, payments: Sequence[PaymentLine]) -> Invoice:
        """Add payment lines to an invoice (seed data and tests); returns the stored invoice."""
        inv = self._stored_invoice(number)
        added = self._new_payment_lines(payments, [], number)
        inv.payment_lines = [*(inv.payment_lines or []), *added]
        self._derive_invoice(inv)
        self._changed()
        return inv

    def set_reminder_letters(self, number: int, letters: Sequence[ReminderLetter]) -> None:
        """Record the reminder letters sent for an invoice (shown while it is overdue)."""
        self._stored_invoice(number).reminder_letters = list(letters)
        self._changed()

    def delete_invoice(self, number: int) -> None:
        """Delete an invoice; its items are removed from any bulk payment."""
        inv = self._stored_invoice(number)
        for record in self._bulk[INVOICES].values():
            record.items = [i for i in record.items if i.object_number != number]
        del self._invoices[number]
        if inv.id is not None:
            self._invoice_ids.pop(inv.id, None)
        self._changed(numbers_changed=True)

    def update_invoice_address(self, customer_code: str, address: Address) -> int:
        """Set `address` on every invoice of the customer; how many were changed."""
        if not customer_code.strip():
            raise BadRequest("customercode is required.")
        if self.customer(customer_code) is None:
            raise NotFound(f"Customer code {customer_code!r} does not exist.")
        key = _code_key(customer_code)
        changed = 0
        for inv in self._invoices.values():
            if _code_key(inv.customer_code) == key:
                inv.address = _copy(address)
                changed += 1
        self._changed()
        return changed

    # ------------------------------------------------------------------ quotes

    def quote_numbers(self) -> list[int]:
        """Every quote number, ascending (cached)."""
        if self._quote_numbers is None:
            self._quote_numbers = sorted(self._quotes)
        return self._quote_numbers

    def _stored_quote(self, number: int) -> Quote:
        quote = self._quotes.get(number)
        if quote is None:
            raise NotFound(f"Quote number {number} does not exist.")
        return quote

    def _full_quote(self, quote: Quote) -> Quote:
        numbers = self.quote_numbers()
        i = bisect.bisect_left(numbers, quote.number or 0)
        return msgspec.structs.replace(
            quote,
            line_items=list(quote.line_items or []),
            previous_number=numbers[i - 1] if i > 0 else None,
            next_number=numbers[i + 1] if i + 1 < len(numbers) else None,
        )

    def get_quote(self, number: int) -> Quote:
        """The full quote with `number` (404 if none)."""
        return self._full_quote(self._stored_quote(number))

    def quote(self, number: int) -> Quote:
        """A deep copy of the stored quote (for tests)."""
        return _copy(self.get_quote(number))

    def quote_count(self) -> int:
        """How many quotes the account holds."""
        return len(self._quotes)

    def quote_page(
        self,
        page: int = 1,
        perpage: int = 10,
        *,
        sortby: QuoteSortField = QuoteSortField.NUMBER,
        order: SortOrder = SortOrder.ASC,
        customer_code: str | None = None,
    ) -> tuple[list[Quote], int]:
        """One page of quote summaries (no lines) and the total count."""
        check_paging(page, perpage)
        key = ("quote", sortby, order, _code_key(customer_code))
        view = self._views.get(key)
        if view is None:
            items = [self._quotes[n] for n in self.quote_numbers()]
            if customer_code:
                code = _code_key(customer_code)
                items = [q for q in items if _code_key(q.customer_code) == code]
            if sortby is not QuoteSortField.NUMBER:
                items.sort(key=_QUOTE_SORT[sortby], reverse=order is SortOrder.DESC)
            elif order is SortOrder.DESC:
                items.reverse()
            view = [
                msgspec.structs.replace(q, line_items=None, previous_number=None, next_number=None)
                for q in items
            ]
            self._views[key] = view
        return _page_slice(view, page, perpage), len(view)

    def _derive_quote(self, quote: Quote) -> None:
        quote.currency = self._fill_currency(quote.currency)
        rate = quote.currency.exchange_rate or Decimal(1)
        net = vat = ZERO
        for line in quote.line_items or []:
            line_net, line_vat = self._derive_line(line, rate)
            net += line_net
            vat += line_vat
        quote.net_amount = q4(net)
        quote.vat_amount = q4(vat)
        quote.gross_amount = q4(net + vat)

    def create_quote(self, body: Quote) -> Quote:
        """Create a quote: only a unique `Number` is required."""
        number = body.number or 0
        if number <= 0:
            raise BadRequest("Number is required to create a quote.")
        if number in self._quotes:
            raise BadRequest(f"Quote number {number} is already taken.")
        customer = self._resolve_customer(body.customer_code, False, "a quote")
        quote = msgspec.structs.replace(
            body,
            id=self.new_id(),
            number=number,
            customer_id=customer.id if customer else 0,
            customer_code=customer.code if customer else (body.customer_code or ""),
            customer_name=customer.name if customer else (body.customer_name or ""),
            customer_reference=body.customer_reference or "",
            date=as_wire_date(body.date) if body.date else at_noon(self.today()),
            category=body.category or Category(number=0, name=" - ", icon_id=0),
            line_items=self._new_lines(body.line_items or [], [], "quote"),
            project_number=body.project_number or 0,
            suppress_amount=bool(body.suppress_amount),
            previous_number=None,
            next_number=None,
            permalink=f"/v2/documents/quote/{self._uuid()}",
        )
        self._derive_quote(quote)
        self._quotes[number] = quote
        self._changed(numbers_changed=True)
        return self._full_quote(quote)

    def update_quote(self, number: int, body: Quote) -> Quote:
        """Replace a quote. A different `Number` in the body renumbers it (400 unless
        unique); the body's line order renumbers the lines; lines left out are deleted."""
        old = self._stored_quote(number)
        new_number = body.number or number
        if new_number != number and new_number in self._quotes:
            raise BadRequest(f"Quote number {new_number} is already taken.")
        if new_number < 0:
            raise BadRequest(f"Quote number must be positive, not {new_number}.")
        customer = self.customer(old.customer_code)
        if body.customer_code and _code_key(body.customer_code) != _code_key(old.customer_code):
            customer = self._resolve_customer(body.customer_code, False, "a quote")
        lines = (
            self._new_lines(body.line_items, old.line_items or [], "quote")
            if body.line_items is not None
            else list(old.line_items or [])
        )
        quote = msgspec.structs.replace(
            body,
            id=old.id,
            number=new_number,
            customer_id=customer.id if customer else old.customer_id,
            customer_code=customer.code if customer else old.customer_code,
            customer_name=customer.name if customer else old.customer_name,
            customer_reference=body.customer_reference
            if body.customer_reference is not None
            else old.customer_reference,
            date=as_wire_date(body.date) if body.date else old.date,
            category=body.category or old.category,
            currency=body.currency or old.currency,
            line_items=lines,
            project_number=body.project_number
            if body.project_number is not None
            else old.project_number,
            suppress_amount=bool(body.suppress_amount),
            previous_number=None,
            next_number=None,
            permalink=old.permalink,
        )
        self._derive_quote(quote)
        del self._quotes[number]
        self._quotes[new_number] = quote
        self._changed(numbers_changed=True)
        return self._full_quote(quote)

    def delete_quote(self, number: int) -> None:
        """Delete a quote."""
        self._stored_quote(number)
        del self._quotes[number]
        self._changed(numbers_changed=True)

    def convert_quotes(self, numbers: Sequence[int], retain: bool | None) -> list[Conversion]:
        """Turn quotes into invoices, all or none: any unknown quote (or one without a
        customer) gives 400 listing them all. `retain` None follows the account setting."""
        self._refresh_day()
        if not numbers:
            raise BadRequest("The request body must list at least one quote number.")
        wanted = list(dict.fromkeys(numbers))
        invalid = [
            n
            for n in wanted
            if n not in self._quotes or self.customer(self._quotes[n].customer_code) is None
        ]
        if invalid:
            raise BadRequest(invalid_numbers_message("quote", invalid))
        keep = self.settings.retain_quotes_after_conversion if retain is None else retain
        result = []
        for n in wanted:
            quote = self._quotes[n]
            lines = [
                InvoiceLine(
                    **{f: getattr(line, f) for f in LineBase.__struct_fields__ if f != "number"}
                )
                for line in quote.line_items or []
            ]
            invoice = self.create_invoice(
                Invoice(
                    customer_code=quote.customer_code,
                    customer_reference=quote.customer_reference,
                    currency=quote.currency,
                    line_items=lines,
                )
            )
            result.append(Conversion(quote_number=n, invoice_number=invoice.number))
        if not keep:
            for n in wanted:
                del self._quotes[n]
            self._changed(numbers_changed=True)
        return result

    # ------------------------------------------------------------------ bulk payments

    def _bulk_records(self, kind: BulkKind) -> dict[int, BulkPaymentRecord]:
        records = self._bulk.get(kind)
        if records is None:
            raise NotFound(f"Unknown object type {kind!r}: use invoices or purchases.")
        return records

    def _stored_bulk(self, kind: BulkKind, number: int) -> BulkPaymentRecord:
        record = self._bulk_records(kind).get(number)
        if record is None:
            raise NotFound(f"Bulk payment number {number} does not exist.")
        return record

    def _account_or_default(self, account_id: int | None) -> int:
        if account_id in self.bank_accounts:
            return account_id
        return self.settings.default_bank_account_id

    def _method_or_default(self, method: int | None) -> int:
        if method in self.payment_methods:
            return method
        return self.settings.default_payment_method_id

    def _check_lock(self, day: dt.date, account_id: int | None, what: str) -> None:
        """400 when `day` is on or before the account's or the bank account's lock date."""
        account_lock = self.settings.transaction_lock_date
        if account_lock is not None and day <= account_lock:
            raise BadRequest(
                f"The {what} date {day.isoformat()} is within the account's "
                f"TransactionLockDate ({account_lock.isoformat()})."
            )
        bank = self.bank_accounts.get(self._account_or_default(account_id))
        if bank is not None and bank.lock_date is not None and day <= bank.lock_date:
            raise BadRequest(
                f"The {what} date {day.isoformat()} is within the TransactionLockDate "
                f"({bank.lock_date.isoformat()}) of bank account {bank.id}."
            )

    def _object_exists(self, kind: BulkKind, number: int) -> bool:
        return number in (self._invoices if kind == INVOICES else self.purchases)

    def _validate_bulk(self, kind: BulkKind, body: BulkPayment) -> tuple[dt.date, int, int]:
        missing = [
            name
            for name, value in (
                ("Date", body.date),
                ("AccountId", body.account_id),
                ("Method", body.method),
                ("PaymentItems", body.payment_items),
            )
            if value is None
        ]
        if missing:
            raise BadRequest("Missing required field(s): " + ", ".join(missing) + ".")
        assert body.date is not None
        assert body.payment_items is not None
        if not body.payment_items:
            raise BadRequest("PaymentItems must hold at least one payment item.")
        for i, item in enumerate(body.payment_items):
            if item.object_number is None or item.amount is None:
                raise BadRequest(f"PaymentItems[{i}] needs both ObjectNumber and Amount.")
            if item.amount <= 0:
                raise BadRequest(f"PaymentItems[{i}].Amount must be more than 0.")
        what = "invoice" if kind == INVOICES else "purchase"
        invalid = list(
            dict.fromkeys(
                item.object_number
                for item in body.payment_items
                if item.object_number is not None
                and not self._object_exists(kind, item.object_number)
            )
        )
        if invalid:
            raise BadRequest(invalid_numbers_message(what, invalid))
        account = self._account_or_default(body.account_id)
        method = self._method_or_default(body.method)
        day = day_of(body.date)
        self._check_lock(day, account, "bulk payment")
        return day, account, method

    def create_bulk_payment(self, kind: BulkKind, body: BulkPayment) -> BulkPayment:
        """Create a bulk payment (all fields but Comment required; unknown method or bank
        account give the defaults; all object numbers valid or 400 listing the invalid
        ones; Date not within a TransactionLockDate). Each item becomes a payment line."""
        records = self._bulk_records(kind)
        self._refresh_day()
        day, account, method = self._validate_bulk(kind, body)
        number = self._bulk_next[kind]
        self._bulk_next[kind] = number + 1
        items = [
            BulkItemRecord(self._new_payment_id(), i.object_number or 0, q4(i.amount or ZERO), day)
            for i in body.payment_items or []
        ]
        record = BulkPaymentRecord(
            kind=kind,
            number=number,
            date=day,
            comment=body.comment,
            account_id=account,
            method=method,
            reconciled=False,
            items=items,
        )
        if kind == PURCHASES:
            first = self.purchases[items[0].object_number]
            supplier = self.suppliers.get(_code_key(first.supplier_code))
            record.export_email = supplier.email if supplier else ""
            record.export_permalink = f"/v2/documents/purchase/payment/{self._uuid()}"
        records[number] = record
        self._apply_bulk(record, set())
        return self._bulk_view(record, full=False)

    def _apply_bulk(self, record: BulkPaymentRecord, touched: set[int]) -> None:
        """Write the record's payment lines onto its objects (replacing earlier ones)."""
        objects = {i.object_number for i in record.items} | touched
        for number in objects:
            lines = [
                PaymentLine(
                    id=i.id,
                    invoice_number=number,
                    date=at_noon(i.paid_date),
                    note=record.comment or "",
                    method=record.method,
                    amount=i.amount,
                    account_id=record.account_id,
                    permalink=f"/v2/documents/{record.kind[:-1]}/payment/bulk/{record.number}/{i.id}",
                    bulk_id=record.number,
                )
                for i in record.items
                if i.object_number == number
            ]
            if record.kind == INVOICES:
                inv = self._invoices.get(number)
                if inv is None:
                    continue
                kept = [p for p in inv.payment_lines or [] if p.bulk_id != record.number]
                inv.payment_lines = kept + lines
                self._derive_invoice(inv)
            else:
                purchase = self.purchases.get(number)
                if purchase is None:
                    continue
                kept = [p for p in purchase.payment_lines if p.bulk_id != record.number]
                purchase.payment_lines = kept + lines
        self._changed()

    def _bulk_view(self, record: BulkPaymentRecord, full: bool) -> BulkPayment:
        """The API form: `full` (GET) shows date-times, POST/PUT answers dates."""
        items = []
        for i in record.items:
            if record.kind == INVOICES:
                inv = self._invoices[i.object_number]
                contact, reference, issued = (
                    inv.customer_name,
                    inv.customer_reference,
                    inv.issued_date,
                )
            else:
                pur = self.purchases[i.object_number]
                contact, reference, issued = pur.supplier_name, pur.reference, pur.issued_date
            items.append(
                BulkPaymentItem(
                    id=i.id,
                    object_number=i.object_number,
                    amount=i.amount if full else q2(i.amount),
                    contact_name=contact,
                    contact_reference=reference,
                    object_issued_date=as_wire_date(issued) if issued else None,  # type: ignore[arg-type]
                    paid_date=at_noon(i.paid_date),
                )
            )
        export = None
        if record.kind == PURCHASES:
            export = ExportDetails(
                email_id=record.export_email,
                object_number=record.items[0].object_number if record.items else None,
                permalink=record.export_permalink,
            )
        return BulkPayment(
            number=record.number,
            date=at_noon(record.date)
            if full
            else WireDate(record.date.year, record.date.month, record.date.day),
            comment=record.comment,
            account_id=record.account_id,
            method=record.method,
            reconciled=record.reconciled,
            export_details=export,
            payment_items=items,
            permalink=record.export_permalink if full else None,
        )

    def get_bulk_payment(self, kind: BulkKind, number: int) -> BulkPayment:
        """A bulk payment with `number` (404 if none)."""
        return self._bulk_view(self._stored_bulk(kind, number), full=True)

    def update_bulk_payment(self, kind: BulkKind, number: int, body: BulkPayment) -> BulkPayment:
        """Update a bulk payment: items with `Id` updated, without one added, missing ones
        deleted; same 400 rules as create (and the current date must not be locked either).
        `Reconciled` is reset when the date or bank account changes or an item is added."""
        record = self._stored_bulk(kind, number)
        self._refresh_day()
        self._check_lock(record.date, record.account_id, "bulk payment")
        day, account, method = self._validate_bulk(kind, body)
        current = {i.id: i for i in record.items}
        unknown = [i.id for i in body.payment_items or [] if i.id and i.id not in current]
        if unknown:
            raise BadRequest(invalid_numbers_message("payment item id", unknown))
        for i in body.payment_items or []:
            if i.id and i.paid_date is not None:
                self._check_lock(day_of(i.paid_date), account, "payment item")
        added = False
        items = []
        for i in body.payment_items or []:
            if i.id:
                # an item still dated like the old header follows a new header date
                paid = day if i.paid_date is None else day_of(i.paid_date)
                if paid == record.date:
                    paid = day
                items.append(BulkItemRecord(i.id, i.object_number or 0, q4(i.amount or ZERO), paid))
            else:
                added = True
                items.append(
                    BulkItemRecord(
                        self._new_payment_id(), i.object_number or 0, q4(i.amount or ZERO), day
                    )
                )
        touched = {i.object_number for i in record.items}
        if added or day != record.date or account != record.account_id:
            record.reconciled = False
        record.date = day
        record.comment = body.comment
        record.account_id = account
        record.method = method
        record.items = items
        self._apply_bulk(record, touched)
        return self._bulk_view(record, full=False)

    def delete_bulk_payment(self, kind: BulkKind, number: int) -> None:
        """Delete a bulk payment and its payment lines (400 if its date is locked)."""
        record = self._stored_bulk(kind, number)
        self._check_lock(record.date, record.account_id, "bulk payment")
        touched = {i.object_number for i in record.items}
        record.items = []
        self._apply_bulk(record, touched)
        del self._bulk_records(kind)[number]

    def reconcile_bulk_payment(self, kind: BulkKind, number: int) -> None:
        """Mark a bulk payment reconciled (what a bank reconciliation would do)."""
        self._stored_bulk(kind, number).reconciled = True

    def bulk_payment_numbers(self, kind: BulkKind) -> list[int]:
        """Numbers of the stored bulk payments of `kind`."""
        return sorted(self._bulk_records(kind))

    # ------------------------------------------------------------------ credits

    def _overpayments(self, customer_code: str | None, exclude: int | None) -> list[Credit]:
        key = _code_key(customer_code)
        result = []
        for inv in self._invoices.values():
            if inv.number == exclude or _code_key(inv.customer_code) != key:
                continue
            excess = -self.amount_due(inv)
            positive = [p for p in inv.payment_lines or [] if (p.amount or ZERO) > 0]
            if excess > 0 and positive and inv.gross_amount:
                last = max(positive, key=lambda p: (naive(p.date), p.id or 0))
                result.append(
                    Credit(
                        id=last.id,
                        amount=q4(excess),
                        date=last.date,
                        type=CreditType.OVER_PAYMENT,
                        comment=f"Overpayment on Invoice #{inv.number}",
                    )
                )
        return result

    def credits_for_invoice(self, invoice_id: int) -> list[Credit]:
        """The credits the invoice's customer holds: advance payments (Id: the bank
        transaction), credit notes (Id: the credit note's invoice) and overpayments (Id:
        the invoice payment), oldest first."""
        inv = self.invoice_by_id(invoice_id)
        key = _code_key(inv.customer_code)
        stored = [
            Credit(
                id=c.id,
                amount=q4(c.amount),
                date=as_wire_date(c.date),  # type: ignore[arg-type]
                type=c.type,
                comment=c.comment,
            )
            for c in self.credits.values()
            if _code_key(c.customer_code) == key and c.amount > 0
        ]
        found = stored + self._overpayments(inv.customer_code, inv.number)
        found.sort(key=lambda c: (naive(c.date), c.id or 0))
        return found

    def apply_credits(self, invoice_id: int, credits: Sequence[Credit]) -> Invoice:
        """Apply some of the customer's credits to the invoice: each becomes a payment line,
        the amount due falls and the credit is used up by that amount. 400 for credits the
        customer does not hold, amounts beyond a credit, or more than the amount due."""
        inv_view = self.invoice_by_id(invoice_id)
        number = inv_view.number or 0
        if not credits:
            raise BadRequest("The request body must list at least one credit.")
        available = {(c.type, c.id): c for c in self.credits_for_invoice(invoice_id)}
        invalid = [c.id or 0 for c in credits if (c.type, c.id) not in available]
        if invalid:
            raise BadRequest(invalid_numbers_message("credit id", invalid))
        wanted: dict[tuple[Any, Any], Decimal] = {}
        for c in credits:
            have = available[(c.type, c.id)].amount or ZERO
            amount = c.amount if c.amount is not None else have
            if amount <= 0:
                raise BadRequest(f"Credit {c.id}: the amount must be more than 0.")
            wanted[(c.type, c.id)] = wanted.get((c.type, c.id), ZERO) + amount
            if wanted[(c.type, c.id)] > have:
                raise BadRequest(f"Credit {c.id}: only {q4(have)} is available.")
        total = sum(wanted.values(), ZERO)
        due = self.amount_due(self._invoices[number])
        if total > due:
            raise BadRequest(
                f"The credits ({q4(total)}) exceed the amount due ({q4(max(due, ZERO))}) "
                f"on invoice {number}."
            )
        today = at_noon(self.today())
        inv = self._invoices[number]
        new_lines = list(inv.payment_lines or [])
        for (ctype, cid), amount in wanted.items():
            credit = available[(ctype, cid)]
            new_lines.append(
                PaymentLine(
                    id=self._new_payment_id(),
                    invoice_number=number,
                    date=today,
                    note=f"Credit applied: {credit.comment}",
                    method=self.settings.default_payment_method_id,
                    amount=q4(amount),
                    account_id=self.settings.default_bank_account_id,
                    permalink=f"/v2/documents/invoice/payment/{self._uuid()}",
                )
            )
            if ctype is CreditType.OVER_PAYMENT:
                self._take_overpayment(int(cid or 0), amount, number)
            else:
                self.credits[(ctype, int(cid or 0))].amount -= amount
        inv.payment_lines = new_lines
        self._derive_invoice(inv)
        self._changed()
        return self._full_invoice(inv)

    def _take_overpayment(self, payment_id: int, amount: Decimal, target: int) -> None:
        for source in self._invoices.values():
            if any(p.id == payment_id for p in source.payment_lines or []):
                source.payment_lines = [
                    *(source.payment_lines or []),
                    PaymentLine(
                        id=self._new_payment_id(),
                        invoice_number=source.number,
                        date=at_noon(self.today()),
                        note=f"Overpayment transferred to invoice #{target}",
                        method=self.settings.default_payment_method_id,
                        amount=q4(-amount),
                        account_id=self.settings.default_bank_account_id,
                    ),
                ]
                self._derive_invoice(source)
                return


# ---------------------------------------------------------------------------- sorting


def _summary_invoice(inv: Invoice) -> Invoice:
    return msgspec.structs.replace(
        inv,
        line_items=None,
        payment_lines=None,
        reminder_letters=None,
        previous_number=None,
        next_number=None,
        permalink=None,
        packing_slip_permalink=None,
        home_currency_gross_amount=None,
    )


def _text(value: str | None) -> str:
    return (value or "").strip().lower()


_INVOICE_SORT: dict[InvoiceSortField, Callable[[Invoice], Any]] = {
    InvoiceSortField.NUMBER: lambda i: i.number or 0,
    InvoiceSortField.CUSTOMER_REF: lambda i: _text(i.customer_reference),
    InvoiceSortField.CUSTOMER_NAME: lambda i: _text(i.customer_name),
    InvoiceSortField.INVOICE_DATE: lambda i: naive(i.issued_date),
    InvoiceSortField.PAYMENT_DUE_DATE: lambda i: naive(i.due_date),
    InvoiceSortField.GROSS_AMOUNT: lambda i: i.gross_amount or ZERO,
    InvoiceSortField.NET_AMOUNT: lambda i: i.net_amount or ZERO,
    InvoiceSortField.STATUS: lambda i: i.status.value if i.status else "",
}

_QUOTE_SORT: dict[QuoteSortField, Callable[[Quote], Any]] = {
    QuoteSortField.NUMBER: lambda q: q.number or 0,
    QuoteSortField.CATEGORY_NAME: lambda q: _text(q.category.name if q.category else None),
    QuoteSortField.REFERENCE: lambda q: _text(q.customer_reference),
    QuoteSortField.CUSTOMER_NAME: lambda q: _text(q.customer_name),
    QuoteSortField.DATE: lambda q: naive(q.date),
    QuoteSortField.NET_AMOUNT: lambda q: q.net_amount or ZERO,
}
