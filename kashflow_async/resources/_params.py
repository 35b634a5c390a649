"""Argument checks: every value is checked, and converted to its query text, before
anything is sent. A refused value raises `InvalidArgumentError` naming the argument and
what it accepts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

from .._checks import is_whole, whole_number
from ..errors import InvalidArgumentError

__all__ = [
    "MAX_NUMBER",
    "MAX_PERPAGE",
    "Param",
    "QuerySpec",
    "choice",
    "code_text",
    "codes",
    "day",
    "flag",
    "instance",
    "instances",
    "number",
    "numbered",
    "numbers",
    "page_query",
    "text",
    "whole",
]

MAX_PERPAGE = 500

Check = Callable[[str, Any], str]


#: the largest object number or id the API holds (a .NET int)
MAX_NUMBER = 2**31 - 1


def number(name: str, value: Any) -> int:
    """A positive whole number (an object number or id) the API can hold (32 bits)."""
    if not is_whole(value) or value < 1:
        raise InvalidArgumentError(f"{name} must be a positive whole number, not {value!r}")
    if value > MAX_NUMBER:
        raise InvalidArgumentError(
            f"{name} {value} is beyond the API's number range (at most {MAX_NUMBER})"
        )
    return int(value)


def numbers(name: str, values: Any) -> list[int]:
    """A non-empty list of positive whole numbers."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise InvalidArgumentError(
            f"{name} must be a non-empty list of positive whole numbers, not {values!r}"
        )
    return [number(f"{name}[{i}]", v) for i, v in enumerate(values)]


def code_text(name: str, value: Any) -> str:
    """A customer or supplier code: a non-empty string without surrounding spaces (a code
    that looks numeric, ``"424201"``, is still a string)."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a code (a string), not {value!r}")
    text(name, value)
    if value != value.strip():
        raise InvalidArgumentError(f"{name} must not start or end with spaces: {value!r}")
    return value


def codes(name: str, values: Any) -> list[str]:
    """A non-empty list of codes (`code_text`)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise InvalidArgumentError(f"{name} must be a non-empty list of codes, not {values!r}")
    return [code_text(f"{name}[{i}]", v) for i, v in enumerate(values)]


def instance(name: str, value: Any, cls: type[Any]) -> None:
    """`value` must be a `cls` (a model object to send)."""
    if not isinstance(value, cls):
        raise InvalidArgumentError(f"{name} must be a {cls.__name__}, not {type(value).__name__}")


def instances(name: str, values: Any, cls: type[Any]) -> list[Any]:
    """A non-empty list of `cls` objects."""
    if (
        isinstance(values, (str, bytes))
        or not isinstance(values, Sequence)
        or not values
        or not all(isinstance(v, cls) for v in values)
    ):
        raise InvalidArgumentError(f"{name} must be a non-empty list of {cls.__name__} objects")
    return list(values)


def flag(name: str, value: Any) -> str:
    """True or False, as ``true`` / ``false``."""
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be True, False or None, not {value!r}")
    return "true" if value else "false"


def choice(enum: type[Enum]) -> Check:
    """One of `enum`'s values: a member, or its value in any letter case."""
    allowed = {str(m.value).lower(): str(m.value) for m in enum}
    listing = ", ".join(allowed.values())

    def check(name: str, value: Any) -> str:
        raw = value.value if isinstance(value, Enum) else value
        if isinstance(raw, str):
            found = allowed.get(raw.lower())
            if found is not None:
                return found
        raise InvalidArgumentError(f"{name} must be one of {listing}; got {value!r}")

    return check


def numbered(enum: type[Enum], start: int = 0) -> Check:
    """One of `enum`'s values (a member, or its value in any letter case), sent as its
    position in the enum counted from `start` (``ProductName`` -> ``1``)."""
    named = choice(enum)
    positions = {str(m.value): str(i) for i, m in enumerate(enum, start)}

    def check(name: str, value: Any) -> str:
        return positions[named(name, value)]

    return check


def day(name: str, value: Any) -> str:
    """A `datetime.date` (or datetime: its date), as ``YYYY-MM-DD``."""
    if not isinstance(value, dt.date):
        raise InvalidArgumentError(f"{name} must be a datetime.date, not {value!r}")
    return value.isoformat()[:10]


def text(name: str, value: Any) -> str:
    """A non-empty string (that UTF-8 can carry: no lone surrogates)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(f"{name} must be a non-empty string, not {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(f"{name} must be valid Unicode text, not {value!r}") from None
    return value


def whole(minimum: int) -> Check:
    """A whole number of at least `minimum` that the API can hold (32 bits)."""

    def check(name: str, value: Any) -> str:
        return str(_held(name, whole_number(name, value, minimum)))

    return check


def _held(name: str, value: int) -> int:
    """`value` unless it is beyond the API's number range (`InvalidArgumentError`)."""
    if value > MAX_NUMBER:
        raise InvalidArgumentError(
            f"{name} {value} is beyond the API's number range (at most {MAX_NUMBER})"
        )
    return value


class Param:
    """A query keyword: its wire name and its check."""

    __slots__ = ("check", "wire")

    def __init__(self, wire: str, check: Check) -> None:
        self.wire = wire
        self.check = check


class QuerySpec:
    """The documented filter parameters of a list, by Python keyword."""

    __slots__ = ("params",)

    def __init__(self, **params: Param) -> None:
        self.params = params

    def build(self, **values: Any) -> dict[str, str]:
        """The query of the keywords that are not None, checked and in wire form."""
        query: dict[str, str] = {}
        for name, value in values.items():
            if value is None:
                continue
            param = self.params[name]
            query[param.wire] = param.check(name, value)
        return query


def page_query(page: int | None, perpage: int | None) -> dict[str, str]:
    """``page`` (>= 1) and ``perpage`` (1..500), each sent only when given."""
    query: dict[str, str] = {}
    if page is not None:
        query["page"] = str(_held("page", whole_number("page", page, 1)))
    if perpage is not None:
        if not is_whole(perpage) or not 1 <= perpage <= MAX_PERPAGE:
            raise InvalidArgumentError(
                f"perpage must be a whole number from 1 to {MAX_PERPAGE}, not {perpage!r}"
            )
        query["perpage"] = str(perpage)
    return query
