"""The state's rules without HTTP: derived figures, atomicity, views, seed, sessions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kashflow_async import (
    BulkPayment,
    BulkPaymentItem,
    Invoice,
    InvoiceLine,
    PaymentLine,
    Quote,
    QuoteLine,
)
from kashflow_async.models import (
    InvoiceFilter,
    InvoiceSortField,
    InvoiceStatus,
    LoginChallenge,
    SortOrder,
)
from kashflow_async.sandbox.errors import BadRequest, NotFound, Unauthorized
from kashflow_async.sandbox.seed import populate
from kashflow_async.sandbox.sessions import Sessions
from kashflow_async.sandbox.state import State

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


def test_seed_covers_every_status() -> None:
    s = State(today=TODAY, seed=2)
    populate(s, seed=2, invoices=400)
    statuses = {s.invoice(n).status for n in s.invoice_numbers()}
    assert statuses == set(InvoiceStatus)
    assert {"TCUST01", "TCUST02", "TEST01"} <= {c.code for c in s.customer_records.values()}


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
    later = state.invoices.get(number)
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
        state.bulk_payments.create("invoices", body)
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


def test_ten_thousand_invoices_page_in_order_from_one_cached_view() -> None:
    s = State(today=TODAY)
    populate(s, invoices=10_000, quotes=0, customers=30, purchases=0)
    numbers = []
    for page in range(1, 101):
        items, total = s.invoice_page(page, 100, sortby=InvoiceSortField.NUMBER)
        numbers += [i.number for i in items]
    assert numbers == list(range(1, 10_001)) and total == 10_000
    by_name = SortOrder.DESC
    pages = [
        s.invoice_page(page, 100, sortby=InvoiceSortField.CUSTOMER_NAME, order=by_name)[0]
        for page in range(1, 101)
    ]
    names = [(i.customer_name or "").lower() for page in pages for i in page]
    assert len(names) == 10_000 and names == sorted(names, reverse=True)
    again, _ = s.invoice_page(1, 100, sortby=InvoiceSortField.CUSTOMER_NAME, order=by_name)
    assert again[0] is pages[0][0]  # the sorted view was built once


def test_unknown_objects_are_not_found(state: State) -> None:
    with pytest.raises(NotFound):
        state.invoices.get(12345)
    with pytest.raises(NotFound):
        state.bulk_payments.get("purchases", 1)
    with pytest.raises(NotFound):
        state.customer_credits.for_invoice(1)


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


def test_the_stored_invoice_is_the_body_with_the_servers_fields(state: State) -> None:
    body = Invoice(customer_code="TCUST01", line_items=[InvoiceLine(rate=D(10), vat_level=D(0))])
    shown = state.create_invoice(body)
    number = shown.number or 0
    assert state.invoices.stored(number) is body
    assert body.id is not None and body.gross_amount == D(10)
    assert shown is not body  # readers get copies
    replacement = state.invoices.get(number)
    replacement.customer_reference = "PO-1"
    state.invoices.update(number, replacement)
    assert state.invoices.stored(number) is replacement
    assert state.invoice(number).customer_reference == "PO-1"
    quote = Quote(number=8000, customer_code="TCUST02")
    state.quotes.create(quote)
    assert state.quotes.stored(8000) is quote
    bulk = BulkPayment(
        date=dt.date(2024, 6, 1),
        account_id=3942,
        method=2508,
        payment_items=[BulkPaymentItem(object_number=number, amount=D(4))],
    )
    created = state.bulk_payments.create("invoices", bulk)
    assert state.bulk_payments.stored("invoices", created.number or 0) is bulk


def test_invoices_and_quotes_share_one_derivation(state: State) -> None:
    def lines(kind: type[InvoiceLine] | type[QuoteLine]) -> list[Any]:
        return [
            kind(quantity=D(3), rate=D("19.99"), vat_level=D(20), tax1_amount=D(2),
                 apply_tax1=True),
            kind(quantity=D(1), rate=D(100), vat_exempt=True),
        ]  # fmt: skip

    inv = state.create_invoice(Invoice(customer_code="TCUST01", line_items=lines(InvoiceLine)))
    quote = state.create_quote(
        Quote(number=9000, customer_code="TCUST01", line_items=lines(QuoteLine))
    )
    figures = ("net_amount", "vat_amount", "gross_amount")
    assert [getattr(inv, f) for f in figures] == [getattr(quote, f) for f in figures]
    assert inv.gross_amount == D("159.97") + D("11.99") + D(2)  # VAT 11.994 to the penny
    fields = ("vat_amount", "home_currency_rate", "tax1_amount", "vat_level")
    assert [[getattr(line, f) for f in fields] for line in inv.line_items or []] == [
        [getattr(line, f) for f in fields] for line in quote.line_items or []
    ]


def test_an_invoice_update_leaves_bulk_payment_lines_to_their_bulk_payment(state: State) -> None:
    bulk = state.bulk_payments.create(
        "invoices",
        BulkPayment(
            date=dt.date(2024, 6, 1),
            account_id=3942,
            method=2508,
            payment_items=[BulkPaymentItem(object_number=2, amount=D(5))],
        ),
    )
    item_id = (bulk.payment_items or [])[0].id
    inv = state.invoices.get(2)
    bulk_line = next(p for p in inv.payment_lines or [] if p.id == item_id)
    assert bulk_line.bulk_id == bulk.number
    # sent back on another invoice, a bulk line is known and left alone
    other = state.invoices.get(3)
    other.payment_lines = [*(other.payment_lines or []), bulk_line]
    updated = state.invoices.update(3, other)
    assert item_id not in [p.id for p in updated.payment_lines or []]
    state.bulk_payments.delete("invoices", bulk.number or 0)
    assert item_id not in [p.id for p in state.invoices.get(2).payment_lines or []]
    again = state.invoices.get(3)
    again.payment_lines = [*(again.payment_lines or []), bulk_line]
    with pytest.raises(BadRequest, match=f"payment line id number\\(s\\): {item_id}"):
        state.invoices.update(3, again)  # its bulk payment is gone: an unknown id
