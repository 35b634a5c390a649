"""The XML wire format (lxml), DataContract style: the codec, over `xml_read` (parsing and
reading the tree) and `xml_write` (writing it).

Decoding reads the element tree into plain lists and dicts, driven by the model's
description (compiled once per type), then lets msgspec build and check the model, so both
codecs share one set of conversion rules. Encoding writes the fields of each object in
ordinal order of their element names, which is the order the server's deserializer
requires.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from lxml import etree

from ..errors import DecodeError, EncodeError
from ..models._base import decode_hook
from ._schema import ListNode, Node, ScalarNode, StructNode
from .answers import (
    html_document,
    json_document,
    xml_object_instead_of_list,
    xml_unrelated_object,
)
from .base import (
    describe_value,
    field_path,
    snippet,
    type_name,
)
from .lossless import (
    RawAccess,
    Shape,
    Unkept,
    collect,
    remember,
    shape_of,
    unkept,
)
from .shapes import OneOf
from .xml_read import (
    NIL,
    XSI,
    Invalid,
    Reader,
    child_elements,
    element_path,
    hardened_parser,
    local_name,
    plain_value,
    reader_for,
    without_default_namespace,
)
from .xml_write import root_name, untyped_elements, write, write_merged

__all__ = ["XMLCodec", "hardened_parser"]

T = TypeVar("T")

#: default namespace written on the root of an object (DataContract's for the API models)
MODELS_NS = "http://schemas.datacontract.org/2004/07/KashFlow.Api.Models"
#: namespace of a bare array of primitives (``<ArrayOfint>``)
ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"


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
        members=lambda el: [(local_name(c), c) for c in child_elements(el)],
        is_null=lambda el: el.get(NIL) == "true",
        items=child_elements,
        keep=keep,
    )


# --------------------------------------------------------------------------- codec


class XMLCodec:
    """DataContract-style XML with lxml; hardened parsing (no DTD, no entities, no
    network, bounded size and depth)."""

    name = "xml"
    media_type = "application/xml"

    def __init__(self, *, max_bytes: int = 64 * 1024 * 1024, namespace: str = MODELS_NS) -> None:
        self.max_bytes = max_bytes
        self.namespace = namespace
        self._readers: dict[Any, tuple[Reader, Node]] = {}
        self._local = threading.local()
        self._access = _access(namespace)

    # decoding

    def _parser(self) -> etree.XMLParser:
        parser: etree.XMLParser | None = getattr(self._local, "parser", None)
        if parser is None:
            parser = self._local.parser = hardened_parser()
        return parser

    def _reader(self, type_: Any) -> tuple[Reader, Node]:
        entry = self._readers.get(type_)
        if entry is None:
            node = describe_value(None, type_)
            entry = (reader_for(node, {}), node)
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
        source = without_default_namespace(data) if local else data
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
        except Invalid as exc:
            where = element_path(reader, root, exc.element)
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
        return "".join(untyped_elements(name, value))

    def plain(self, kept: str) -> Any:
        """The JSON-like value of an undeclared member `Unkept` holds (`member` reversed,
        as far as XML tells): text, None for nil, an object for children (a repeated name
        gives a list)."""
        wrapped = f'<w xmlns:i="{XSI}" xmlns="{self.namespace}">{kept}</w>'
        root = self._parse(wrapped.encode(), lambda reason, **_: DecodeError(reason))
        values = [plain_value(element) for element in child_elements(root)]
        return values[0] if len(values) == 1 else values

    def unkept(
        self,
        data: bytes,
        type_: type,
        typed: Any = None,
        shape: Shape | None = None,
        whole: bool = False,
    ) -> Unkept | None:
        """What a `type_` decoded from `data` does not keep (see `lossless`): `shape` is
        its nested objects as decoded, else read off `typed` (that decoded object, still
        as decoded), else off `data` decoded again. `whole`: the top level's member names
        even when everything was kept."""
        node = describe_value(None, type_)
        assert isinstance(node, StructNode)
        root = self._parse(data, lambda reason, **_: DecodeError(reason, wire_format="XML"))
        if shape is None:
            if typed is None:
                typed = self.decode(data, type_)
            shape = shape_of(node, typed)
        return collect(node, shape, root, self._access, whole=whole)

    def plain_document(self, data: bytes) -> Any:
        """The whole body as JSON-like values (as `plain` reads an element)."""
        return plain_value(self._parse(data, lambda reason, **_: DecodeError(reason)))

    # encoding

    def encode(self, obj: Any) -> bytes:
        """The XML bytes of `obj` (a model, a list of models or of ints)."""
        node = describe_value(obj)
        if isinstance(node, ScalarNode):
            raise EncodeError(f"cannot encode a bare {type(obj).__name__} as an XML document")
        root = root_name(obj, node)
        ns = (
            ARRAYS_NS
            if isinstance(node, ListNode) and isinstance(node.item, ScalarNode)
            else (self.namespace)
        )
        out: list[str] = []
        kept = unkept(obj, self)
        try:
            if kept is None:
                write(out, obj, node, root, "$")
            else:
                assert isinstance(node, StructNode)
                write_merged(out, obj, node, root, "$", kept)
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
