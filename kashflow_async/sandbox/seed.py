"""Deterministic, realistic demo data: the same seed and date always give the same account."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ..models import (
    Address,
    BankDetails,
    Category,
    Contact,
    CreditType,
    Customer,
    Invoice,
    InvoiceLine,
    PaymentLine,
    PaymentTerms,
    Project,
    ProjectStatus,
    Purchase,
    PurchaseLine,
    Quote,
    QuoteLine,
    ReminderLetter,
    Supplier,
)
from ..models._base import WireDateTime
from .money import at_noon, q2
from .payables import terms_days
from .records import BankAccount, CreditRecord, PaymentMethod
from .seed_books import populate_books
from .state import State

__all__ = [
    "BANK_ACCOUNTS",
    "DEFAULT_BANK_ACCOUNT_ID",
    "DEFAULT_PAYMENT_METHOD_ID",
    "PAYMENT_METHODS",
    "SEED_CUSTOMER_CODES",
    "populate",
]

#: (id, name); the first is the default
BANK_ACCOUNTS = ((3942, "Current Account"), (55166, "Deposit Account"), (131609, "Reserve Account"))
#: (id, name); the first is the default
PAYMENT_METHODS = ((2508, "BACS"), (409844, "Cheque"), (727693, "Debit Card"))
#: The bank account payments go to when they name none.
DEFAULT_BANK_ACCOUNT_ID = BANK_ACCOUNTS[0][0]
#: The payment method of payments that name none.
DEFAULT_PAYMENT_METHOD_ID = PAYMENT_METHODS[0][0]

_FIXED_CUSTOMERS = (
    ("TCUST01", "John Smith", "CR21 4RT"),
    ("TCUST02", "KashFlow Customer", "CM19 4PT"),
    ("TEST01", "Test Customer", "SE1 2UP"),
)
#: Customer codes every seeded account holds, whatever the seed.
SEED_CUSTOMER_CODES = tuple(code for code, _, _ in _FIXED_CUSTOMERS)
_FIRST = (
    "Brian", "Tara", "Jack", "Amelia", "Oliver", "Priya", "Mohammed", "Grace", "Liam",
    "Sofia", "Noah", "Isla", "Arjun", "Chloe", "Ethan", "Zara", "Harry", "Mia", "Leo", "Ruby",
)  # fmt: skip
_LAST = (
    "Hayes", "Cleary", "Turner", "Patel", "Evans", "Khan", "Wright", "Hughes", "Green",
    "Walker", "Shah", "Morgan", "Clarke", "Price", "Bennett", "Ali", "Cooper", "Ward",
)  # fmt: skip
_TRADES = ("Bakery", "Garage", "Studio", "Consulting", "Builders", "Florist", "Cafe", "Lettings")
_STREETS = (
    "Tooley Street",
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "Park Avenue",
)
_TOWNS = (("London", "SE1"), ("Leeds", "LS1"), ("Bristol", "BS1"), ("Croydon", "CR0"))
#: (product code, product name, nominal code, unit rate)
_PRODUCTS = (
    ("510", "Mobile", 4000, Decimal("10.00")),
    ("520", "Consultancy (hour)", 4010, Decimal("85.00")),
    ("530", "Website hosting (month)", 4020, Decimal("24.99")),
    ("540", "Installation", 4030, Decimal("150.00")),
    ("550", "Support contract", 4040, Decimal("420.00")),
    ("560", "Printer paper (box)", 4050, Decimal("18.45")),
    ("570", "Training day", 4060, Decimal("675.00")),
)
_VAT_LEVELS = (Decimal(20), Decimal(20), Decimal(20), Decimal(5), Decimal(0))
_CATEGORIES = (
    Category(number=0, name=" - ", icon_id=0),
    Category(number=1, name="Hot lead", icon_id=3, icon_type="flag", icon_color="red"),
    Category(number=2, name="Follow up", icon_id=4, icon_type="flag", icon_color="green"),
)


def populate(
    state: State,
    *,
    seed: int = 0,
    customers: int = 25,
    invoices: int = 200,
    quotes: int = 50,
    purchases: int = 40,
    projects: int = 5,
) -> None:
    """Fill `state` with demo data: bank accounts, payment methods, `customers` customers
    (TCUST01, TCUST02 and TEST01 among them), suppliers, `invoices` invoices numbered from 1
    over the two years before the state's date in every status, `quotes` quotes, `purchases`
    purchases, some advance payments and credit notes, `projects` projects (at least
    the five that invoice lines are booked to), and the books (nominal codes, products,
    bank accounts' details and transactions: `seed_books`). Every customer, supplier and
    project a document names exists."""
    rng = random.Random(seed)
    today = state.today()
    for i, (acc_id, acc_name) in enumerate(BANK_ACCOUNTS):
        state.add_bank_account(BankAccount(acc_id, acc_name), default=i == 0)
    for i, (method_id, method_name) in enumerate(PAYMENT_METHODS):
        state.add_payment_method(PaymentMethod(method_id, method_name), default=i == 0)

    codes = _make_customers(state, rng, max(customers, len(_FIXED_CUSTOMERS)))
    for n in range(1, 11):
        state.suppliers.add(
            Supplier(
                id=state.new_id(),
                code=f"SUP{n:02d}",
                name=f"{rng.choice(_LAST)} Supplies Ltd",
                contacts=[Contact(email=f"accounts{n}@supplier.example", is_primary=True)],
                bank_account=BankDetails(name="Current Account", number=f"{n:08d}",
                                         sort_code="40-00-00"),
                payment_terms=PaymentTerms(days=30, type="AfterIssuedDate"),
                default_nominal_code=5000,
            )
        )  # fmt: skip

    for number in range(1, invoices + 1):
        _make_invoice(state, rng, number, rng.choice(codes), today)
    for number in range(1, quotes + 1):
        _make_quote(state, rng, number, rng.choice(codes), today)
    supplier_codes = sorted(s.code or "" for s in state.supplier_records.values())
    extra = random.Random(seed + 7919)  # the newer families' own: older data stays as it was
    for number in range(1, purchases + 1):
        code = rng.choice(supplier_codes)
        issued = at_noon(today - dt.timedelta(days=rng.randint(1, 365)))
        gross = q2(Decimal(rng.randint(2000, 250000)) / 100)
        _make_purchase(state, extra, number, code, issued, gross)
    _make_credits(state, rng, codes, today)
    for number in range(1, max(projects, _PROJECTS_BOOKED) + 1):
        _make_project(state, extra, number, extra.choice(codes), today)
    populate_books(state, seed=seed, products=_PRODUCTS)


#: Invoice lines are booked to projects 1 to this.
_PROJECTS_BOOKED = 5
_PURCHASED = (
    ("Materials", 5000, "Materials Purchased"),
    ("Office supplies", 7500, "Office Costs"),
    ("Fuel", 7300, "Motor Expenses"),
    ("Subcontractor", 5100, "Subcontractors"),
)


def _make_purchase(
    state: State, rng: random.Random, number: int, code: str, issued: WireDateTime, gross: Decimal
) -> None:
    """A purchase of about `gross` (its line at 20% VAT), unpaid (bulk payments pay
    purchases)."""
    description, nominal, nominal_name = rng.choice(_PURCHASED)
    net = q2(gross / Decimal("1.2"))
    state.purchases.insert(
        Purchase(
            number=number,
            supplier_code=code,
            supplier_reference=f"PO{1000 + number}",
            issued_date=issued,
            line_items=[
                PurchaseLine(quantity=Decimal(1), rate=net, vat_level=Decimal(20),
                             description=description, nominal_code=nominal,
                             nominal_name=nominal_name)
            ],
        )
    )  # fmt: skip


def _make_project(state: State, rng: random.Random, number: int, code: str, today: dt.date) -> None:
    customer = state.customer(code)
    assert customer is not None
    start = today - dt.timedelta(days=rng.randint(30, 400))
    state.projects.create(
        Project(
            number=number,
            name=f"{customer.name} project {number}",
            reference=f"PRJ{number:03d}",
            description=f"Work for {customer.name}",
            customer_code=code,
            start_date=at_noon(start),
            end_date=at_noon(start + dt.timedelta(days=rng.randint(30, 365))),
            status=ProjectStatus.ACTIVE if rng.random() < 0.7 else ProjectStatus.COMPLETE,
            target_sales_amount=Decimal(rng.randint(10, 200) * 100),
            target_purchases_amount=Decimal(rng.randint(5, 100) * 100),
        )
    )


def _make_customers(state: State, rng: random.Random, count: int) -> list[str]:
    codes: list[str] = []
    for code, name, postcode in _FIXED_CUSTOMERS:
        address = Address(line1="123 Tooley Street", line2="London", post_code=postcode,
                          country_code="GB", country_name="United Kingdom")  # fmt: skip
        state.customers.add(_customer(state.new_id(), code, name, address, 30))
        codes.append(code)
    while len(codes) < count:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        name = f"{first} {last}" if rng.random() < 0.6 else f"{last} {rng.choice(_TRADES)}"
        stem = "".join(ch for ch in name.upper() if ch.isalpha())[:4]
        n = 1
        while state.customer(f"{stem}{n:02d}") is not None:
            n += 1
        code = f"{stem}{n:02d}"
        town, district = rng.choice(_TOWNS)
        address = Address(
            line1=f"{rng.randint(1, 250)} {rng.choice(_STREETS)}",
            line2=town,
            post_code=f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGH')}{rng.choice('JLNPQ')}",
            country_code="GB",
            country_name="United Kingdom",
        )
        state.customers.add(_customer(state.new_id(), code, name, address,
                                      rng.choice((14, 30, 30, 60))))  # fmt: skip
        codes.append(code)
    return codes


def _customer(id_: int, code: str, name: str, address: Address, days: int) -> Customer:
    return Customer(
        id=id_,
        code=code,
        name=name,
        display_name=f"{name}, {address.post_code}",
        email=f"{code.lower()}@example.com",
        contacts=[Contact(name=name, email=f"{code.lower()}@example.com", is_primary=True)],
        addresses=[address],
        payment_terms=PaymentTerms(days=days, type="AfterIssuedDate"),
    )


def _lines(rng: random.Random, line_type: type[InvoiceLine] | type[QuoteLine]) -> list[object]:
    lines: list[object] = []
    for _ in range(rng.randint(1, 4)):
        code, name, nominal, rate = rng.choice(_PRODUCTS)
        lines.append(
            line_type(
                quantity=Decimal(rng.randint(1, 10)),
                rate=rate,
                vat_level=rng.choice(
                    (Decimal(20), Decimal(20), Decimal(20), Decimal(5), Decimal(0))
                ),
                description=name,
                nominal_code=nominal,
                product_code=code,
                product_name=name,
            )
        )
    return lines


def _make_invoice(state: State, rng: random.Random, number: int, code: str, today: dt.date) -> None:
    issued = today - dt.timedelta(days=int(rng.triangular(0, 730, 0)))
    customer = state.customer(code)
    assert customer is not None
    due = issued + dt.timedelta(days=terms_days(customer))
    lines = _lines(rng, InvoiceLine)
    if rng.random() < 0.02:
        lines = [InvoiceLine(quantity=Decimal(1), rate=Decimal(0), description="No charge")]
    if rng.random() < 0.15:
        project = rng.randint(1, 5)
        for line in lines:
            line.project_number = project  # type: ignore[attr-defined]
    inv = state.invoices.insert(
        Invoice(
            number=number,
            customer_code=code,
            customer_reference=f"Order{rng.randint(100, 99999)}" if rng.random() < 0.7 else "",
            issued_date=at_noon(issued),
            due_date=at_noon(due),
            line_items=lines,  # type: ignore[arg-type]
            automatic_credit_control_enabled=rng.random() < 0.5,
        )
    )
    gross = inv.gross_amount or Decimal(0)
    outcome = rng.random()
    if gross == 0 or outcome < 0.35:
        amounts: list[Decimal] = []
    elif outcome < 0.80:
        amounts = [gross] if rng.random() < 0.7 else [q2(gross / 2), gross - q2(gross / 2)]
    elif outcome < 0.94:
        amounts = [q2(gross * Decimal(rng.randint(10, 90)) / 100)]
    else:
        amounts = [gross + Decimal(rng.randint(5, 200))]
    payments = []
    for amount in amounts:
        span = max((today - issued).days, 0)
        day = issued + dt.timedelta(days=rng.randint(0, span))
        method_id, _ = rng.choice(PAYMENT_METHODS)
        account_id, _ = rng.choice(BANK_ACCOUNTS)
        payments.append(
            PaymentLine(
                date=at_noon(day),
                amount=amount,
                method=method_id,
                account_id=account_id,
                note="Payment received",
            )
        )
    letters: list[ReminderLetter] = []
    if not amounts and due < today - dt.timedelta(days=14):
        letters = [
            ReminderLetter(
                number=k, is_sent=True, sent_date=at_noon(due + dt.timedelta(days=7 * k))
            )
            for k in range(1, rng.randint(1, 3) + 1)
            if due + dt.timedelta(days=7 * k) <= today
        ]
    if payments:
        state.invoices.record_payments(number, payments)
    if letters:
        state.invoices.set_reminder_letters(number, letters)


def _make_quote(state: State, rng: random.Random, number: int, code: str, today: dt.date) -> None:
    state.quotes.create(
        Quote(
            number=number,
            customer_code=code,
            customer_reference=rng.choice(("", "This is a Quote", f"Q-{rng.randint(100, 999)}")),
            date=at_noon(today - dt.timedelta(days=rng.randint(0, 365))),
            category=rng.choice(_CATEGORIES),
            line_items=_lines(rng, QuoteLine),  # type: ignore[arg-type]
        )
    )


def _make_credits(state: State, rng: random.Random, codes: list[str], today: dt.date) -> None:
    for i, code in enumerate(codes):
        if i >= len(_FIXED_CUSTOMERS) and rng.random() > 0.35:
            continue
        when: WireDateTime = at_noon(today - dt.timedelta(days=rng.randint(1, 200)))
        state.add_credit(
            CreditRecord(state.new_id(), code, CreditType.ADVANCE_PAYMENT,
                         Decimal(rng.randint(20, 500)), when,
                         f"Advance Payment from {code}")
        )  # fmt: skip
        state.add_credit(
            CreditRecord(state.new_id(), code, CreditType.CREDIT_NOTE,
                         Decimal(rng.randint(10, 200)), when, f"Credit Note for {code}")
        )  # fmt: skip
