"""Models: wire names, defaults, exact money, dates and the pages' inconsistent scalars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from kashflow_async import (
    BulkPayment,
    BulkPaymentItem,
    DecodeError,
    EncodeError,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Quote,
    get_codec,
)
from kashflow_async.models import (
    LoginChallenge,
    LoginRequest,
    MemorableWordPosition,
    Model,
    SessionToken,
    format_date,
    parse_date,
    wire_name,
)

FORMATS = ["json", "xml"]


@pytest.mark.parametrize(
    ("attr", "wire"),
    [
        ("vat_amount", "VATAmount"),
        ("home_currency_vat_amount", "HomeCurrencyVATAmount"),
        ("invoice_in_ec_member_state", "InvoiceInECMemberState"),
        ("is_wht_deduction_to_be_applied", "IsWhtDeductionToBeApplied"),
        ("tax1_amount", "Tax1Amount"),
        ("apply_tax1", "ApplyTax1"),
        ("customer_id", "CustomerId"),
        ("pay_online_payment_processor", "PayOnlinePaymentProcessor"),
    ],
)
def test_wire_names_follow_one_rule(attr: str, wire: str) -> None:
    assert wire_name(attr) == wire


def test_every_model_field_has_a_documented_looking_wire_name() -> None:
    for cls in Model.__subclasses__():
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        for f in info.fields:
            assert f.encode_name[0].isupper(), (cls, f.name)
            assert "_" not in f.encode_name, (cls, f.name)


def test_a_partial_invoice_is_easy_to_build_and_sends_only_what_was_set() -> None:
    inv = Invoice(
        customer_code="TCUST01",
        line_items=[
            InvoiceLine(quantity=Decimal(2), rate=Decimal("10.50"), description="Widget"),
            InvoiceLine(quantity=Decimal(1), rate=Decimal("0.99")),
        ],
    )
    body = msgspec.json.decode(get_codec("json").encode(inv))
    assert body == {
        "CustomerCode": "TCUST01",
        "LineItems": [
            {"Quantity": 2, "Description": "Widget", "Rate": 10.50},
            {"Quantity": 1, "Rate": 0.99},
        ],
    }


@pytest.mark.parametrize("text", ['"1680.00"', "1680.00", "1680.0000000000000000000001"])
def test_money_is_exact_from_numbers_and_strings(text: str) -> None:
    item = get_codec("json").decode(f'{{"Amount": {text}}}'.encode(), BulkPaymentItem)
    assert item.amount == Decimal(text.strip('"'))
    assert str(item.amount) == text.strip('"')


def test_money_is_encoded_as_a_json_number_without_losing_digits() -> None:
    line = InvoiceLine(rate=Decimal("12345678901234567890.123456789"))
    assert get_codec("json").encode(line) == b'{"Rate":12345678901234567890.123456789}'
    assert b"<Rate>12345678901234567890.123456789</Rate>" in get_codec("xml").encode(line)


@pytest.mark.parametrize("wire_format", FORMATS)
def test_float_money_is_refused(wire_format: str) -> None:
    with pytest.raises(EncodeError, match=r"Rate.*float"):
        get_codec(wire_format).encode(Invoice(line_items=[InvoiceLine(rate=0.1)]))  # type: ignore[arg-type]


@pytest.mark.parametrize("wire_format", FORMATS)
@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_money_is_refused(wire_format: str, bad: Decimal) -> None:
    with pytest.raises(EncodeError, match="NetAmount"):
        get_codec(wire_format).encode(Invoice(net_amount=bad))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-06-28 12:00:00", dt.datetime(2012, 6, 28, 12)),
        (
            "2012-10-09 12:00:00 +05:30",
            dt.datetime(2012, 10, 9, 12, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
        ),
        ("2012-06-28T12:00:00", dt.datetime(2012, 6, 28, 12)),
        ("2013-10-24", dt.date(2013, 10, 24)),
    ],
)
def test_every_documented_date_form_decodes(text: str, expected: dt.date) -> None:
    value = parse_date(text, date_only_ok=True)
    assert value == expected
    assert isinstance(value, dt.datetime) == isinstance(expected, dt.datetime)
    assert (value.utcoffset() if isinstance(value, dt.datetime) else None) == (
        expected.utcoffset() if isinstance(expected, dt.datetime) else None
    )


@pytest.mark.parametrize(
    "text",
    [
        "2012-06-28 12:00:00",
        "2012-10-09 12:00:00 +05:30",
        "2013-10-24",
        "2012-10-09 12:00:00 -03:00",
    ],
)
@pytest.mark.parametrize("wire_format", FORMATS)
def test_dates_round_trip_to_the_same_text(text: str, wire_format: str) -> None:
    codec = get_codec(wire_format)
    json_body = f'{{"Date": "{text}", "Number": 1}}'.encode()
    bp = get_codec("json").decode(json_body, BulkPayment)
    assert format_date(bp.date) == text  # type: ignore[arg-type]
    assert text.encode() in codec.encode(bp)


def test_a_plain_datetime_set_by_the_user_is_sent_in_the_pages_form() -> None:
    tz = dt.timezone(dt.timedelta(hours=-3))
    inv = Invoice(
        issued_date=dt.datetime(2024, 1, 5, 9, 30), due_date=dt.datetime(2024, 2, 5, tzinfo=tz)
    )
    body = get_codec("json").encode(inv)
    assert b'"IssuedDate":"2024-01-05 09:30:00"' in body
    assert b'"DueDate":"2024-02-05 00:00:00 -03:00"' in body
    assert inv.issued_date == dt.datetime(2024, 1, 5, 9, 30)  # same value after normalising


def test_a_date_in_a_timestamp_field_is_refused_when_not_a_date() -> None:
    with pytest.raises(EncodeError, match="IssuedDate"):
        get_codec("json").encode(Invoice(issued_date="2024-01-05"))  # type: ignore[arg-type]


@pytest.mark.parametrize("wire_format", FORMATS)
def test_the_pages_inconsistent_scalars_decode_typed(wire_format: str) -> None:
    """VATExempt 0 / false, ApplyTax booleans, NominalCode number / string, ProductCode
    "510" / 510, SuppressAmount false / 0, SuppressNumber 0."""
    json_codec = get_codec("json")
    cases = [
        (
            b'{"LineItems":[{"VATExempt":0,"ApplyTax1":false,"NominalCode":2341,"ProductCode":"510"}],'
            b'"SuppressNumber":0}',
            Invoice,
        ),
        (
            b'{"LineItems":[{"VATExempt":false,"NominalCode":"2341","ProductCode":510}],'
            b'"SuppressAmount":0}',
            Quote,
        ),
        (
            b'{"LineItems":[{"VATExempt":true,"NominalCode":1,"ProductCode":""}],'
            b'"SuppressAmount":false}',
            Quote,
        ),
    ]
    for body, type_ in cases:
        obj = json_codec.decode(body, type_)
        if wire_format == "xml":  # the same object through the other wire format
            codec = get_codec("xml")
            obj = codec.decode(codec.encode(obj), type_)
        line = obj.line_items[0]  # type: ignore[attr-defined]
        assert isinstance(line.vat_exempt, bool)
        assert isinstance(line.nominal_code, int)
        assert isinstance(line.product_code, str)
        flag = getattr(obj, "suppress_number", None) if type_ is Invoice else obj.suppress_amount  # type: ignore[attr-defined]
        assert flag is False
    assert (
        json_codec.decode(b'{"LineItems":[{"ProductCode":510}]}', Quote).line_items[0].product_code
        == "510"
    )  # type: ignore[index]


def test_xml_text_forms_of_the_same_scalars() -> None:
    xml = (
        b"<Quote><SuppressAmount>0</SuppressAmount><LineItems><QuoteLine>"
        b"<VATExempt>true</VATExempt><NominalCode>2341</NominalCode><ProductCode>510</ProductCode>"
        b"</QuoteLine></LineItems></Quote>"
    )
    quote = get_codec("xml").decode(xml, Quote)
    assert quote.suppress_amount is False
    assert quote.line_items is not None
    line = quote.line_items[0]
    assert (line.vat_exempt, line.nominal_code, line.product_code) == (True, 2341, "510")


@pytest.mark.parametrize("wire_format", FORMATS)
def test_enumerations_are_typed_and_unknown_values_are_decode_errors(wire_format: str) -> None:
    codec = get_codec(wire_format)
    inv = codec.decode(codec.encode(Invoice(status=InvoiceStatus.OVERDUE)), Invoice)
    assert inv.status is InvoiceStatus.OVERDUE
    bad = (
        b'{"Status":"Shredded"}'
        if wire_format == "json"
        else b"<Invoice><Status>Shredded</Status></Invoice>"
    )
    with pytest.raises(DecodeError, match=r"Status"):
        codec.decode(bad, Invoice)


@pytest.mark.parametrize("wire_format", FORMATS)
def test_decode_errors_name_the_type_the_path_and_a_snippet(wire_format: str) -> None:
    codec = get_codec(wire_format)
    bad = (
        b'{"LineItems":[{"Rate":"ten"}]}'
        if wire_format == "json"
        else b"<Invoice><LineItems><InvoiceLine><Rate>ten</Rate></InvoiceLine></LineItems>"
        b"</Invoice>"
    )
    with pytest.raises(DecodeError) as info:
        codec.decode(bad, Invoice)
    err = info.value
    assert err.type_name == "Invoice"
    assert err.path == "$.LineItems[0].Rate"
    assert err.snippet and "ten" in bad.decode()
    assert "Invoice" in str(err) and "$.LineItems[0].Rate" in str(err)


@pytest.mark.parametrize("wire_format", FORMATS)
@pytest.mark.parametrize("body", [b"", b"{", b"<Invoice>", b"\xff\xfe\x00", b"null", b"[1,2]"])
def test_malformed_bodies_raise_decode_error_only(wire_format: str, body: bytes) -> None:
    with pytest.raises(DecodeError):
        get_codec(wire_format).decode(body, Invoice)


def test_decode_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the point is the base class
        get_codec("json").decode(b"{", Invoice)


def test_secrets_never_appear_in_reprs() -> None:
    objs = [
        LoginRequest(user_name="alice", password="hunter2-secret"),
        LoginChallenge(
            temporary_token="tmp-secret-token",
            memorable_word_list=[MemorableWordPosition(position=1, value="Z")],
        ),
        SessionToken(session_token="session-secret-token"),
    ]
    text = " ".join(repr(o) + str(o) for o in objs)
    for secret in ("hunter2-secret", "tmp-secret-token", "session-secret-token", "'Z'"):
        assert secret not in text
    assert "alice" in text and "position=1" in text
