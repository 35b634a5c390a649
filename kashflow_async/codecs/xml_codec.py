"""The XML wire format (lxml), DataContract style.

Decoding reads the element tree into plain lists and dicts, driven by the model's
description (compiled once per type), then lets msgspec build and check the model, so both
codecs share one set of conversion rules. Namespaces, root and item element names and
element order never matter; unknown elements are skipped. Encoding writes the fields of
each object in ordinal order of their element names, which is the order the server's
deserializer requires.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import itertools
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import msgspec
from lxml import etree

from ..errors import DecodeError, EncodeError
from ..models._base import decode_hook, format_date
from ._schema import ListNode, Node, Scalar, ScalarNode, StructNode
from .answers import (
    html_document,
    json_document,
    xml_object_instead_of_list,
    xml_unrelated_object,
)
from .base import (
    check_document_number,
    check_money,
    describe_value,
    field_path,
    snippet,
    type_name,
)
from .lossless import (
    Items,
    RawAccess,
    Shape,
    Unkept,
    collect,
    match,
    remember,
    shape_of,
    unkept,
)
from .shapes import OneOf

__all__ = ["XMLCodec", "hardened_parser"]

T = TypeVar("T")

XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: default namespace written on the root of an object (DataContract's for the API models)
MODELS_NS = "http://schemas.datacontract.org/2004/07/KashFlow.Api.Models"
#: namespace of a bare array of primitives (``<ArrayOfint>``)
ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"

_NIL = f"{{{XSI}}}nil"
_MAX_UNKNOWN_DEPTH = 32
_too_deep = etree.XPath("boolean(" + "/".join(["*"] * _MAX_UNKNOWN_DEPTH) + ")")


def hardened_parser() -> etree.XMLParser:
    """A new lxml parser with the codec's settings: no entities, DTDs or network, no huge
    trees; comments and processing instructions dropped. (lxml parsers are not
    thread-safe: one per thread.)"""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


class _Invalid(Exception):
    """A structural problem found while reading the tree (becomes a DecodeError)."""

    def __init__(self, reason: str, element: Any) -> None:
        super().__init__(reason)
        self.element = element


# --------------------------------------------------------------------------- decoding


class _Reader:
    """Reads one element into plain Python values for `msgspec.convert`."""

    __slots__ = ()

    def empty(self) -> Any:
        """Value of an empty element that is not ``i:nil``."""
        raise NotImplementedError

    def text(self, text: str, element: Any) -> Any:
        """Value of an element holding only text."""
        raise NotImplementedError

    def read(self, element: Any) -> Any:
        """Value of an element that has child elements."""
        raise NotImplementedError

    def value(self, element: Any) -> Any:
        """Dispatch on the element's shape (nil, empty, text, children)."""
        if len(element):
            return self.read(element)
        text = element.text
        if text is None:
            return None if element.get(_NIL) == "true" else self.empty()
        return self.text(text, element)


class _ScalarReader(_Reader):
    __slots__ = ("is_text",)

    def __init__(self, is_text: bool) -> None:
        self.is_text = is_text

    def empty(self) -> Any:
        return "" if self.is_text else None

    def text(self, text: str, element: Any) -> Any:
        return text

    def read(self, element: Any) -> Any:
        raise _Invalid("expected a value, found child elements", element)


class _ContainerReader(_Reader):
    __slots__ = ()

    def text(self, text: str, element: Any) -> Any:
        if text.strip():
            raise _Invalid(f"expected child elements, found text {text.strip()[:30]!r}", element)
        return self.empty()


class _ListReader(_ContainerReader):
    __slots__ = ("item",)

    def __init__(self) -> None:
        self.item: _Reader = _ScalarReader(False)

    def empty(self) -> Any:
        return []

    def read(self, element: Any) -> Any:
        value = self.item.value
        # every child is an element: the parser drops comments and processing instructions
        return [value(child) for child in element]


class _StructReader(_ContainerReader):
    __slots__ = ("by_tag", "fields")

    def __init__(self) -> None:
        self.fields: dict[str, _Reader] = {}
        # full tag (with namespace) -> (wire name, reader, is a scalar); known fields only
        self.by_tag: dict[str, tuple[str, _Reader, bool]] = {}

    def empty(self) -> Any:
        return {}

    def read(self, element: Any) -> Any:
        out: dict[str, Any] = {}
        by_tag = self.by_tag
        for child in element:
            known = by_tag.get(child.tag)
            if known is None:
                known = self._learn(child.tag, child)
                if known is None:
                    continue
            if known[2]:
                # the common case, inlined: a leaf holding text
                text = child.text
                if text is not None and not len(child):
                    out[known[0]] = text
                    continue
            out[known[0]] = known[1].value(child)
        return out

    def _learn(self, tag: Any, child: Any) -> tuple[str, _Reader, bool] | None:
        """Resolve an element name seen for the first time (None: skip the element)."""
        if not isinstance(tag, str):
            return None
        local = tag.rpartition("}")[2]
        reader = self.fields.get(local)
        if reader is None:
            if len(child) and _too_deep(child):
                raise _Invalid("elements nested too deeply", child)
            return None
        known = (local, reader, isinstance(reader, _ScalarReader))
        self.by_tag[tag] = known
        return known


def _element_path(reader: _Reader, root: Any, element: Any) -> str:
    """The field path (``$.LineItems[1].Rate``) of `element`, read from `root` by `reader`."""
    chain = [element, *element.iterancestors()]
    chain.reverse()
    path = "$"
    for parent, child in itertools.pairwise(chain):
        if isinstance(reader, _ListReader):
            items = [c for c in parent if isinstance(c.tag, str)]
            path += f"[{items.index(child)}]"
            reader = reader.item
        else:
            local = child.tag.rpartition("}")[2] if isinstance(child.tag, str) else "?"
            path += "." + local
            if not isinstance(reader, _StructReader) or local not in reader.fields:
                break
            reader = reader.fields[local]
    return path


def _reader_for(node: Node, memo: dict[int, _Reader]) -> _Reader:
    existing = memo.get(id(node))
    if existing is not None:
        return existing
    if isinstance(node, StructNode):
        struct = _StructReader()
        memo[id(node)] = struct
        struct.fields = {f.wire: _reader_for(f.node, memo) for f in node.fields}
        return struct
    if isinstance(node, ListNode):
        lst = _ListReader()
        memo[id(node)] = lst
        lst.item = _reader_for(node.item, memo)
        return lst
    assert isinstance(node, ScalarNode)
    return _ScalarReader(node.kind in (Scalar.STR, Scalar.CODE, Scalar.ANY))


# --------------------------------------------------------------------------- encoding

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


def _write(out: list[str], value: Any, node: Node, name: str, path: str) -> None:
    if isinstance(node, ScalarNode):
        if node.kind is Scalar.ANY and isinstance(value, msgspec.Struct):
            _write(out, value, describe_value(value), name, path)
            return
        out.append(f"<{name}>{_FORMATTERS[node.kind](value, path)}</{name}>")
    elif isinstance(node, StructNode):
        out.append(f"<{name}>")
        for attr, wire, sub in _plan(node):
            v = getattr(value, attr)
            if v is not None:
                _write(out, v, sub, wire, f"{path}.{wire}")
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
                _write(out, v, item, item_name, f"{path}[{i}]")
        out.append(f"</{name}>")


def _write_merged(
    out: list[str], value: Any, node: StructNode, name: str, path: str, kept: Unkept
) -> None:
    """`_write` of an object merged with what its original did not keep: every member,
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
            _write_merged(buf, v, sub, wire, where, inner)
        elif isinstance(inner, Items) and isinstance(v, list):
            assert isinstance(sub, ListNode)
            _write_items(buf, v, sub, wire, where, inner)
        else:
            _write(buf, v, sub, wire, where)
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
            _write(out, v, item, item_name, f"{path}[{i}]")
        else:
            _write_merged(out, v, item, item_name, f"{path}[{i}]", kept)
    out.append(f"</{name}>")


def _elements(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


def _local(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def _access(namespace: str) -> RawAccess:
    """How an element tree is read for `lossless`; undeclared elements are kept as text,
    declaring only the namespaces a document in `namespace` does not declare already."""
    template = etree.fromstring(f'<w xmlns:i="{XSI}" xmlns="{namespace}"/>')

    def keep(element: Any) -> str:
        wrapper = copy.copy(template)
        wrapper.append(copy.copy(element))
        wrapper[0].tail = None
        text: str = etree.tostring(wrapper, encoding="unicode")
        return text[text.index(">") + 1 : -len("</w>")]

    return RawAccess(
        members=lambda el: [(_local(c), c) for c in _elements(el)],
        is_null=lambda el: el.get(_NIL) == "true",
        items=_elements,
        keep=keep,
    )


def _untyped(name: str, value: Any) -> list[str]:
    """The elements of a JSON-like value named `name` (a list repeats the element)."""
    if value is None:
        return [f'<{name} i:nil="true"/>']
    if isinstance(value, list):
        return [part for item in value for part in _untyped(name, item)]
    if isinstance(value, dict):
        inner = [part for key in sorted(value) for part in _untyped(key, value[key])]
        return [f"<{name}>", *inner, f"</{name}>"]
    return [f"<{name}>{_fmt_any(value, name)}</{name}>"]


def _plain(element: Any) -> Any:
    """The JSON-like value of an element (see `XMLCodec.plain`)."""
    children = _elements(element)
    if not children:
        return None if element.get(_NIL) == "true" else (element.text or "")
    out: dict[str, Any] = {}
    for child in children:
        name, value = _local(child), _plain(child)
        if name not in out:
            out[name] = value
        elif isinstance(out[name], list):
            out[name].append(value)
        else:
            out[name] = [out[name], value]
    return out


def _root_name(obj: Any, node: Node) -> str:
    if isinstance(node, ListNode):
        return "ArrayOf" + _item_name(node.item)
    if isinstance(node, StructNode):
        if getattr(node.cls, "__xml_name__", None) is None and node.cls.__name__ == "Page":
            data = getattr(obj, "data", None)
            return "PaginatedResultOf" + (type(data[0]).__name__ if data else "anyType")
        return node.xml_name
    return _item_name(node)


_DEFAULT_NS = re.compile(rb' xmlns="[^"<>]*"')


def _without_default_namespace(data: bytes) -> bytes:
    """`data` without the default namespace declaration of its root element, if it has one
    (lines and element order unchanged; other declarations and prefixes untouched)."""
    start = data.find(b"<")
    while data[start + 1 : start + 2] == b"?":  # the XML declaration, a processing instruction
        end = data.find(b"?>", start)
        if end < 0:
            return data
        start = data.find(b"<", end)
    end = data.find(b">", start)
    if start < 0 or end < 0:
        return data
    found = _DEFAULT_NS.search(data, start, end)
    if found is None:
        return data
    return data[: found.start()] + data[found.end() :]


# --------------------------------------------------------------------------- codec


class XMLCodec:
    """DataContract-style XML with lxml; hardened parsing (no DTD, no entities, no
    network, bounded size and depth)."""

    name = "xml"
    media_type = "application/xml"

    def __init__(self, *, max_bytes: int = 64 * 1024 * 1024, namespace: str = MODELS_NS) -> None:
        self.max_bytes = max_bytes
        self.namespace = namespace
        self._readers: dict[Any, tuple[_Reader, Node]] = {}
        self._local = threading.local()
        self._access = _access(namespace)

    # decoding

    def _parser(self) -> etree.XMLParser:
        parser: etree.XMLParser | None = getattr(self._local, "parser", None)
        if parser is None:
            parser = self._local.parser = hardened_parser()
        return parser

    def _reader(self, type_: Any) -> tuple[_Reader, Node]:
        entry = self._readers.get(type_)
        if entry is None:
            node = describe_value(None, type_)
            entry = (_reader_for(node, {}), node)
            self._readers[type_] = entry
        return entry

    def _parse(self, data: bytes, fail: Callable[..., DecodeError], *, local: bool = False) -> Any:
        """The root element of `data`, parsed with the hardened parser. `local`: only local
        names will be read, so the root's default namespace may be dropped first (lxml
        makes a plain name faster than a qualified one)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise fail(f"expected bytes, got {type(data).__name__}")
        if len(data) > self.max_bytes:
            raise fail(f"document of {len(data)} bytes exceeds the {self.max_bytes}-byte limit")
        data = bytes(data)
        # a search for one byte is a memchr; the longer ones run only when it finds one
        if b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
            raise fail("document type declarations and entities are not allowed")
        source = _without_default_namespace(data) if local else data
        try:
            root = etree.fromstring(source, self._parser())
        except etree.XMLSyntaxError as exc:
            if source is not data:  # report positions in the document as received
                return self._parse(data, fail)
            line, col = exc.position if exc.position else (0, 0)
            raise fail(str(exc.msg), path=f"line {line}, column {col}") from None
        except (ValueError, etree.LxmlError) as exc:
            raise fail(str(exc)) from None
        if root is None:
            raise fail("empty document")
        docinfo: Any = root.getroottree().docinfo
        if docinfo.doctype:
            raise fail("document type declarations are not allowed")
        return root

    def decode(self, data: bytes, type_: type[T]) -> T:
        """Decode XML `data` as `type_`, or raise `DecodeError`. A decoded top-level
        object remembers `data` (see `lossless`). `type_` may also be a `shapes.OneOf`."""
        shapes: Any = type_
        if shapes.__class__ is OneOf:
            return shapes.decode(self, data)  # type: ignore[no-any-return]
        name = type_name(type_)

        def fail(reason: str, path: str | None = None, pos: int | None = None) -> DecodeError:
            page = html_document(data) or json_document(data)
            if page is not None:
                reason, path = f"expected {name}, but {page} came instead", "$"
            return DecodeError(
                reason, type_name=name, path=path, snippet=snippet(data, pos), wire_format="XML"
            )

        root = self._parse(data, fail, local=True)
        reader, node = self._reader(type_)
        if isinstance(node, ListNode):
            self._refuse_object(root, node, fail)
        try:
            tree = reader.value(root)
        except _Invalid as exc:
            where = _element_path(reader, root, exc.element)
            raise fail(f"{exc} (line {exc.element.sourceline})", path=where) from None
        if not tree and isinstance(node, StructNode) and len(root):
            came = xml_unrelated_object(root, name)
            raise fail(f"expected {name}, but {came} came instead", path="$")
        try:
            result = msgspec.convert(tree, type_, strict=False, dec_hook=decode_hook)
        except msgspec.ValidationError as exc:
            text = str(exc)
            reason, _, at = text.partition(" - at `")
            raise fail(reason, path=field_path(reason, at.rstrip("`") or "$")) from None
        return remember(result, self, data)  # type: ignore[no-any-return]

    @staticmethod
    def _refuse_object(root: Any, node: ListNode, fail: Callable[..., DecodeError]) -> None:
        """Raise if `root`, due as a list, holds an object (or an HTML page)."""
        item = node.item
        fields = frozenset(f.wire for f in item.fields) if isinstance(item, StructNode) else None
        came = xml_object_instead_of_list(root, fields)
        if came is not None:
            raise fail(f"expected a list, but {came} came instead", path="$")

    def member(self, name: str, value: Any) -> str:
        """An undeclared member as `Unkept` holds it (element text), from a JSON-like value:
        an object's members in ordinal order, a list as repeated elements, None as nil."""
        return "".join(_untyped(name, value))

    def plain(self, kept: str) -> Any:
        """The JSON-like value of an undeclared member `Unkept` holds (`member` reversed,
        as far as XML tells): text, None for nil, an object for children (a repeated name
        gives a list)."""
        wrapped = f'<w xmlns:i="{XSI}" xmlns="{self.namespace}">{kept}</w>'
        root = self._parse(wrapped.encode(), lambda reason, **_: DecodeError(reason))
        values = [_plain(element) for element in _elements(root)]
        return values[0] if len(values) == 1 else values

    def unkept(
        self, data: bytes, type_: type, typed: Any = None, shape: Shape | None = None
    ) -> Unkept | None:
        """What a `type_` decoded from `data` does not keep (see `lossless`): `shape` is
        its nested objects as decoded, else read off `typed` (that decoded object, still
        as decoded), else off `data` decoded again."""
        node = describe_value(None, type_)
        assert isinstance(node, StructNode)
        root = self._parse(data, lambda reason, **_: DecodeError(reason, wire_format="XML"))
        if shape is None:
            if typed is None:
                typed = self.decode(data, type_)
            shape = shape_of(node, typed)
        return collect(node, shape, root, self._access)

    def plain_document(self, data: bytes) -> Any:
        """The whole body as JSON-like values (as `plain` reads an element)."""
        return _plain(self._parse(data, lambda reason, **_: DecodeError(reason)))

    def member_names(self, data: bytes) -> list[str]:
        """The local names of the root element's children in `data`."""
        root = self._parse(data, lambda reason, **_: DecodeError(reason, wire_format="XML"))
        return [_local(child) for child in _elements(root)]

    # encoding

    def encode(self, obj: Any) -> bytes:
        """The XML bytes of `obj` (a model, a list of models or of ints)."""
        node = describe_value(obj)
        if isinstance(node, ScalarNode):
            raise EncodeError(f"cannot encode a bare {type(obj).__name__} as an XML document")
        root = _root_name(obj, node)
        ns = (
            ARRAYS_NS
            if isinstance(node, ListNode) and isinstance(node.item, ScalarNode)
            else (self.namespace)
        )
        out: list[str] = []
        kept = unkept(obj, self)
        try:
            if kept is None:
                _write(out, obj, node, root, "$")
            else:
                assert isinstance(node, StructNode)
                _write_merged(out, obj, node, root, "$", kept)
        except EncodeError:
            raise
        except (TypeError, ValueError, AttributeError) as exc:
            raise EncodeError(f"cannot encode {type(obj).__name__} as XML: {exc}") from exc
        first = out[0]
        if first.endswith("/>"):
            out[0] = f'<{root} xmlns:i="{XSI}" xmlns="{ns}"/>'
        else:
            out[0] = f'<{root} xmlns:i="{XSI}" xmlns="{ns}">'
        return ('<?xml version="1.0" encoding="utf-8"?>' + "".join(out)).encode("utf-8")
