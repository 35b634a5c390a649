"""The one whole-number check shared by the client's options, query arguments and
`create_many`."""

from __future__ import annotations

from typing import Any

from .errors import InvalidArgumentError

__all__ = ["is_whole", "whole_number"]


def is_whole(value: Any) -> bool:
    """Whether `value` is an int (a bool is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def whole_number(name: str, value: Any, minimum: int) -> int:
    """`value` if it is a whole number of at least `minimum`, else `InvalidArgumentError`
    naming `name`."""
    if not is_whole(value) or value < minimum:
        raise InvalidArgumentError(f"{name} must be a whole number >= {minimum}, not {value!r}")
    return int(value)
