"""Bank accounts (``/bankaccounts``) and their transactions."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Code, Model, WireDate, WireDateTime
from ._spellings import Respelled
from .enums import WireEnum

__all__ = ["BankAccount", "BankTransaction", "BankTransactionSortField", "PaymentType"]


class PaymentType(Model):
    """A payment type (``{Id, Name}``) a bank account proposes by default."""

    id: int | None = None
    name: str | None = None


class BankAccount(Respelled):
    """A bank account, identified by its ``id``.

    ``reconcile_date`` and ``transaction_lock_date`` are dates (``2017-05-02``);
    ``starting_date`` is a timestamp (``1970-01-01 12:00:00`` when unset). Without a bank
    feed ``bank_feeds_account_id`` is 0 and the ``feed_*`` texts are empty. ``note``,
    ``starting_date``, ``starting_amount``, ``include_on_dashboard`` and
    ``show_paid_in_first`` come on `get` only: list items are summaries. The receipt
    payment type also arrives as ``DefaultPurchasePaymentType`` (decoded into
    ``default_receipt_payment_type``; the documented name is sent).
    """

    _spellings = (("default_receipt_payment_type", "_default_purchase_payment_type"),)

    id: int | None = None
    code: int | None = None
    account_name: str | None = None
    note: str | None = None
    is_default_account: bool | None = None
    is_archived: bool | None = None
    bank_balance: Decimal | None = None
    starting_date: WireDate | None = None
    starting_amount: Decimal | None = None
    reconcile_date: WireDate | None = None
    transaction_lock_enabled: bool | None = None
    transaction_lock_date: WireDate | None = None
    default_invoice_payment_type: PaymentType | None = None
    default_receipt_payment_type: PaymentType | None = None
    bank_feeds_account_id: int | None = None
    feed_account_holder: str | None = None
    feed_account_number: str | None = None
    feed_account_name: str | None = None
    last_transaction_import_date: WireDate | None = None
    icon_id: int | None = None
    include_on_dashboard: bool | None = msgspec.field(default=None, name="IncludeOnDashBoard")
    show_paid_in_first: bool | None = None
    _default_purchase_payment_type: PaymentType | None = msgspec.field(
        default=None, name="DefaultPurchasePaymentType"
    )


class BankTransaction(Respelled):
    """A transaction of a bank account, identified by its ``id`` within the account.

    Money paid in is ``paid_in``, paid out ``money_out`` (also received as ``PaidOut``,
    the live name; the documented ``MoneyOut`` is sent). ``reconciled`` decodes from a
    number (0/1) or a boolean. ``entity_name`` says what the row belongs to
    (``invoice``, ``purchase``, ``invoicebatchpayment``, ``purchasebatchpayment``,
    ``banktransaction``) and ``resource_number`` that document's number. ``balance``
    (a running balance), ``vat_paid``, ``edit_link`` and the other list-only figures
    are computed by the server. ``money_type`` is required on create.
    """

    _spellings = (("money_out", "_paid_out"),)

    id: int | None = None
    account_id: int | None = None
    date: WireDateTime | None = None
    transaction_type: int | None = None
    money_type: int | None = None
    type: str | None = None
    comment: str | None = None
    paid_in: Decimal | None = None
    money_out: Decimal | None = None
    vat_able: bool | None = msgspec.field(default=None, name="VATAble")
    vat_rate: Decimal | None = None
    vat_amount: Decimal | None = None
    vat_paid: Decimal | None = None
    vat_return_id: int | None = None
    resource_number: int | None = None
    transaction_number: Code | None = None
    entity_name: str | None = None
    customer_id: int | None = None
    customer_code: Code | None = None
    customer_name: str | None = None
    supplier_code: Code | None = None
    supplier_name: str | None = None
    customer_supplier_name: str | None = None
    project_id: int | None = None
    project_number: int | None = None
    project_name: str | None = None
    reconciled: bool | None = None
    reconciled_id: Code | None = None
    bfs_transaction_id: Code | None = msgspec.field(default=None, name="BFSTransactionId")
    payment_id: int | None = None
    balance: Decimal | None = None
    is_system_generated_transaction: bool | None = None
    disallowed: bool | None = None
    disable_disallowed: bool | None = None
    edit_link: str | None = None
    project_url: str | None = None
    line_projects_count: int | None = None
    _paid_out: Decimal | None = msgspec.field(default=None, name="PaidOut")


class BankTransactionSortField(WireEnum):
    """Columns a transaction list can be sorted by (sent as their number, ``sortcolumn``)."""

    DATE = "Date"
    PAID_IN = "PaidIn"
    PAID_OUT = "PaidOut"
    TRANSACTION_TYPE = "TransactionType"
    COMMENT = "Comment"
    NAME = "Name"
