"""`create_many` for customers and suppliers (looked up by code) and purchases (by
number), with the accounting invoices have; and the import job end to end: a new
customer, its invoices through `create_many`, a bulk payment, its balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kashflow_async import (
    BadRequestError,
    BulkPayment,
    BulkPaymentItem,
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    KashFlowClient,
    NumberConflictError,
    Purchase,
    PurchaseLine,
    Supplier,
)
from kashflow_async.sandbox import FaultRule, Faults, Sandbox

D = Decimal


async def test_customers_create_many_resolves_a_lost_reply_by_code(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    sb.faults = Faults(routes={"POST /customers": FaultRule(script=("drop_after",))})
    items = [Customer(code=f"IMP{i:02d}", name=f"Imported {i}") for i in range(5)]
    items.append(Customer(code="TCUST01", name="Someone else"))  # taken: 400
    results = [r async for r in kf.customers.create_many(items, concurrency=2)]
    assert sorted(r.index for r in results) == list(range(6))
    by_index = {r.index: r for r in results}
    assert isinstance(by_index[5].error, BadRequestError)
    assert [by_index[i].ok for i in range(5)] == [True] * 5
    resolved = [r for r in results if r.resolved]
    assert len(resolved) == 1 and resolved[0].attempts == 1  # the lost reply: looked up
    assert sb.stats.requests["POST /customers"] == 6  # nothing posted twice
    for i in range(5):
        assert (await kf.customers.get(f"IMP{i:02d}")).name == f"Imported {i}"


async def test_a_lost_reply_on_a_code_holding_another_customer_is_a_conflict(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    sb.faults = Faults(routes={"POST /customers": FaultRule(script=("drop_before",))})
    # dropped before the server saw it, but the code exists with another name: a conflict
    [result] = [r async for r in kf.customers.create_many([Customer(code="TEST01", name="Me")])]
    assert isinstance(result.error, NumberConflictError)
    assert result.error.field == "name" and result.error.number == "TEST01"


async def test_suppliers_and_purchases_create_many(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.faults = Faults(routes={"POST /purchases": FaultRule(script=("drop_after",))})
    suppliers = [Supplier(code=f"S{i}", name=f"Supplier {i}") for i in range(3)]
    made = [r async for r in kf.suppliers.create_many(suppliers)]
    assert all(r.ok for r in made)
    purchases = [
        Purchase(number=9000 + i, supplier_code=f"S{i}", supplier_reference=f"INV-{i}",
                 line_items=[PurchaseLine(quantity=D(2), rate=D("10.00"), vat_level=D(20))])
        for i in range(3)
    ]  # fmt: skip
    results = [r async for r in kf.purchases.create_many(purchases)]
    assert all(r.ok for r in results)
    assert sum(r.resolved for r in results) == 1  # the reply lost after sending: looked up
    assert sb.stats.requests["POST /purchases"] == 3
    for i in range(3):
        got = await kf.purchases.get(9000 + i)
        assert got.gross_amount == D("24.00") and got.supplier_code == f"S{i}"
    assert (await kf.suppliers.get("S1")).outstanding_balance == D("24.00")


async def test_import_job_customer_invoices_payment_balance(kf: KashFlowClient) -> None:
    customer = await kf.customers.create(Customer(code="NEWCO1", name="New Co Ltd"))
    assert customer.outstanding_balance == 0 and customer.invoice_count == 0
    invoices = [
        Invoice(number=5000 + i, customer_code="NEWCO1", customer_reference=f"ORD-{i}",
                issued_date=dt.datetime(2024, 6, 1, 12),
                line_items=[InvoiceLine(quantity=D(i + 1), rate=D("100.00"), vat_level=D(20))])
        for i in range(3)
    ]  # fmt: skip
    results = [r async for r in kf.invoices.create_many(invoices)]
    assert all(r.ok for r in results)
    created = {r.unwrap().number: r.unwrap() for r in results}
    total = sum((i.gross_amount or D(0) for i in created.values()), D(0))
    assert total == D("720.00")  # (1 + 2 + 3) x 100 + 20% VAT
    owing = await kf.customers.get("NEWCO1")
    assert owing.invoice_count == 3 and owing.outstanding_balance == total
    # pay the first two in full with one bulk payment
    paid = [5000, 5001]
    await kf.invoices.bulk_payments.create(
        BulkPayment(date=dt.datetime(2024, 6, 10, 12), account_id=3942, method=2508,
                    comment="Import payment",
                    payment_items=[BulkPaymentItem(object_number=n,
                                                   amount=created[n].gross_amount)
                                   for n in paid])
    )  # fmt: skip
    for n in paid:
        assert (await kf.invoices.get(n)).status is InvoiceStatus.PAID
    after = await kf.customers.get("NEWCO1")
    assert after.outstanding_balance == created[5002].gross_amount == D("360.00")
    assert after.total_paid_amount == D("360.00")
    page = await kf.customers.page(sortby="OutstandingBalance", order="Desc", perpage=100)
    assert any(c.code == "NEWCO1" and c.outstanding_balance == D("360.00") for c in page.data)
