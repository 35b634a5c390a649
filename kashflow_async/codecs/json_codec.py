"""The JSON wire format (msgspec)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from ..errors import DecodeError, EncodeError
from ..models._base import Code, WireDate, decode_hook, format_date
from ._schema import ListNode, Node, StructNode, describe
from .answers import markup_document
from .base import describe_value, field_path, normalize, snippet, type_name
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

__all__ = ["JSONCodec"]

T = TypeVar("T")

_AT_PATH = re.compile(r" - at `([^`]*)`$")
_AT_BYTE = re.compile(r"\(byte (\d+)\)")


#: id(value) -> (value, text): formatted wire dates. Holding the value keeps its id from
#: being reused while cached; identity, not equality, because two aware datetimes with
#: different offsets compare equal but are written differently.
_FORMATTED: dict[int, tuple[Any, str]] = {}
_FORMATTED_MAX = 8192


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, WireDate):
        cached = _FORMATTED.get(id(obj))
        if cached is not None and cached[0] is obj:
            return cached[1]
        text = format_date(obj)
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        _FORMATTED[id(obj)] = (obj, text)
        return text
    if isinstance(obj, Code):
        return str(obj)
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


#: a UTF-8 byte order mark, which .NET servers may put before a body
_BOM = b"\xef\xbb\xbf"

#: the untyped reading of a body, numbers exact
_RAW = msgspec.json.Decoder(float_hook=Decimal)

_ACCESS = RawAccess(
    members=lambda raw: list(raw.items()) if isinstance(raw, dict) else None,
    is_null=lambda raw: raw is None,
    items=lambda raw: raw if isinstance(raw, list) else None,
    keep=lambda raw: raw,
)


def _merged(obj: Any, node: StructNode, kept: Unkept) -> dict[str, Any]:
    """The members of `obj` to send: its declared fields merged with `kept`, in the
    server's member order."""
    values = {f.wire: (f.node, getattr(obj, f.attr)) for f in node.fields}
    out: dict[str, Any] = {}
    for name in kept.order:
        if name in kept.extra:
            out[name] = kept.extra[name]
            continue
        sub, value = values[name]
        if value is not None:
            out[name] = _merged_value(value, sub, kept.nested.get(name))
        elif name in kept.nulls:
            out[name] = None
    for name, extra in kept.extra.items():
        out.setdefault(name, extra)
    for name, (sub, value) in values.items():
        if value is not None and name not in out:
            out[name] = _merged_value(value, sub, kept.nested.get(name))
    return out


def _merged_value(value: Any, node: Node, kept: Unkept | Items | None) -> Any:
    if kept is None:
        return value
    if isinstance(kept, Unkept):
        assert isinstance(node, StructNode)
        same = isinstance(value, node.cls) and kept.belongs_to(value)
        return _merged(value, node, kept) if same else value
    assert isinstance(node, ListNode) and isinstance(node.item, StructNode)
    item = node.item
    if not isinstance(value, list):
        return value
    return [
        v if k is None or not isinstance(v, item.cls) else _merged(v, item, k)
        for v, k in zip(value, match(value, kept), strict=True)
    ]


_EXPECTED = re.compile(r"^Expected `(\w+)`, got `(\w+)`$")
_JSON_KINDS = {"object": "an object", "array": "a list (a JSON array)"}


def _instead(reason: str) -> str:
    """msgspec's ``Expected `object`, got `array` `` said as what came instead."""
    m = _EXPECTED.match(reason)
    if m is None or m.group(1) not in _JSON_KINDS or m.group(2) not in _JSON_KINDS:
        return reason
    return f"expected {_JSON_KINDS[m.group(1)]}, but {_JSON_KINDS[m.group(2)]} came instead"


class JSONCodec:
    """JSON with msgspec: exact Decimals (numbers or strings in, numbers out), lenient
    scalars (``0``/``false``, ``"2341"``/``2341``), the pages' date forms."""

    name = "json"
    media_type = "application/json"

    def __init__(self) -> None:
        self._encoder = msgspec.json.Encoder(enc_hook=_enc_hook, decimal_format="number")
        self._decoders: dict[Any, msgspec.json.Decoder[Any]] = {}

    def encode(self, obj: Any) -> bytes:
        """The JSON bytes of `obj`; plain datetimes are written in the API's form."""
        body = obj
        if isinstance(obj, (msgspec.Struct, list)):
            node = describe_value(obj)
            normalize(obj, node)
            kept = unkept(obj, self)
            if kept is not None:
                assert isinstance(node, StructNode)
                body = _merged(obj, node, kept)
        try:
            return self._encoder.encode(body)
        except (TypeError, ValueError, NotImplementedError, msgspec.EncodeError) as exc:
            raise EncodeError(f"cannot encode {type(obj).__name__} as JSON: {exc}") from exc

    def decoder(self, type_: Any) -> msgspec.json.Decoder[Any]:
        """The cached decoder for `type_`."""
        dec = self._decoders.get(type_)
        if dec is None:
            dec = msgspec.json.Decoder(type_, dec_hook=decode_hook, strict=False)
            self._decoders[type_] = dec
        return dec

    def member(self, name: str, value: Any) -> Any:
        """An undeclared member's value as `Unkept` holds it, from a JSON-like value."""
        return value

    def plain(self, kept: Any) -> Any:
        """The JSON-like value of an undeclared member `Unkept` holds (`member` reversed)."""
        return kept

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
        if data[:3] == _BOM:
            data = data[3:]
        node = describe(type_)
        assert isinstance(node, StructNode)
        if shape is None:
            if typed is None:
                typed = self.decoder(type_).decode(data)
            shape = shape_of(node, typed)
        return collect(node, shape, _RAW.decode(data), _ACCESS, whole=whole)

    def plain_document(self, data: bytes) -> Any:
        """The whole body as JSON-like values (numbers exact)."""
        return _RAW.decode(data[3:] if data[:3] == _BOM else data)

    def decode(self, data: bytes, type_: type[T]) -> T:
        """Decode JSON `data` as `type_` (a leading UTF-8 BOM is skipped), or raise
        `DecodeError`. A decoded top-level object remembers `data` (see `lossless`).
        `type_` may also be a `shapes.OneOf` (an answer with several shapes)."""
        shapes: Any = type_
        if shapes.__class__ is OneOf:
            return shapes.decode(self, data)  # type: ignore[no-any-return]
        if data[:3] == _BOM:
            data = data[3:]
        try:
            return remember(self.decoder(type_).decode(data), self, data)  # type: ignore[no-any-return]
        except msgspec.ValidationError as exc:
            text = str(exc)
            m = _AT_PATH.search(text)
            reason = _instead(text[: m.start()] if m else text)
            path = field_path(reason, m.group(1) if m else "$")
            raise DecodeError(
                reason,
                type_name=type_name(type_),
                path=path,
                snippet=snippet(data, None),
                wire_format="JSON",
            ) from None
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
            text = str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
            m = _AT_BYTE.search(text)
            pos = int(m.group(1)) if m else None
            markup = markup_document(data)
            if markup is not None:
                text, pos = f"expected JSON, but {markup} came instead", None
            raise DecodeError(
                text,
                type_name=type_name(type_),
                path=f"byte {pos}" if pos is not None else None,
                snippet=snippet(data, pos),
                wire_format="JSON",
            ) from None
