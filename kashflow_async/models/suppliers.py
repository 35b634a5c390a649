"""Suppliers, keyed by their code."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Model, Respelled, TopLevel, WireDateTime
from .common import Address, Contact, Currency, NameValue, PaymentTerms

__all__ = ["BankDetails", "Supplier"]


class BankDetails(Model):
    """The bank account a supplier is paid into."""

    name: str | None = None
    number: str | None = None
    sort_code: str | None = None


class Supplier(Respelled, TopLevel):
    """A supplier, identified by its ``code`` (a string, even when it looks numeric:
    ``"424201"``).

    Money is `Decimal`; ``withholding_tax_rate`` -1 means unset. ``VatNumber`` is the
    documented spelling; ``VATNumber`` decodes too. Items of a list page are summaries
    (no bank account or payment terms).
    """

    _spellings = (("vat_number_upper", "vat_number"),)

    id: int | None = None
    code: str | None = None
    name: str | None = None
    note: str | None = None
    contacts: list[Contact] | None = None
    address: Address | None = None
    bank_account: BankDetails | None = None
    currency: Currency | None = None
    payment_terms: PaymentTerms | None = None
    payment_method: int | None = None
    default_nominal_code: int | None = None
    default_pdf_theme: int | None = None
    uses_default_pdft_theme: bool | None = None
    created_date: WireDateTime | None = None
    last_updated_date: WireDateTime | None = None
    first_purchase_date: WireDateTime | None = None
    last_purchase_date: WireDateTime | None = None
    is_registered_in_ec: bool | None = None
    trade_border_type: str | None = None
    vat_number: str | None = msgspec.field(default=None, name="VatNumber")
    #: the other spelling, as decoded (moved to `vat_number`)
    vat_number_upper: str | None = msgspec.field(default=None, name="VATNumber")
    is_vat_rate_enabled: bool | None = msgspec.field(default=None, name="IsVatRateEnabled")
    default_vat_rate: Decimal | None = msgspec.field(default=None, name="DefaultVatRate")
    vat_exempt: bool | None = msgspec.field(default=None, name="VatExempt")
    does_supplier_has_transactions_in_vat_return: bool | None = None
    unique_entity_number: str | None = None
    apply_withholding_tax: bool | None = None
    withholding_tax_rate: Decimal | None = None
    withholding_tax_references: list[NameValue] | None = None
    is_cis_reverse_charge: bool | None = msgspec.field(default=None, name="IsCISReverseCharge")
    outstanding_balance: Decimal | None = None
    total_paid_amount: Decimal | None = None
    total_due_amount: Decimal | None = None
    billed_net_amount: Decimal | None = None
    billed_vat_amount: Decimal | None = msgspec.field(default=None, name="BilledVatAmount")
    is_archived: bool | None = None
    source_name: str | None = None
    create_supplier_code_if_duplicate: bool | None = None
    create_supplier_name_if_empty_or_null: bool | None = None
