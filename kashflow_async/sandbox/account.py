"""The account every collection shares: its calendar, settings, reference data (customers,
suppliers, bank accounts, payment methods, stored credits), identifiers, the
change counter list views are cached against, and the rules about dates and defaults that
more than one collection applies."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from ..models import CreditType, Customer, Supplier
from .errors import BadRequest
from .records import AccountSettings, BankAccount, CreditRecord, PaymentMethod, code_key

__all__ = ["Account"]


class Account:
    """One KashFlow account's shared data and rules.

    `today` fixes the calendar date the rules use (overdue status, ThisMonth/LastMonth);
    None follows the real date.
    """

    def __init__(self, *, today: dt.date | None = None, seed: int = 0) -> None:
        self._today = today
        self.settings = AccountSettings()
        #: customers and suppliers by `code_key` (the rooms in `state` keep them)
        self.customer_records: dict[str, Customer] = {}
        self.supplier_records: dict[str, Supplier] = {}
        self.bank_accounts: dict[int, BankAccount] = {}
        self.payment_methods: dict[int, PaymentMethod] = {}
        self.credits: dict[tuple[CreditType, int], CreditRecord] = {}
        #: ids of the payment lines bulk payments own (an invoice update leaves them alone)
        self.bulk_line_ids: set[int] = set()
        #: counts every change; list views are cached against it
        self.version = 0
        self._rng = random.Random(seed)
        self._next_id = 100_000
        self._next_payment_id = 1

    # ------------------------------------------------------------------ time and ids

    def today(self) -> dt.date:
        """The date the rules use."""
        return self._today or dt.date.today()

    def set_today(self, day: dt.date | None) -> None:
        """Move the sandbox's calendar (None: follow the real date)."""
        self._today = day
        self.changed()

    def changed(self) -> None:
        """Something changed: cached list views are out of date."""
        self.version += 1

    def new_id(self) -> int:
        """A fresh unique identifier (invoices, quotes, customers, credits)."""
        self._next_id += 1
        return self._next_id

    def new_payment_id(self) -> int:
        """A fresh payment line id (also the id of a bulk payment's item)."""
        pid = self._next_payment_id
        self._next_payment_id += 1
        return pid

    def new_uuid(self) -> str:
        """A seeded UUID for permalinks."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    # ------------------------------------------------------------------ reference data

    def customer(self, code: str | None) -> Customer | None:
        """The customer with `code` (case-insensitive, surrounding spaces ignored)."""
        return self.customer_records.get(code_key(code))

    def supplier(self, code: str | None) -> Supplier | None:
        """The supplier with `code` (case-insensitive, surrounding spaces ignored)."""
        return self.supplier_records.get(code_key(code))

    def party(self, kind: str, code: str | None) -> Customer | Supplier | None:
        """The customer (`kind` ``customer``) or supplier with `code`."""
        return self.customer(code) if kind == "customer" else self.supplier(code)

    def resolve_party(
        self, kind: str, code: str | None, required: bool, what: str
    ) -> Customer | Supplier | None:
        """The customer or supplier a document names: 400 when `code` names none, or
        when it is empty and `required`."""
        label = kind.capitalize()
        if not (code or "").strip():
            if required:
                raise BadRequest(f"{label}Code is required to create {what}.")
            return None
        found = self.party(kind, code)
        if found is None:
            raise BadRequest(f"{label} code {code!r} does not exist.")
        return found

    def resolve_customer(self, code: str | None, required: bool, what: str) -> Customer | None:
        """The customer a document names (`resolve_party`)."""
        found = self.resolve_party("customer", code, required, what)
        assert found is None or isinstance(found, Customer)
        return found

    def add_bank_account(self, account: BankAccount, default: bool = False) -> BankAccount:
        """Register a bank account (the first one, or `default`, becomes the default)."""
        self.bank_accounts[account.id] = account
        if default or not self.settings.default_bank_account_id:
            self.settings.default_bank_account_id = account.id
        return account

    def add_payment_method(self, method: PaymentMethod, default: bool = False) -> PaymentMethod:
        """Register a payment method (the first one, or `default`, becomes the default)."""
        self.payment_methods[method.id] = method
        if default or not self.settings.default_payment_method_id:
            self.settings.default_payment_method_id = method.id
        return method

    def add_credit(self, credit: CreditRecord) -> CreditRecord:
        """Register an advance payment or credit note of a customer."""
        if credit.type is CreditType.OVER_PAYMENT:
            raise ValueError("overpayments are derived from overpaid invoices")
        self.credits[(credit.type, credit.id)] = credit
        return credit

    # ------------------------------------------------------------------ payment rules

    def account_or_default(self, account_id: int | None) -> int:
        """`account_id` if it names a bank account, else the default one."""
        if account_id in self.bank_accounts:
            return account_id
        return self.settings.default_bank_account_id

    def method_or_default(self, method: int | None) -> int:
        """`method` if it names a payment method, else the default one."""
        if method in self.payment_methods:
            return method
        return self.settings.default_payment_method_id

    def check_lock(self, day: dt.date, account_id: int | None, what: str) -> None:
        """400 when `day` is on or before the account's or the bank account's lock date."""
        account_lock = self.settings.transaction_lock_date
        if account_lock is not None and day <= account_lock:
            raise BadRequest(
                f"The {what} date {day.isoformat()} is within the account's "
                f"TransactionLockDate ({account_lock.isoformat()})."
            )
        bank = self.bank_accounts.get(self.account_or_default(account_id))
        if bank is not None and bank.lock_date is not None and day <= bank.lock_date:
            raise BadRequest(
                f"The {what} date {day.isoformat()} is within the TransactionLockDate "
                f"({bank.lock_date.isoformat()}) of bank account {bank.id}."
            )
