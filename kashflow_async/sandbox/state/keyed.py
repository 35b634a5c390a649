"""What the rooms of objects keyed by code or id share (nominal codes, products, bank
accounts, bank transactions): the store, copies out, summaries and undeclared members
kept from request bodies."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar, cast

from ...models import TopLevel
from ..account import Account
from ..errors import NotFound
from ..extras import keep

__all__ = ["KeyedStore"]

K = TypeVar("K", bound=Hashable)
M = TypeVar("M", bound=TopLevel)


class KeyedStore(Generic[K, M]):
    """Objects of one kind by key, over the shared `Account`.

    `what` names the kind in messages (``Nominal code``); `summary_omits` are the
    attributes a list item leaves out (the server sends them on a single read only).
    """

    def __init__(self, account: Account, what: str, summary_omits: Iterable[str] = ()) -> None:
        self.account = account
        self.what = what
        self.summary_omits = tuple(summary_omits)
        self.store: dict[K, M] = {}

    def __len__(self) -> int:
        return len(self.store)

    def stored(self, key: K, shown: object = None) -> M:
        """The stored object (404 naming `shown`, or `key`, when there is none)."""
        found = self.store.get(key)
        if found is None:
            raise NotFound(f"{self.what} {shown if shown is not None else key} does not exist.")
        return found

    def full(self, obj: M) -> M:
        """The object as a single read answers it (a copy: what is served is never stored)."""
        return self.computed(copy.copy(obj))

    def computed(self, view: M) -> M:
        """`view` (a copy) with the members the server computes when it answers."""
        return view

    def summary(self, obj: M) -> M:
        """The object as a list answers it: a copy without the single-read members."""
        view = copy.copy(obj)
        for name in self.summary_omits:
            setattr(view, name, None)
        return self.computed(view)

    def summaries(self, keep_item: Callable[[M], bool] = lambda _: True) -> list[M]:
        """Summaries of the stored objects `keep_item` keeps, in key order."""
        keys: list[Any] = sorted(self.store, key=lambda k: cast(Any, k))
        return [self.summary(o) for o in (self.store[k] for k in keys) if keep_item(o)]

    def put(self, key: K, obj: M, old: M | None = None) -> M:
        """Store `obj` under `key` with the undeclared members its body carried (and
        what `old`, the object it replaces, kept for members the body left out)."""
        keep(obj, old, self.account.settings)
        self.store[key] = obj
        self.account.changed()
        return obj

    def remove(self, key: K) -> M:
        """Remove and return the object under `key` (404 when there is none)."""
        obj = self.stored(key)
        del self.store[key]
        self.account.changed()
        return obj
