"""The ranges the server's .NET types hold, so that a value it cannot hold is refused
before sending (client) or answered with a 400 (sandbox), never rounded or overflowed.

- Money, rates, quantities and every other decimal member are .NET ``decimal``: a 96-bit
  integer scaled by a power of ten from 0 to 28. A value is held exactly when, with its
  trailing zeros dropped, it has at most 28 decimal places and its digits as an integer
  are below 2^96 (so ``|x| < 2^96``, about 7.9e28).
- Document numbers (``Number``, ``InvoiceNumber``, ``ObjectNumber``... every integer
  member whose wire name ends in ``Number``) are .NET ``int``: 32 bits, signed.
"""

from __future__ import annotations

from decimal import Context, Decimal, Inexact

__all__ = [
    "DECIMAL_LIMIT",
    "INT32_MAX",
    "INT32_MIN",
    "MAX_SCALE",
    "decimal_problem",
    "fits_decimal",
    "fits_int32",
    "int32_problem",
    "is_document_number",
]

#: exclusive bound of a .NET decimal's magnitude (its 96-bit integer part)
DECIMAL_LIMIT = 2**96
#: most decimal places a .NET decimal holds
MAX_SCALE = 28
INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)

#: adjusted exponent -> a context that rounds (and so raises `Inexact`) a value with more
#: significant digits than a decimal of that magnitude may have within 28 places and 28
#: digits; the quick check of `fits_decimal`
_QUICK = {
    a: Context(prec=min(28, MAX_SCALE + 1 + a), traps=[Inexact], Emin=-(10**6), Emax=10**6)
    for a in range(-MAX_SCALE, 28)
}


def fits_decimal(value: Decimal | int) -> bool:
    """Whether `value` is held exactly by a .NET decimal (finite, ``|x| < 2^96``, at most
    28 places once trailing zeros are dropped). Cheap for ordinary amounts."""
    if value.__class__ is int:
        return -DECIMAL_LIMIT < value < DECIMAL_LIMIT
    assert isinstance(value, Decimal)
    if not value.is_finite():
        return False
    quick = _QUICK.get(value.adjusted())
    if quick is not None:
        try:
            quick.plus(value)
        except Inexact:
            pass
        else:
            return True
    return decimal_problem(value) is None


def decimal_problem(value: Decimal | int) -> str | None:
    """Why a .NET decimal cannot hold `value` exactly (None: it can)."""
    if isinstance(value, int):
        return None if -DECIMAL_LIMIT < value < DECIMAL_LIMIT else _too_large(value)
    if not value.is_finite():
        return f"{value} is not a number the API accepts"
    if value.adjusted() > 40:  # far beyond 2^96: no need to build the digits
        return _too_large(value)
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0 and exponent < 0:
        kept.pop()
        exponent += 1
    if not any(kept):
        return None
    if exponent < -MAX_SCALE:
        return (
            f"{value} has {-exponent} decimal places; the API's decimal holds at most "
            f"{MAX_SCALE} (round it first)"
        )
    mantissa = int("".join(map(str, kept))) * 10 ** max(exponent, 0)
    if mantissa >= DECIMAL_LIMIT:
        if exponent >= 0:
            return _too_large(value)
        return (
            f"{value} has more significant digits than the API's decimal holds "
            f"(28 or 29: its digits must stay below 2^96)"
        )
    return None


def _too_large(value: Decimal | int) -> str:
    return f"{value} is beyond the API's decimal range (|x| < 2^96, about 7.9e28)"


def fits_int32(value: int) -> bool:
    """Whether `value` is held by a .NET int (32 bits, signed)."""
    return INT32_MIN <= value <= INT32_MAX


def int32_problem(value: int) -> str | None:
    """Why a .NET int cannot hold `value` (None: it can)."""
    if fits_int32(value):
        return None
    return f"{value} is beyond the API's number range ({INT32_MIN} to {INT32_MAX})"


def is_document_number(wire: str) -> bool:
    """Whether an integer member named `wire` is a document number (held in 32 bits)."""
    return wire.endswith("Number")
