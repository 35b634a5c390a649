"""Model strategies for hypothesis, derived from the models' own type descriptions, and a
canonical form that compares decoded models digit for digit."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import msgspec
from hypothesis import strategies as st

from kashflow_async.codecs._schema import ListNode, Node, Scalar, ScalarNode, StructNode, describe

#: text the XML 1.0 wire can carry (no surrogates, no C0 controls but tab/newline/CR),
#: mixing ASCII, the pound sign, Arabic and other scripts
XML_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
        st.sampled_from(list("\t\n\r £€&<>\"'هذا هو نص اختبار")),
    ),
    max_size=30,
)

#: exact decimals with 0 to 8 places, of every size, signed
DECIMALS = st.builds(
    lambda digits, places: Decimal(digits).scaleb(-places),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.integers(min_value=0, max_value=8),
)

OFFSETS = st.one_of(
    st.none(),
    st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m))
    ),
)

DATETIMES = st.builds(
    lambda d, tz: d.replace(tzinfo=tz),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    OFFSETS,
)

DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1))


def _scalar(node: ScalarNode, enum_cls: type[enum.Enum] | None) -> st.SearchStrategy[Any]:
    kind = node.kind
    if kind is Scalar.STR or kind is Scalar.CODE:
        return XML_TEXT
    if kind is Scalar.INT:
        return st.integers(min_value=-(2**31), max_value=2**31 - 1)  # a .NET int
    if kind is Scalar.BOOL:
        return st.booleans()
    if kind is Scalar.DECIMAL:
        return DECIMALS
    if kind is Scalar.DATETIME:
        return DATETIMES
    if kind is Scalar.DATE:
        return st.one_of(DATES, DATETIMES)
    if kind is Scalar.ENUM and enum_cls is not None:
        return st.sampled_from(list(enum_cls))
    raise TypeError(f"no strategy for {kind}")


def _enum_of(cls: type, attr: str) -> type[enum.Enum] | None:
    hint = msgspec.inspect.type_info(cls)
    assert isinstance(hint, msgspec.inspect.StructType)
    for f in hint.fields:
        if f.name == attr:
            t = f.type
            members = t.types if isinstance(t, msgspec.inspect.UnionType) else (t,)
            for m in members:
                if isinstance(m, msgspec.inspect.EnumType):
                    return m.cls
    return None


def strategy_for(node: Node, depth: int = 0) -> st.SearchStrategy[Any]:
    """Random values of a described type; every nullable field is sometimes None."""
    if isinstance(node, StructNode):
        fields: dict[str, st.SearchStrategy[Any]] = {}
        required: dict[str, st.SearchStrategy[Any]] = {}
        for f in node.fields:
            if isinstance(f.node, ScalarNode):
                value = _scalar(f.node, _enum_of(node.cls, f.attr))
            else:
                value = strategy_for(f.node, depth + 1)
            if f.node.nullable:
                value = st.one_of(st.none(), value)
            (required if f.required else fields)[f.attr] = value
        return st.fixed_dictionaries(required, optional=fields).map(lambda kw: node.cls(**kw))
    if isinstance(node, ListNode):
        # empty, one item, or several
        return st.lists(strategy_for(node.item, depth + 1), min_size=0, max_size=3)
    assert isinstance(node, ScalarNode)
    return _scalar(node, None)


def models(type_: Any) -> st.SearchStrategy[Any]:
    """Random instances of a model type (``Invoice``, ``Page[Quote]``, ``list[Credit]``)."""
    return strategy_for(describe(type_))


def canonical(obj: Any) -> Any:
    """A plain structure that tells apart what ``==`` does not: ``Decimal('1.0')`` from
    ``Decimal('1.00')``, a date from a datetime, naive from aware, the offset."""
    if isinstance(obj, msgspec.Struct):
        return {
            "__type__": type(obj).__name__,
            **{f: canonical(getattr(obj, f)) for f in obj.__struct_fields__},
        }
    if isinstance(obj, (list, tuple)):
        return [canonical(v) for v in obj]
    if isinstance(obj, dt.datetime):
        return f"datetime:{obj.isoformat()}"
    if isinstance(obj, dt.date):
        return f"date:{obj.isoformat()}"
    if isinstance(obj, Decimal):
        return f"decimal:{obj}"
    if isinstance(obj, enum.Enum):
        return f"enum:{obj.value}"
    if isinstance(obj, bool):
        return f"bool:{obj}"
    if isinstance(obj, str):
        return f"str:{obj}"
    return obj
