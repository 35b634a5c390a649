"""Answers the sources show in more than one shape (a bare array or a paged body; an
array or an empty object), decoded by whichever shape fits.

`OneOf` stands where a model type would (as a response type): both codecs hand it the
body, it tries each shape in turn with that codec and converts the first that decodes.
When none fits, the first shape's `DecodeError` is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..errors import DecodeError
from ..models import Model, Page
from .lossless import remember

__all__ = ["NoMembers", "OneOf", "items_or_page", "list_or_empty_object"]

T = TypeVar("T")


class OneOf(Generic[T]):
    """A response type with several wire shapes: ``(type, convert)`` pairs, tried in
    order; the first that decodes gives ``convert(decoded)`` (a converter may refuse with
    `DecodeError`: the next shape is tried). `json_only` shapes are skipped in XML."""

    __slots__ = ("json_only", "name", "shapes")

    def __init__(
        self,
        name: str,
        *shapes: tuple[Any, Callable[[Any], T]],
        json_only: tuple[Any, ...] = (),
    ) -> None:
        #: what the answer is, for messages (``list[Nominal]``)
        self.name = name
        self.shapes = shapes
        #: the types of the shapes only JSON can tell apart
        self.json_only = json_only

    def __repr__(self) -> str:
        return f"OneOf({self.name})"

    def decode(self, codec: Any, data: bytes) -> T:
        """The body decoded by the first shape that fits (`DecodeError` if none does)."""
        first: DecodeError | None = None
        for type_, convert in self.shapes:
            if codec.name != "json" and type_ in self.json_only:
                continue
            try:
                return convert(codec.decode(data, type_))
            except DecodeError as exc:
                first = first or exc
        assert first is not None
        raise first


class NoMembers(Model, forbid_unknown_fields=True):
    """An empty object (``{}``), and nothing else."""


def _with_members(items: list[Any]) -> list[Any]:
    """`items`, unless one of them holds nothing at all: an element none of whose
    children is a member (an HTML page read as a list) is not an item (`DecodeError`)."""
    for i, item in enumerate(items):
        if item == type(item)():
            raise DecodeError(f"item {i} has no member of {type(item).__name__}", type_name="list")
    return items


def _as_summaries(items: list[Any]) -> list[Any]:
    """A bare array of list items: mark them as summaries, as those of a page are."""
    remember(Page(data=_with_members(items)), None, b"")
    return items


def _page_items(page: Page[Any]) -> list[Any]:
    return page.data


def items_or_page(item: type[T]) -> OneOf[list[T]]:
    """A list answered as a bare array or as a paged body (``Data`` and ``MetaData``):
    its items, in both cases summaries."""
    # the paged body first: read as a list, XML's <Data> and <MetaData> would pass for
    # two items (decoding never depends on element names); a bare array never passes for
    # a page, which requires its Data
    return OneOf(
        f"list[{item.__name__}]",
        (Page[item], _page_items),  # type: ignore[valid-type]
        (list[item], _as_summaries),  # type: ignore[valid-type]
    )


def _empty(_: NoMembers) -> list[Any]:
    return []


def list_or_empty_object(item: type[T]) -> OneOf[list[T]]:
    """A list answered as an array, or as ``{}`` when there is nothing (an empty list).
    In XML both are an empty root, which the array shape reads as no items."""
    return OneOf(
        f"list[{item.__name__}]",
        (list[item], _with_members),  # type: ignore[valid-type]
        (NoMembers, _empty),
        json_only=(NoMembers,),
    )
