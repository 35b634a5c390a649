"""Members the sources spell two ways: both decode, the documented spelling is sent.

A model lists its pairs in ``_spellings`` as ``(documented attribute, other attribute)``;
the other spelling is a private field with its own wire name (``_paid_out`` is
``PaidOut``). After decoding (and after construction) `fold_spellings` moves a value
received under the other spelling into the documented field, unless that field has a
value of its own, and clears the other one, so only the documented name is ever sent.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ._base import TopLevel

__all__ = ["Respelled", "fold_spellings"]


def fold_spellings(obj: Any, pairs: tuple[tuple[str, str], ...]) -> None:
    """Move each value held under another spelling into its documented field (the
    documented value wins when both came), and clear the other spelling."""
    for documented, other in pairs:
        value = getattr(obj, other)
        if value is not None:
            if getattr(obj, documented) is None:
                setattr(obj, documented, value)
            setattr(obj, other, None)


class Respelled(TopLevel):
    """A top-level object with members the sources spell two ways (see the module)."""

    #: ``(documented attribute, other attribute)`` pairs
    _spellings: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __post_init__(self) -> None:
        fold_spellings(self, self._spellings)
