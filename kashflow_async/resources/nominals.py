"""Nominal codes (``/nominals``): the chart of accounts, keyed by code."""

from __future__ import annotations

import builtins
from typing import Any

from ..codecs.shapes import items_or_page
from ..models import Nominal, Page
from ._base import Listed
from ._modes import Mode, Raw, endpoint
from ._params import Param, QuerySpec, number, text

__all__ = ["Nominals"]

_FILTERS = QuerySpec(
    type=Param("type", text),
    area=Param("area", text),
    search_text=Param("searchText", text),
)
#: a bare array on most accounts, a paged body on some: either decodes
_NOMINAL_LIST: Any = items_or_page(Nominal)


class Nominals(Listed[Nominal, Mode]):
    """Nominal codes, identified by code (a whole number): list, get (by code or by
    id), create, update, patch, delete."""

    __slots__ = ()
    path = "/nominals"
    item_route = "/nominals/{nominalCode}"
    model = Nominal
    page_type = Page[Nominal]
    with_raw_response: Nominals[Raw]

    @endpoint
    async def list(
        self,
        *,
        type: str | None = None,
        area: str | None = None,
        search_text: str | None = None,
    ) -> builtins.list[Nominal]:
        """Every nominal code (summaries: `get` for the whole record), in one request.

        `type` and `area` narrow the list (the server's default area is ``All``),
        `search_text` searches names; arguments left None are not sent. The answer may
        be a bare array or a paged body: both decode.
        """
        query = _FILTERS.build(type=type, area=area, search_text=search_text)
        return await self._transport.request(  # type: ignore[no-any-return]
            "GET", self.path, _NOMINAL_LIST, params=query or None
        )

    @endpoint
    async def get_by_id(self, nominal_id: int) -> Nominal:
        """The nominal code with this internal ``Id``. Raises `NotFoundError` if none."""
        path = f"/nominals/Id/{number('nominal_id', nominal_id)}"
        return await self._transport.request("GET", path, Nominal, route="/nominals/Id/{nominalId}")
