"""Reading answers: bounded body reads, decoding as the call asks, and the server's error
fields in either format."""

from __future__ import annotations

from typing import Any

import aiohttp

from ..codecs import Codec, get_codec
from ..codecs.plain import decode_plain
from ..errors import DecodeError
from ..models import ErrorBody

__all__ = ["PLAIN", "decode_answer", "error_fields", "read_body"]


class _Plain:
    """The response type of a call that answers plain Python data."""

    def __repr__(self) -> str:
        return "PLAIN"


#: As a call's response type: the answer as plain Python data (`decode_plain`).
PLAIN: Any = _Plain()

_CHUNK = 64 * 1024
_ERROR_TEXT_MAX = 200


async def read_body(resp: aiohttp.ClientResponse, limit: int, codec: Codec) -> bytes:
    """The whole body of `resp`, refusing more than `limit` bytes.

    A declared ``Content-Length`` above the limit is refused before reading anything;
    otherwise the body is read in chunks and refused as soon as it passes the limit (a
    compressed body's ``Content-Length`` says nothing of its decompressed size, so only
    an uncompressed one with a declared length is read in one go).
    Raises `DecodeError` (the request itself succeeded, so it is never retried).
    """
    declared = resp.content_length
    if declared is not None:
        if declared > limit:
            raise _too_large(declared, limit, codec)
        if resp.headers.get("Content-Encoding", "identity").strip().lower() in ("", "identity"):
            return await resp.read()
    chunks: list[bytes] = []
    total = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise _too_large(total, limit, codec)
        chunks.append(chunk)
    return b"".join(chunks)


def decode_answer(codec: Codec, data: bytes, response_type: Any) -> Any:
    """A successful answer's body as `response_type` (None: ignored; `PLAIN`: plain
    Python data). Raises `DecodeError`."""
    if response_type is None:
        return None
    if response_type is PLAIN:
        return decode_plain(codec, data)
    return codec.decode(data, response_type)


def _too_large(size: int, limit: int, codec: Codec) -> DecodeError:
    return DecodeError(
        f"response body of {size}+ bytes exceeds max_response_bytes={limit}",
        type_name="response",
        wire_format=codec.name.upper(),
    )


def error_fields(data: bytes, content_type: str, codec: Codec) -> tuple[str | None, str | None]:
    """``(Error, Message)`` of an error answer, in whichever format the server used.

    The codec is chosen from the ``Content-Type`` (falling back to the client's own, then
    the other one). A body that is neither gives its first characters as the message.
    """
    if not data.strip():
        return None, None
    lowered = content_type.lower()
    if "xml" in lowered:
        first = get_codec("xml")
    elif "json" in lowered:
        first = get_codec("json")
    else:
        first = codec
    second = get_codec("xml" if first.name == "json" else "json")
    for candidate in (first, second):
        try:
            body = candidate.decode(data, ErrorBody)
        except Exception:  # any failure means "not this format"
            continue
        if body.error is not None or body.message is not None:
            return body.error, body.message
    text = data[:_ERROR_TEXT_MAX].decode("utf-8", "replace").strip()
    return None, text or None
