"""Demo nominal codes, products, bank accounts' details and bank transactions: the same
seed and date always give the same books."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

from ..models import BankTransaction, Nominal, PaymentType, Product
from .money import at_noon, q2
from .state import State

__all__ = ["NOMINALS", "populate_books"]

#: (code, name, type label, nom type): sales, purchases, overheads and balance sheet codes
NOMINALS = (
    (1200, "Bank Current Account", "Bank", 3),
    (1210, "Bank Deposit Account", "Bank", 3),
    (4000, "Sales Type A", "Sales", 1),
    (4010, "Sales Type B", "Sales", 1),
    (4020, "Sales Type C", "Sales", 1),
    (4030, "Sales Type D", "Sales", 1),
    (4040, "Sales Type E", "Sales", 1),
    (4050, "Sales Type F", "Sales", 1),
    (4060, "Sales Type G", "Sales", 1),
    (5000, "Materials Purchased", "Outgoing", 2),
    (7403, "Travel and Subsistence", "Outgoing", 2),
    (7500, "Office Costs", "Outgoing", 2),
)
_COMMENTS = ("Card payment", "Transfer", "Direct debit", "Cash deposit", "Standing order")


def populate_books(
    state: State,
    *,
    seed: int,
    products: Iterable[tuple[str, str, int, Decimal]],
    transactions_per_account: int = 12,
) -> None:
    """Add the nominal codes, the `products` ((code, name, nominal code, rate), as the
    seeded invoice lines use them), the details of every bank account the payment rules
    know, and some transactions on each over the last year."""
    rng = random.Random(seed)
    today = state.today()
    for code, name, label, nom_type in NOMINALS:
        state.nominals.create(
            Nominal(code=code, name=name, type=label, nom_type=nom_type, sa103_code=0)
        )
    for product_code, name, nominal_code, rate in products:
        state.products.create(
            Product(
                code=product_code,
                name=name,
                nominal_code=str(nominal_code),
                description=name,
                price=rate,
                wholesale_price=q2(rate * Decimal("0.8")),
                vat_rate=Decimal(20),
                quantity_in_stock=Decimal(rng.randint(0, 40)),
                stock_warning_quantity=Decimal(5),
            )
        )
    first_method = next(iter(state.payment_methods.values()), None)
    kind = None if first_method is None else PaymentType(id=first_method.id, name=first_method.name)
    for record in list(state.bank_accounts.values()):
        state.bank.adopt(
            record,
            default_invoice_payment_type=kind,
            default_receipt_payment_type=kind,
            starting_amount=Decimal(rng.randint(0, 5000)),
        )
        for _ in range(transactions_per_account):
            amount = q2(Decimal(rng.randint(500, 200000)) / 100)
            paid_in = rng.random() < 0.5
            state.bank.transactions.create(
                record.id,
                BankTransaction(
                    date=at_noon(today - dt.timedelta(days=rng.randint(1, 365))),
                    paid_in=amount if paid_in else None,
                    money_out=None if paid_in else amount,
                    comment=rng.choice(_COMMENTS),
                    vat_able=rng.random() < 0.3,
                    vat_rate=Decimal(20),
                    money_type=1 if paid_in else 2,
                    reconciled=rng.random() < 0.4,
                ),
            )
