"""A small description of a model type, compiled once per type from `msgspec.inspect`.

Both codecs drive their work from it, so "is this a list, a Decimal, a date" is read from
the type, never guessed from the text.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import msgspec
from msgspec import inspect as mi

from ..models._base import Code, WireDate, WireDateTime

__all__ = ["Field", "ListNode", "Node", "Scalar", "ScalarNode", "StructNode", "describe"]


class Scalar(enum.Enum):
    """Kinds of leaf value."""

    STR = "str"
    CODE = "code"
    INT = "int"
    BOOL = "bool"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    DATE = "date"
    ENUM = "enum"
    ANY = "any"


class Node:
    """Base of the description nodes."""

    __slots__ = ("nullable",)

    def __init__(self) -> None:
        self.nullable = False


class ScalarNode(Node):
    """A leaf value of one `Scalar` kind."""

    __slots__ = ("kind",)

    def __init__(self, kind: Scalar) -> None:
        super().__init__()
        self.kind = kind


class ListNode(Node):
    """A list of `item`."""

    __slots__ = ("item",)

    def __init__(self, item: Node) -> None:
        super().__init__()
        self.item = item


class Field:
    """One field of a struct: attribute name, wire name, description and default."""

    __slots__ = ("attr", "default", "node", "required", "wire")

    def __init__(self, attr: str, wire: str, node: Node, required: bool, default: Any) -> None:
        self.attr = attr
        self.wire = wire
        self.node = node
        self.required = required
        self.default = default


class StructNode(Node):
    """A msgspec Struct: its class and fields (``fields`` is filled after creation, so that
    a recursive type can refer to itself)."""

    __slots__ = ("cls", "fields")

    def __init__(self, cls: type) -> None:
        super().__init__()
        self.cls = cls
        self.fields: tuple[Field, ...] = ()

    @property
    def xml_name(self) -> str:
        """Element name of an instance (the class name, as a .NET server names its types)."""
        return str(getattr(self.cls, "__xml_name__", self.cls.__name__))


_SCALARS: dict[type, Scalar] = {
    mi.StrType: Scalar.STR,
    mi.IntType: Scalar.INT,
    mi.BoolType: Scalar.BOOL,
    mi.DecimalType: Scalar.DECIMAL,
    mi.FloatType: Scalar.DECIMAL,
    mi.DateTimeType: Scalar.DATETIME,
    mi.DateType: Scalar.DATE,
    mi.AnyType: Scalar.ANY,
}

_CUSTOM: dict[Any, Scalar] = {
    WireDateTime: Scalar.DATETIME,
    WireDate: Scalar.DATE,
    Code: Scalar.CODE,
    Decimal: Scalar.DECIMAL,
    dt.datetime: Scalar.DATETIME,
    dt.date: Scalar.DATE,
}


_DESCRIBED: dict[Any, Node] = {}


def describe(type_: Any) -> Node:
    """The description of `type_` (a model, ``Page[Model]``, ``list[...]``, a scalar),
    computed once per type."""
    node = _DESCRIBED.get(type_)
    if node is None:
        node = _DESCRIBED[type_] = _convert(mi.type_info(type_), {})
    return node


def _convert(info: mi.Type, seen: dict[type, StructNode]) -> Node:
    if isinstance(info, mi.UnionType):
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        if len(members) == 1:
            node = _convert(members[0], seen)
        elif all(type(t) in _SCALARS for t in members):
            # a member the sources send in more than one scalar form (``1`` or ``"Active"``)
            node = ScalarNode(Scalar.ANY)
        else:
            raise TypeError(f"unsupported union {info!r}: only X | None and scalars are modelled")
        node.nullable = len(members) != len(info.types)
        return node
    if isinstance(info, mi.StructType):
        existing = seen.get(info.cls)
        if existing is not None:
            return existing
        struct = StructNode(info.cls)
        seen[info.cls] = struct
        struct.fields = tuple(
            Field(
                f.name,
                f.encode_name,
                _convert(f.type, seen),
                f.required,
                f.default if f.default is not msgspec.NODEFAULT else None,
            )
            for f in info.fields
        )
        return struct
    if isinstance(info, (mi.ListType, mi.TupleType, mi.VarTupleType, mi.SetType)):
        item = info.item_type if not isinstance(info, mi.TupleType) else mi.AnyType()
        return ListNode(_convert(item, seen))
    if isinstance(info, mi.EnumType):
        return ScalarNode(Scalar.ENUM)
    if isinstance(info, mi.CustomType):
        kind = _CUSTOM.get(info.cls)
        if kind is None:
            raise TypeError(f"no wire form for custom type {info.cls!r}")
        return ScalarNode(kind)
    kind = _SCALARS.get(type(info))
    if kind is None:
        raise TypeError(f"no wire form for {info!r}")
    return ScalarNode(kind)
