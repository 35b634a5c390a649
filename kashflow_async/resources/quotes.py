"""Quotes (``/quotes``)."""

from __future__ import annotations

from ..models import Page, Quote, QuoteSortField, SortOrder
from ..pagination import PageIterator
from ._base import DEFAULT_LIST_CONCURRENCY, DEFAULT_LIST_PERPAGE, Listed
from ._modes import Mode, Raw, endpoint, listing
from ._params import Param, QuerySpec, choice, page_query, text

__all__ = ["Quotes"]

_FILTERS = QuerySpec(
    sortby=Param("sortby", choice(QuoteSortField)),
    order=Param("order", choice(SortOrder)),
    customer_code=Param("customercode", text),
)


class Quotes(Listed[Quote, Mode]):
    """Quotes, identified by number: get, page, list, create, update, delete."""

    __slots__ = ()
    path = "/quotes"
    model = Quote
    page_type = Page[Quote]
    with_raw_response: Quotes[Raw]

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        sortby: QuoteSortField | str | None = None,
        order: SortOrder | str | None = None,
        customer_code: str | None = None,
    ) -> Page[Quote]:
        """One page of quotes. Arguments left None are not sent; with none at all the
        server answers its default (the first 10 quotes by number)."""
        filters = _FILTERS.build(sortby=sortby, order=order, customer_code=customer_code)
        return await self._page({**page_query(page, perpage), **filters})

    @listing
    def list(
        self,
        *,
        perpage: int = DEFAULT_LIST_PERPAGE,
        sortby: QuoteSortField | str | None = None,
        order: SortOrder | str | None = None,
        customer_code: str | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[Quote]:
        """Every quote of every page, in order (`concurrency` pages fetched at once)."""
        filters = _FILTERS.build(sortby=sortby, order=order, customer_code=customer_code)
        return self._list(perpage, concurrency, filters)
