"""Invoices, their lines, payment lines and reminder letters."""

from __future__ import annotations

from decimal import Decimal

from ._base import Code, Model, TopLevel, WireDateTime
from .common import Address, Currency
from .enums import InvoiceStatus

__all__ = [
    "DocumentLine",
    "Invoice",
    "InvoiceLine",
    "LineBase",
    "Payable",
    "PaymentLine",
    "PaymentLineBase",
    "ReminderLetter",
]


class DocumentLine(Model):
    """Fields common to invoice, quote and purchase lines.

    ``number`` identifies the line and gives its order; set it to 0 (or leave it None)
    for a new line.
    """

    _identity_field = "number"

    number: int | None = None
    quantity: Decimal | None = None
    description: str | None = None
    rate: Decimal | None = None
    home_currency_rate: Decimal | None = None
    vat_level: Decimal | None = None
    vat_amount: Decimal | None = None
    home_currency_vat_amount: Decimal | None = None
    vat_exempt: bool | None = None
    nominal_code: int | None = None
    product_code: Code | None = None
    product_name: str | None = None
    tax_code: str | None = None


class LineBase(DocumentLine):
    """Fields common to invoice and quote lines: a `DocumentLine` with up to five extra
    taxes."""

    tax1_amount: Decimal | None = None
    tax2_amount: Decimal | None = None
    tax3_amount: Decimal | None = None
    tax4_amount: Decimal | None = None
    tax5_amount: Decimal | None = None
    apply_tax1: bool | None = None
    apply_tax2: bool | None = None
    apply_tax3: bool | None = None
    apply_tax4: bool | None = None
    apply_tax5: bool | None = None


class InvoiceLine(LineBase):
    """A line item of an invoice."""

    project_number: int | None = None
    project_name: str | None = None


class PaymentLineBase(Model):
    """Fields common to the payment lines of invoices and purchases (``BulkId`` when the
    payment came from a bulk payment)."""

    _identity_field = "id"

    id: int | None = None
    date: WireDateTime | None = None
    note: str | None = None
    method: int | None = None
    amount: Decimal | None = None
    account_id: int | None = None
    permalink: str | None = None
    bulk_id: int | None = None


class PaymentLine(PaymentLineBase):
    """A payment recorded against an invoice."""

    invoice_number: int | None = None


class ReminderLetter(Model):
    """A reminder letter sent for an overdue invoice."""

    _identity_field = "number"

    number: int | None = None
    is_sent: bool | None = None
    sent_date: WireDateTime | None = None


class Payable:
    """What invoices and purchases share beyond their fields: the amount still due."""

    __slots__ = ()

    gross_amount: Decimal | None
    total_paid_amount: Decimal | None

    @property
    def amount_due(self) -> Decimal | None:
        """Gross amount less the amount paid (negative when overpaid); None when the
        server sent no gross amount."""
        if self.gross_amount is None:
            return None
        return self.gross_amount - (self.total_paid_amount or Decimal(0))


class Invoice(Payable, TopLevel):
    """A sales invoice, identified by its ``number``.

    In list pages ``line_items`` and ``payment_lines`` are None (summaries); a full
    invoice has lists (possibly empty).
    """

    _required_fields = ("number", "customer_code")

    id: int | None = None
    number: int | None = None
    customer_id: int | None = None
    customer_code: str | None = None
    customer_name: str | None = None
    customer_reference: str | None = None
    customer_discount: Decimal | None = None
    discount: Decimal | None = None
    issued_date: WireDateTime | None = None
    due_date: WireDateTime | None = None
    paid_date: WireDateTime | None = None
    last_payment_date: WireDateTime | None = None
    net_amount: Decimal | None = None
    vat_amount: Decimal | None = None
    gross_amount: Decimal | None = None
    home_currency_gross_amount: Decimal | None = None
    total_paid_amount: Decimal | None = None
    exchange_rate: Decimal | None = None
    vat_number: str | None = None
    currency: Currency | None = None
    address: Address | None = None
    delivery_address: Address | None = None
    use_custom_delivery_address: bool | None = None
    update_customer_address: bool | None = None
    update_customer_delivery_address: bool | None = None
    line_items: list[InvoiceLine] | None = None
    payment_lines: list[PaymentLine] | None = None
    reminder_letters: list[ReminderLetter] | None = None
    status: InvoiceStatus | None = None
    overdue_days: int | None = None
    suppress_number: bool | None = None
    email_count: int | None = None
    invoice_in_ec_member_state: bool | None = None
    invoice_outside_ec_member_state: bool | None = None
    automatic_credit_control_enabled: bool | None = None
    is_wht_deduction_to_be_applied: bool | None = None
    pay_online_payment_processor: int | None = None
    previous_number: int | None = None
    next_number: int | None = None
    permalink: str | None = None
    packing_slip_permalink: str | None = None
