"""Nominal codes, products, bank accounts and transactions, VAT rates and metadata over
loopback with the real client, in both wire formats (the `fmt` fixture)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kashflow_async import (
    BadRequestError,
    BankAccount,
    BankTransaction,
    BulkPayment,
    BulkPaymentItem,
    InvalidArgumentError,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    Nominal,
    NotFoundError,
    PayrollProvisioningStatus,
    Product,
    RawResponse,
)
from kashflow_async.sandbox import Sandbox
from kashflow_async.sandbox.seed_books import NOMINALS

from .conftest import TODAY, Raw

D = Decimal


# ----------------------------------------------------------------------------- nominals


async def test_nominal_list_is_every_code_as_summaries(sb: Sandbox, kf: KashFlowClient) -> None:
    got = await kf.nominals.list()
    assert [n.code for n in got] == sorted(code for code, *_ in NOMINALS)
    assert all(n.id and n.name for n in got)
    with pytest.raises(InvalidArgumentError, match=r"get\(4000\)"):
        await kf.nominals.update(4000, got[2])
    sales = await kf.nominals.list(type="sales", search_text="type b")
    assert [n.code for n in sales] == [4010]


async def test_nominal_list_decodes_a_paged_body_too(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.state.nominals.list_shape = "paged"
    got = await kf.nominals.list()
    assert len(got) == len(NOMINALS)


async def test_nominal_round_trip_get_change_update(sb: Sandbox, kf: KashFlowClient) -> None:
    nominal = await kf.nominals.get(7500)
    assert nominal.allow_delete is True
    nominal.name = "Office Costs and Stationery"
    nominal.vat_rate = D("20.0000")
    updated = await kf.nominals.update(7500, nominal)
    assert updated.name == "Office Costs and Stationery"
    again = await kf.nominals.get_by_id(nominal.id or 0)
    assert (again.code, again.name, again.vat_rate) == (7500, updated.name, D("20.0000"))
    patched = await kf.nominals.patch(7500, archived=True)
    assert patched.archived is True


async def test_nominal_keeps_members_the_models_do_not_declare(
    sb: Sandbox, kf: KashFlowClient, raw: Raw
) -> None:
    body = raw.codec.encode(Nominal(code=8100, name="Bank Charges", type="Outgoing"))
    marker = b"<Name>" if raw.codec.name == "xml" else b'"Name"'
    extra = (
        b"<FutureMember>kept</FutureMember>"
        if raw.codec.name == "xml"
        else b'"FutureMember":"kept",'
    )
    status, _, _ = await raw.call("POST", "/nominals", data=body.replace(marker, extra + marker, 1))
    assert status == 201
    nominal = await kf.nominals.get(8100)
    nominal.name = "Bank Charges and Interest"
    await kf.nominals.update(8100, nominal)
    status, data, _ = await raw.call("GET", "/nominals/8100")
    assert b"FutureMember" in data and b"kept" in data and b"Interest" in data


async def test_nominal_create_delete_and_refusals(sb: Sandbox, kf: KashFlowClient) -> None:
    created = await kf.nominals.create(Nominal(code=6000, name="Consultants"))
    assert created.id and created.code == 6000
    with pytest.raises(BadRequestError, match="6000 already exists"):
        await kf.nominals.create(Nominal(code=6000, name="Again"))
    with pytest.raises(BadRequestError, match="has 1 product"):
        await kf.nominals.delete(4000)
    await kf.nominals.delete(6000)
    with pytest.raises(NotFoundError):
        await kf.nominals.get(6000)
    with pytest.raises(NotFoundError):
        await kf.nominals.get_by_id(1)


# ----------------------------------------------------------------------------- products


async def test_product_pages_of_all_or_of_one_nominal_code(sb: Sandbox, kf: KashFlowClient) -> None:
    first = await kf.products.page(1, perpage=3, sortby="ProductName", order="Desc")
    assert first.meta.total_records == len(sb.state.products) == 7
    names = [p.name for p in first.data]
    assert names == sorted(names, reverse=True)
    every = [p async for p in kf.products.list(perpage=2, sortby="NominalCode")]
    assert [int(p.nominal_code or 0) for p in every] == [4000, 4010, 4020, 4030, 4040, 4050, 4060]
    mine = [p.code async for p in kf.products.list(nominal_code=4010)]
    assert mine == ["520"]
    mobile = await kf.products.page(name_starts_with="mob")
    assert [p.code for p in mobile.data] == ["510"]
    with pytest.raises(InvalidArgumentError, match="at most 100"):
        await kf.products.page(perpage=101)
    with pytest.raises(NotFoundError):
        await kf.products.page(nominal_code=9999)


async def test_product_round_trip_get_change_update(sb: Sandbox, kf: KashFlowClient) -> None:
    product = await kf.products.get(4020, "530")
    assert product.price == D("24.99")
    product.price = D("26.50")
    product.manage_stock_level = True
    updated = await kf.products.update(4020, "530", product)
    assert (updated.price, updated.manage_stock_level) == (D("26.50"), True)
    patched = await kf.products.patch(4020, "530", description="Hosting, monthly")
    assert patched.description == "Hosting, monthly"
    assert patched.price == D("26.50")
    summary = (await kf.products.page(nominal_code=4020)).data[0]
    with pytest.raises(InvalidArgumentError, match="summary"):
        await kf.products.update(4020, "530", summary)


async def test_product_create_move_delete(sb: Sandbox, kf: KashFlowClient) -> None:
    made = await kf.products.create(
        Product(code="580", name="Cable", nominal_code="4000", price=D("3.20"))
    )
    assert made.id and made.nominal_id == (await kf.nominals.get(4000)).id
    made.nominal_code = "4010"
    moved = await kf.products.update(4000, "580", made)
    assert moved.nominal_code == "4010"
    with pytest.raises(NotFoundError):
        await kf.products.get(4000, "580")
    with pytest.raises(BadRequestError, match="Nominal code 9999 does not exist"):
        await kf.products.create(Product(code="590", name="Lost", nominal_code="9999"))
    with pytest.raises(BadRequestError, match="already exists"):
        await kf.products.create(Product(code="580", name="Twice", nominal_code="4010"))
    await kf.products.delete(4010, "580")
    with pytest.raises(NotFoundError):
        await kf.products.get(4010, "580")


async def test_product_other_spellings_are_accepted(
    sb: Sandbox, kf: KashFlowClient, raw: Raw
) -> None:
    if raw.codec.name == "json":
        body = b'{"Code":"600","Name":"Gift","NominalCode":4000,"WholesalePrice":4.5,"WarnAt":2}'
    else:
        body = (
            b"<Product><Code>600</Code><Name>Gift</Name><NominalCode>4000</NominalCode>"
            b"<WarnAt>2</WarnAt><WholesalePrice>4.5</WholesalePrice></Product>"
        )
    status, _, _ = await raw.call("POST", "/products", data=body)
    assert status == 201
    product = await kf.products.get(4000, "600")
    assert (product.wholesale_price, product.stock_warning_quantity) == (D("4.5"), D(2))


# ----------------------------------------------------------------------------- bank accounts


async def test_bank_accounts_list_and_get(sb: Sandbox, kf: KashFlowClient) -> None:
    accounts = await kf.bank_accounts.list()
    assert [a.id for a in accounts] == sorted(sb.state.bank_accounts)
    assert [a.is_default_account for a in accounts] == [
        a.id == sb.state.settings.default_bank_account_id for a in accounts
    ]
    assert all(a.starting_amount is None for a in accounts)  # detail-only
    whole = await kf.bank_accounts.get(accounts[0].id or 0)
    assert whole.starting_date == dt.datetime(1970, 1, 1, 12)  # the unset placeholder
    transactions = sb.state.bank.transactions.of(whole.id or 0)
    expected = (whole.starting_amount or 0) + sum(
        (t.paid_in or 0) - (t.money_out or 0) for t in transactions
    )
    assert whole.bank_balance == expected
    sb.state.bank.list_shape = "paged"
    assert [a.id for a in await kf.bank_accounts.list()] == [a.id for a in accounts]


async def test_bank_account_round_trip_create_update_delete(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    made = await kf.bank_accounts.create(
        BankAccount(account_name="Savings", starting_amount=D("100.00"), note="rainy day")
    )
    assert made.id in sb.state.bank_accounts  # the payment rules know it too
    got = await kf.bank_accounts.get(made.id or 0)
    got.note = "rainy days"
    got.is_archived = True
    updated = await kf.bank_accounts.update(made.id or 0, got)
    assert (updated.note, updated.is_archived, updated.bank_balance) == (
        "rainy days", True, D("100.0000"),
    )  # fmt: skip
    assert made.id not in [a.id for a in await kf.bank_accounts.list()]
    assert made.id in [a.id for a in await kf.bank_accounts.list(include_archived=True)]
    await kf.bank_accounts.delete(made.id or 0)
    with pytest.raises(NotFoundError):
        await kf.bank_accounts.get(made.id or 0)
    with pytest.raises(BadRequestError, match="default account"):
        await kf.bank_accounts.delete(sb.state.settings.default_bank_account_id)


# ----------------------------------------------------------------------------- transactions


async def test_transactions_list_in_date_order_with_running_balance(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    account_id = sb.state.settings.default_bank_account_id
    rows = [t async for t in kf.bank_accounts.transactions(account_id).list(perpage=5)]
    assert len(rows) == len(sb.state.bank.transactions.of(account_id)) > 5
    assert [t.date for t in rows] == sorted(t.date for t in rows if t.date)
    balance = sb.state.bank.opening(account_id)
    for row in rows:
        balance += (row.paid_in or 0) - (row.money_out or 0)
        assert row.balance == balance
        assert row.account_id == account_id
    assert rows[-1].balance == (await kf.bank_accounts.get(account_id)).bank_balance


async def test_transactions_filters(sb: Sandbox, kf: KashFlowClient) -> None:
    tx = kf.bank_accounts.transactions(sb.state.settings.default_bank_account_id)
    every = [t async for t in tx.list()]
    middle = every[len(every) // 2].date
    assert middle is not None
    since = [t async for t in tx.list(start_date=middle.date())]
    assert since and all(t.date and t.date.date() >= middle.date() for t in since)
    reconciled = [t async for t in tx.list(reconciled=True)]
    assert [t.id for t in reconciled] == [t.id for t in every if t.reconciled]
    biggest = await tx.page(1, perpage=1, sortby="PaidIn", order="Desc")
    assert biggest.data[0].paid_in == max(t.paid_in or 0 for t in every)


async def test_transaction_round_trip_create_change_update_delete(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    tx = kf.bank_accounts.transactions(55166)
    made = await tx.create(
        BankTransaction(
            date=dt.datetime(2024, 6, 1, 12), money_out=D("120.00"), vat_able=True,
            vat_rate=D(20), money_type=2, comment="Printer",
        )
    )  # fmt: skip
    assert made.vat_amount == D("20.0000")  # the VAT inside 120.00 at 20%
    got = await tx.get(made.id or 0)
    got.comment = "Printer and toner"
    got.money_out = D("180.00")
    updated = await tx.update(made.id or 0, got)
    assert (updated.comment, updated.money_out, updated.vat_amount) == (
        "Printer and toner", D("180.0000"), D("30.0000"),
    )  # fmt: skip
    with pytest.raises(BadRequestError, match="Exactly one of PaidIn and MoneyOut"):
        await tx.patch(made.id or 0, paid_in=D(5))
    await tx.delete(made.id or 0)
    with pytest.raises(NotFoundError):
        await tx.get(made.id or 0)
    with pytest.raises(NotFoundError):
        await kf.bank_accounts.transactions(424242).page()


async def test_transaction_sent_with_paid_out_is_taken_as_money_out(
    sb: Sandbox, kf: KashFlowClient, raw: Raw
) -> None:
    if raw.codec.name == "json":
        body = b'{"Date":"2024-06-02 12:00:00","PaidOut":15.25,"MoneyType":2}'
    else:
        body = (
            b"<BankTransaction><Date>2024-06-02 12:00:00</Date><MoneyType>2</MoneyType>"
            b"<PaidOut>15.25</PaidOut></BankTransaction>"
        )
    status, data, _ = await raw.call("POST", "/bankaccounts/3942/transactions", data=body)
    assert status == 201
    made = raw.codec.decode(data, BankTransaction)
    assert made.money_out == D("15.2500")


async def test_transaction_in_a_locked_period_is_refused(sb: Sandbox, kf: KashFlowClient) -> None:
    sb.state.bank_accounts[3942].lock_date = TODAY - dt.timedelta(days=10)
    tx = kf.bank_accounts.transactions(3942)
    with pytest.raises(BadRequestError, match="TransactionLockDate"):
        await tx.create(BankTransaction(date=dt.datetime(2024, 6, 1), paid_in=D(1), money_type=1))
    account = await kf.bank_accounts.get(3942)
    assert account.transaction_lock_enabled is True
    assert account.transaction_lock_date == TODAY - dt.timedelta(days=10)


# ----------------------------------------------------------------------------- reference data


async def test_vat_rates_on_a_date_and_latest(sb: Sandbox, kf: KashFlowClient) -> None:
    def standard(rates: list, code: str) -> Decimal:  # type: ignore[type-arg]
        found = next(r for r in rates if r.country_code == code)
        return found.vat_rates.standard_rate[0]

    assert standard(await kf.vat_rates(dt.date(2010, 6, 1)), "GB") == D("17.5000")
    assert standard(await kf.vat_rates(dt.date(2020, 9, 1)), "DE") == D("16.0000")
    latest = await kf.vat_rates()
    assert standard(latest, "GB") == D("20.0000")
    assert {r.country_code for r in latest} == {"GB", "IE", "FR", "DE"}
    ireland = next(r for r in latest if r.country_code == "IE")
    assert ireland.vat_rates is not None
    assert ireland.vat_rates.reduced_rate == [D("13.5000"), D("9.0000")]
    sb.state.vat_rates.empty_object = True
    assert await kf.vat_rates() == []


async def test_metadata_counts_the_account(sb: Sandbox, kf: KashFlowClient) -> None:
    meta = await kf.metadata()
    state = sb.state
    assert meta.total_nominal_count == len(state.nominals) == len(NOMINALS)
    assert meta.total_product_count == len(state.products)
    assert meta.total_invoice_count == state.invoice_count()
    assert meta.total_customer_count == len(state.customers)
    balances = [(await kf.bank_accounts.get(i)).bank_balance or 0 for i in state.bank_accounts]
    assert meta.total_bank_balance == sum(balances)
    assert meta.payroll_provisioning_status == PayrollProvisioningStatus.NOT_INITIATED
    async with KashFlowClient(
        username=sb.username, password=sb.password, memorable_word=sb.memorable_word,
        base_url=sb.url, wire_format=kf.wire_format,
    ) as logged_in:  # fmt: skip
        counted = await logged_in.metadata()
    assert counted.total_login_count == meta.total_login_count + 1 == sb.stats.logins


async def test_raw_twins(sb: Sandbox, kf: KashFlowClient) -> None:
    raw_list = await kf.nominals.with_raw_response.list()
    assert isinstance(raw_list, RawResponse) and raw_list.status == 200
    assert [n.code for n in raw_list.parse()] == [n.code for n in await kf.nominals.list()]
    raw_meta = await kf.reference.with_raw_response.metadata()
    assert raw_meta.parse().total_nominal_count == len(NOMINALS)
    tx = kf.bank_accounts.with_raw_response.transactions(3942)
    raw_page = await tx.page(perpage=2)
    assert len(raw_page.parse().data) == 2
    raw_product = await kf.products.with_raw_response.get(4000, "510")
    assert raw_product.parse().name == "Mobile"


async def test_hooks_see_the_documented_route_templates(sb: Sandbox, fmt: str) -> None:
    routes: list[str] = []
    hooks = {"request": [lambda event: routes.append(f"{event.method} {event.route}")]}
    async with KashFlowClient(
        token=sb.token, base_url=sb.url, wire_format=fmt, event_hooks=hooks
    ) as kf:
        tx = kf.bank_accounts.transactions(3942)
        page = await tx.page(perpage=1)
        await tx.get(page.data[0].id or 0)
        await tx.create(BankTransaction(date=dt.datetime(2024, 6, 3, 12), paid_in=D(1)))
        await kf.products.page(nominal_code=4000)
        await kf.products.get(4000, "510")
        await kf.nominals.get(4000)
        await kf.nominals.get_by_id((await kf.nominals.get(4000)).id or 0)
        raw = await tx.with_raw_response.get(page.data[0].id or 0)  # the raw twin, copied
        assert raw.parse().account_id == 3942
    assert routes == [
        "GET /bankaccounts/{accountId}/transactions",
        "GET /bankaccounts/{accountId}/transactions/{transactionId}",
        "POST /bankaccounts/{accountId}/transactions",
        "GET /nominals/{nominalCode}/products",
        "GET /products/{nominalCode}/{code}",
        "GET /nominals/{nominalCode}",
        "GET /nominals/{nominalCode}",
        "GET /nominals/Id/{nominalId}",
        "GET /bankaccounts/{accountId}/transactions/{transactionId}",
    ]


async def test_bad_arguments_are_refused_before_anything_is_sent(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    before = sb.stats.total
    tx = kf.bank_accounts.transactions(3942)
    calls = [
        lambda: kf.nominals.list(type=""),
        lambda: kf.nominals.get("4000"),  # type: ignore[arg-type]
        lambda: kf.nominals.get_by_id(0),
        lambda: kf.products.get(4000, ""),
        lambda: kf.products.page(sortby="Price"),
        lambda: kf.products.patch(4000, "510", cost=D(1)),
        lambda: kf.bank_accounts.list(include_archived="yes"),  # type: ignore[arg-type]
        lambda: tx.page(start_date="2024-01-01"),  # type: ignore[arg-type]
        lambda: tx.page(sortby="Amount"),
        lambda: kf.vat_rates("20100601"),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(InvalidArgumentError):
            await call()
    with pytest.raises(InvalidArgumentError, match="account_id"):
        kf.bank_accounts.transactions(0)
    assert sb.stats.total == before
    assert (await kf.products.get(4000, 510)).code == "510"  # a whole-number code is its text


async def test_a_payment_is_a_transaction_of_its_bank_account(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    account_id = 131609
    before = await kf.bank_accounts.get(account_id)
    invoice = await kf.invoices.create(
        Invoice(
            customer_code="TCUST01",
            due_date=dt.datetime(2024, 7, 30, 12),
            line_items=[InvoiceLine(quantity=D(1), rate=D("250.00"), vat_level=D(0))],
        )
    )
    payment = await kf.invoices.bulk_payments.create(
        BulkPayment(
            date=dt.date(2024, 6, 10),
            account_id=account_id,
            method=409844,
            payment_items=[BulkPaymentItem(object_number=invoice.number, amount=D("250.00"))],
        )
    )
    tx = kf.bank_accounts.transactions(account_id)
    rows = [
        t async for t in tx.list(start_date=dt.date(2024, 6, 10), end_date=dt.date(2024, 6, 10))
    ]
    entry = next(t for t in rows if t.payment_id == (payment.payment_items or [])[0].id)
    assert (entry.paid_in, entry.money_out) == (D("250.0000"), D("0.0000"))
    assert (entry.entity_name, entry.resource_number) == ("invoicebatchpayment", payment.number)
    assert entry.customer_code == "TCUST01"
    assert (await tx.get(entry.id or 0)).is_system_generated_transaction is True
    after = await kf.bank_accounts.get(account_id)
    assert after.bank_balance == (before.bank_balance or 0) + D("250.00")
    with pytest.raises(BadRequestError, match="bank entry of a payment"):
        await tx.patch(entry.id or 0, comment="no")
    with pytest.raises(BadRequestError, match="bank entry of a payment"):
        await tx.delete(entry.id or 0)
    await kf.invoices.bulk_payments.delete(payment.number or 0)
    assert (await kf.bank_accounts.get(account_id)).bank_balance == before.bank_balance


async def test_settings_and_account_summary(sb: Sandbox, kf: KashFlowClient) -> None:
    advanced = await kf.reference.advanced_settings()
    assert advanced.default_vat_rate == sb.state.settings.default_vat_level
    assert (advanced.transaction_lock, advanced.transaction_lock_date) == (False, None)
    sb.state.settings.transaction_lock_date = dt.date(2024, 3, 31)
    sb.state.settings.default_vat_level = D("17.5")
    locked = await kf.reference.advanced_settings()
    assert (locked.transaction_lock, locked.transaction_lock_date) == (True, dt.date(2024, 3, 31))
    assert locked.default_vat_rate == D("17.5")

    labels = await kf.reference.invoice_settings()
    assert (labels.invoice_name, labels.credit_note_name) == ("Invoice", "Credit Note")
    sb.state.preferences.invoice.invoice_name = "Tax Invoice"
    assert (await kf.reference.invoice_settings()).invoice_name == "Tax Invoice"

    summary = await kf.reference.account_summary()
    assert summary.display is not None
    assert summary.display.show_vat_liability is True
    assert summary.display.show_referral is False


async def test_countries_and_the_account_vat_rates(sb: Sandbox, kf: KashFlowClient) -> None:
    countries = await kf.reference.countries()
    assert [(c.code, c.is_eu) for c in countries if c.code in ("GB", "IE")] == [
        ("IE", True), ("GB", False),
    ]  # fmt: skip
    rates = await kf.reference.account_vat_rates()
    assert [(r.vat_id, r.vat_rate, r.vat_text) for r in rates] == [
        (1, D("20.0000"), "20%"), (2, D("5.0000"), "5%"), (3, D("0.0000"), "0%"),
    ]  # fmt: skip
    sb.state.settings.default_vat_level = D("17.5")
    first = (await kf.reference.account_vat_rates())[0]
    assert (first.vat_rate, first.vat_text) == (D("17.5000"), "17.5%")
