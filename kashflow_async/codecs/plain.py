"""Plain Python data on the wire: bodies and answers of endpoints that have no model.

What ``kf.request(..., cast_to=None)`` answers and what it sends when the body is not a
model. Money stays exact both ways: numbers decode as `Decimal` (never float), and a
float in a body is refused.

- JSON: the body as decoded (objects are dicts, arrays lists, numbers `int` or
  `Decimal`); an empty body is None.
- XML, by the project's XML convention: the root element's name and every namespace
  are dropped; an element with children is a dict of them by name (a name that repeats
  gives a list), a leaf is its text (``i:nil="true"``: None); the children of an
  ``ArrayOf...`` root are always a list. XML does not say which text is a number: pass a
  model as ``cast_to`` for typed values.
- Sending XML: a dict with one key, the root element's name (``{"Customer": {...}}``);
  members are written in ordinal order, the order the server requires.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec

from ..errors import DecodeError, EncodeError
from ..models._base import format_date
from .base import Codec, snippet
from .xml_codec import MODELS_NS, XMLCodec
from .xml_read import XSI, child_elements, local_name, plain_value
from .xml_write import untyped_elements

__all__ = ["decode_plain", "encode_body", "plain_wire_value"]

_JSON = msgspec.json.Decoder(float_hook=Decimal)
_ENCODER = msgspec.json.Encoder(decimal_format="number")
_BOM = b"\xef\xbb\xbf"
_ARRAY_ROOT = "ArrayOf"
_SCALARS = (str, int, Decimal)


def plain_wire_value(value: Any, path: str = "$") -> Any:
    """`value` with its dates in the API's text form, checked: only dicts (string keys),
    lists, tuples, str, int, bool, Decimal, dates and None. Raises `EncodeError` naming
    the member (a float is refused: money goes as `Decimal`)."""
    if value is None or isinstance(value, _SCALARS):
        return value
    if isinstance(value, float):
        raise EncodeError(
            f"{path}: a float ({value!r}) cannot be sent exactly; use decimal.Decimal"
        )
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EncodeError(f"{path}: member names must be strings, not {key!r}")
            out[key] = plain_wire_value(item, f"{path}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [plain_wire_value(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise EncodeError(f"{path}: cannot send a {type(value).__name__} as plain data")


def encode_body(codec: Codec, body: Any) -> bytes:
    """The wire bytes of `body`: a model (or a list of models or ints) through `codec`,
    anything else as plain data (see the module's rules). Raises `EncodeError`."""
    if isinstance(body, msgspec.Struct) or (
        isinstance(body, list) and body and isinstance(body[0], (msgspec.Struct, int))
    ):
        return codec.encode(body)
    wire = plain_wire_value(body)
    if codec.name == "json":
        return _ENCODER.encode(wire)
    if not isinstance(wire, dict) or len(wire) != 1:
        raise EncodeError(
            "an XML body of plain data is a dict with one key, the root element's name "
            '(for example {"Customer": {"Code": "NEW01"}}); or pass a model'
        )
    [(root, value)] = wire.items()
    parts = untyped_elements(root, value)
    opening = f'<{root} xmlns:i="{XSI}" xmlns="{MODELS_NS}"'
    if parts[0] == f"<{root}>":
        parts[0] = opening + ">"
    else:  # a leaf or nil root: namespaces go on the element itself
        parts[0] = parts[0].replace(f"<{root}", opening, 1)
    return ('<?xml version="1.0" encoding="utf-8"?>' + "".join(parts)).encode("utf-8")


def decode_plain(codec: Codec, data: bytes) -> Any:
    """The plain Python data of an answer in `codec`'s format (None for an empty body).
    Raises `DecodeError` for a body that is not valid JSON or XML."""
    if not data.strip():
        return None
    if codec.name == "json":
        if data[:3] == _BOM:
            data = data[3:]
        try:
            return _JSON.decode(data)
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise DecodeError(
                str(exc), type_name="plain data", snippet=snippet(data, None), wire_format="JSON"
            ) from None
    assert isinstance(codec, XMLCodec)

    def fail(reason: str, path: str | None = None, pos: int | None = None) -> DecodeError:
        return DecodeError(
            reason, type_name="plain data", path=path, snippet=snippet(data, pos), wire_format="XML"
        )

    root = codec._parse(data, fail)
    if local_name(root).startswith(_ARRAY_ROOT):
        return [plain_value(child) for child in child_elements(root)]
    return plain_value(root)
