"""Reading XML: the hardened parser, and the element tree read into plain lists and
dicts driven by the model's description (compiled once per type), for msgspec to build and
check the model. Namespaces, root and item element names and element order never matter;
unknown elements are skipped."""

from __future__ import annotations

import itertools
import re
from typing import Any

from lxml import etree

from ._schema import ListNode, Node, Scalar, ScalarNode, StructNode

__all__ = [
    "NIL",
    "XSI",
    "Invalid",
    "Reader",
    "child_elements",
    "element_path",
    "hardened_parser",
    "local_name",
    "plain_value",
    "reader_for",
    "without_default_namespace",
]


XSI = "http://www.w3.org/2001/XMLSchema-instance"

NIL = f"{{{XSI}}}nil"
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


class Invalid(Exception):
    """A structural problem found while reading the tree (becomes a DecodeError)."""

    def __init__(self, reason: str, element: Any) -> None:
        super().__init__(reason)
        self.element = element


class Reader:
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
            return None if element.get(NIL) == "true" else self.empty()
        return self.text(text, element)


class _ScalarReader(Reader):
    __slots__ = ("is_text",)

    def __init__(self, is_text: bool) -> None:
        self.is_text = is_text

    def empty(self) -> Any:
        return "" if self.is_text else None

    def text(self, text: str, element: Any) -> Any:
        return text

    def read(self, element: Any) -> Any:
        raise Invalid("expected a value, found child elements", element)


class _ContainerReader(Reader):
    __slots__ = ()

    def text(self, text: str, element: Any) -> Any:
        if text.strip():
            raise Invalid(f"expected child elements, found text {text.strip()[:30]!r}", element)
        return self.empty()


class _ListReader(_ContainerReader):
    __slots__ = ("item",)

    def __init__(self) -> None:
        self.item: Reader = _ScalarReader(False)

    def empty(self) -> Any:
        return []

    def read(self, element: Any) -> Any:
        value = self.item.value
        # every child is an element: the parser drops comments and processing instructions
        return [value(child) for child in element]


class _StructReader(_ContainerReader):
    __slots__ = ("by_tag", "fields")

    def __init__(self) -> None:
        self.fields: dict[str, Reader] = {}
        # full tag (with namespace) -> (wire name, reader, is a scalar); known fields only
        self.by_tag: dict[str, tuple[str, Reader, bool]] = {}

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

    def _learn(self, tag: Any, child: Any) -> tuple[str, Reader, bool] | None:
        """Resolve an element name seen for the first time (None: skip the element)."""
        if not isinstance(tag, str):
            return None
        local = tag.rpartition("}")[2]
        reader = self.fields.get(local)
        if reader is None:
            if len(child) and _too_deep(child):
                raise Invalid("elements nested too deeply", child)
            return None
        known = (local, reader, isinstance(reader, _ScalarReader))
        self.by_tag[tag] = known
        return known


def element_path(reader: Reader, root: Any, element: Any) -> str:
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


def reader_for(node: Node, memo: dict[int, Reader]) -> Reader:
    existing = memo.get(id(node))
    if existing is not None:
        return existing
    if isinstance(node, StructNode):
        struct = _StructReader()
        memo[id(node)] = struct
        struct.fields = {f.wire: reader_for(f.node, memo) for f in node.fields}
        return struct
    if isinstance(node, ListNode):
        lst = _ListReader()
        memo[id(node)] = lst
        lst.item = reader_for(node.item, memo)
        return lst
    assert isinstance(node, ScalarNode)
    return _ScalarReader(node.kind in (Scalar.STR, Scalar.CODE, Scalar.ANY))


def child_elements(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


def local_name(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def plain_value(element: Any) -> Any:
    """The JSON-like value of an element (see `XMLCodec.plain`)."""
    children = child_elements(element)
    if not children:
        return None if element.get(NIL) == "true" else (element.text or "")
    out: dict[str, Any] = {}
    for child in children:
        name, value = local_name(child), plain_value(child)
        if name not in out:
            out[name] = value
        elif isinstance(out[name], list):
            out[name].append(value)
        else:
            out[name] = [out[name], value]
    return out


_DEFAULT_NS = re.compile(rb' xmlns="[^"<>]*"')


def without_default_namespace(data: bytes) -> bytes:
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
