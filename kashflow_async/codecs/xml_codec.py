"""The XML wire format (lxml), DataContract style: see SPEC §3. Placeholder until written."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


class XMLCodec:
    name = "xml"
    media_type = "application/xml"

    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes, type_: type[T]) -> T:
        raise NotImplementedError
