"""Customers (``/customers``), keyed by code; ``DELETE /customerlist``."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from ..models import Customer, CustomerSortField, DeletionFailure, Page
from ._modes import Mode, Raw, endpoint
from ._params import codes
from ._parties import Parties, party_filters

__all__ = ["Customers"]


class Customers(Parties[Customer, Mode]):
    """Customers, identified by code: get, page, list, create, update, patch, delete;
    and `delete_many`. Lists sort by `CustomerSortField`."""

    __slots__ = ()
    path = "/customers"
    model = Customer
    page_type = Page[Customer]
    filters = party_filters(CustomerSortField)
    with_raw_response: Customers[Raw]

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
