"""Projects (``/projects``): a list that is a bare array or a paged body, and one
project at ``/projects/{number}`` or, on some accounts, ``/project/{number}``."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from ..errors import DecodeError, InvalidArgumentError, NotFoundError
from ..models import Page, PageMeta, Project
from ..pagination import PageIterator
from ..transport import Transport
from ..transport.raw import RawResponse
from ._base import DEFAULT_LIST_CONCURRENCY, DEFAULT_LIST_PERPAGE, Listed
from ._modes import Mode, Raw, endpoint, listing
from ._params import Param, QuerySpec, page_query, text, whole

__all__ = ["Projects", "page_or_array"]

#: The other spelling of one project's path, which some sources document.
SINGULAR_PATH = "/project"

_FILTERS = QuerySpec(customer_code=Param("customercode", text))


def page_or_array(raw: RawResponse[Any]) -> tuple[Page[Project], bool]:
    """The page a project list answered, and whether it was a bare array (the whole
    list, which has no pages). Raises `DecodeError` when it is neither."""
    try:
        return raw.parse(), False
    except DecodeError as exc:
        try:
            items = raw._codec.decode(raw.content, list[Project])
        except DecodeError:
            raise exc from None
        return Page(data=items, meta=PageMeta(total_records=len(items))), True


class Projects(Listed[Project, Mode]):
    """Projects, identified by number: get, page, list, create, update, patch, delete.

    One project is read at ``/projects/{number}``; if that answers 404, at
    ``/project/{number}`` once, and that path is used from then on when it works.
    """

    __slots__ = ("_item_root",)
    path = "/projects"
    model = Project
    page_type = Page[Project]
    with_raw_response: Projects[Raw]

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        self._item_root = self.path

    def _item(self, value: Any) -> str:
        return self._item_root + super()._item(value)[len(self.path) :]

    @endpoint
    async def get(self, number: int) -> Project:
        """The project with this number. Raises `NotFoundError` if there is none."""
        try:
            return await self._transport.request(
                "GET", self._item(number), self.model, route=self.item_route
            )
        except NotFoundError:
            if self._item_root != self.path:
                raise
        path = SINGULAR_PATH + self._item(number)[len(self._item_root) :]
        found = await self._transport.request(
            "GET", path, self.model, route=SINGULAR_PATH + "/{number}"
        )
        self._item_root = SINGULAR_PATH
        return found

    async def _fetch(self, query: dict[str, str]) -> tuple[Any, Page[Project], bool]:
        raw: Any = await self._transport.raw_view().request(
            "GET", self.path, self.page_type, params=query or None
        )
        page, array = page_or_array(raw)
        raw._parsed = page
        return raw, page, array

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        customer_code: str | None = None,
    ) -> Page[Project]:
        """One page of projects (of one customer, with `customer_code`). Where the
        server answers a bare array, that is the whole list, as one page."""
        query = {**page_query(page, perpage), **_FILTERS.build(customer_code=customer_code)}
        raw, found, _ = await self._fetch(query)
        return raw if self._transport.raw else found

    @listing
    def list(
        self,
        *,
        perpage: int = DEFAULT_LIST_PERPAGE,
        customer_code: str | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[Project]:
        """Every project, in order (`concurrency` pages at once when the list is paged;
        a bare array is the whole list, fetched once)."""
        if self._transport.raw:
            raise InvalidArgumentError("projects.list has no raw form: use page()")
        page_query(1, perpage)
        whole(1)("concurrency", concurrency)
        filters = _FILTERS.build(customer_code=customer_code)
        size = str(perpage)
        whole_list: list[bool] = []

        def fetch(n: int) -> Coroutine[Any, Any, Page[Project]]:
            async def one() -> Page[Project]:
                if whole_list:  # page 1 was a bare array: there are no more pages
                    return Page(data=[])
                _, found, array = await self._fetch({"page": str(n), "perpage": size, **filters})
                if array:
                    whole_list.append(True)
                return found

            return one()

        return PageIterator(fetch, perpage=perpage, concurrency=concurrency)
