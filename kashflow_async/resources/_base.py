"""What every resource shares: get / create / update / delete by number, create_many,
the page and list plumbing, and the raw twin of every method (``with_raw_response``).
A resource class only declares its path and model."""

from __future__ import annotations

import difflib
from collections.abc import AsyncIterable, Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar
from urllib.parse import quote

from ..bulk import DEFAULT_BULK_CONCURRENCY, CreateMany, Journal, create_many
from ..codecs.base import check_value, field_nodes
from ..codecs.lossless import is_hollow, is_summary, original_of, unchanged_difference
from ..errors import ConflictError, EncodeError, InvalidArgumentError
from ..models import Page
from ..pagination import PageIterator, RawPageIterator
from ..transport import Transport
from ._modes import Mode, Plain, _Moded, endpoint
from ._params import MAX_NUMBER, code_text, instance, page_query, whole
from ._params import number as check_number

__all__ = [
    "DEFAULT_LIST_CONCURRENCY",
    "DEFAULT_LIST_PERPAGE",
    "Coded",
    "Listed",
    "M",
    "Resource",
]

M = TypeVar("M")

#: Page size `list()` asks for when none is given.
DEFAULT_LIST_PERPAGE = 100
#: Pages `list()` keeps in flight when no concurrency is given.
DEFAULT_LIST_CONCURRENCY = 4

_positive = whole(1)


class Resource(_Moded[Mode], Generic[M, Mode]):
    """Objects at ``{path}/{number}``: `get`, `create`, `update`, `delete`.

    ``with_raw_response`` gives the same resource returning `RawResponse` objects; each
    subclass declares its type (``with_raw_response: Invoices[Raw]``).
    """

    __slots__ = ("_raw", "_transport")

    #: Collection path below the base URL (``/invoices``).
    path: ClassVar[str]
    #: The path template of one object (``/invoices/{number}``), for hooks and spans.
    item_route: ClassVar[str]
    #: The collection path's template where it holds a parameter, for hooks and spans
    #: (None: the path itself).
    collection_route: ClassVar[str | None] = None
    #: The model sent and returned.
    model: type[M]
    #: The request path reports when a create is written (`create_many` counts exactly).
    reports_sending: ClassVar[bool] = True
    #: What one object is identified by in its path: ``number`` (a positive whole
    #: number) or ``code`` (a string; see `Coded`).
    key_name: ClassVar[str] = "number"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "path" in cls.__dict__ and "item_route" not in cls.__dict__:
            cls.item_route = cls.path + "/{" + cls.key_name + "}"

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._raw: Any = None

    def __repr__(self) -> str:
        raw = " (raw)" if self._transport.raw else ""
        return f"<{type(self).__name__} {self.path}{raw}>"

    @endpoint
    async def get(self, number: int) -> M:
        """The object with this number. Raises `NotFoundError` if there is none."""
        return await self._transport.request(
            "GET", self._item(number), self.model, route=self.item_route
        )

    @endpoint
    async def create(self, obj: M) -> M:
        """Create `obj`; returns it as the server stored it.

        Never sent twice: if the outcome is unknown (connection lost after sending, a
        timeout) this raises `AmbiguousResultError`, whose `sent` is `obj`.
        """
        instance("obj", obj, self.model)
        return await self._transport.request(
            "POST", self.path, self.model, body=obj, route=self.collection_route
        )

    @endpoint
    async def update(self, number: int, obj: M, *, if_unchanged: bool = False) -> M:
        """Replace the object with this number by `obj` (send the whole object).

        An object read from the server sends back everything it was read with, members
        the models do not declare included; one you build sends only what it holds. An
        item of a list page (a summary, without lines) or an object read from an answer
        holding none of the model's members is refused (`InvalidArgumentError`).

        `if_unchanged`: read the object again just before the PUT and raise
        `ConflictError` (naming the first differing member) if the server's copy is no
        longer the one `obj` was read from. The API has no ETag or If-Match, so a change
        landing between that read and the PUT is still overwritten.
        """
        path = self._item(number)
        instance("obj", obj, self.model)
        refuse_to_send(obj, f"{self.path}/{number}", number)
        if if_unchanged:
            await self._check_unchanged(path, obj)
        return await self._transport.request(
            "PUT", path, self.model, body=obj, route=self.item_route
        )

    async def _read(self, path: str) -> Any:
        """GET `path` decoded, whether this resource is raw or not."""
        got: Any = await self._transport.request("GET", path, self.model, route=self.item_route)
        return got.parse() if self._transport.raw else got

    async def _check_unchanged(self, path: str, obj: Any) -> None:
        """Raise `ConflictError` unless the server's copy at `path` is still the one
        `obj` was read from."""
        read = original_of(obj)
        if read is None:
            raise InvalidArgumentError(
                "if_unchanged=True needs an object read from the server (get() or a "
                "previous update()): a built object has no read copy to compare with"
            )
        current = await self._read(path)
        found = unchanged_difference(self.model, read, current)
        if found is not None:
            raise ConflictError(found.member, was=found.was, now=found.now, url=path)

    @endpoint
    async def delete(self, number: int) -> None:
        """Delete the object with this number."""
        return await self._transport.request("DELETE", self._item(number), route=self.item_route)

    def create_many(
        self: Resource[M, Plain],
        items: Iterable[M] | AsyncIterable[M],
        *,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        look_up_first: Callable[[M], bool] | None = None,
        claimed: set[int] | None = None,
        journal: Journal | None = None,
    ) -> CreateMany[M]:
        """Create many objects, `concurrency` at once: an async iterator of one
        `BulkResult` per input, in completion order. `look_up_first`, `claimed` and
        `journal` are those of `kashflow_async.bulk.create_many`."""
        if self._transport.raw:
            raise InvalidArgumentError("create_many has no raw form: call it on the resource")
        return create_many(
            self, items, concurrency=concurrency, look_up_first=look_up_first,
            claimed=claimed, journal=journal,
        )  # fmt: skip

    def _item(self, value: Any) -> str:
        if type(value) is not int or not 0 < value <= MAX_NUMBER:  # the common case, inlined
            value = check_number("number", value)
        return f"{self.path}/{value}"


class Listed(Resource[M, Mode]):
    """A resource with a paginated list at its collection path."""

    __slots__ = ()

    #: ``Page[model]``, the type of one page.
    page_type: type[Page[M]]

    async def _page(
        self, query: dict[str, str], path: str | None = None, route: str | None = None
    ) -> Page[M]:
        """One page at `path` (default: the collection path), whose template is `route`."""
        if path is None:
            path, route = self.path, self.collection_route
        return await self._transport.request(
            "GET", path, self.page_type, params=query or None, route=route
        )

    def _list(
        self,
        perpage: int,
        concurrency: int,
        filters: dict[str, str],
        path: str | None = None,
        route: str | None = None,
    ) -> PageIterator[M]:
        """Every page at `path` (default: the collection path, whose template is `route`),
        `concurrency` at once."""
        if path is None:
            path, route = self.path, self.collection_route
        if perpage is None:  # page_query lets None through ("not sent"); a list needs a size
            raise InvalidArgumentError("perpage must be a whole number, not None")
        page_query(1, perpage)  # checks perpage
        _positive("concurrency", concurrency)
        transport, page_type = self._transport, self.page_type
        size = str(perpage)
        # pages come raw and are decoded as the consumer reaches them, so that a finished
        # request starts the next one before its page is decoded
        fetcher = transport.raw_view()

        def fetch(n: int) -> Coroutine[Any, Any, Any]:
            query = {"page": str(n), "perpage": size, **filters}
            return fetcher.request("GET", path, page_type, params=query, route=route)

        if transport.raw:  # `listing` tells the type checker
            raw: Any = RawPageIterator(fetch, perpage=perpage, concurrency=concurrency)
            return raw  # type: ignore[no-any-return]
        return PageIterator(fetch, perpage=perpage, concurrency=concurrency)

    @endpoint
    async def patch(self, number: int, /, *, if_unchanged: bool = False, **changes: Any) -> M:
        """Read the object with this number, set `changes` (snake_case field names) and
        write it back whole; returns it as the server stored it.

        Names and values are checked before anything is sent: the object's number (its
        URL) cannot be changed, nor a member the API requires set to None. Everything else
        the server sent, members the models do not declare included, is sent back
        unchanged (as by `update`). The API has no locking: a change made by someone else
        between the read and the write is overwritten; `if_unchanged=True` reads once
        more just before the write and raises `ConflictError` if the copy changed, which
        narrows that window to the time between that read and the PUT. The raw form
        answers the write's `RawResponse`.
        """
        _check_changes(self.model, changes)
        path = self._item(number)
        obj = await self._read(path)
        refuse_to_send(obj, f"{self.path}/{number}", number)
        if if_unchanged:
            await self._check_unchanged(path, obj)
        for name, value in changes.items():
            setattr(obj, name, value)
        return await self._transport.request(
            "PUT", path, self.model, body=obj, route=self.item_route
        )


def refuse_to_send(obj: Any, where: str, number: int) -> None:
    """Refuse (`InvalidArgumentError`) an object whose PUT would blank the one at
    `where`: a list page's summary, or one read from an answer holding none of its
    model's members."""
    name = type(obj).__name__
    if is_summary(obj):
        raise InvalidArgumentError(
            f"obj is a summary from a list page (it has no lines): sending it would "
            f"replace {where} with a summary; use get({number}) for the whole "
            f"{name}, or patch({number}, field=value) to change fields"
        )
    if is_hollow(obj):
        raise InvalidArgumentError(
            f"the {name} was read from an answer holding none of {name}'s members "
            f"(not a {name}: an error page or another object); sending it back would "
            f"blank {where}"
        )


def _check_changes(model: type, changes: dict[str, Any]) -> None:
    """Refuse an unknown field name (naming the nearest ones), the key, a required
    member set to None, or a value its field cannot send, before anything is sent."""
    if not changes:
        raise InvalidArgumentError("patch() needs at least one field to change")
    fields = field_nodes(model)
    key = getattr(model, "_key_field", None)
    required = getattr(model, "_required_fields", ())
    for name, value in changes.items():
        node = fields.get(name)
        if node is None:
            nearest = difflib.get_close_matches(name, fields, n=3, cutoff=0.0)
            raise InvalidArgumentError(
                f"{model.__name__} has no field {name!r}; nearest: {', '.join(nearest)}"
            )
        if name == key:
            raise InvalidArgumentError(
                f"patch() cannot change {model.__name__}.{name}: it is the object's key "
                f"(its URL); read the object and call update() to renumber it"
            )
        if value is None and name in required:
            raise InvalidArgumentError(
                f"patch() cannot set {model.__name__}.{name} to None: the API requires it "
                f"on a whole object, and the PUT would blank it"
            )
        try:
            check_value(value, node, name)
        except EncodeError as exc:
            raise InvalidArgumentError(f"{model.__name__}.{exc}") from None


class Coded(Listed[M, Mode]):
    """A listed resource whose objects are identified by a string ``code``
    (``/customers/{code}``): the same methods, with a code where the others take a
    number. A code is checked (non-empty text, no surrounding spaces) and sent
    URL-quoted."""

    __slots__ = ()

    key_name = "code"

    def _item(self, value: Any) -> str:
        return f"{self.path}/{quote(code_text('code', value), safe='')}"

    if TYPE_CHECKING:  # the inherited methods, as they are called here: by code

        @endpoint
        async def get(self, code: str) -> M: ...  # type: ignore[override]

        @endpoint
        async def update(self, code: str, obj: M) -> M: ...  # type: ignore[override]

        @endpoint
        async def delete(self, code: str) -> None: ...  # type: ignore[override]

        @endpoint
        async def patch(self, code: str, /, **changes: Any) -> M: ...  # type: ignore[override]
