"""A lookup by content whose listing ended early proves nothing: it never says "not there".

A listing stops early when the server's pages do not add up, for instance when other
creates change ``TotalRecords`` between pages during a bulk import. If the lookup then
answered "not created", the input would be sent again and created twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kashflow_async import AmbiguousResultError, Invoice, InvoiceLine
from kashflow_async.bulk import find_created


class _Listing:
    """An async iterator over `items` that ends with `stopped` set, as `PageIterator` does."""

    def __init__(self, items: list[Invoice], stopped: str | None) -> None:
        self._items = iter(items)
        self._stopped_at_end = stopped
        self.stopped: str | None = None

    def __aiter__(self) -> _Listing:
        return self

    async def __anext__(self) -> Invoice:
        try:
            return next(self._items)
        except StopIteration:
            self.stopped = self._stopped_at_end
            raise StopAsyncIteration from None


class _Resource:
    def __init__(self, listed: list[Invoice], stopped: str | None) -> None:
        self._listed, self._stopped = listed, stopped

    def list(self, **filters: Any) -> _Listing:
        return _Listing(self._listed, self._stopped)

    async def get(self, number: int) -> Invoice:
        return next(i for i in self._listed if i.number == number)


def _invoice(number: int | None, reference: str) -> Invoice:
    line = InvoiceLine(quantity=Decimal(1), rate=Decimal("9.50"), description="x")
    return Invoice(
        number=number, customer_code="C1", customer_reference=reference, line_items=[line]
    )


async def test_a_listing_cut_short_makes_the_lookup_ambiguous() -> None:
    other = _invoice(7, "someone else's")
    resource = _Resource([other], stopped="TotalRecords changed from 10 to 11 on page 2")
    with pytest.raises(AmbiguousResultError, match="cut short"):
        await find_created(resource, _invoice(None, "mine"), set())


async def test_a_complete_listing_without_the_input_says_not_there() -> None:
    resource = _Resource([_invoice(7, "someone else's")], stopped=None)
    assert await find_created(resource, _invoice(None, "mine"), set()) is None


async def test_a_match_found_before_the_cut_is_still_found() -> None:
    mine = _invoice(8, "mine")
    resource = _Resource([mine], stopped="an empty page before the last")
    claimed: set[int] = set()
    assert await find_created(resource, _invoice(None, "mine"), claimed) == mine
    assert claimed == {8}
