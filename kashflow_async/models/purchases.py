"""Purchases (supplier invoices), their lines and payment lines."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Code, Model, TopLevel, WireDateTime
from .common import Currency
from .enums import InvoiceStatus
from .invoices import DocumentLine, Payable, PaymentLineBase

__all__ = ["Purchase", "PurchaseLine", "PurchasePaymentLine", "StockInfo"]


class StockInfo(Model):
    """Stock received against a purchase line (None on a line without a stocked product)."""

    name: str | None = None
    type: str | None = None
    quantity_in_stock: Decimal | None = None
    received: bool | None = None
    stock_received_on: WireDateTime | None = None
    applicable_on: WireDateTime | None = None


class PurchaseLine(DocumentLine):
    """A line item of a purchase: quantity x rate, VAT at ``vat_level`` percent, booked
    to ``nominal_code``."""

    nominal_name: str | None = None
    nominal_id: int | None = None
    project_number: int | None = None
    project_name: str | None = None
    stock_info: StockInfo | None = None
    disallowed: bool | None = None
    disable_disallowed: bool | None = None
    import_duty: Decimal | None = None
    home_currency_import_duty: Decimal | None = None


class PurchasePaymentLine(PaymentLineBase):
    """A payment made against a purchase (``bulk_payment_number`` when it came from a
    bulk payment). ``payment_processor_enum_value`` is a name here (``NoCardPayments``)."""

    bulk_payment_number: int | None = None
    pay_date: WireDateTime | None = None
    bfs_transaction_id: int | None = msgspec.field(default=None, name="BFSTransactionId")
    bank_transaction_id: int | None = None
    bank_reconciliation_id: int | None = None
    payment_processor: int | None = None
    payment_processor_enum_value: Code | None = None
    is_payment_credit_note: bool | None = None
    vat_return_id: int | None = None


class Purchase(Payable, TopLevel):
    """A purchase (a supplier's invoice), identified by its ``number``.

    Totals follow the invoice arithmetic: net = sum of quantity x rate, VAT per line,
    gross = net + VAT; home-currency figures are divided by the exchange rate. In list
    pages ``line_items`` and ``payment_lines`` are None (summaries).
    """

    id: int | None = None
    number: int | None = None
    supplier_id: int | None = None
    supplier_code: str | None = None
    supplier_name: str | None = None
    supplier_reference: str | None = None
    issued_date: WireDateTime | None = None
    due_date: WireDateTime | None = None
    paid_date: WireDateTime | None = None
    net_amount: Decimal | None = None
    vat_amount: Decimal | None = None
    gross_amount: Decimal | None = None
    home_currency_gross_amount: Decimal | None = None
    total_paid_amount: Decimal | None = None
    due_amount: Decimal | None = None
    currency: Currency | None = None
    line_items: list[PurchaseLine] | None = None
    payment_lines: list[PurchasePaymentLine] | None = None
    status: InvoiceStatus | None = None
    overdue_days: int | None = None
    type: str | None = None
    project_number: int | None = None
    project_name: str | None = None
    project_gross_amount: Decimal | None = None
    trade_border_type: str | None = None
    is_cis_reverse_charge: bool | None = msgspec.field(default=None, name="IsCISReverseCharge")
    cisrc_net_amount: Decimal | None = msgspec.field(default=None, name="CISRCNetAmount")
    cisrc_vat_amount: Decimal | None = msgspec.field(default=None, name="CISRCVatAmount")
    is_wht_deduction_to_be_applied: bool | None = None
    purchase_in_ec_member_state: bool | None = None
    stock_management_applicable: bool | None = None
    additional_field_value: str | None = None
    file_count: int | None = None
    is_email_sent: bool | None = None
    vat_return_id: int | None = None
    previous_number: int | None = None
    next_number: int | None = None
    permalink: str | None = None
