"""Bank accounts (``/bankaccounts``) and the transactions of each."""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

from ..codecs.shapes import items_or_page
from ..models import BankAccount, BankTransaction, BankTransactionSortField, Page, SortOrder
from ..pagination import PageIterator
from ..transport import Transport
from ._base import DEFAULT_LIST_CONCURRENCY, DEFAULT_LIST_PERPAGE, Listed
from ._modes import Mode, Raw, endpoint, listing
from ._params import Param, QuerySpec, choice, day, flag, number, numbered, page_query, text

__all__ = ["BankAccounts", "BankTransactions"]

#: a bare array (documented), or a paged body: either decodes
_ACCOUNT_LIST: Any = items_or_page(BankAccount)


_TRANSACTION_FILTERS = QuerySpec(
    start_date=Param("startdate", day),
    end_date=Param("enddate", day),
    sortby=Param("sortcolumn", numbered(BankTransactionSortField, start=1)),  # 1 Date ... 6 Name
    order=Param("order", choice(SortOrder)),
    search_text=Param("searchtext", text),
    reconciled=Param("reconciled", flag),
)


class BankTransactions(Listed[BankTransaction, Mode]):
    """The transactions of one bank account (``kf.bank_accounts.transactions(id)``),
    identified by id within the account: get, page, list, create, update, patch, delete."""

    # no __slots__: the collection path is the account's, set per instance
    collection_route = "/bankaccounts/{accountId}/transactions"
    item_route = collection_route + "/{transactionId}"
    model = BankTransaction
    page_type = Page[BankTransaction]
    with_raw_response: BankTransactions[Raw]

    def __init__(self, transport: Transport, account_id: int) -> None:
        super().__init__(transport)
        #: The bank account's ``Id``.
        self.account_id = number("account_id", account_id)
        vars(self)["path"] = f"/bankaccounts/{self.account_id}/transactions"

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        start_date: dt.date | None = None,
        end_date: dt.date | None = None,
        sortby: BankTransactionSortField | str | None = None,
        order: SortOrder | str | None = None,
        search_text: str | None = None,
        reconciled: bool | None = None,
    ) -> Page[BankTransaction]:
        """One page of the account's transactions (dates inclusive); arguments left None
        are not sent (the server's default page size is 10)."""
        filters = _TRANSACTION_FILTERS.build(
            start_date=start_date,
            end_date=end_date,
            sortby=sortby,
            order=order,
            search_text=search_text,
            reconciled=reconciled,
        )
        return await self._page({**page_query(page, perpage), **filters})

    @listing
    def list(
        self,
        *,
        perpage: int = DEFAULT_LIST_PERPAGE,
        start_date: dt.date | None = None,
        end_date: dt.date | None = None,
        sortby: BankTransactionSortField | str | None = None,
        order: SortOrder | str | None = None,
        search_text: str | None = None,
        reconciled: bool | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[BankTransaction]:
        """Every transaction of every page, in order (`concurrency` pages at once).

        The server orders by date with no tie-break, so rows of one date may change places
        between requests: sort the result yourself when order within a day matters.
        """
        filters = _TRANSACTION_FILTERS.build(
            start_date=start_date,
            end_date=end_date,
            sortby=sortby,
            order=order,
            search_text=search_text,
            reconciled=reconciled,
        )
        return self._list(perpage, concurrency, filters)


class BankAccounts(Listed[BankAccount, Mode]):
    """Bank accounts, identified by ``Id``: list, get, create, update, patch, delete;
    `transactions(account_id)` gives one account's transactions."""

    __slots__ = ()
    path = "/bankaccounts"
    item_route = "/bankaccounts/{id}"
    model = BankAccount
    page_type = Page[BankAccount]
    with_raw_response: BankAccounts[Raw]

    @endpoint
    async def list(self, *, include_archived: bool | None = None) -> builtins.list[BankAccount]:
        """Every bank account (summaries: `get` for the whole record), in one request.

        Archived accounts are left out unless `include_archived` (None: not sent, the
        server's default, False).
        """
        query = {}
        if include_archived is not None:
            query["includeArchivedAccounts"] = flag("include_archived", include_archived)
        return await self._transport.request(  # type: ignore[no-any-return]
            "GET", self.path, _ACCOUNT_LIST, params=query or None
        )

    def transactions(self: BankAccounts[Mode], account_id: int) -> BankTransactions[Mode]:
        """The transactions of the bank account with this ``Id`` (a resource; nothing is
        sent until you call one of its methods)."""
        return BankTransactions(self._transport, account_id)
