"""Decode errors name the target type as it is written (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest

from kashflow_async import DecodeError, get_codec
from kashflow_async.codecs.base import type_name
from kashflow_async.models import Conversion, Credit, Invoice, Page, Quote


@pytest.mark.parametrize(
    ("type_", "name"),
    [
        (Invoice, "Invoice"),
        (Page[Quote], "Page[Quote]"),
        (Page[Invoice], "Page[Invoice]"),
        (list[Credit], "list[Credit]"),
        (list[Conversion], "list[Conversion]"),
        (list[int], "list[int]"),
        (Quote | None, "Quote | None"),
    ],
)
def test_type_name_is_derived_from_the_type(type_: Any, name: str) -> None:
    assert type_name(type_) == name


@pytest.mark.parametrize(
    ("wire_format", "body"), [("json", b'{"Data": 5}'), ("xml", b"<P><Data>5</Data></P>")]
)
def test_decode_error_names_the_page_type(wire_format: str, body: bytes) -> None:
    with pytest.raises(DecodeError, match=r"as Page\[Quote\] at \$\.Data") as caught:
        get_codec(wire_format).decode(body, Page[Quote])
    assert caught.value.type_name == "Page[Quote]"
