"""Bank accounts and their transactions; every invoice and purchase payment is also a
transaction of the bank account it went to.

An account's ``BankBalance`` is its ``StartingAmount`` plus what its transactions paid in
less what they paid out; a list of transactions carries each row's running ``Balance``
(by date, then id). A transaction dated on or before the account's (or the bank
account's) transaction lock date is refused, as payments are. The payment rules'
records of bank accounts (`Account.bank_accounts`) follow every change made here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ...models import BankAccount, BankTransaction, PaymentLineBase, SortOrder
from ...models._base import WireDate
from ..account import Account
from ..errors import BadRequest
from ..money import HUNDRED, ZERO, at_noon, day_of, naive, q2, q4
from ..records import BankAccount as BankRecord
from ..views import check_paging, page_slice
from .invoices import Invoices
from .keyed import KeyedStore
from .purchases import Purchases

__all__ = ["ACCOUNT_DETAIL_ONLY", "BankAccounts", "BankTransactions", "payment_entry"]

#: members a single read of an account has and a list item has not
ACCOUNT_DETAIL_ONLY = (
    "note",
    "starting_date",
    "starting_amount",
    "include_on_dashboard",
    "show_paid_in_first",
)
#: StartingDate of an account that has none
UNSET_STARTING_DATE = dt.datetime(1970, 1, 1, 12)
#: ``sortcolumn`` 1..6
_SORT_KEYS: dict[int, Callable[[BankTransaction], Any]] = {
    1: lambda t: naive(t.date),
    2: lambda t: t.paid_in or ZERO,
    3: lambda t: t.money_out or ZERO,
    4: lambda t: t.transaction_type or 0,
    5: lambda t: (t.comment or "").lower(),
    6: lambda t: (t.customer_supplier_name or "").lower(),
}


def vat_included(amount: Decimal, rate: Decimal) -> Decimal:
    """The VAT inside a gross `amount` at `rate` percent, to the penny."""
    return q2(amount * rate / (HUNDRED + rate))


def payment_entry(
    line: PaymentLineBase, account_id: int, entity: str, number: int | None, incoming: bool
) -> BankTransaction:
    """The bank entry of a payment line: money in for an invoice, out for a purchase
    (a negative amount the other way); a bulk payment's line names the bulk payment."""
    amount = line.amount or ZERO
    if not incoming:
        amount = -amount
    bulk = line.bulk_id is not None
    return BankTransaction(
        id=line.id,
        account_id=account_id,
        date=line.date,
        transaction_type=1 if incoming else 2,
        comment=line.note or "",
        paid_in=q4(max(amount, ZERO)),
        money_out=q4(max(-amount, ZERO)),
        vat_able=False,
        vat_rate=q4(ZERO),
        vat_amount=q4(ZERO),
        reconciled=False,
        entity_name=f"{entity}batchpayment" if bulk else entity,
        resource_number=line.bulk_id if bulk else number,
        payment_id=line.id,
        is_system_generated_transaction=True,
    )


class BankTransactions(KeyedStore[tuple[int, int], BankTransaction]):
    """Every bank account's transactions, keyed by (account id, transaction id): the ones
    entered through this API, and the bank entry of every invoice and purchase payment
    (read-only here: change the payment instead)."""

    def __init__(
        self,
        account: Account,
        invoices: Invoices | None = None,
        purchases: Purchases | None = None,
    ) -> None:
        super().__init__(account, "Bank transaction")
        self.invoices = invoices
        self.purchases = purchases

    def payment_entries(self, account_id: int) -> list[BankTransaction]:
        """The bank entries of the invoice and purchase payments into or out of the account."""
        rows: list[BankTransaction] = []
        for inv in self.invoices.store.values() if self.invoices is not None else ():
            for line in inv.payment_lines or ():
                if line.account_id == account_id:
                    row = payment_entry(line, account_id, "invoice", inv.number, True)
                    row.customer_code, row.customer_name = inv.customer_code, inv.customer_name
                    row.customer_supplier_name = inv.customer_name
                    rows.append(row)
        for purchase in self.purchases.store.values() if self.purchases is not None else ():
            for paid in purchase.payment_lines or ():
                if paid.account_id == account_id:
                    row = payment_entry(paid, account_id, "purchase", purchase.number, False)
                    row.supplier_code, row.supplier_name = (
                        purchase.supplier_code,
                        purchase.supplier_name,
                    )
                    row.customer_supplier_name = purchase.supplier_name
                    rows.append(row)
        return rows

    def of(self, account_id: int) -> list[BankTransaction]:
        """Every transaction of one account (entered and payment entries), by date then id."""
        rows = [t for (a, _), t in self.store.items() if a == account_id]
        rows.extend(self.payment_entries(account_id))
        rows.sort(key=lambda t: (naive(t.date), t.id or 0))
        return rows

    def stored(self, key: tuple[int, int], shown: object = None) -> BankTransaction:
        """A transaction entered through this API (400 for a payment's bank entry, 404
        when there is neither)."""
        found = self.store.get(key)
        if found is None and any(t.id == key[1] for t in self.payment_entries(key[0])):
            raise BadRequest(
                f"Bank transaction {key[1]} is the bank entry of a payment: change the payment."
            )
        return super().stored(key, shown)

    def total(self, account_id: int) -> Decimal:
        """Paid in less paid out, over the account's transactions."""
        return sum(((t.paid_in or ZERO) - (t.money_out or ZERO) for t in self.of(account_id)), ZERO)

    def get(self, account_id: int, transaction_id: int) -> BankTransaction:
        """One transaction, whole (a payment's bank entry too)."""
        for entry in self.payment_entries(account_id):
            if entry.id == transaction_id and (account_id, transaction_id) not in self.store:
                return entry
        return self.full(self.stored((account_id, transaction_id), transaction_id))

    def page(
        self,
        account_id: int,
        page: int,
        perpage: int,
        *,
        opening: Decimal,
        start: dt.date | None = None,
        end: dt.date | None = None,
        sortcolumn: int = 1,
        order: SortOrder = SortOrder.ASC,
        search_text: str | None = None,
        reconciled: bool | None = None,
    ) -> tuple[list[BankTransaction], int]:
        """One page of the account's transactions (dates inclusive), each with its
        running ``Balance`` from `opening`, and the total count."""
        check_paging(page, perpage)
        if sortcolumn not in _SORT_KEYS:
            raise BadRequest(f"sortcolumn must be 1 to 6, not {sortcolumn}.")
        text = (search_text or "").strip().lower()
        rows: list[BankTransaction] = []
        balance = opening
        for stored in self.of(account_id):
            balance += (stored.paid_in or ZERO) - (stored.money_out or ZERO)
            day = day_of(stored.date) if stored.date else None
            if (start and (day is None or day < start)) or (end and (day is None or day > end)):
                continue
            if text and text not in (stored.comment or "").lower():
                continue
            if reconciled is not None and bool(stored.reconciled) != reconciled:
                continue
            row = self.summary(stored)
            row.balance = q4(balance)
            row.vat_paid = row.vat_amount
            row.edit_link = f"/bankaccounts/{account_id}/transactions/{row.id}"
            rows.append(row)
        if sortcolumn != 1 or order is SortOrder.DESC:
            rows.sort(key=_SORT_KEYS[sortcolumn], reverse=order is SortOrder.DESC)
        return page_slice(rows, page, perpage), len(rows)

    def create(self, account_id: int, body: BankTransaction) -> BankTransaction:
        """Add a transaction: a ``Date`` and a positive ``PaidIn`` or ``MoneyOut`` (not
        both) are required."""
        self._check(account_id, body)
        body.id = self.account.new_id()
        return self.full(self.put((account_id, body.id), body))

    def update(
        self, account_id: int, transaction_id: int, body: BankTransaction
    ) -> BankTransaction:
        """Replace a transaction (same rules as `create`; it stays in its account)."""
        key = (account_id, transaction_id)
        old = self.stored(key, transaction_id)
        if body.date is None:
            body.date = old.date
        self._check(account_id, body)
        body.id = transaction_id
        return self.full(self.put(key, body, old))

    def delete(self, account_id: int, transaction_id: int) -> None:
        """Delete a transaction (400 when its date is locked)."""
        old = self.stored((account_id, transaction_id), transaction_id)
        if old.date is not None:
            self.account.check_lock(day_of(old.date), account_id, "bank transaction")
        self.remove((account_id, transaction_id))

    def _check(self, account_id: int, body: BankTransaction) -> None:
        if body.date is None:
            raise BadRequest("Date is required for a bank transaction.")
        paid_in, paid_out = body.paid_in or ZERO, body.money_out or ZERO
        if paid_in < ZERO or paid_out < ZERO:
            raise BadRequest("PaidIn and MoneyOut must not be negative.")
        if (paid_in > ZERO) == (paid_out > ZERO):
            raise BadRequest("Exactly one of PaidIn and MoneyOut must be more than 0.")
        self.account.check_lock(day_of(body.date), account_id, "bank transaction")
        rate = body.vat_rate or ZERO
        if rate < ZERO or rate >= HUNDRED:
            raise BadRequest(f"VATRate must be from 0 to less than 100, not {rate}.")
        body.account_id = account_id
        body.date = (
            at_noon(day_of(body.date)) if not isinstance(body.date, dt.datetime) else body.date
        )
        body.paid_in, body.money_out = q4(paid_in), q4(paid_out)
        body.vat_able = bool(body.vat_able)
        body.vat_rate = q4(rate)
        body.vat_amount = q4(vat_included(paid_in + paid_out, rate) if body.vat_able else ZERO)
        body.reconciled = bool(body.reconciled)
        body.is_system_generated_transaction = False
        body.transaction_type = body.transaction_type or 0
        body.money_type = body.money_type or 0


class BankAccounts(KeyedStore[int, BankAccount]):
    """The account's bank accounts, keyed by ``Id``."""

    def __init__(self, account: Account, transactions: BankTransactions) -> None:
        super().__init__(account, "Bank account", ACCOUNT_DETAIL_ONLY)
        self.transactions = transactions
        #: how ``GET /bankaccounts`` answers: ``"array"`` (documented) or ``"paged"``
        self.list_shape = "array"

    def computed(self, view: BankAccount) -> BankAccount:
        """``BankBalance``, ``IsDefaultAccount`` and the lock date, from the account."""
        assert view.id is not None
        view.bank_balance = q4(
            (self.store[view.id].starting_amount or ZERO) + self.transactions.total(view.id)
        )
        view.is_default_account = view.id == self.account.settings.default_bank_account_id
        record = self.account.bank_accounts.get(view.id)
        lock = record.lock_date if record is not None else None
        view.transaction_lock_enabled = lock is not None
        view.transaction_lock_date = WireDate(lock.year, lock.month, lock.day) if lock else None
        return view

    def get(self, account_id: int) -> BankAccount:
        """One bank account, whole."""
        return self.full(self.stored(account_id))

    def opening(self, account_id: int) -> Decimal:
        """The account's starting amount (404 when there is no such account)."""
        return self.stored(account_id).starting_amount or ZERO

    def list(self, include_archived: bool) -> list[BankAccount]:
        """Summaries by id; archived accounts only when `include_archived`."""
        return self.summaries(lambda a: include_archived or not a.is_archived)

    def adopt(self, record: BankRecord, **details: Any) -> BankAccount:
        """Serve a bank account the payment rules already know (seed data), with
        `details` (model fields)."""
        body = BankAccount(id=record.id, account_name=record.name, **details)
        self._fill(body, len(self.store) + 1)
        return self.put(record.id, body)

    def create(self, body: BankAccount) -> BankAccount:
        """Add a bank account: ``AccountName`` is required, ``Code`` unique."""
        self._check(body, None)
        body.id = self.account.new_id()
        self._fill(body, len(self.store) + 1)
        self.account.add_bank_account(BankRecord(body.id, body.account_name or ""))
        return self.full(self.put(body.id, body))

    def update(self, account_id: int, body: BankAccount) -> BankAccount:
        """Replace a bank account (its id stays)."""
        old = self.stored(account_id)
        self._check(body, old)
        body.id = account_id
        self._fill(body, old.code or 0)
        record = self.account.bank_accounts.get(account_id)
        if record is not None:
            record.name = body.account_name or ""
        return self.full(self.put(account_id, body, old))

    def delete(self, account_id: int) -> None:
        """Delete a bank account (400 for the default one, or one with transactions)."""
        self.stored(account_id)
        if account_id == self.account.settings.default_bank_account_id:
            raise BadRequest(f"Bank account {account_id} is the default account.")
        if self.transactions.of(account_id):
            raise BadRequest(f"Bank account {account_id} has transactions: delete them first.")
        self.remove(account_id)
        self.account.bank_accounts.pop(account_id, None)

    def _check(self, body: BankAccount, old: BankAccount | None) -> None:
        if not (body.account_name or "").strip():
            raise BadRequest("AccountName is required for a bank account.")
        if body.starting_amount is not None and not body.starting_amount.is_finite():
            raise BadRequest("StartingAmount must be a number.")
        code = body.code
        if code is not None and any(
            a.code == code and (old is None or a.id != old.id) for a in self.store.values()
        ):
            raise BadRequest(f"Bank account code {code} is already taken.")

    @staticmethod
    def _fill(body: BankAccount, code: int) -> None:
        body.code = body.code or code
        body.note = body.note or ""
        body.is_archived = bool(body.is_archived)
        body.starting_amount = q4(body.starting_amount or ZERO)
        if body.starting_date is None:
            body.starting_date = at_noon(UNSET_STARTING_DATE)
        body.bank_feeds_account_id = body.bank_feeds_account_id or 0
        for name in ("feed_account_holder", "feed_account_number", "feed_account_name"):
            setattr(body, name, getattr(body, name) or "")
        body.include_on_dashboard = bool(body.include_on_dashboard)
        body.show_paid_in_first = bool(body.show_paid_in_first)
