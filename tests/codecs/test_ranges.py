"""The .NET ranges: the rules of `codecs.ranges`, and the client's refusal (`EncodeError`
naming the member and why) before anything is sent, in both formats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kashflow_async import (
    BulkPayment,
    BulkPaymentItem,
    EncodeError,
    InvalidArgumentError,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    Quote,
    QuoteLine,
    get_codec,
)
from kashflow_async.codecs.ranges import (
    DECIMAL_LIMIT,
    decimal_problem,
    fits_decimal,
    fits_int32,
    int32_problem,
    is_document_number,
)

LARGEST = Decimal(DECIMAL_LIMIT - 1)


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "-0",
        "0E-50",
        "1",
        "117.5000",
        "-0.01",
        str(LARGEST),
        str(-(DECIMAL_LIMIT - 1)),
        "1E+27",
        "7.9E+28",
        "0.0000000000000000000000000001",  # 28 places
        "1.0000000000000000000000000000000000",  # more places, but only zeros
        "7.922816251426433759354395033",  # 28 digits, 27 places
    ],
)
def test_held_by_a_dotnet_decimal(text: str) -> None:
    value = Decimal(text)
    assert fits_decimal(value)
    assert decimal_problem(value) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1e400", "beyond the API's decimal range"),
        ("-1e400", "beyond the API's decimal range"),
        ("99999999999999999999999999999999", "beyond the API's decimal range"),
        (str(DECIMAL_LIMIT), "beyond the API's decimal range"),
        ("1E-400", "400 decimal places"),
        ("0.00000000000000000000000000001", "29 decimal places"),
        ("7922816251426433759354395033.6", "more significant digits"),
        ("NaN", "not a number"),
        ("-Infinity", "not a number"),
    ],
)
def test_not_held_by_a_dotnet_decimal(text: str, why: str) -> None:
    value = Decimal(text)
    assert not fits_decimal(value)
    problem = decimal_problem(value)
    assert problem is not None and why in problem


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_the_quick_check_agrees_with_the_exact_rule(value: Decimal) -> None:
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    while len(digits) > 1 and digits[-1] == 0 and exponent < 0:
        digits, exponent = digits[:-1], exponent + 1
    held = (
        not any(digits)
        or (exponent >= -28 and int("".join(map(str, digits))) * 10 ** max(exponent, 0) < 2**96)
        if value.adjusted() < 60
        else False
    )
    assert fits_decimal(value) is held
    assert (decimal_problem(value) is None) is held


def test_int32_rules() -> None:
    assert fits_int32(2**31 - 1) and fits_int32(-(2**31))
    assert not fits_int32(2**31) and not fits_int32(-(2**31) - 1)
    assert int32_problem(99999999999999999999) == (
        "99999999999999999999 is beyond the API's number range (-2147483648 to 2147483647)"
    )
    assert int32_problem(7) is None
    assert is_document_number("Number") and is_document_number("ObjectNumber")
    assert not is_document_number("Id") and not is_document_number("AccountId")


BAD: list[tuple[str, object, str]] = [
    (
        "quantity 1e400",
        Invoice(line_items=[InvoiceLine(quantity=Decimal("1e400"))]),
        "$.LineItems[0].Quantity: 1E+400 is beyond the API's decimal range",
    ),
    (
        "quantity 32 nines",
        Quote(line_items=[QuoteLine(quantity=Decimal("9" * 32))]),
        "$.LineItems[0].Quantity: " + "9" * 32 + " is beyond",
    ),
    (
        "rate 29 places",
        Invoice(line_items=[InvoiceLine(rate=Decimal("0." + "1" * 29))]),
        "$.LineItems[0].Rate: 0." + "1" * 29 + " has 29 decimal places",
    ),
    (
        "invoice number beyond int32",
        Invoice(number=99999999999999999999),
        "$.Number: 99999999999999999999 is beyond the API's number range",
    ),
    (
        "whole-number amount beyond 2^96",
        BulkPayment(payment_items=[BulkPaymentItem(amount=2**100)]),  # type: ignore[arg-type]
        "$.PaymentItems[0].Amount: 1267650600228229401496703205376 is beyond",
    ),
    (
        "object number beyond int32",
        BulkPayment(payment_items=[BulkPaymentItem(object_number=2**31)]),
        "$.PaymentItems[0].ObjectNumber: 2147483648 is beyond",
    ),
]


@pytest.mark.parametrize(("name", "obj", "message"), BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_codecs_refuse_what_dotnet_cannot_hold(
    fmt: str, name: str, obj: object, message: str
) -> None:
    with pytest.raises(EncodeError) as caught:
        get_codec(fmt).encode(obj)
    assert message in str(caught.value)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_edge_values_are_sent_exactly(fmt: str) -> None:
    codec = get_codec(fmt)
    inv = Invoice(
        number=2**31 - 1, line_items=[InvoiceLine(rate=LARGEST, quantity=Decimal("1E-28"))]
    )
    back = codec.decode(codec.encode(inv), Invoice)
    assert back.number == 2**31 - 1
    assert back.line_items is not None
    assert back.line_items[0].rate == LARGEST
    assert back.line_items[0].quantity == Decimal("1E-28")


async def test_the_client_refuses_before_sending() -> None:
    async with KashFlowClient(token="t", base_url="http://127.0.0.1:9/v2", max_retries=0) as kf:
        with pytest.raises(EncodeError, match=r"Quantity: 1E\+400 is beyond"):
            await kf.invoices.create(Invoice(line_items=[InvoiceLine(quantity=Decimal("1e400"))]))
        with pytest.raises(InvalidArgumentError, match="beyond the API's number range"):
            await kf.invoices.get(99999999999999999999)
        with pytest.raises(InvalidArgumentError, match=r"patch\(\) cannot change"):
            await kf.invoices.patch(1, number=2**40)
        with pytest.raises(InvalidArgumentError, match=r"Quantity.*beyond"):
            await kf.quotes.patch(1, line_items=[QuoteLine(quantity=Decimal("1e400"))])
