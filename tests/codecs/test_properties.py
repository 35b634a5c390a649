"""Property tests: random models round-trip through both codecs; random, truncated and
mutated bodies only ever raise DecodeError.

The CI profile runs a few hundred cases per target; ``HYPOTHESIS_PROFILE=fuzz`` runs
10,000 per target.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kashflow_async import DecodeError, get_codec
from kashflow_async.models import (
    Address,
    BulkPayment,
    Conversion,
    Credit,
    ErrorBody,
    Invoice,
    LoginChallenge,
    Page,
    Quote,
    SessionToken,
)
from tests.support.models import canonical, models

TARGETS: list[Any] = [
    Invoice,
    Quote,
    BulkPayment,
    Address,
    Page[Invoice],
    Page[Quote],
    list[Credit],
    list[Conversion],
    list[int],
    LoginChallenge,
    SessionToken,
    ErrorBody,
]
FORMATS = ["json", "xml"]


@pytest.mark.parametrize("wire_format", FORMATS)
@pytest.mark.parametrize("type_", TARGETS, ids=lambda t: getattr(t, "__name__", repr(t)))
def test_random_models_round_trip_exactly(type_: Any, wire_format: str) -> None:
    codec = get_codec(wire_format)

    @given(models(type_))
    def check(obj: Any) -> None:
        again = codec.decode(codec.encode(obj), type_)
        assert canonical(again) == canonical(obj)

    check()


@pytest.mark.parametrize("type_", TARGETS, ids=lambda t: getattr(t, "__name__", repr(t)))
def test_json_and_xml_agree_on_random_models(type_: Any) -> None:
    json_codec, xml_codec = get_codec("json"), get_codec("xml")

    @given(models(type_))
    def check(obj: Any) -> None:
        via_json = json_codec.decode(json_codec.encode(obj), type_)
        via_xml = xml_codec.decode(xml_codec.encode(obj), type_)
        assert canonical(via_json) == canonical(via_xml)

    check()


def _mutations(seed_docs: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Valid documents cut short, with bytes flipped, inserted or deleted, or pure noise."""

    def truncate(doc: bytes, at: int) -> bytes:
        return doc[: at % (len(doc) + 1)]

    def flip(doc: bytes, at: int, byte: int) -> bytes:
        if not doc:
            return bytes([byte])
        i = at % len(doc)
        return doc[:i] + bytes([byte]) + doc[i + 1 :]

    def insert(doc: bytes, at: int, chunk: bytes) -> bytes:
        i = at % (len(doc) + 1)
        return doc[:i] + chunk + doc[i:]

    def delete(doc: bytes, at: int, n: int) -> bytes:
        i = at % (len(doc) + 1)
        return doc[:i] + doc[i + n :]

    pos = st.integers(min_value=0, max_value=10**6)
    tokens = st.sampled_from(
        [
            b"<",
            b">",
            b"</",
            b"/>",
            b"{",
            b"}",
            b"[",
            b"]",
            b'"',
            b",",
            b":",
            b"null",
            b"true",
            b"-1e999",
            b"9" * 40,
            b"&amp;",
            b"&x;",
            b"<!DOCTYPE r>",
            b'i:nil="true"',
            b"\x00",
            b"\xff",
            b"<LineItems>",
            b"<Number>",
            b'"LineItems":',
            b"1.5",
            b"2012-13-45 25:61:61",
        ]
    )
    return st.one_of(
        st.builds(truncate, seed_docs, pos),
        st.builds(flip, seed_docs, pos, st.integers(min_value=0, max_value=255)),
        st.builds(insert, seed_docs, pos, tokens),
        st.builds(delete, seed_docs, pos, st.integers(min_value=1, max_value=20)),
        st.binary(max_size=200),
    )


@pytest.mark.parametrize("wire_format", FORMATS)
@pytest.mark.parametrize("type_", TARGETS, ids=lambda t: getattr(t, "__name__", repr(t)))
def test_broken_bodies_raise_decode_error_and_nothing_else(type_: Any, wire_format: str) -> None:
    codec = get_codec(wire_format)
    docs = models(type_).map(codec.encode)

    @given(_mutations(docs))
    def check(body: bytes) -> None:
        try:
            codec.decode(body, type_)
        except DecodeError:
            pass

    check()
