"""The books' rules without HTTP: nominal codes, products, bank accounts and
transactions, VAT rates, metadata; each refused request changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kashflow_async import BankAccount, BankTransaction, Nominal, PaymentLine, Product
from kashflow_async.sandbox.errors import BadRequest, NotFound
from kashflow_async.sandbox.seed import populate
from kashflow_async.sandbox.state import State
from kashflow_async.sandbox.state.bank import payment_entry, vat_included
from kashflow_async.sandbox.state.reference import account_metadata, parse_url_date

D = Decimal
TODAY = dt.date(2024, 6, 15)


@pytest.fixture
def state() -> State:
    books = State(today=TODAY, seed=3)
    populate(books, seed=3, customers=4, invoices=10, quotes=2, purchases=3)
    return books


def test_vat_included_is_the_vat_inside_a_gross_amount() -> None:
    assert vat_included(D("120.00"), D(20)) == D("20.00")
    assert vat_included(D("105.00"), D(5)) == D("5.00")
    assert vat_included(D("10.00"), D("17.5")) == D("1.49")
    assert vat_included(D("10.00"), D(0)) == D("0.00")


def test_parse_url_date() -> None:
    assert parse_url_date("20100601") == dt.date(2010, 6, 1)
    for bad in ("2010-06-01", "20101301", "2010061", "abcdefgh"):
        with pytest.raises(BadRequest, match="YYYYMMDD"):
            parse_url_date(bad)


def test_payment_entry_of_an_invoice_and_of_a_bulk_purchase_payment() -> None:
    line = PaymentLine(id=9, date=dt.datetime(2024, 6, 1, 12), amount=D("50.00"), note="Card")
    entry = payment_entry(line, 3942, "invoice", 17, True)
    assert (entry.paid_in, entry.money_out, entry.entity_name, entry.resource_number) == (
        D("50.0000"), D("0.0000"), "invoice", 17,
    )  # fmt: skip
    bulk = PaymentLine(id=10, date=line.date, amount=D("30.00"), bulk_id=4)
    out = payment_entry(bulk, 3942, "purchase", 2, False)
    assert (out.paid_in, out.money_out, out.entity_name, out.resource_number) == (
        D("0.0000"), D("30.0000"), "purchasebatchpayment", 4,
    )  # fmt: skip
    refund = payment_entry(PaymentLine(id=11, amount=D("-5")), 3942, "invoice", 17, True)
    assert (refund.paid_in, refund.money_out) == (D("0.0000"), D("5.0000"))


def test_vat_rates_valid_on_a_date(state: State) -> None:
    def standard(day: dt.date | None) -> dict[str, Decimal]:
        return {
            r.country_code or "": r.vat_rates.standard_rate[0]
            for r in state.vat_rates.on(day)
            if r.vat_rates
        }

    assert standard(dt.date(2009, 6, 1)) == {"GB": D(15), "DE": D(19)}
    assert standard(dt.date(2011, 1, 3))["GB"] == D("17.5")
    assert standard(dt.date(2011, 1, 4))["GB"] == D(20)
    assert standard(None) == {"GB": D(20), "DE": D(19), "FR": D(20), "IE": D(23)}
    assert state.vat_rates.on(dt.date(2000, 1, 1)) == []


def test_nominal_code_rules(state: State) -> None:
    nominals = state.nominals
    count = len(nominals)
    with pytest.raises(BadRequest, match="Name is required"):
        nominals.create(Nominal(code=6100))
    with pytest.raises(BadRequest, match="Code is required"):
        nominals.create(Nominal(code=0, name="Zero"))
    renamed = nominals.get(7500)
    renamed.code = 7501
    assert nominals.update(7500, renamed).code == 7501
    with pytest.raises(NotFound):
        nominals.get(7500)
    sales = nominals.get(4000)
    sales.code = 4001
    with pytest.raises(BadRequest, match="has products"):
        nominals.update(4000, sales)
    assert nominals.get(4000).code == 4000 and len(nominals) == count
    assert nominals.get(4000).allow_delete is False
    assert nominals.get(7501).allow_delete is True


def test_products_move_between_nominal_codes_and_free_them(state: State) -> None:
    products = state.products
    assert state.nominals.in_use[4000] == 1
    mobile = products.get(4000, "510")
    mobile.nominal_code = "7500"
    products.update(4000, "510", mobile)
    assert (state.nominals.in_use[4000], state.nominals.in_use[7500]) == (0, 1)
    state.nominals.delete(4000)  # free now
    with pytest.raises(BadRequest, match="must not be negative"):
        products.create(Product(code="X", name="X", nominal_code="7500", price=D(-1)))
    with pytest.raises(BadRequest, match="at most 100"):
        products.page(1, 101)
    items, total = products.page(1, 10, nominal_code=7500)
    assert [p.code for p in items] == ["510"] and total == 1
    assert products.get(7500, " 510 ").code == "510"  # codes match as the API matches them


def test_bank_account_and_transaction_rules(state: State) -> None:
    bank = state.bank
    made = bank.create(BankAccount(account_name="Petty Cash", starting_amount=D("50")))
    assert made.code == 4 and made.bank_balance == D("50.0000")
    with pytest.raises(BadRequest, match="code 4 is already taken"):
        bank.create(BankAccount(account_name="Again", code=4))
    with pytest.raises(BadRequest, match="AccountName is required"):
        bank.update(made.id or 0, BankAccount(account_name=" "))
    entered = bank.transactions.create(
        made.id or 0, BankTransaction(date=dt.date(2024, 6, 1), paid_in=D("10"))
    )
    assert entered.date == dt.datetime(2024, 6, 1, 12)  # a date alone is stored at noon
    assert bank.get(made.id or 0).bank_balance == D("60.0000")
    with pytest.raises(BadRequest, match="has transactions"):
        bank.delete(made.id or 0)
    with pytest.raises(BadRequest, match="Exactly one"):
        bank.transactions.create(
            made.id or 0, BankTransaction(date=dt.date(2024, 6, 1), paid_in=D(1), money_out=D(1))
        )
    with pytest.raises(BadRequest, match="VATRate"):
        bank.transactions.create(
            made.id or 0, BankTransaction(date=dt.date(2024, 6, 1), paid_in=D(1), vat_rate=D(100))
        )
    bank.transactions.delete(made.id or 0, entered.id or 0)
    bank.delete(made.id or 0)
    assert made.id not in state.bank_accounts


def test_metadata_counts(state: State) -> None:
    meta = account_metadata(state, logins=3)
    assert (meta.total_login_count, meta.total_invoice_count) == (3, 10)
    assert meta.total_customer_count == len(state.customers)
    assert meta.total_product_count == 7
    assert meta.total_bank_balance == sum(
        (state.bank.get(i).bank_balance or D(0) for i in state.bank.store), D(0)
    )
