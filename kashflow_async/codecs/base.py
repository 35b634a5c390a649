"""The codec interface, and the encode-side checks both codecs share."""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol, TypeVar, Union, get_args, get_origin

import msgspec

from ..errors import EncodeError
from ..models._base import WireDate, as_wire_date
from ..models.common import Page
from ._schema import ListNode, Node, Scalar, ScalarNode, StructNode, describe
from .ranges import decimal_problem, fits_decimal, fits_int32, int32_problem, is_document_number

__all__ = [
    "Codec",
    "check_document_number",
    "check_money",
    "check_value",
    "describe_value",
    "field_nodes",
    "field_path",
    "normalize",
    "snippet",
    "type_name",
]

T = TypeVar("T")


class Codec(Protocol):
    """Maps model objects to one wire format and back. Knows nothing of HTTP."""

    #: ``"json"`` or ``"xml"``
    name: str
    #: the media type for ``Accept`` and ``Content-Type``
    media_type: str

    def encode(self, obj: Any) -> bytes:
        """The wire bytes of `obj` (a model, a list of models or of ints)."""
        ...

    def decode(self, data: bytes, type_: type[T]) -> T:
        """Decode `data` as `type_`; raises `DecodeError` for anything that does not fit."""
        ...


def describe_value(obj: Any, type_: Any = None) -> Node:
    """The description of `type_`, or of the runtime type of `obj` (a model, a page, a list).

    A `Page` or list instance does not carry its item type, so it is read off the first item.
    """
    if type_ is not None:
        return describe(type_)
    if isinstance(obj, Page):
        return describe(Page[type(obj.data[0])] if obj.data else Page[Any])  # type: ignore[misc]
    if isinstance(obj, msgspec.Struct):
        return describe(type(obj))
    if isinstance(obj, (list, tuple)):
        first = obj[0] if obj else None
        if isinstance(first, msgspec.Struct):
            return describe(list[type(first)])  # type: ignore[misc]
        if isinstance(first, int) and not isinstance(first, bool):
            return describe(list[int])
        return describe(list[Any])
    return describe(type(obj))


def type_name(type_: Any) -> str:
    """A short readable name of a type, derived from the type itself: ``Invoice``,
    ``Page[Quote]``, ``list[Credit]``, ``int | None``."""
    origin = get_origin(type_)
    if origin is Union or origin is types.UnionType:
        return " | ".join(type_name(arg) for arg in get_args(type_))
    if origin is not None:
        return f"{type_name(origin)}[{', '.join(type_name(arg) for arg in get_args(type_))}]"
    if type_ is None or type_ is type(None):
        return "None"
    return str(getattr(type_, "__qualname__", None) or repr(type_))


def snippet(data: bytes | bytearray | memoryview, pos: int | None, width: int = 40) -> str:
    """A short printable excerpt of `data` around byte `pos` (or from the start)."""
    start = 0 if pos is None else max(0, pos - width // 2)
    return bytes(data[start : start + width]).decode("utf-8", "replace")


_MISSING_FIELD = re.compile(r"^Object missing required field `([^`]+)`")


def field_path(reason: str, path: str) -> str:
    """The path of the field a validation message is about: msgspec gives a missing
    field's parent (``$``) and names the field in the message; join them (``$.Data``)."""
    m = _MISSING_FIELD.match(reason)
    return f"{path}.{m.group(1)}" if m else path


def check_money(value: Any, path: str) -> None:
    """Refuse a float, or a number a .NET decimal cannot hold exactly (not finite, too
    large, too many places: `ranges.decimal_problem`), where the model wants an exact
    number."""
    if isinstance(value, float):
        raise EncodeError(f"{path}: float {value!r} is not exact; use decimal.Decimal")
    if (
        isinstance(value, (Decimal, int))
        and not isinstance(value, bool)
        and not fits_decimal(value)
    ):
        raise EncodeError(f"{path}: {decimal_problem(value)}")


def check_document_number(value: Any, path: str) -> None:
    """Refuse a document number a .NET int cannot hold (`ranges.int32_problem`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        problem = int32_problem(value)
        if problem is not None:
            raise EncodeError(f"{path}: {problem}")


_SCALAR_TYPES: dict[Scalar, tuple[type, ...]] = {
    Scalar.STR: (str,),
    Scalar.CODE: (str,),
    Scalar.ENUM: (str,),
    Scalar.INT: (int,),
    Scalar.BOOL: (bool,),
    Scalar.DECIMAL: (Decimal, int),
    Scalar.DATETIME: (dt.date,),
    Scalar.DATE: (dt.date,),
}


def field_nodes(model: type) -> dict[str, Node]:
    """Attribute name -> description, for each field of a model class."""
    node = describe(model)
    if not isinstance(node, StructNode):
        raise TypeError(f"{type_name(model)} is not a model")
    return {f.attr: f.node for f in node.fields}


def check_value(value: Any, node: Node, path: str) -> None:
    """Refuse a value a field of this description cannot send (`EncodeError` naming
    `path`): the wrong type, a float or non-finite amount, a bad nested value. None is
    accepted where the field is nullable."""
    if value is None:
        if node.nullable:
            return
        raise EncodeError(f"{path}: None is not allowed here")
    if isinstance(node, ScalarNode):
        if node.kind is Scalar.DECIMAL:
            check_money(value, path)
        elif node.kind is Scalar.INT and path.rpartition(".")[2].lower().endswith("number"):
            check_document_number(value, path)
        accepted = _SCALAR_TYPES.get(node.kind)
        bad_bool = isinstance(value, bool) and node.kind in (Scalar.INT, Scalar.DECIMAL)
        if accepted is not None and (bad_bool or not isinstance(value, accepted)):
            wanted = " or ".join(t.__name__ for t in accepted)
            raise EncodeError(f"{path}: expected {wanted}, got {type(value).__name__}")
    elif isinstance(node, StructNode):
        if not isinstance(value, node.cls):
            raise EncodeError(f"{path}: expected {node.cls.__name__}, got {type(value).__name__}")
        _explain(value, node, path)
    elif isinstance(node, ListNode):
        if not isinstance(value, list):
            raise EncodeError(f"{path}: expected a list, got {type(value).__name__}")
        for i, item in enumerate(value):
            check_value(item, node.item, f"{path}[{i}]")


def normalize(obj: Any, node: Node, path: str = "$") -> None:
    """Check money and turn plain `datetime`/`date` values into wire dates, in place.

    Users build models with ordinary datetimes; the wire types only differ in how they are
    written, so replacing them keeps every value equal. Runs a check function compiled
    once per type (only the fields that can need it, no strings built); a bad value is
    then located again by a slow walk, for an error that names its path.
    """
    if obj is None:
        return
    try:
        _fixer(node)(obj)
    except _Bad:
        _explain(obj, node, path)
        raise AssertionError("a bad value was seen but not found again") from None


class _Bad(Exception):
    """Internal: the compiled check met a value it cannot send."""


def _bad_money(value: Any) -> None:
    if isinstance(value, float) or (
        isinstance(value, (Decimal, int))
        and not isinstance(value, bool)
        and not fits_decimal(value)
    ):
        raise _Bad


def _bad_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and not fits_int32(value):
        raise _Bad


def _to_wire(value: Any) -> Any:
    if not isinstance(value, dt.date):
        raise _Bad
    return as_wire_date(value)


def _noop(obj: Any) -> None:
    return None


_FIXERS: dict[int, Callable[[Any], None]] = {}


def _fixer(node: Node) -> Callable[[Any], None]:
    """The compiled check of `node` (memoised; recursion-safe through a trampoline)."""
    fixer = _FIXERS.get(id(node))
    if fixer is None:
        key = id(node)
        _FIXERS[key] = lambda obj: _FIXERS[key](obj)
        fixer = _FIXERS[key] = _compile(node)
    return fixer


def _compile(node: Node) -> Callable[[Any], None]:
    if isinstance(node, ListNode):
        item = node.item
        if isinstance(item, StructNode) and _checked_fields(item):
            fix_item = _fixer(item)

            def fix_items(seq: Any) -> None:
                for value in seq:
                    if value is not None:
                        fix_item(value)

            return fix_items
        if isinstance(item, ScalarNode) and item.kind is Scalar.DECIMAL:

            def check_items(seq: Any) -> None:
                for value in seq:
                    if value.__class__ is not Decimal or not fits_decimal(value):
                        _bad_money(value)

            return check_items
        return _noop
    if not isinstance(node, StructNode) or not _checked_fields(node):
        return _noop
    namespace: dict[str, Any] = {
        "Decimal": Decimal,
        "WireDate": WireDate,
        "bad_money": _bad_money,
        "bad_number": _bad_number,
        "fits": fits_decimal,
        "to_wire": _to_wire,
        "low": -(2**31),
        "high": 2**31 - 1,
    }
    lines = ["def fix(obj):"]
    for i, (attr, _wire, kind, sub) in enumerate(_checked_fields(node)):
        lines.append(f"    v = obj.{attr}")
        if kind is Scalar.DECIMAL:
            lines.append("    if v is not None:")
            lines.append("        if v.__class__ is not Decimal or not fits(v):")
            lines.append("            bad_money(v)")
        elif kind is Scalar.INT:
            lines.append(
                "    if v is not None and (v.__class__ is not int or not low <= v <= high):"
            )
            lines.append("        bad_number(v)")
        elif kind is not None:
            lines.append("    if v is not None and not isinstance(v, WireDate):")
            lines.append(f"        obj.{attr} = to_wire(v)")
        else:
            namespace[f"sub{i}"] = _fixer(sub)
            lines.append("    if v is not None:")
            lines.append(f"        sub{i}(v)")
    exec("\n".join(lines), namespace)  # attribute names come from the model classes
    fix: Callable[[Any], None] = namespace["fix"]
    return fix


def _explain(obj: Any, node: Node, path: str) -> None:
    """Walk `obj` slowly, keeping the path, and raise `EncodeError` at the bad value."""
    if obj is None:
        return
    if isinstance(node, StructNode):
        for attr, wire, kind, sub in _checked_fields(node):
            value = getattr(obj, attr)
            if value is None:
                continue
            if kind is Scalar.DECIMAL:
                check_money(value, f"{path}.{wire}")
            elif kind is Scalar.INT:
                check_document_number(value, f"{path}.{wire}")
            elif kind is not None:
                if not isinstance(value, dt.date):
                    raise EncodeError(f"{path}.{wire}: expected a date, got {value!r}")
            else:
                _explain(value, sub, f"{path}.{wire}")
    elif isinstance(node, ListNode):
        for i, value in enumerate(obj):
            if isinstance(node.item, ScalarNode) and node.item.kind is Scalar.DECIMAL:
                check_money(value, f"{path}[{i}]")
            else:
                _explain(value, node.item, f"{path}[{i}]")


_Checked = tuple[tuple[str, str, "Scalar | None", Node], ...]
_CHECKED_FIELDS: dict[int, _Checked] = {}
_NEEDS: dict[int, bool] = {}
_CHECKED_KINDS = (Scalar.DECIMAL, Scalar.DATETIME, Scalar.DATE)


def _checked_fields(node: StructNode) -> _Checked:
    """The fields of `node` that `normalize` must look at: money, dates, document numbers,
    and containers holding them (with kind None). Computed once per struct."""
    found = _CHECKED_FIELDS.get(id(node))
    if found is None:
        found = tuple(
            (f.attr, f.wire, f.node.kind if isinstance(f.node, ScalarNode) else None, f.node)
            for f in node.fields
            if _field_needs(f.wire, f.node)
        )
        _CHECKED_FIELDS[id(node)] = found
    return found


def _field_needs(wire: str, node: Node) -> bool:
    """Whether a field needs `normalize`: by its type, or as a document number."""
    if isinstance(node, ScalarNode) and node.kind is Scalar.INT:
        return is_document_number(wire)
    return _needs(node)


def _needs(node: Node) -> bool:
    """Whether anything at or below `node` needs `normalize` (recursion-safe, cached)."""
    key = id(node)
    known = _NEEDS.get(key)
    if known is not None:
        return known
    _NEEDS[key] = False  # provisional, for recursive types
    if isinstance(node, ScalarNode):
        result = node.kind in _CHECKED_KINDS
    elif isinstance(node, ListNode):
        result = _needs(node.item)
    elif isinstance(node, StructNode):
        result = any(_field_needs(f.wire, f.node) for f in node.fields)
    else:
        result = False
    _NEEDS[key] = result
    return result
