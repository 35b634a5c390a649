"""The golden wire corpus: every documented example, in JSON and in its XML twin."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kashflow_async import get_codec
from kashflow_async.models import (
    Address,
    BulkPayment,
    Conversion,
    Credit,
    Customer,
    Invoice,
    InvoiceSettings,
    Metadata,
    Page,
    Project,
    Purchase,
    Quote,
    Supplier,
    VatRate,
)
from tests.support.models import canonical

CORPUS = Path(__file__).resolve().parents[2] / "codecs"

#: file-name prefix -> the model it is an example of
TYPES: list[tuple[str, Any]] = [
    ("invoices.list.", Page[Invoice]),
    ("invoices.update_address.", Address),
    ("invoices.", Invoice),
    ("quotes.list.", Page[Quote]),
    ("quotes.page.", Page[Quote]),
    ("quotes.", Quote),
    ("invoice_bulk_payments.", BulkPayment),
    ("purchase_bulk_payments.", BulkPayment),
    ("credits.list.", list[Credit]),
    ("credits.apply.request", list[Credit]),
    ("credits.apply.response", Invoice),
    ("conversions.convert.request", list[int]),
    ("conversions.convert.response", list[Conversion]),
    ("vat_rates.list.", list[VatRate]),
    ("metadata.get.", Metadata),
    ("invoice_settings.get.", InvoiceSettings),
    ("customers.", Customer),
    ("suppliers.", Supplier),
    ("purchases.", Purchase),
    ("projects.", Project),
]

NAMES = sorted(p.stem for p in CORPUS.glob("*.json"))


def model_of(name: str) -> Any:
    for prefix, type_ in TYPES:
        if name.startswith(prefix):
            return type_
    raise AssertionError(f"no model for corpus file {name}")


def test_corpus_is_complete() -> None:
    assert len(NAMES) >= 25
    for name in NAMES:
        assert (CORPUS / f"{name}.xml").is_file(), f"{name}.json has no XML twin"


@pytest.mark.parametrize("name", NAMES)
def test_json_and_xml_twins_decode_to_the_same_model(name: str) -> None:
    type_ = model_of(name)
    from_json = get_codec("json").decode((CORPUS / f"{name}.json").read_bytes(), type_)
    from_xml = get_codec("xml").decode((CORPUS / f"{name}.xml").read_bytes(), type_)
    assert from_json == from_xml
    assert canonical(from_json) == canonical(from_xml)  # digit for digit, same date kinds


@pytest.mark.parametrize("wire_format", ["json", "xml"])
@pytest.mark.parametrize("name", NAMES)
def test_decode_encode_decode_is_the_identity(name: str, wire_format: str) -> None:
    codec = get_codec(wire_format)
    type_ = model_of(name)
    first = codec.decode((CORPUS / f"{name}.{wire_format}").read_bytes(), type_)
    again = codec.decode(codec.encode(first), type_)
    assert canonical(again) == canonical(first)


@pytest.mark.parametrize("name", NAMES)
def test_every_documented_value_survives(name: str) -> None:
    """Each scalar of the repaired JSON comes back with the same text once re-encoded
    (numbers keep their digits, dates their form), unless its key is not a modelled field."""
    raw = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8-sig"), parse_float=str)
    codec = get_codec("json")
    type_ = model_of(name)
    encoded = json.loads(
        codec.encode(codec.decode(json.dumps(raw).encode(), type_)), parse_float=str
    )

    def walk(src: Any, out: Any, path: str) -> None:
        if isinstance(src, dict):
            assert isinstance(out, dict), path
            for key, value in src.items():
                if key in out:
                    walk(value, out[key], f"{path}.{key}")
                else:
                    # omitted only when null (not sent) or not a modelled field
                    assert value is None or key in UNMODELLED, f"{path}.{key} was dropped"
        elif isinstance(src, list):
            assert isinstance(out, list) and len(out) == len(src), path
            for i, (a, b) in enumerate(zip(src, out, strict=True)):
                walk(a, b, f"{path}[{i}]")
        elif isinstance(src, str) and isinstance(out, (int, str)) and not isinstance(out, bool):
            assert str(out) == src, path  # "1680.00" stays 1680.00; "510" stays "510"
        elif isinstance(src, bool) or isinstance(out, bool):
            assert bool(out) == bool(src), path  # 0 / false are the same flag
        else:
            assert out == src, path

    walk(raw, encoded, "$")


#: keys the pages send that are not documented fields (misspelt or undocumented extras)
UNMODELLED = {
    "PreviouseNumber",
    "CustomerName",  # in a bulk payment item, instead of ContactName
    "SupplierName",
    "InvoiceNumber",  # in a bulk payment item, instead of ObjectNumber
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "AddressLine4",
    "PostalCode",
    "CurrencyName",
    "DefaultChargeType",
    "Ec",
    "OutSideEc",
    # the other spellings: decoded into the documented member, which is what is sent
    "DisplayOnRight",  # a customer's Currency: DisplaySymbolOnRight
    "VATNumber",  # a customer: VatNumber
}


def test_misspelt_keys_are_ignored_harmlessly() -> None:
    page = get_codec("json").decode(
        (CORPUS / "quotes.page.response.json").read_bytes(), Page[Quote]
    )
    assert [q.number for q in page.data][:2] == [11, 67]
    assert page.data[0].previous_number is None  # "PreviouseNumber" is not PreviousNumber
    assert page.meta.total_records == 148
