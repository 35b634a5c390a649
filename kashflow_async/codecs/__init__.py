"""Codecs: model objects to JSON or XML bytes and back. No HTTP in here."""

from __future__ import annotations

from typing import Literal

from .base import Codec
from .json_codec import JSONCodec
from .xml_codec import XMLCodec

__all__ = ["Codec", "JSONCodec", "WireFormat", "XMLCodec", "get_codec"]

WireFormat = Literal["json", "xml"]
"""The wire formats the client speaks: ``"json"`` or ``"xml"`` (``wire_format=``)."""

_CODECS: dict[str, Codec] = {}


def get_codec(wire_format: str) -> Codec:
    """The shared codec for ``"json"`` or ``"xml"`` (built once, reused)."""
    codec = _CODECS.get(wire_format)
    if codec is None:
        if wire_format == "json":
            codec = JSONCodec()
        elif wire_format == "xml":
            codec = XMLCodec()
        else:
            raise ValueError(f"wire_format must be 'json' or 'xml', not {wire_format!r}")
        _CODECS[wire_format] = codec
    return codec
