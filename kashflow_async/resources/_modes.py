"""Plain and raw resources: one set of methods, two result types.

A resource is generic in its *mode*: ``Invoices[Plain]`` (what ``kf.invoices`` is)
returns decoded models, ``Invoices[Raw]`` (``kf.invoices.with_raw_response``) returns
`RawResponse` objects. At run time both are the same class over a plain or a raw
transport, so every method has its raw twin with no code of its own; `endpoint` and
`listing` only tell the type checker what each mode returns.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ..transport.raw import RawResponse

if TYPE_CHECKING:
    from typing_extensions import TypeVar as DefaultTypeVar

    from ..pagination import PageIterator, RawPageIterator

__all__ = ["Mode", "Plain", "Raw", "endpoint", "listing"]

P = ParamSpec("P")
T = TypeVar("T")


class Plain:
    """Mode marker: methods return decoded models."""


class Raw:
    """Mode marker: methods return `RawResponse` objects (``with_raw_response``)."""


if TYPE_CHECKING:
    Mode = DefaultTypeVar("Mode", Plain, Raw, default=Plain)
else:
    Mode = TypeVar("Mode", Plain, Raw)


class _Endpoint(Generic[P, T]):
    """How the type checker sees an `endpoint` method (never instantiated)."""

    @overload
    def __get__(self, obj: None, owner: Any) -> _Endpoint[P, T]: ...
    @overload
    def __get__(
        self, obj: _Moded[Raw], owner: Any
    ) -> Callable[P, Coroutine[Any, Any, RawResponse[T]]]: ...
    @overload
    def __get__(self, obj: _Moded[Plain], owner: Any) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, obj: Any, owner: Any) -> Any:
        raise NotImplementedError  # pragma: no cover


class _Listing(Generic[P, T]):
    """How the type checker sees a `listing` method (never instantiated)."""

    @overload
    def __get__(self, obj: None, owner: Any) -> _Listing[P, T]: ...
    @overload
    def __get__(self, obj: _Moded[Raw], owner: Any) -> Callable[P, RawPageIterator[T]]: ...
    @overload
    def __get__(self, obj: _Moded[Plain], owner: Any) -> Callable[P, PageIterator[T]]: ...
    def __get__(self, obj: Any, owner: Any) -> Any:
        raise NotImplementedError  # pragma: no cover


class _Moded(Generic[Mode]):
    """The base of every resource: what the mode overloads match on.

    A subclass holds `_transport` and `_raw` (None until its raw view is first asked for).
    """

    __slots__ = ()

    if not TYPE_CHECKING:

        @property
        def with_raw_response(self):
            """This object with every method returning a `RawResponse` (made once, kept)."""
            view = self._raw
            if view is None:
                view = copy.copy(self)
                view._transport = self._transport.raw_view()
                view._raw = view
                self._raw = view
            return view


def endpoint(
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]],
) -> _Endpoint[P, T]:
    """Mark an async resource method: on a raw resource it returns ``RawResponse[T]``.

    Nothing changes at run time (the method is returned as is).
    """
    found: Any = method
    return found  # type: ignore[no-any-return]


def listing(method: Callable[Concatenate[Any, P], PageIterator[T]]) -> _Listing[P, T]:
    """Mark a ``list()`` method: on a raw resource it iterates over raw pages.

    Nothing changes at run time (the method is returned as is).
    """
    found: Any = method
    return found  # type: ignore[no-any-return]
