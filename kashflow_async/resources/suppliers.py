"""Suppliers (``/suppliers``), keyed by code."""

from __future__ import annotations

from ..models import Page, SortOrder, Supplier, SupplierSortField
from ..pagination import PageIterator
from ._base import DEFAULT_LIST_CONCURRENCY, DEFAULT_LIST_PERPAGE, Coded
from ._modes import Mode, Raw, endpoint, listing
from ._params import Param, QuerySpec, choice, page_query
from .customers import PARTY_FILTERS

__all__ = ["Suppliers"]

_FILTERS = QuerySpec(sortby=Param("sortby", choice(SupplierSortField)), **PARTY_FILTERS)


class Suppliers(Coded[Supplier, Mode]):
    """Suppliers, identified by code: get, page, list, create, update, patch, delete."""

    __slots__ = ()
    path = "/suppliers"
    model = Supplier
    page_type = Page[Supplier]
    with_raw_response: Suppliers[Raw]

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        sortby: SupplierSortField | str | None = None,
        order: SortOrder | str | None = None,
        name_starts_with: str | None = None,
        search_text: str | None = None,
        filter_archived: bool | None = None,
    ) -> Page[Supplier]:
        """One page of supplier summaries; arguments left None are not sent."""
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
        sortby: SupplierSortField | str | None = None,
        order: SortOrder | str | None = None,
        name_starts_with: str | None = None,
        search_text: str | None = None,
        filter_archived: bool | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[Supplier]:
        """Every supplier summary of every page, in order (`concurrency` pages at once)."""
        filters = _FILTERS.build(
            sortby=sortby,
            order=order,
            name_starts_with=name_starts_with,
            search_text=search_text,
            filter_archived=filter_archived,
        )
        return self._list(perpage, concurrency, filters)
