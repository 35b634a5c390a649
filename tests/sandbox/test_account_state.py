"""The rules of the customers, suppliers, purchases and projects rooms, without HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kashflow_async import (
    BulkPayment,
    BulkPaymentItem,
    Customer,
    CustomerSortField,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PaymentTerms,
    Project,
    ProjectStatus,
    Purchase,
    PurchaseLine,
    PurchasePaymentLine,
    SortOrder,
    Supplier,
    SupplierSortField,
)
from kashflow_async.sandbox.errors import BadRequest, NotFound
from kashflow_async.sandbox.parties import NEVER, Totals, sort_key, totals_by_party
from kashflow_async.sandbox.seed import populate
from kashflow_async.sandbox.state import State
from kashflow_async.sandbox.state.customers import derive_customer
from kashflow_async.sandbox.state.suppliers import derive_supplier

D = Decimal
TODAY = dt.date(2024, 6, 15)


@pytest.fixture
def state() -> State:
    s = State(today=TODAY, seed=1)
    populate(s, seed=1, invoices=40, quotes=10, customers=6, purchases=8)
    return s


def test_seed_refers_only_to_parties_and_projects_that_exist(state: State) -> None:
    for n in state.invoice_numbers():
        inv = state.invoice(n)
        assert state.customer(inv.customer_code) is not None
        for line in inv.line_items or []:
            assert not line.project_number or line.project_number in state.projects.store
    for q in state.quotes.store.values():
        assert state.customer(q.customer_code) is not None
    for p in state.purchases.store.values():
        assert state.supplier(p.supplier_code) is not None
    for project in state.projects.store.values():
        assert state.customer(project.customer_code) is not None
    assert len(state.projects.numbers()) >= 5


def test_totals_by_party_add_up_each_partys_documents() -> None:
    a = Invoice(customer_code="A", net_amount=D(10), vat_amount=D(2), gross_amount=D(12),
                total_paid_amount=D(5), status=InvoiceStatus.OVERDUE,
                issued_date=dt.datetime(2024, 1, 2, 12))  # fmt: skip
    b = Invoice(customer_code=" a ", net_amount=D(1), vat_amount=D(0), gross_amount=D(1),
                total_paid_amount=D(0), status=InvoiceStatus.UNPAID,
                issued_date=dt.datetime(2024, 3, 1, 12))  # fmt: skip
    totals = totals_by_party([a, b], lambda d: d.customer_code)
    t = totals["a"]
    assert (t.count, t.net, t.vat, t.paid, t.due, t.overdue) == (2, 11, 2, 5, 8, 7)
    assert min(t.dates) == dt.datetime(2024, 1, 2, 12)


def test_a_customer_never_invoiced_shows_the_1900_placeholder() -> None:
    customer = Customer(code="X")
    derive_customer(customer, Totals())
    assert customer.first_invoice_date == NEVER == customer.last_invoice_date
    assert NEVER.year == 1900 and customer.outstanding_balance == D("0.0000")
    supplier = Supplier(code="S")
    derive_supplier(supplier, Totals())
    assert supplier.first_purchase_date is None and supplier.billed_net_amount == 0


def test_sort_key_reads_the_member_the_column_names() -> None:
    parties = [
        Customer(name="b", total_paid_amount=D(1)),
        Customer(name="A", total_paid_amount=D(3)),
    ]
    assert sorted(parties, key=sort_key(CustomerSortField.NAME))[0].name == "A"
    assert sorted(parties, key=sort_key(SupplierSortField.TOTAL_PAID_AMOUNT))[0].name == "b"


def test_customer_create_rules(state: State) -> None:
    with pytest.raises(BadRequest, match="Code is required"):
        state.customers.create(Customer(name="No code"))
    with pytest.raises(BadRequest, match="already taken"):
        state.customers.create(Customer(code="tcust01", name="Clash"))
    with pytest.raises(BadRequest, match="Name is required"):
        state.customers.create(Customer(code="NONAME"))
    named = state.customers.create(
        Customer(code="NONAME", create_customer_name_if_empty_or_null=True)
    )
    assert named.name == "NONAME" and named.create_customer_name_if_empty_or_null is None
    made = state.customers.create(
        Customer(code="TCUST01", name="Auto", create_customer_code_if_duplicate=True)
    )
    assert made.code == "AUTO01"
    assert made.payment_terms == PaymentTerms(days=30, type="AfterIssuedDate")
    assert made.currency is not None and made.currency.code == "GBP"


def test_renaming_a_customer_moves_its_documents_and_projects(state: State) -> None:
    code = state.invoice(1).customer_code or ""
    invoices = [n for n in state.invoice_numbers() if state.invoice(n).customer_code == code]
    state.projects.create(Project(number=99, name="P", customer_code=code))
    old = state.customers.get(code)
    renamed = state.customers.update(code, Customer(code="RENAMED1", name=old.name))
    assert renamed.code == "RENAMED1" and renamed.invoice_count == len(invoices)
    assert all(state.invoice(n).customer_code == "RENAMED1" for n in invoices)
    assert state.projects.get(99).customer_code == "RENAMED1"
    with pytest.raises(NotFound):
        state.customers.get(code)
    with pytest.raises(BadRequest, match="already taken"):
        state.customers.update("RENAMED1", Customer(code="TEST01"))


def test_delete_customers_cascades_and_reports_unknown_codes(state: State) -> None:
    code = state.invoice(1).customer_code or ""
    mine = [n for n in state.invoice_numbers() if state.invoice(n).customer_code == code]
    payment = state.bulk_payments.create(
        "invoices",
        BulkPayment(date=dt.date(2024, 6, 1), account_id=0, method=0,
                    payment_items=[BulkPaymentItem(object_number=mine[0], amount=D(1)),
                                   BulkPaymentItem(object_number=2 if mine[0] != 2 else 3,
                                                   amount=D(1))])
    )  # fmt: skip
    state.projects.create(Project(number=98, name="Kept", customer_code=code))
    with pytest.raises(BadRequest, match="document"):
        state.customers.delete(code)
    failures = state.delete_customers([code, "NOSUCH", code])
    assert [f.code for f in failures] == ["NOSUCH"]
    assert not any(state.invoice(n).customer_code == code for n in state.invoice_numbers())
    assert not any(q.customer_code == code for q in state.quotes.store.values())
    assert state.projects.get(98).customer_id == 0
    left = state.bulk_payments.get("invoices", payment.number or 0).payment_items or []
    assert [i.object_number for i in left] != [] and mine[0] not in [i.object_number for i in left]


def test_purchase_due_date_from_the_suppliers_terms_and_payment_lines(state: State) -> None:
    state.suppliers.create(
        Supplier(code="T14", name="Terms", payment_terms=PaymentTerms(days=14, type="x"))
    )
    made = state.purchases.create(
        Purchase(supplier_code="t14", issued_date=dt.datetime(2024, 6, 1, 12),
                 line_items=[PurchaseLine(quantity=D(2), rate=D("9.99"), vat_level=D(5))],
                 payment_lines=[PurchasePaymentLine(amount=D("5"), date=dt.datetime(2024, 6, 2))])
    )  # fmt: skip
    assert made.supplier_code == "T14" and made.supplier_name == "Terms"
    assert made.due_date == dt.datetime(2024, 6, 15, 12)
    assert (made.net_amount, made.vat_amount, made.gross_amount) == (
        D("19.9800"), D("1.0000"), D("20.9800")
    )  # fmt: skip
    assert made.total_paid_amount == D("5.0000") and made.due_amount == D("15.9800")
    assert made.status is InvoiceStatus.UNPAID
    line = (made.payment_lines or [])[0]
    assert isinstance(line, PurchasePaymentLine) and line.permalink
    assert line.permalink.startswith("/v2/documents/purchase/payment/")
    assert made.number == max(state.purchases.numbers())
    state.set_today(dt.date(2024, 7, 1))
    assert state.purchases.get(made.number or 0).status is InvoiceStatus.OVERDUE


def test_supplier_page_filters(state: State) -> None:
    items, total = state.suppliers.page(
        1, 100, SupplierSortField.CODE, SortOrder.DESC, search_text="sup0"
    )
    assert total == len(items) == 9  # SUP01..SUP09 (SUP10 does not contain "sup0")
    assert [s.code for s in items] == sorted((s.code or "" for s in items), reverse=True)
    assert all(s.bank_account is None and s.payment_terms is None for s in items)


def test_project_status_name_targets_and_renumbering(state: State) -> None:
    made = state.projects.create(Project(name="New", status=ProjectStatus.COMPLETE))
    assert made.status_name == "Complete" and made.target_sales_amount == D("0.0000")
    assert made.customer_id == 0 and made.customer_code == ""
    moved = state.projects.update(made.number or 0, Project(number=500, name="Moved"))
    assert moved.number == 500 and moved.status is ProjectStatus.COMPLETE
    with pytest.raises(NotFound):
        state.projects.get(made.number or 0)
    with pytest.raises(BadRequest, match="already taken"):
        state.projects.update(500, Project(number=1))
    with pytest.raises(BadRequest, match="Name is required"):
        state.projects.create(Project())


def test_project_actual_sales_come_from_invoice_lines(state: State) -> None:
    project = state.projects.create(Project(name="Sales", customer_code="TCUST01"))
    state.create_invoice(
        Invoice(customer_code="TCUST01", line_items=[
            InvoiceLine(quantity=D(2), rate=D("50.00"), vat_level=D(20),
                        project_number=project.number)
        ])
    )  # fmt: skip
    got = state.projects.get(project.number or 0)
    assert got.actual_sales_amount == D("100.0000")
    assert got.actual_sales_vat_amount == D("20.0000")
