"""The JSON wire format (msgspec)."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from ..errors import DecodeError, EncodeError
from ..models._base import Code, WireDate, decode_hook, format_date
from ._schema import describe
from .base import normalize

__all__ = ["JSONCodec"]

T = TypeVar("T")

_AT_PATH = re.compile(r" - at `([^`]*)`$")
_AT_BYTE = re.compile(r"\(byte (\d+)\)")


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, WireDate):
        return format_date(obj)
    if isinstance(obj, Code):
        return str(obj)
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


def _type_name(type_: Any) -> str:
    return getattr(type_, "__name__", None) or repr(type_).replace("kashflow_async.models.", "")


def snippet(data: bytes, pos: int | None, width: int = 40) -> str:
    """A short printable excerpt of `data` around byte `pos` (or from the start)."""
    start = 0 if pos is None else max(0, pos - width // 2)
    return data[start : start + width].decode("utf-8", "replace")


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
        node = describe(type(obj)) if isinstance(obj, msgspec.Struct) else None
        if node is not None:
            normalize(obj, node)
        elif isinstance(obj, list) and obj and isinstance(obj[0], msgspec.Struct):
            normalize(obj, describe(list[type(obj[0])]))  # type: ignore[misc]
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
            path = m.group(1) if m else "$"
            reason = text[: m.start()] if m else text
            raise DecodeError(
                reason, type_name=_type_name(type_), path=path,
                snippet=snippet(data, None), wire_format="JSON",
            ) from None
        except msgspec.DecodeError as exc:
            text = str(exc)
            m = _AT_BYTE.search(text)
            pos = int(m.group(1)) if m else None
            raise DecodeError(
                text, type_name=_type_name(type_), path=f"byte {pos}" if pos is not None else None,
                snippet=snippet(data, pos), wire_format="JSON",
            ) from None
