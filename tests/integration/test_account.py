"""Customers, suppliers, purchases and projects over loopback with the real client, in
both wire formats: get -> change -> update round trips (members the models do not
declare included), lists, filters and sorting, creates, deletes and the sandbox's rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from lxml import etree

from kashflow_async import (
    BadRequestError,
    BulkPayment,
    BulkPaymentItem,
    Customer,
    InvalidArgumentError,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    KashFlowClient,
    NotFoundError,
    Project,
    ProjectStatus,
    Purchase,
    PurchaseLine,
    Supplier,
)
from kashflow_async.sandbox import Sandbox

from .conftest import Raw

D = Decimal


def with_member(body: bytes, fmt: str, name: str, value: str) -> bytes:
    """`body` with one more member, one the models do not declare."""
    if fmt == "json":
        data = msgspec.json.decode(body)
        data[name] = value
        return msgspec.json.encode(data)
    root = etree.fromstring(body)
    extra = etree.SubElement(root, f"{{{etree.QName(root).namespace}}}{name}")
    extra.text = value
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def member(body: bytes, fmt: str, name: str) -> Any:
    """One top-level member of a raw body (None when absent)."""
    if fmt == "json":
        return msgspec.json.decode(body).get(name)
    for child in etree.fromstring(body):
        if etree.QName(child).localname == name:
            return child.text
    return None


# ------------------------------------------------------------------ round trips

ROUND_TRIPS: list[tuple[str, str, Any, str, Any]] = [
    # resource, path of one object, key, field changed, new value
    ("customers", "/customers/TCUST01", "TCUST01", "name", "John Smith Ltd"),
    ("suppliers", "/suppliers/SUP01", "SUP01", "note", "Pays on the 1st"),
    ("purchases", "/purchases/3", 3, "supplier_reference", "PO-CHANGED"),
    ("projects", "/projects/2", 2, "description", "Phase two"),
]


@pytest.mark.parametrize(("resource", "path", "key", "field", "value"), ROUND_TRIPS)
async def test_get_change_update_keeps_what_the_server_sent(
    kf: KashFlowClient, raw: Raw, fmt: str, resource: str, path: str, key: Any, field: str,
    value: Any,
) -> None:  # fmt: skip
    # a newer server's member, stored with the object
    status, body, _ = await raw.call("GET", path)
    assert status == 200
    status, _, _ = await raw.call("PUT", path, data=with_member(body, fmt, "FutureMember", "kept"))
    assert status == 200
    res = getattr(kf, resource)
    obj = await res.get(key)
    setattr(obj, field, value)
    updated = await res.update(key, obj)
    assert getattr(updated, field) == value
    _, after, _ = await raw.call("GET", path)
    assert member(after, fmt, "FutureMember") == "kept"
    assert getattr(await res.get(key), field) == value
    patched = await res.patch(key, **{field: f"{value} again"})
    assert getattr(patched, field) == f"{value} again"
    _, after, _ = await raw.call("GET", path)
    assert member(after, fmt, "FutureMember") == "kept"


@pytest.mark.parametrize("resource", ["customers", "suppliers", "purchases"])
async def test_list_items_are_summaries_update_refuses(
    sb: Sandbox, kf: KashFlowClient, resource: str
) -> None:
    res = getattr(kf, resource)
    page = await res.page(1, perpage=3)
    assert len(page.data) == 3
    key = page.data[0].code if resource != "purchases" else page.data[0].number
    before = sb.stats.total
    with pytest.raises(InvalidArgumentError, match="summary"):
        await res.update(key, page.data[0])
    assert sb.stats.total == before


# ------------------------------------------------------------------ customers


async def test_customers_by_code_with_balances_from_invoices(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    customer = await kf.customers.get("TCUST01")
    assert isinstance(customer, Customer)
    assert customer.code == "TCUST01" and customer.name == "John Smith"
    invoices = [i async for i in kf.invoices.list(customer_code="TCUST01")]
    assert customer.invoice_count == len(invoices)
    due = sum(((i.gross_amount or 0) - (i.total_paid_amount or 0) for i in invoices), D(0))
    assert customer.outstanding_balance == due
    assert customer.addresses and customer.addresses[0].post_code == "CR21 4RT"
    assert await kf.customers.get("tcust01") == customer  # codes match in any case
    with pytest.raises(NotFoundError):
        await kf.customers.get("NOSUCH")


@pytest.mark.parametrize("order", ["Asc", "Desc"])
@pytest.mark.parametrize("sortby", ["Code", "Name", "TotalPaidAmount", "OutstandingBalance"])
async def test_customer_list_sorts(
    sb: Sandbox, kf: KashFlowClient, sortby: str, order: str
) -> None:
    keys: dict[str, Any] = {
        "Code": lambda c: c.code.lower(),
        "Name": lambda c: c.name.lower(),
        "TotalPaidAmount": lambda c: c.total_paid_amount,
        "OutstandingBalance": lambda c: c.outstanding_balance,
    }
    got = [c async for c in kf.customers.list(perpage=3, sortby=sortby, order=order)]
    assert len(got) == sb.state.customers.count()
    values = [keys[sortby](c) for c in got]
    assert values == sorted(values, reverse=order == "Desc")


async def test_customer_filters_are_checked_before_sending(sb: Sandbox, kf: KashFlowClient) -> None:
    page = await kf.customers.page(name_starts_with="john")
    assert [c.code for c in page.data] == ["TCUST01"]
    before = sb.stats.total
    with pytest.raises(InvalidArgumentError, match="sortby"):
        await kf.customers.page(sortby="Balance")
    with pytest.raises(InvalidArgumentError, match="code"):
        await kf.customers.get(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="spaces"):
        await kf.customers.get(" TCUST01")
    with pytest.raises(InvalidArgumentError, match="codes"):
        await kf.customers.delete_many([])
    assert sb.stats.total == before


async def test_customer_create_update_delete(kf: KashFlowClient) -> None:
    made = await kf.customers.create(Customer(code="NEW01", name="New Ltd", vat_number="GB1"))
    assert made.id and made.code == "NEW01" and made.vat_number == "GB1"
    assert made.first_invoice_date is not None and made.first_invoice_date.year == 1900
    with pytest.raises(BadRequestError, match="already taken"):
        await kf.customers.create(Customer(code="new01", name="Again"))
    auto = await kf.customers.create(
        Customer(code="NEW01", name="Other Ltd", create_customer_code_if_duplicate=True)
    )
    assert auto.code not in ("NEW01", None)
    await kf.customers.delete("NEW01")
    with pytest.raises(NotFoundError):
        await kf.customers.get("NEW01")
    with pytest.raises(BadRequestError, match="document"):
        await kf.customers.delete("TCUST01")  # it has invoices


async def test_delete_many_cascades_to_invoices_quotes_and_projects(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    project = await kf.projects.create(Project(name="Kept", customer_code="TCUST02"))
    invoices = [i.number async for i in kf.invoices.list(customer_code="TCUST02")]
    assert invoices
    failures = await kf.customers.delete_many(["TCUST02", "NOSUCH"])
    assert [(f.code, f.reason) for f in failures] == [("NOSUCH", "Customer does not exist.")]
    assert [i async for i in kf.invoices.list(customer_code="TCUST02")] == []
    assert [q async for q in kf.quotes.list(customer_code="TCUST02")] == []
    kept = await kf.projects.get(project.number or 0)
    assert kept.customer_id == 0 and not kept.customer_code
    assert await kf.customers.delete_many(["TEST01"]) == []
    with pytest.raises(NotFoundError):
        await kf.customers.get("TEST01")


# ------------------------------------------------------------------ suppliers


async def test_suppliers_by_code_with_balances_from_purchases(kf: KashFlowClient) -> None:
    supplier = await kf.suppliers.get("SUP01")
    assert isinstance(supplier, Supplier)
    purchases = [p async for p in kf.purchases.list(supplier_code="SUP01")]
    assert supplier.billed_net_amount == sum((p.net_amount or 0 for p in purchases), D(0))
    assert supplier.bank_account is not None
    page = await kf.suppliers.page(sortby="Name", order="Desc", perpage=50)
    names = [(s.name or "").lower() for s in page.data]
    assert names == sorted(names, reverse=True)
    assert all(s.bank_account is None for s in page.data)  # summaries
    made = await kf.suppliers.create(Supplier(code="424201", name="Supplier Adam"))
    assert made.code == "424201"
    assert (await kf.suppliers.get("424201")).name == "Supplier Adam"
    await kf.suppliers.delete("424201")
    with pytest.raises(BadRequestError, match="document"):
        await kf.suppliers.delete("SUP01" if purchases else "SUP02")


# ------------------------------------------------------------------ purchases


async def test_purchase_totals_follow_the_invoice_arithmetic(kf: KashFlowClient) -> None:
    lines = [
        PurchaseLine(quantity=D(3), rate=D("15.00"), vat_level=D("13.5"), nominal_code=5000),
        PurchaseLine(quantity=D(10), rate=D("12.00"), vat_level=D(20), nominal_code=7403),
    ]
    made = await kf.purchases.create(
        Purchase(number=2344375, supplier_code="SUP02", supplier_reference="wieu231",
                 line_items=lines)
    )  # fmt: skip
    assert made.number == 2344375
    assert (made.net_amount, made.vat_amount, made.gross_amount) == (
        D("165"),
        D("30.08"),
        D("195.08"),
    )
    assert made.status is InvoiceStatus.UNPAID and made.due_amount == D("195.08")
    assert made.permalink and made.permalink.startswith("/v2/documents/purchaseorder/")
    # the same lines on an invoice give the same figures: one implementation
    invoice = await kf.invoices.create(
        Invoice(customer_code="TCUST01", line_items=[
            InvoiceLine(quantity=ln.quantity, rate=ln.rate, vat_level=ln.vat_level)
            for ln in lines
        ])
    )  # fmt: skip
    assert (invoice.net_amount, invoice.vat_amount, invoice.gross_amount) == (
        made.net_amount, made.vat_amount, made.gross_amount
    )  # fmt: skip
    with pytest.raises(BadRequestError, match="Supplier code"):
        await kf.purchases.create(Purchase(supplier_code="NOSUCH"))
    with pytest.raises(BadRequestError, match="already taken"):
        await kf.purchases.create(Purchase(number=2344375, supplier_code="SUP02"))


async def test_purchases_paid_by_bulk_payment_and_deleted(sb: Sandbox, kf: KashFlowClient) -> None:
    purchase = await kf.purchases.get(4)
    assert purchase.gross_amount
    await kf.purchases.bulk_payments.create(
        BulkPayment(date=dt.datetime(2024, 6, 1, 12), account_id=3942, method=2508,
                    payment_items=[BulkPaymentItem(object_number=4, amount=purchase.gross_amount)])
    )  # fmt: skip
    paid = await kf.purchases.get(4)
    assert paid.status is InvoiceStatus.PAID and paid.due_amount == 0
    assert paid.payment_lines and paid.payment_lines[0].bulk_payment_number is not None
    page = await kf.purchases.page(status="Paid", perpage=100)
    assert 4 in [p.number for p in page.data]
    await kf.purchases.delete(4)
    with pytest.raises(NotFoundError):
        await kf.purchases.get(4)


@pytest.mark.parametrize("sortby", ["Number", "SupplierName", "GrossAmount", "PurchaseDate"])
async def test_purchase_list_sorts_and_refuses_unknown_values(
    sb: Sandbox, kf: KashFlowClient, sortby: str
) -> None:
    got = [p async for p in kf.purchases.list(perpage=5, sortby=sortby, order="Desc")]
    assert sorted(p.number or 0 for p in got) == sb.state.purchases.numbers()
    with pytest.raises(InvalidArgumentError, match="type"):
        kf.purchases.list(purchase_type="Invoice")


# ------------------------------------------------------------------ projects


async def test_projects_list_is_an_array_by_default(sb: Sandbox, kf: KashFlowClient) -> None:
    projects = [p async for p in kf.projects.list(perpage=2)]
    assert [p.number for p in projects] == sb.state.projects.numbers()
    assert all(isinstance(p.status, ProjectStatus) for p in projects)
    booked = {ln.project_number for n in sb.state.invoice_numbers()
              for ln in sb.state.invoice(n).line_items or [] if ln.project_number}  # fmt: skip
    assert booked <= {p.number for p in projects}  # every project an invoice names exists
    for p in projects:  # and every customer a project names
        assert await kf.customers.get(p.customer_code or "")
    one = projects[0]
    mine = [p.number async for p in kf.projects.list(customer_code=one.customer_code)]
    assert one.number in mine and all(
        p.customer_code == one.customer_code for p in projects if p.number in mine
    )


@pytest.mark.sandbox(project_list="paged", project_path="project", projects=7)
async def test_projects_paged_list_and_singular_path(sb: Sandbox, kf: KashFlowClient) -> None:
    page = await kf.projects.page(2, perpage=3)
    assert [p.number for p in page.data] == [4, 5, 6]
    assert page.meta.total_records == 7
    everything = [p.number async for p in kf.projects.list(perpage=3)]
    assert everything == list(range(1, 8))
    got = await kf.projects.get(5)  # /projects/5 answers 404 here; /project/5 serves it
    assert got.number == 5
    got.name = "Renamed"
    assert (await kf.projects.update(5, got)).name == "Renamed"
    assert sb.stats.requests["PUT /project/{number}"] == 1


async def test_project_create_status_and_delete(kf: KashFlowClient, raw: Raw) -> None:
    archived = ProjectStatus.ARCHIVED
    made = await kf.projects.create(
        Project(name="Dark Knight Project 1", customer_code="TCUST01", status=archived,
                target_sales_amount=D("1000.0000"))
    )  # fmt: skip
    assert made.status is ProjectStatus.ARCHIVED and made.status_name == "Archived"
    assert made.exclude_vat == 0 and made.customer_name == "John Smith"
    status, body, _ = await raw.call("GET", f"/projects/{made.number}")
    assert status == 200
    assert member(body, raw.codec.name, "Status") in (2, "2")  # sent as the number
    with pytest.raises(BadRequestError, match="Customer code"):
        await kf.projects.create(Project(name="X", customer_code="NOSUCH"))
    await kf.projects.delete(made.number or 0)
    with pytest.raises(NotFoundError):
        await kf.projects.get(made.number or 0)
