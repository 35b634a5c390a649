"""The customer, supplier, purchase and project models: both spellings of a member
decode and the documented one is sent; numeric or named project status; the date forms
and placeholder dates the sources show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from kashflow_async import (
    Currency,
    Customer,
    CustomerCurrency,
    DecodeError,
    Project,
    ProjectStatus,
    Purchase,
    Supplier,
    get_codec,
)

FORMATS = ["json", "xml"]


def body(fmt: str, root: str, members: dict[str, str]) -> bytes:
    """A body with these members (values as wire text; JSON numbers stay numbers)."""
    if fmt == "json":
        return ("{" + ",".join(f'"{k}":{v}' for k, v in members.items()) + "}").encode()
    inner = "".join(f"<{k}>{v.strip(chr(34))}</{k}>" for k, v in sorted(members.items()))
    return f"<{root}>{inner}</{root}>".encode()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("model", [Customer, Supplier])
@pytest.mark.parametrize("spelling", ["VatNumber", "VATNumber"])
def test_either_vat_number_spelling_decodes_and_vatnumber_is_sent(
    fmt: str, model: type, spelling: str
) -> None:
    codec = get_codec(fmt)
    obj = codec.decode(body(fmt, model.__name__, {spelling: '"GB123"'}), model)
    assert obj.vat_number == "GB123"
    assert obj.vat_number_upper is None
    sent = codec.encode(obj)
    assert b"VatNumber" in sent and b"VATNumber" not in sent
    assert codec.decode(sent, model).vat_number == "GB123"


@pytest.mark.parametrize("fmt", FORMATS)
def test_display_on_right_decodes_into_display_symbol_on_right(fmt: str) -> None:
    codec = get_codec(fmt)
    currency = codec.decode(
        body(fmt, "Currency", {"Code": '"GBP"', "DisplayOnRight": "true"}), CustomerCurrency
    )
    assert currency.display_symbol_on_right is True
    sent = codec.encode(currency)
    assert b"DisplaySymbolOnRight" in sent and b"DisplayOnRight" not in sent
    # a customer's currency is a CustomerCurrency; every other one a plain Currency
    customer = codec.decode(body(fmt, "Customer", {"Code": '"A"'}), Customer)
    assert customer.currency is None
    assert "display_on_right" not in Currency.__struct_fields__


def test_a_built_object_moves_the_other_spelling_too() -> None:
    customer = Customer(code="A1", vat_number_upper="GB9")
    assert (customer.vat_number, customer.vat_number_upper) == ("GB9", None)
    both = Customer(code="A1", vat_number="GB1", vat_number_upper="GB9")
    assert both.vat_number == "GB1"  # the documented spelling wins


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("1", ProjectStatus.ACTIVE),
        ('"Active"', ProjectStatus.ACTIVE),
        ('"archived"', ProjectStatus.ARCHIVED),
        ('"Completed"', ProjectStatus.COMPLETE),
        ("0", ProjectStatus.COMPLETE),
        ('"2"', ProjectStatus.ARCHIVED),
    ],
)
def test_project_status_decodes_from_number_or_name_and_is_sent_as_number(
    fmt: str, wire: str, expected: ProjectStatus
) -> None:
    codec = get_codec(fmt)
    project = codec.decode(body(fmt, "Project", {"Number": "4", "Status": wire}), Project)
    assert project.status is expected
    sent = codec.encode(project)
    if fmt == "json":
        assert msgspec.json.decode(sent)["Status"] == int(expected)
    else:
        assert f"<Status>{int(expected)}</Status>".encode() in sent


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_status_name_is_a_decode_error_naming_the_field(fmt: str) -> None:
    with pytest.raises(DecodeError, match="Pending"):
        get_codec(fmt).decode(body(fmt, "Project", {"Status": '"Pending"'}), Project)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("wire", "expected"), [("0", 0), ("1", 1), ("true", 1), ("false", 0)])
def test_exclude_vat_number_or_boolean_is_sent_as_number(
    fmt: str, wire: str, expected: int
) -> None:
    codec = get_codec(fmt)
    project = codec.decode(body(fmt, "Project", {"ExcludeVAT": wire}), Project)
    assert project.exclude_vat == expected and not isinstance(project.exclude_vat, bool)


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_with_and_without_offset_and_placeholders(fmt: str) -> None:
    codec = get_codec(fmt)
    customer = codec.decode(
        body(fmt, "Customer", {
            "CreatedDate": '"2013-02-05 12:00:00 +05:30"',
            "FirstInvoiceDate": '"1900-01-01 12:00:00 +05:30"',
            "LastInvoiceDate": '"1970-01-01 12:00:00"',
        }),
        Customer,
    )  # fmt: skip
    offset = dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert customer.created_date == dt.datetime(2013, 2, 5, 12, tzinfo=offset)
    assert customer.first_invoice_date == dt.datetime(1900, 1, 1, 12, tzinfo=offset)
    assert customer.last_invoice_date == dt.datetime(1970, 1, 1, 12)
    assert customer.last_invoice_date.tzinfo is None
    sent = codec.encode(customer)
    assert b"1900-01-01 12:00:00 +05:30" in sent
    assert b"1970-01-01 12:00:00 " not in sent  # sent without an offset, as received
    again = codec.decode(sent, Customer)
    assert again.last_invoice_date is not None and again.last_invoice_date.tzinfo is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_purchase_money_is_exact_decimal(fmt: str) -> None:
    codec = get_codec(fmt)
    purchase = codec.decode(
        body(fmt, "Purchase", {"NetAmount": "165.000000", "GrossAmount": "195.080000"}), Purchase
    )
    assert purchase.gross_amount == Decimal("195.080000")
    assert str(purchase.gross_amount) == "195.080000"
    assert purchase.amount_due == Decimal("195.08")
    with pytest.raises(Exception, match="float"):
        codec.encode(Purchase(net_amount=1.5))  # type: ignore[arg-type]
