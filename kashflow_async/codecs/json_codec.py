"""The JSON wire format (msgspec)."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from ..errors import DecodeError, EncodeError
from ..models._base import Code, WireDate, decode_hook, format_date
from .base import describe_value, field_path, normalize, snippet, type_name

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
        if isinstance(obj, (msgspec.Struct, list)):
            normalize(obj, describe_value(obj))
        try:
            return self._encoder.encode(obj)
        except (TypeError, ValueError, NotImplementedError, msgspec.EncodeError) as exc:
            raise EncodeError(f"cannot encode {type(obj).__name__} as JSON: {exc}") from exc

    def decoder(self, type_: Any) -> msgspec.json.Decoder[Any]:
        """The cached decoder for `type_`."""
        dec = self._decoders.get(type_)
        if dec is None:
            dec = msgspec.json.Decoder(type_, dec_hook=decode_hook, strict=False)
            self._decoders[type_] = dec
        return dec

    def decode(self, data: bytes, type_: type[T]) -> T:
        """Decode JSON `data` as `type_`, or raise `DecodeError`."""
        try:
            return self.decoder(type_).decode(data)  # type: ignore[no-any-return]
        except msgspec.ValidationError as exc:
            text = str(exc)
            m = _AT_PATH.search(text)
            reason = text[: m.start()] if m else text
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
            raise DecodeError(
                text,
                type_name=type_name(type_),
                path=f"byte {pos}" if pos is not None else None,
                snippet=snippet(data, pos),
                wire_format="JSON",
            ) from None
