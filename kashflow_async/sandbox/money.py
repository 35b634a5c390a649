"""Money and dates as the API shows them: four decimal places, VAT to the penny, dates at
noon, currencies filled in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar, overload

from ..codecs._schema import ListNode, Node, Scalar, ScalarNode, StructNode, describe
from ..codecs.ranges import decimal_problem, fits_decimal, int32_problem
from ..models import Currency
from ..models._base import WireDateTime, as_wire_date
from .errors import BadRequest

__all__ = [
    "HUNDRED",
    "KNOWN_CURRENCIES",
    "ZERO",
    "at_noon",
    "check_numbers",
    "day_of",
    "days_after",
    "fill_currency",
    "naive",
    "next_number",
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
    """`value` with the four decimal places the API shows (``117.5000``); 400 when a
    figure derived from the request (a line's net, a total) is beyond a decimal's range."""
    return _fit(_quantize(value, _FOUR))


def q2(value: Decimal) -> Decimal:
    """`value` rounded to pence (400 beyond a decimal's range, as `q4`)."""
    return _fit(_quantize(value, _CENT))


def _quantize(value: Decimal, step: Decimal) -> Decimal:
    try:
        return value.quantize(step, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise BadRequest(_OVERFLOW.format(value=value)) from None


def _fit(value: Decimal) -> Decimal:
    if not fits_decimal(value):
        raise BadRequest(_OVERFLOW.format(value=value))
    return value


_OVERFLOW = (
    "A figure computed from the request ({value}) is beyond the range of a decimal "
    "(|x| < 2^96): use smaller quantities or rates."
)


def check_numbers(body: Any, what: str) -> None:
    """400 naming the member if a request body holds a number the server's types cannot:
    a decimal member beyond .NET ``decimal`` (not finite, ``|x| >= 2^96``, more than 28
    places) or an integer member beyond .NET ``int`` (32 bits), at any depth."""
    node = describe(type(body)) if not isinstance(body, list) else None
    if node is None:
        for i, item in enumerate(body):
            if isinstance(item, int) and not isinstance(item, bool):
                _refuse(int32_problem(item), f"$[{i}]", what)
            elif item is not None:
                _walk(describe(type(item)), item, f"$[{i}]", what)
        return
    _walk(node, body, "$", what)


def _walk(node: Node, value: Any, path: str, what: str) -> None:
    if value is None:
        return
    if isinstance(node, StructNode):
        for field in node.fields:
            _walk(field.node, getattr(value, field.attr), f"{path}.{field.wire}", what)
    elif isinstance(node, ListNode):
        for i, item in enumerate(value):
            _walk(node.item, item, f"{path}[{i}]", what)
    elif isinstance(node, ScalarNode):
        if node.kind is Scalar.DECIMAL and isinstance(value, (Decimal, int)):
            _refuse(decimal_problem(value), path, what)
        elif node.kind is Scalar.INT and isinstance(value, int):
            _refuse(int32_problem(value), path, what)


def _refuse(problem: str | None, path: str, what: str) -> None:
    if problem is not None:
        raise BadRequest(f"The request body is not a valid {what}: {path}: {problem}.")


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


def next_number(numbers: Sequence[int], what: str) -> int:
    """The number after the highest of `numbers` (ascending; 1 when empty); 400 when it
    would be beyond a 32-bit number (the server's .NET int)."""
    number = numbers[-1] + 1 if numbers else 1
    if int32_problem(number) is not None:
        raise BadRequest(
            f"No {what} number is left after {numbers[-1]}: give the new {what} a Number."
        )
    return number


def days_after(day: dt.date, days: int) -> dt.date:
    """The calendar date `days` after `day`'s; 400 when it falls beyond year 9999."""
    try:
        return day_of(day) + dt.timedelta(days=days)
    except OverflowError:
        raise BadRequest(
            f"The date {days} days after {day_of(day)} is beyond 9999-12-31."
        ) from None


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
