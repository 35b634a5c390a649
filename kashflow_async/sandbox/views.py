"""Read-side helpers shared by every collection: paging, sorting, neighbours, and list
views cached until the account next changes."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any, Generic, TypeVar

from ..models import Invoice, InvoiceSortField, Quote, QuoteSortField, SortOrder
from .errors import BadRequest
from .money import ZERO, naive

__all__ = [
    "INVOICE_SORT",
    "QUOTE_SORT",
    "NumberIndex",
    "ViewCache",
    "check_paging",
    "last_page",
    "neighbours",
    "page_slice",
    "sort_view",
]

T = TypeVar("T")
F = TypeVar("F", bound=Enum)


def check_paging(page: int, perpage: int) -> None:
    """400 unless both are at least 1."""
    if page < 1:
        raise BadRequest(f"page must be 1 or more, not {page}.")
    if perpage < 1:
        raise BadRequest(f"perpage must be 1 or more, not {perpage}.")


def last_page(total: int, perpage: int) -> int:
    """The number of the last page (1 for an empty list)."""
    return max(1, math.ceil(total / perpage))


def page_slice(items: Sequence[T], page: int, perpage: int) -> list[T]:
    """Items of page `page` (1-based) of `perpage` each."""
    start = (page - 1) * perpage
    return list(items[start : start + perpage])


def neighbours(numbers: Sequence[int], number: int) -> tuple[int | None, int | None]:
    """The numbers before and after `number` in the ascending `numbers`."""
    i = bisect.bisect_left(numbers, number)
    after = i + 1 if i < len(numbers) and numbers[i] == number else i
    return (numbers[i - 1] if i > 0 else None, numbers[after] if after < len(numbers) else None)


def sort_view(
    items: list[T],
    sortby: F,
    order: SortOrder,
    keys: Mapping[F, Callable[[T], Any]],
    by_number: F,
) -> list[T]:
    """`items` (ascending by number) in the order asked for, sorted in place."""
    if sortby is not by_number:
        items.sort(key=keys[sortby], reverse=order is SortOrder.DESC)
    elif order is SortOrder.DESC:
        items.reverse()
    return items


def _text(value: str | None) -> str:
    return (value or "").strip().lower()


INVOICE_SORT: dict[InvoiceSortField, Callable[[Invoice], Any]] = {
    InvoiceSortField.NUMBER: lambda i: i.number or 0,
    InvoiceSortField.CUSTOMER_REF: lambda i: _text(i.customer_reference),
    InvoiceSortField.CUSTOMER_NAME: lambda i: _text(i.customer_name),
    InvoiceSortField.INVOICE_DATE: lambda i: naive(i.issued_date),
    InvoiceSortField.PAYMENT_DUE_DATE: lambda i: naive(i.due_date),
    InvoiceSortField.GROSS_AMOUNT: lambda i: i.gross_amount or ZERO,
    InvoiceSortField.NET_AMOUNT: lambda i: i.net_amount or ZERO,
    InvoiceSortField.STATUS: lambda i: i.status.value if i.status else "",
}

QUOTE_SORT: dict[QuoteSortField, Callable[[Quote], Any]] = {
    QuoteSortField.NUMBER: lambda q: q.number or 0,
    QuoteSortField.CATEGORY_NAME: lambda q: _text(q.category.name if q.category else None),
    QuoteSortField.REFERENCE: lambda q: _text(q.customer_reference),
    QuoteSortField.CUSTOMER_NAME: lambda q: _text(q.customer_name),
    QuoteSortField.DATE: lambda q: naive(q.date),
    QuoteSortField.NET_AMOUNT: lambda q: q.net_amount or ZERO,
}


class NumberIndex:
    """The ascending numbers of a collection keyed by number, cached until `invalidate`."""

    def __init__(self, store: Mapping[int, object]) -> None:
        self._store = store
        self._numbers: list[int] | None = None

    def numbers(self) -> list[int]:
        """Every number, ascending."""
        if self._numbers is None:
            self._numbers = sorted(self._store)
        return self._numbers

    def invalidate(self) -> None:
        """The set of numbers changed."""
        self._numbers = None


class ViewCache(Generic[T]):
    """List views by key, valid while the account's `version` stays the same."""

    def __init__(self, version: Callable[[], int]) -> None:
        self._version = version
        self._seen = -1
        self._views: dict[tuple[Any, ...], list[T]] = {}

    def get(self, key: tuple[Any, ...], build: Callable[[], list[T]]) -> list[T]:
        """The view for `key`, built by `build` when missing or out of date."""
        version = self._version()
        if version != self._seen:
            self._views.clear()
            self._seen = version
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = build()
        return view
