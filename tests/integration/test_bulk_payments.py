"""Bulk payments for invoices and purchases over loopback with the real client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kashflow_async import (
    BadRequestError,
    BulkPayment,
    BulkPaymentItem,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    NotFoundError,
)
from kashflow_async.models import InvoiceStatus
from kashflow_async.sandbox import Sandbox

from .conftest import Raw

D = Decimal
DAY = dt.date(2024, 6, 3)


async def unpaid_invoice(kf: KashFlowClient, amount: str = "100") -> Invoice:
    return await kf.invoices.create(
        Invoice(
            customer_code="TCUST01",
            due_date=dt.datetime(2024, 7, 30, 12),
            line_items=[InvoiceLine(quantity=D(1), rate=D(amount), vat_level=D(0))],
        )
    )


def bulk(*items: tuple[int, str], **fields: object) -> BulkPayment:
    values: dict[str, object] = {
        "date": DAY,
        "comment": "June payments",
        "account_id": 55166,
        "method": 409844,
    }
    values.update(fields)
    return BulkPayment(
        payment_items=[BulkPaymentItem(object_number=n, amount=D(a)) for n, a in items],
        **values,  # type: ignore[arg-type]
    )


async def test_create_applies_payment_lines_with_bulk_id_and_changes_status(
    kf: KashFlowClient, raw: Raw
) -> None:
    a, b = await unpaid_invoice(kf), await unpaid_invoice(kf, "50")
    assert a.number is not None and b.number is not None
    made = await kf.invoices.bulk_payments.create(bulk((a.number, "100"), (b.number, "20")))
    assert made.number is not None
    assert made.reconciled is False
    assert made.export_details is None
    assert [(i.object_number, i.amount) for i in made.payment_items or []] == [
        (a.number, D("100")),
        (b.number, D("20")),
    ]
    paid_a = await kf.invoices.get(a.number)
    part_b = await kf.invoices.get(b.number)
    assert paid_a.status is InvoiceStatus.PAID
    assert part_b.status is InvoiceStatus.UNPAID
    assert part_b.total_paid_amount == D("20")
    line = (part_b.payment_lines or [])[0]
    assert line.bulk_id == made.number
    assert line.amount == D("20")
    assert line.account_id == 55166 and line.method == 409844
    assert line.id == (made.payment_items or [])[1].id
    got = await kf.invoices.bulk_payments.get(made.number)
    assert got.comment == "June payments"
    assert [i.id for i in got.payment_items or []] == [i.id for i in made.payment_items or []]
    status, _, _ = await raw.call("POST", "/invoices/bulk/payments", bulk((a.number, "1")))
    assert status == 201


@pytest.mark.parametrize("missing", ["date", "account_id", "method", "payment_items"])
async def test_every_field_but_comment_is_required(
    kf: KashFlowClient, raw: Raw, missing: str
) -> None:
    inv = await unpaid_invoice(kf)
    assert inv.number is not None
    body = bulk((inv.number, "10"))
    setattr(body, missing, None)
    with pytest.raises(BadRequestError) as info:
        await kf.invoices.bulk_payments.create(body)
    wire = {"date": "Date", "account_id": "AccountId", "method": "Method"}
    assert wire.get(missing, "PaymentItems") in (info.value.message or "")
    assert (await kf.invoices.get(inv.number)).payment_lines == []
    body = bulk((inv.number, "10"), comment=None)
    status, _, _ = await raw.call("POST", "/invoices/bulk/payments", body)
    assert status == 201


async def test_unknown_method_or_account_fall_back_to_defaults(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    inv = await unpaid_invoice(kf)
    assert inv.number is not None
    made = await kf.invoices.bulk_payments.create(bulk((inv.number, "10"), account_id=1, method=2))
    assert made.account_id == sb.state.settings.default_bank_account_id
    assert made.method == sb.state.settings.default_payment_method_id
    line = ((await kf.invoices.get(inv.number)).payment_lines or [])[0]
    assert (line.account_id, line.method) == (made.account_id, made.method)


@pytest.mark.parametrize("kind", ["invoices", "purchases"])
async def test_invalid_numbers_give_400_listing_all_and_nothing_applied(
    sb: Sandbox, kf: KashFlowClient, kind: str
) -> None:
    resource = kf.invoices.bulk_payments if kind == "invoices" else kf.purchases.bulk_payments
    valid = 1
    before_inv = sb.state.invoice(valid).payment_lines
    before_pur = list(sb.state.purchases.store[valid].payment_lines)
    with pytest.raises(BadRequestError) as info:
        await resource.create(bulk((valid, "5"), (9001, "5"), (9002, "7"), (9001, "1")))
    assert info.value.invalid_numbers == [9001, 9002]
    assert sb.state.invoice(valid).payment_lines == before_inv
    assert sb.state.purchases.store[valid].payment_lines == before_pur
    assert sb.state.bulk_payment_numbers(kind) == []


async def test_several_items_for_one_invoice(kf: KashFlowClient) -> None:
    inv = await unpaid_invoice(kf)
    assert inv.number is not None
    made = await kf.invoices.bulk_payments.create(bulk((inv.number, "30"), (inv.number, "70")))
    assert len(made.payment_items or []) == 2
    got = await kf.invoices.get(inv.number)
    assert [p.amount for p in got.payment_lines or []] == [D(30), D(70)]
    assert got.status is InvoiceStatus.PAID


@pytest.mark.parametrize("lock", ["account", "bank"])
async def test_lock_dates_refuse_create_update_and_delete(
    sb: Sandbox, kf: KashFlowClient, lock: str
) -> None:
    inv = await unpaid_invoice(kf)
    assert inv.number is not None
    made = await kf.invoices.bulk_payments.create(bulk((inv.number, "10")))
    assert made.number is not None

    def set_lock(day: dt.date | None) -> None:
        if lock == "account":
            sb.state.settings.transaction_lock_date = day
        else:
            sb.state.bank_accounts[55166].lock_date = day

    set_lock(DAY)
    with pytest.raises(BadRequestError) as info:
        await kf.invoices.bulk_payments.create(bulk((inv.number, "10")))
    assert "TransactionLockDate" in (info.value.message or "")
    with pytest.raises(BadRequestError):
        await kf.invoices.bulk_payments.update(made.number, bulk((inv.number, "15")))
    with pytest.raises(BadRequestError):
        await kf.invoices.bulk_payments.delete(made.number)
    later = bulk((inv.number, "10"), date=DAY + dt.timedelta(days=1))
    assert (await kf.invoices.bulk_payments.create(later)).number is not None
    if lock == "bank":  # another bank account is not locked by this one's date
        other = await kf.invoices.bulk_payments.create(bulk((inv.number, "1"), account_id=3942))
        assert other.account_id == 3942
    set_lock(None)
    await kf.invoices.bulk_payments.delete(made.number)
    with pytest.raises(NotFoundError):
        await kf.invoices.bulk_payments.get(made.number)


async def test_update_adds_updates_deletes_items_and_resets_reconciled(
    sb: Sandbox, kf: KashFlowClient, raw: Raw
) -> None:
    a, b, c = [await unpaid_invoice(kf) for _ in range(3)]
    nums = [x.number for x in (a, b, c)]
    assert None not in nums
    made = await kf.invoices.bulk_payments.create(bulk((nums[0], "10"), (nums[1], "20")))
    assert made.number is not None
    items = made.payment_items or []
    sb.state.reconcile_bulk_payment("invoices", made.number)

    items[0].amount = D("11")
    same = bulk(comment="renamed")
    same.payment_items = [items[0], items[1]]
    upd = await kf.invoices.bulk_payments.update(made.number, same)
    assert upd.reconciled is True  # comment and amounts only: still reconciled
    assert (await kf.invoices.get(nums[0])).total_paid_amount == D("11")

    changed = bulk(comment="renamed")
    changed.payment_items = [items[0], BulkPaymentItem(object_number=nums[2], amount=D("5"))]
    upd = await kf.invoices.bulk_payments.update(made.number, changed)
    assert upd.reconciled is False  # an item was added
    kept, added = upd.payment_items or []
    assert kept.id == items[0].id
    assert added.id not in (items[0].id, items[1].id)
    assert (await kf.invoices.get(nums[1])).payment_lines == []  # missing item deleted
    c_lines = (await kf.invoices.get(nums[2])).payment_lines or []
    assert [(p.amount, p.bulk_id) for p in c_lines] == [(D("5"), made.number)]

    sb.state.reconcile_bulk_payment("invoices", made.number)
    moved = bulk(date=DAY + dt.timedelta(days=2))
    moved.payment_items = upd.payment_items
    upd = await kf.invoices.bulk_payments.update(made.number, moved)
    assert upd.reconciled is False  # date changed
    assert all(i.paid_date is not None and i.paid_date.date() == DAY + dt.timedelta(days=2)
               for i in upd.payment_items or [])  # fmt: skip

    sb.state.reconcile_bulk_payment("invoices", made.number)
    rebanked = bulk(date=DAY + dt.timedelta(days=2), account_id=131609)
    rebanked.payment_items = upd.payment_items
    upd = await kf.invoices.bulk_payments.update(made.number, rebanked)
    assert upd.reconciled is False  # bank account changed

    bad = bulk((424242, "1"))
    bad.payment_items = [*(upd.payment_items or []), *(bad.payment_items or [])]
    with pytest.raises(BadRequestError) as info:
        await kf.invoices.bulk_payments.update(made.number, bad)
    assert info.value.invalid_numbers == [424242]
    status, _, _ = await raw.call("PUT", f"/invoices/bulk/payments/{made.number}", rebanked)
    assert status == 200


async def test_delete_removes_payment_lines(kf: KashFlowClient, raw: Raw) -> None:
    inv = await unpaid_invoice(kf)
    assert inv.number is not None
    made = await kf.invoices.bulk_payments.create(bulk((inv.number, "100")))
    assert (await kf.invoices.get(inv.number)).status is InvoiceStatus.PAID
    assert made.number is not None
    status, _, _ = await raw.call("DELETE", f"/invoices/bulk/payments/{made.number}")
    assert status == 204
    after = await kf.invoices.get(inv.number)
    assert after.payment_lines == []
    assert after.status is InvoiceStatus.UNPAID


async def test_purchase_bulk_payments_are_real_and_carry_export_details(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    purchase = sb.state.purchases.store[2]
    made = await kf.purchases.bulk_payments.create(bulk((2, "12.34"), (3, "1")))
    assert made.number is not None
    assert made.export_details is not None
    assert made.export_details.object_number == 2
    assert made.export_details.permalink is not None
    assert made.export_details.permalink.startswith("/v2/documents/purchase/payment/")
    assert purchase.total_paid_amount == D("12.34")
    assert purchase.payment_lines[0].bulk_id == made.number
    item = (made.payment_items or [])[0]
    assert item.contact_name == purchase.supplier_name
    assert item.contact_reference == purchase.supplier_reference
    got = await kf.purchases.bulk_payments.get(made.number)
    assert got.export_details == made.export_details
    upd = await kf.purchases.bulk_payments.update(made.number, bulk((3, "2")))
    assert [i.object_number for i in upd.payment_items or []] == [3]
    assert purchase.total_paid_amount == 0
    await kf.purchases.bulk_payments.delete(made.number)
    assert sb.state.purchases.store[3].total_paid_amount == 0
    with pytest.raises(NotFoundError):
        await kf.purchases.bulk_payments.get(made.number)
