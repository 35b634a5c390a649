"""What every resource shares: get / create / update / delete by number, and the
page and list plumbing. A resource class only declares its path and model."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, ClassVar, Generic, TypeVar

from ..errors import InvalidArgumentError
from ..models import Page
from ..pagination import PageIterator
from ..transport import Transport
from ._params import instance, page_query, whole
from ._params import number as check_number

__all__ = ["DEFAULT_LIST_CONCURRENCY", "DEFAULT_LIST_PERPAGE", "Listed", "Resource"]

M = TypeVar("M")

#: Page size `list()` asks for when none is given.
DEFAULT_LIST_PERPAGE = 100
#: Pages `list()` keeps in flight when no concurrency is given.
DEFAULT_LIST_CONCURRENCY = 4

_positive = whole(1)


class Resource(Generic[M]):
    """Objects at ``{path}/{number}``: `get`, `create`, `update`, `delete`."""

    __slots__ = ("_transport",)

    #: Collection path below the base URL (``/invoices``).
    path: ClassVar[str]
    #: The model sent and returned.
    model: type[M]

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path}>"

    async def get(self, number: int) -> M:
        """The object with this number. Raises `NotFoundError` if there is none."""
        return await self._transport.request("GET", self._item(number), self.model)

    async def create(self, obj: M) -> M:
        """Create `obj`; returns it as the server stored it.

        Never sent twice: if the outcome is unknown (connection lost after sending, a
        timeout) this raises `AmbiguousResultError`, whose `sent` is `obj`.
        """
        instance("obj", obj, self.model)
        return await self._transport.request("POST", self.path, self.model, body=obj)

    async def update(self, number: int, obj: M) -> M:
        """Replace the object with this number by `obj` (send the whole object)."""
        path = self._item(number)
        instance("obj", obj, self.model)
        return await self._transport.request("PUT", path, self.model, body=obj)

    async def delete(self, number: int) -> None:
        """Delete the object with this number."""
        await self._transport.request("DELETE", self._item(number))

    def _item(self, value: int) -> str:
        return f"{self.path}/{check_number('number', value)}"


class Listed(Resource[M]):
    """A resource with a paginated list at its collection path."""

    __slots__ = ()

    #: ``Page[model]``, the type of one page.
    page_type: type[Page[M]]

    async def _page(self, query: dict[str, str]) -> Page[M]:
        return await self._transport.request("GET", self.path, self.page_type, params=query or None)

    def _list(self, perpage: int, concurrency: int, filters: dict[str, str]) -> PageIterator[M]:
        if perpage is None:  # page_query lets None through ("not sent"); a list needs a size
            raise InvalidArgumentError("perpage must be a whole number, not None")
        page_query(1, perpage)  # checks perpage
        _positive("concurrency", concurrency)
        transport, path, page_type = self._transport, self.path, self.page_type
        size = str(perpage)

        def fetch(n: int) -> Coroutine[Any, Any, Page[M]]:
            query = {"page": str(n), "perpage": size, **filters}
            return transport.request("GET", path, page_type, params=query)

        return PageIterator(fetch, perpage=perpage, concurrency=concurrency)
