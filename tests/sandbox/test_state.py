"""The state's rules without HTTP: derived figures, atomicity, views, seed, sessions."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from kashflow_async import BulkPayment, BulkPaymentItem, Invoice, InvoiceLine, PaymentLine
from kashflow_async.models import (
    InvoiceFilter,
    InvoiceSortField,
    InvoiceStatus,
    LoginChallenge,
    SortOrder,
)
from kashflow_async.sandbox.seed import populate
from kashflow_async.sandbox.state import BadRequest, NotFound, Sessions, State, Unauthorized

D = Decimal
TODAY = dt.date(2024, 6, 15)


@pytest.fixture
def state() -> State:
    s = State(today=TODAY, seed=1)
    populate(s, seed=1, invoices=40, quotes=10, customers=6, purchases=5)
    return s


def test_seed_is_deterministic_for_a_seed_and_date() -> None:
    def snapshot(seed: int) -> list[tuple[object, ...]]:
        s = State(today=TODAY, seed=seed)
        populate(s, seed=seed, invoices=30, quotes=5)
        return [
            (i.number, i.customer_code, i.gross_amount, i.status, i.issued_date)
            for i in (s.invoice(n) for n in s.invoice_numbers())
        ]

    assert snapshot(5) == snapshot(5)
    assert snapshot(5) != snapshot(6)


def test_seed_covers_every_status(state: State) -> None:
    s = State(today=TODAY, seed=2)
    populate(s, seed=2, invoices=400)
    statuses = {s.invoice(n).status for n in s.invoice_numbers()}
    assert statuses == set(InvoiceStatus)
    assert {"TCUST01", "TCUST02", "TEST01"} <= {c.code for c in s.customers.values()}


def test_vat_rounds_half_up_to_pence_and_default_level_applies(state: State) -> None:
    inv = state.create_invoice(
        Invoice(
            customer_code="TCUST01",
            line_items=[
                InvoiceLine(quantity=D("1"), rate=D("0.125"), vat_level=D("20")),
                InvoiceLine(quantity=D("1"), rate=D("10")),
            ],
        )
    )
    lines = inv.line_items or []
    assert lines[0].vat_amount == D("0.03")  # 0.025 rounds up
    assert lines[1].vat_level == state.settings.default_vat_level
    assert lines[1].vat_amount == D("2.00")
    assert inv.gross_amount == D("0.125") + D("10") + D("2.03")


def test_additional_taxes_count_when_applied(state: State) -> None:
    inv = state.create_invoice(
        Invoice(
            customer_code="TCUST01",
            line_items=[
                InvoiceLine(
                    rate=D(100), vat_level=D(0), tax1_amount=D(3), apply_tax1=True,
                    tax2_amount=D(50), apply_tax2=False,
                )
            ],
        )
    )  # fmt: skip
    assert inv.vat_amount == D(3)
    assert inv.gross_amount == D(103)


def test_foreign_currency_home_figures(state: State) -> None:
    from kashflow_async import Currency

    inv = state.create_invoice(
        Invoice(
            customer_code="TCUST01",
            currency=Currency(code="INR", exchange_rate=D(50)),
            line_items=[InvoiceLine(quantity=D(10), rate=D(500), vat_level=D(20))],
        )
    )
    line = (inv.line_items or [])[0]
    assert line.home_currency_rate == D(10)
    assert line.home_currency_vat_amount == D(20)
    assert inv.home_currency_gross_amount == D(120)
    assert inv.currency is not None and inv.currency.name == "Indian Rupees"


def test_status_moves_with_the_calendar(state: State) -> None:
    inv = state.create_invoice(
        Invoice(
            customer_code="TCUST01",
            due_date=dt.datetime(2024, 6, 20, 12),
            line_items=[InvoiceLine(rate=D(10), vat_level=D(0))],
        )
    )
    assert inv.status is InvoiceStatus.UNPAID
    number = inv.number or 0
    state.set_today(dt.date(2024, 6, 25))
    later = state.get_invoice(number)
    assert later.status is InvoiceStatus.OVERDUE
    assert later.overdue_days == 5
    items, _ = state.invoice_page(1, 1000, status=InvoiceFilter.OVERDUE)
    assert number in [i.number for i in items]


def test_bulk_payment_with_an_invalid_number_changes_nothing(state: State) -> None:
    lines = state.invoice(1).payment_lines
    before = (state.version, lines, state.bulk_payment_numbers("invoices"))
    body = BulkPayment(
        date=dt.date(2024, 6, 1),
        account_id=3942,
        method=2508,
        payment_items=[
            BulkPaymentItem(object_number=1, amount=D(5)),
            BulkPaymentItem(object_number=999, amount=D(5)),
        ],
    )
    with pytest.raises(BadRequest, match="999"):
        state.create_bulk_payment("invoices", body)
    after = (state.version, state.invoice(1).payment_lines, state.bulk_payment_numbers("invoices"))
    assert after == before


def test_payment_line_in_locked_period_is_refused(state: State) -> None:
    state.settings.transaction_lock_date = dt.date(2024, 1, 31)
    with pytest.raises(BadRequest, match="TransactionLockDate"):
        state.create_invoice(
            Invoice(
                customer_code="TCUST01",
                line_items=[InvoiceLine(rate=D(1))],
                payment_lines=[PaymentLine(amount=D(1), date=dt.datetime(2024, 1, 31, 12))],
            )
        )


def test_views_are_cached_and_invalidated_on_change(state: State) -> None:
    first, total = state.invoice_page(1, 5, sortby=InvoiceSortField.GROSS_AMOUNT)
    again, _ = state.invoice_page(1, 5, sortby=InvoiceSortField.GROSS_AMOUNT)
    assert [i.number for i in first] == [i.number for i in again]
    assert first[0] is again[0]  # served from the cached view
    state.create_invoice(
        Invoice(customer_code="TCUST01", line_items=[InvoiceLine(rate=D("0.01"), vat_level=D(0))])
    )
    fresh, new_total = state.invoice_page(1, 5, sortby=InvoiceSortField.GROSS_AMOUNT)
    assert new_total == total + 1
    assert fresh[0].gross_amount == D("0.01")


def test_ten_thousand_invoices_page_quickly() -> None:
    s = State(today=TODAY)
    populate(s, invoices=10_000, quotes=0, customers=30, purchases=0)
    start = time.perf_counter()
    for page in range(1, 101):
        items, total = s.invoice_page(page, 100, sortby=InvoiceSortField.NUMBER)
        assert len(items) == 100
    desc, _ = s.invoice_page(1, 100, sortby=InvoiceSortField.CUSTOMER_NAME, order=SortOrder.DESC)
    for page in range(2, 101):
        s.invoice_page(page, 100, sortby=InvoiceSortField.CUSTOMER_NAME, order=SortOrder.DESC)
    assert total == 10_000
    assert len(desc) == 100
    assert time.perf_counter() - start < 2.0


def test_unknown_objects_are_not_found(state: State) -> None:
    with pytest.raises(NotFound):
        state.get_invoice(12345)
    with pytest.raises(NotFound):
        state.get_bulk_payment("purchases", 1)
    with pytest.raises(NotFound):
        state.credits_for_invoice(1)


def test_sessions_login_verify_expire_and_logout() -> None:
    now = [0.0]
    sessions = Sessions("u", "p", "secret", idle_timeout=10, clock=lambda: now[0])
    with pytest.raises(Unauthorized):
        sessions.login("u", "wrong")
    challenge = sessions.login("u", "p")
    positions = [p.position for p in challenge.memorable_word_list]
    assert len(set(positions)) == 3 and all(1 <= p <= 6 for p in positions)
    answer = LoginChallenge(
        temporary_token=challenge.temporary_token,
        memorable_word_list=[
            type(p)(position=p.position, value="secret"[p.position - 1].upper())
            for p in challenge.memorable_word_list
        ],
    )
    token = sessions.verify(answer).session_token
    with pytest.raises(Unauthorized):
        sessions.verify(answer)  # a temporary token is used once
    sessions.check(token)
    now[0] = 9.0
    sessions.check(token)  # refreshed
    now[0] = 18.0
    sessions.check(token)
    now[0] = 28.5
    with pytest.raises(Unauthorized, match="expired"):
        sessions.check(token)
    other = sessions.issue()
    assert sessions.logout(other)
    with pytest.raises(Unauthorized):
        sessions.check(other)
