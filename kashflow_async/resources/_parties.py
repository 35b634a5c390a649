"""What customers and suppliers share: keyed by code, and the same list query
(``sortby``, ``order``, ``namestartswith``, ``searchtext``, ``filterarchived``)."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar

from ..models import Page, SortOrder
from ..pagination import PageIterator
from ._base import DEFAULT_LIST_CONCURRENCY, DEFAULT_LIST_PERPAGE, Coded, M
from ._modes import Mode, endpoint, listing
from ._params import Param, QuerySpec, choice, flag, page_query, text

__all__ = ["Parties", "party_filters"]


def party_filters(sort: type[Enum]) -> QuerySpec:
    """The list query of customers or suppliers, `sort` naming the sort columns."""
    return QuerySpec(
        sortby=Param("sortby", choice(sort)),
        order=Param("order", choice(SortOrder)),
        name_starts_with=Param("namestartswith", text),
        search_text=Param("searchtext", text),
        filter_archived=Param("filterarchived", flag),
    )


class Parties(Coded[M, Mode]):
    """Customers or suppliers: get, page, list, create, update, patch, delete by code."""

    __slots__ = ()

    #: The list query, checked before sending (`party_filters`).
    filters: ClassVar[QuerySpec]

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        sortby: Enum | str | None = None,
        order: SortOrder | str | None = None,
        name_starts_with: str | None = None,
        search_text: str | None = None,
        filter_archived: bool | None = None,
    ) -> Page[M]:
        """One page of summaries (no delivery addresses, custom fields, bank account or
        payment terms); arguments left None are not sent. `sortby` is one of the
        resource's sort columns (`CustomerSortField`, `SupplierSortField`)."""
        filters = self.filters.build(
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
        sortby: Enum | str | None = None,
        order: SortOrder | str | None = None,
        name_starts_with: str | None = None,
        search_text: str | None = None,
        filter_archived: bool | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[M]:
        """Every summary of every page, in order (`concurrency` pages at once)."""
        filters = self.filters.build(
            sortby=sortby,
            order=order,
            name_starts_with=name_starts_with,
            search_text=search_text,
            filter_archived=filter_archived,
        )
        return self._list(perpage, concurrency, filters)
