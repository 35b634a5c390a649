"""Customer credits and quote conversion over loopback with the real client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kashflow_async import (
    BadRequestError,
    Credit,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    NotFoundError,
    PaymentLine,
    Quote,
    QuoteLine,
)
from kashflow_async.models import CreditType, InvoiceStatus
from kashflow_async.sandbox import Sandbox

from .conftest import Raw

D = Decimal


async def make_invoice(
    kf: KashFlowClient, code: str, amount: str, paid: str | None = None
) -> Invoice:
    payments = [PaymentLine(amount=D(paid), date=dt.datetime(2024, 6, 1, 12))] if paid else []
    return await kf.invoices.create(
        Invoice(
            customer_code=code,
            due_date=dt.datetime(2024, 8, 1, 12),
            line_items=[InvoiceLine(quantity=D(1), rate=D(amount), vat_level=D(0))],
            payment_lines=payments,
        )
    )


async def test_credit_list_holds_each_type_with_its_documented_id(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    overpaid = await make_invoice(kf, "TCUST01", "120", paid="130")
    assert overpaid.status is InvoiceStatus.OVERPAID
    target = await make_invoice(kf, "TCUST01", "200")
    assert target.id is not None
    credits = await kf.invoices.credits(target.id)
    by_type = {c.type: c for c in credits}
    assert set(by_type) == {
        CreditType.ADVANCE_PAYMENT,
        CreditType.CREDIT_NOTE,
        CreditType.OVER_PAYMENT,
    }
    over = by_type[CreditType.OVER_PAYMENT]
    assert over.amount == D("10")
    assert over.id == (overpaid.payment_lines or [])[0].id  # the invoice payment's id
    stored = {(c.type, c.id): c for c in sb.state.credits.values() if c.customer_code == "TCUST01"}
    for ctype in (CreditType.ADVANCE_PAYMENT, CreditType.CREDIT_NOTE):
        credit = by_type[ctype]
        assert (ctype, credit.id) in stored
        assert credit.amount == stored[(ctype, credit.id)].amount
    other = await make_invoice(kf, "TCUST02", "10")
    assert other.id is not None
    theirs = await kf.invoices.credits(other.id)
    assert all(c.id != over.id for c in theirs)
    with pytest.raises(NotFoundError):
        await kf.invoices.credits(1)


async def test_applying_credits_reduces_amount_due_and_uses_them_up(
    sb: Sandbox, kf: KashFlowClient, raw: Raw
) -> None:
    overpaid = await make_invoice(kf, "TCUST01", "120", paid="130")
    target = await make_invoice(kf, "TCUST01", "500")
    assert target.id is not None and overpaid.number is not None
    credits = await kf.invoices.credits(target.id)
    advance = next(c for c in credits if c.type is CreditType.ADVANCE_PAYMENT)
    over = next(c for c in credits if c.type is CreditType.OVER_PAYMENT)
    assert advance.amount is not None
    part = Credit(id=advance.id, type=advance.type, amount=D("5"), comment=advance.comment)
    updated = await kf.invoices.apply_credits(target.id, [part, over])
    assert updated.number == target.number
    assert updated.total_paid_amount == D("15")
    assert len(updated.payment_lines or []) == 2
    after = {(c.type, c.id): c.amount for c in await kf.invoices.credits(target.id)}
    assert after[(advance.type, advance.id)] == advance.amount - 5
    assert (over.type, over.id) not in after
    assert (await kf.invoices.get(overpaid.number)).status is InvoiceStatus.PAID

    with pytest.raises(BadRequestError) as info:
        await kf.invoices.apply_credits(
            target.id, [Credit(id=777, type=CreditType.CREDIT_NOTE, amount=D(1))]
        )
    assert info.value.invalid_numbers == [777]
    status, body, _ = await raw.call(
        "POST",
        f"/internal/invoices/{target.id}/credits",
        [Credit(id=advance.id, type=advance.type, amount=D(1))],
    )
    assert status == 200
    assert raw.codec.decode(body, Invoice).total_paid_amount == D("16")


async def test_credits_cannot_exceed_the_amount_due(kf: KashFlowClient) -> None:
    target = await make_invoice(kf, "TCUST01", "1")
    assert target.id is not None
    credits = await kf.invoices.credits(target.id)
    big = next(c for c in credits if (c.amount or 0) > 1)
    with pytest.raises(BadRequestError) as info:
        await kf.invoices.apply_credits(target.id, [big])
    assert "amount due" in (info.value.message or "")
    assert (await kf.invoices.get(target.number or 0)).total_paid_amount == 0


async def test_convert_quotes_gives_number_pairs_and_invoices(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    numbers = sb.state.quote_numbers()[:3]
    quotes = [sb.state.quote(n) for n in numbers]
    highest = sb.state.invoice_numbers()[-1]
    conversions = await kf.invoices.convert_quotes(numbers, retain=True)
    assert [c.quote_number for c in conversions] == numbers
    assert [c.invoice_number for c in conversions] == [highest + 1, highest + 2, highest + 3]
    for quote, conv in zip(quotes, conversions, strict=True):
        inv = await kf.invoices.get(conv.invoice_number or 0)
        assert inv.customer_code == quote.customer_code
        assert inv.net_amount == quote.net_amount
        assert [line.description for line in inv.line_items or []] == [
            line.description for line in quote.line_items or []
        ]
    assert sb.state.quote_numbers()[:3] == numbers  # retained


async def test_convert_with_invalid_quotes_converts_nothing(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    valid = sb.state.quote_numbers()[0]
    count = sb.state.invoice_count()
    with pytest.raises(BadRequestError) as info:
        await kf.invoices.convert_quotes([valid, 90001, 90002], retain=False)
    assert info.value.invalid_numbers == [90001, 90002]
    assert sb.state.invoice_count() == count
    assert valid in sb.state.quote_numbers()


@pytest.mark.parametrize(
    ("retain", "setting", "kept"),
    [(True, False, True), (False, True, False), (None, True, True), (None, False, False)],
)
async def test_retain_after_conversion_and_account_setting(
    sb: Sandbox, kf: KashFlowClient, retain: bool | None, setting: bool, kept: bool
) -> None:
    sb.state.settings.retain_quotes_after_conversion = setting
    number = sb.state.quote_numbers()[0]
    await kf.invoices.convert_quotes([number], retain=retain)
    assert (number in sb.state.quote_numbers()) is kept


async def test_convertfrom_is_case_insensitive_and_answers_201(sb: Sandbox, raw: Raw) -> None:
    from kashflow_async.models import Conversion

    await_quote = sb.state.create_quote(
        Quote(number=7001, customer_code="TCUST01", line_items=[QuoteLine(rate=D(3))])
    )
    status, body, _ = await raw.call(
        "POST", "/internal/invoices?convertfrom=QuOtE", data=raw.codec.encode([await_quote.number])
    )
    assert status == 201
    pairs = raw.codec.decode(body, list[Conversion])
    assert [p.quote_number for p in pairs] == [7001]
    status, _, _ = await raw.call(
        "POST", "/internal/invoices?convertfrom=order", data=raw.codec.encode([1])
    )
    assert status == 400
