"""The first member in which two copies of one object differ (the ``if_unchanged`` check).

Declared members are compared as model values (so ``10.00`` and ``10.0000`` are one
amount), in declaration order, at every depth; list items by position. Undeclared
members are compared as the bodies sent them, when both copies came in one format.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ._schema import ListNode, Node, StructNode, describe

__all__ = ["NEIGHBOURS", "Difference", "first_difference", "first_plain_difference"]

#: members that describe an object's neighbours, not the object: they change when
#: another object is created or deleted, so they are not compared
NEIGHBOURS = frozenset({"PreviousNumber", "NextNumber"})


class Difference(NamedTuple):
    """Where two copies differ: the member's path and its value in each."""

    member: str
    was: Any
    now: Any


def first_difference(model: type, was: Any, now: Any) -> Difference | None:
    """The first declared member in which `was` and `now` (two `model` objects) differ."""
    node = describe(model)
    assert isinstance(node, StructNode)
    return _struct(node, was, now, "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _struct(node: StructNode, was: Any, now: Any, path: str) -> Difference | None:
    for field in node.fields:
        if not path and field.wire in NEIGHBOURS:
            continue
        found = _value(field.node, getattr(was, field.attr), getattr(now, field.attr))
        if found is not None:
            sub_path, a, b = found
            return Difference(_join(path, field.wire) + sub_path, a, b)
    return None


def _value(node: Node, was: Any, now: Any) -> tuple[str, Any, Any] | None:
    """None if equal, else the path below this value (``""`` for the value itself)."""
    if was is None or now is None:
        return None if was is now else ("", was, now)
    if isinstance(node, StructNode):
        found = _struct(node, was, now, "")
        return None if found is None else ("." + found.member, found.was, found.now)
    if isinstance(node, ListNode):
        if len(was) != len(now):
            return ("", f"{len(was)} items", f"{len(now)} items")
        for i, (a, b) in enumerate(zip(was, now, strict=True)):
            inner = _value(node.item, a, b)
            if inner is not None:
                return (f"[{i}]{inner[0]}", inner[1], inner[2])
        return None
    return None if was == now else ("", was, now)


def first_plain_difference(was: Any, now: Any, path: str = "") -> Difference | None:
    """The first place where two JSON-like trees (whole bodies, undeclared members
    included) differ."""
    if isinstance(was, dict) and isinstance(now, dict):
        for name in [*was, *(k for k in now if k not in was)]:
            if not path and name in NEIGHBOURS:
                continue
            found = first_plain_difference(was.get(name), now.get(name), _join(path, name))
            if found is not None:
                return found
        return None
    if isinstance(was, list) and isinstance(now, list) and len(was) == len(now):
        for i, (a, b) in enumerate(zip(was, now, strict=True)):
            found = first_plain_difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    return None if was == now else Difference(path or "$", was, now)
