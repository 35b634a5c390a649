"""Writing XML, DataContract style: each object's fields in ordinal order of their element
names (the order the server's deserializer requires), merged with what a decoded object
did not keep (`lossless`)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec

from ..errors import EncodeError
from ..models._base import format_date
from ._schema import ListNode, Node, Scalar, ScalarNode, StructNode
from .base import (
    check_document_number,
    check_money,
    describe_value,
)
from .lossless import (
    Items,
    Unkept,
    match,
)

__all__ = ["root_name", "untyped_elements", "write", "write_merged"]

_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_PRIMITIVE_NAMES = {
    Scalar.INT: "int",
    Scalar.STR: "string",
    Scalar.CODE: "string",
    Scalar.DECIMAL: "decimal",
    Scalar.BOOL: "boolean",
    Scalar.DATETIME: "dateTime",
    Scalar.DATE: "dateTime",
    Scalar.ENUM: "string",
    Scalar.ANY: "anyType",
}


def _text(value: str, path: str) -> str:
    if _BAD_CHARS.search(value):
        raise EncodeError(f"{path}: {value!r} holds a character XML 1.0 cannot carry")
    return value.translate(_ESCAPES)


def _fmt_str(value: Any, path: str) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if not isinstance(value, str):
        raise EncodeError(f"{path}: expected a string, got {type(value).__name__}")
    return _text(value, path)


def _fmt_int(value: Any, path: str) -> str:
    if type(value) is not int and not (isinstance(value, int) and not isinstance(value, bool)):
        raise EncodeError(f"{path}: expected an int, got {type(value).__name__}")
    if path.endswith("Number"):
        check_document_number(value, path)
    return str(int(value))


def _fmt_bool(value: Any, path: str) -> str:
    if not isinstance(value, bool):
        raise EncodeError(f"{path}: expected a bool, got {type(value).__name__}")
    return "true" if value else "false"


def _fmt_decimal(value: Any, path: str) -> str:
    check_money(value, path)
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise EncodeError(f"{path}: expected a Decimal, got {type(value).__name__}")
    return format(value, "f")


def _fmt_date(value: Any, path: str) -> str:
    if not isinstance(value, dt.date):
        raise EncodeError(f"{path}: expected a date, got {type(value).__name__}")
    return format_date(value)


def _fmt_any(value: Any, path: str) -> str:
    if isinstance(value, bool):
        return _fmt_bool(value, path)
    if isinstance(value, int):
        return _fmt_int(value, path)
    if isinstance(value, (Decimal, float)):
        return _fmt_decimal(value, path)
    if isinstance(value, dt.date):
        return _fmt_date(value, path)
    return _fmt_str(value, path)


_FORMATTERS: dict[Scalar, Callable[[Any, str], str]] = {
    Scalar.STR: _fmt_str,
    Scalar.CODE: _fmt_str,
    Scalar.ENUM: _fmt_str,
    Scalar.INT: _fmt_int,
    Scalar.BOOL: _fmt_bool,
    Scalar.DECIMAL: _fmt_decimal,
    Scalar.DATETIME: _fmt_date,
    Scalar.DATE: _fmt_date,
    Scalar.ANY: _fmt_any,
}

_Plan = tuple[tuple[str, str, Node], ...]
_PLANS: dict[int, _Plan] = {}


def _plan(node: StructNode) -> _Plan:
    """(attribute, element name, node) of each field, in DataContract (ordinal) order."""
    plan = _PLANS.get(id(node))
    if plan is None:
        plan = tuple((f.attr, f.wire, f.node) for f in sorted(node.fields, key=lambda f: f.wire))
        _PLANS[id(node)] = plan
    return plan


def _item_name(node: Node) -> str:
    if isinstance(node, StructNode):
        return node.xml_name
    if isinstance(node, ScalarNode):
        return _PRIMITIVE_NAMES[node.kind]
    return "ArrayOfanyType"


def write(out: list[str], value: Any, node: Node, name: str, path: str) -> None:
    if isinstance(node, ScalarNode):
        if node.kind is Scalar.ANY and isinstance(value, msgspec.Struct):
            write(out, value, describe_value(value), name, path)
            return
        out.append(f"<{name}>{_FORMATTERS[node.kind](value, path)}</{name}>")
    elif isinstance(node, StructNode):
        out.append(f"<{name}>")
        for attr, wire, sub in _plan(node):
            v = getattr(value, attr)
            if v is not None:
                write(out, v, sub, wire, f"{path}.{wire}")
        out.append(f"</{name}>")
    else:
        assert isinstance(node, ListNode)
        if not value:
            out.append(f"<{name}/>")
            return
        item = node.item
        item_name = _item_name(item)
        out.append(f"<{name}>")
        for i, v in enumerate(value):
            if v is None:
                out.append(f'<{item_name} i:nil="true"/>')
            else:
                write(out, v, item, item_name, f"{path}[{i}]")
        out.append(f"</{name}>")


def write_merged(
    out: list[str], value: Any, node: StructNode, name: str, path: str, kept: Unkept
) -> None:
    """`write` of an object merged with what its original did not keep: every member,
    declared or not, in ordinal order."""
    parts: list[tuple[str, str]] = list(kept.extra.items())
    for attr, wire, sub in _plan(node):
        v = getattr(value, attr)
        if v is None:
            if wire in kept.nulls:
                parts.append((wire, f'<{wire} i:nil="true"/>'))
            continue
        buf: list[str] = []
        inner = kept.nested.get(wire)
        where = f"{path}.{wire}"
        if (
            isinstance(inner, Unkept)
            and isinstance(sub, StructNode)
            and isinstance(v, sub.cls)
            and inner.belongs_to(v)
        ):
            write_merged(buf, v, sub, wire, where, inner)
        elif isinstance(inner, Items) and isinstance(v, list):
            assert isinstance(sub, ListNode)
            _write_items(buf, v, sub, wire, where, inner)
        else:
            write(buf, v, sub, wire, where)
        parts.append((wire, "".join(buf)))
    parts.sort(key=_ordinal)
    out.append(f"<{name}>")
    out.extend(text for _, text in parts)
    out.append(f"</{name}>")


def _ordinal(part: tuple[str, str]) -> str:
    return part[0]


def _write_items(
    out: list[str], value: list[Any], node: ListNode, name: str, path: str, items: Items
) -> None:
    """A list whose items merge with the originals they are matched to."""
    item = node.item
    assert isinstance(item, StructNode)
    if not value:
        out.append(f"<{name}/>")
        return
    item_name = _item_name(item)
    out.append(f"<{name}>")
    for i, (v, kept) in enumerate(zip(value, match(value, items), strict=True)):
        if v is None:
            out.append(f'<{item_name} i:nil="true"/>')
        elif kept is None or not isinstance(v, item.cls):
            write(out, v, item, item_name, f"{path}[{i}]")
        else:
            write_merged(out, v, item, item_name, f"{path}[{i}]", kept)
    out.append(f"</{name}>")


def untyped_elements(name: str, value: Any) -> list[str]:
    """The elements of a JSON-like value named `name` (a list repeats the element)."""
    if value is None:
        return [f'<{name} i:nil="true"/>']
    if isinstance(value, list):
        return [part for item in value for part in untyped_elements(name, item)]
    if isinstance(value, dict):
        inner = [part for key in sorted(value) for part in untyped_elements(key, value[key])]
        return [f"<{name}>", *inner, f"</{name}>"]
    return [f"<{name}>{_fmt_any(value, name)}</{name}>"]


def root_name(obj: Any, node: Node) -> str:
    if isinstance(node, ListNode):
        return "ArrayOf" + _item_name(node.item)
    if isinstance(node, StructNode):
        if getattr(node.cls, "__xml_name__", None) is None and node.cls.__name__ == "Page":
            data = getattr(obj, "data", None)
            return "PaginatedResultOf" + (type(data[0]).__name__ if data else "anyType")
        return node.xml_name
    return _item_name(node)
