"""Customers (``/customers``), keyed by code; ``DELETE /customerlist``."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from ..models import Customer, CustomerSortField, DeletionFailure, Page, SortOrder
from ..pagination import PageIterator
from ._base import DEFAULT_LIST_CONCURRENCY, DEFAULT_LIST_PERPAGE, Coded
from ._modes import Mode, Raw, endpoint, listing
from ._params import Param, QuerySpec, choice, codes, flag, page_query, text

__all__ = ["PARTY_FILTERS", "Customers"]

#: The list filters customers and suppliers share (``namestartswith``...).
PARTY_FILTERS = {
    "order": Param("order", choice(SortOrder)),
    "name_starts_with": Param("namestartswith", text),
    "search_text": Param("searchtext", text),
    "filter_archived": Param("filterarchived", flag),
}

_FILTERS = QuerySpec(sortby=Param("sortby", choice(CustomerSortField)), **PARTY_FILTERS)


class Customers(Coded[Customer, Mode]):
    """Customers, identified by code: get, page, list, create, update, patch, delete;
    and `delete_many`."""

    __slots__ = ()
    path = "/customers"
    model = Customer
    page_type = Page[Customer]
    with_raw_response: Customers[Raw]

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        sortby: CustomerSortField | str | None = None,
        order: SortOrder | str | None = None,
        name_starts_with: str | None = None,
        search_text: str | None = None,
        filter_archived: bool | None = None,
    ) -> Page[Customer]:
        """One page of customer summaries; arguments left None are not sent."""
        filters = _FILTERS.build(
            sortby=sortby,
            order=order,
            name_starts_with=name_starts_with,
            search_text=search_text,
            filter_archived=filter_archived,
        )
        return await self._page({**page_query(page, perpage), **filters})

    @listing
    def list(
        self,
        *,
        perpage: int = DEFAULT_LIST_PERPAGE,
        sortby: CustomerSortField | str | None = None,
        order: SortOrder | str | None = None,
        name_starts_with: str | None = None,
        search_text: str | None = None,
        filter_archived: bool | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[Customer]:
        """Every customer summary of every page, in order (`concurrency` pages at once)."""
        filters = _FILTERS.build(
            sortby=sortby,
            order=order,
            name_starts_with=name_starts_with,
            search_text=search_text,
            filter_archived=filter_archived,
        )
        return self._list(perpage, concurrency, filters)

    @endpoint
    async def delete_many(self, codes_: Sequence[str]) -> builtins.list[DeletionFailure]:
        """Delete several customers in one request (``DELETE /customerlist``); the
        customers that could not be deleted, with the reason (empty: all were).

        Deleting a customer also deletes its invoices, quotes and recurring invoices;
        its projects are kept, without a customer.
        """
        body = codes("codes", codes_)
        answer: Any = await self._transport.raw_view().request(
            "DELETE", "/customerlist", builtins.list[DeletionFailure], body=body
        )
        if self._transport.raw:
            return answer  # type: ignore[no-any-return]
        return answer.parse() if answer.content.strip() else []
