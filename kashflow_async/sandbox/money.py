"""Money and dates as the API shows them: four decimal places, VAT to the penny, dates at
noon, currencies filled in."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar, overload

from ..models import Currency
from ..models._base import WireDateTime, as_wire_date

__all__ = [
    "HUNDRED",
    "KNOWN_CURRENCIES",
    "ZERO",
    "at_noon",
    "day_of",
    "fill_currency",
    "naive",
    "q2",
    "q4",
]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_FOUR = Decimal("0.0001")
_NOON = dt.time(12, 0, 0)

#: code: (name, symbol)
KNOWN_CURRENCIES: dict[str, tuple[str, str]] = {
    "GBP": ("British Pounds", "£"),
    "EUR": ("Euro", "€"),
    "USD": ("US Dollars", "$"),
    "INR": ("Indian Rupees", "Rs"),
}


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


C = TypeVar("C", bound=Currency)


@overload
def fill_currency(currency: Currency | None) -> Currency: ...
@overload
def fill_currency(currency: Currency | None, kind: type[C]) -> C: ...
def fill_currency(currency: Currency | None, kind: type[Currency] = Currency) -> Currency:
    """`currency` with every field the API shows (GBP at rate 1 when none is given), as
    a `kind` (a customer's is a `CustomerCurrency`)."""
    base = currency or Currency()
    code = (base.code or "").strip().upper() or "GBP"
    name, symbol = KNOWN_CURRENCIES.get(code, (code, ""))
    rate = base.exchange_rate
    if rate is None or rate <= 0:
        rate = Decimal(1)
    return kind(
        id=base.id or 0,
        code=code,
        name=base.name or name,
        symbol=base.symbol or symbol,
        exchange_rate=q4(rate),
        display_symbol_on_right=bool(base.display_symbol_on_right),
    )
