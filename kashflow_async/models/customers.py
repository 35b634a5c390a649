"""Customers, keyed by their code."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Code, Model, Respelled, TopLevel, WireDateTime
from .common import Address, Contact, Currency, NameValue, PaymentTerms

__all__ = ["Customer", "CustomerCurrency", "DeletionFailure"]


class CustomerCurrency(Respelled, Currency):
    """A customer's currency. Customers' examples spell ``DisplaySymbolOnRight`` as
    ``DisplayOnRight``: both decode into `display_symbol_on_right`, which is sent."""

    _spellings = (("display_on_right", "display_symbol_on_right"),)

    #: the other spelling, as decoded (moved to `display_symbol_on_right`)
    display_on_right: bool | None = None


class Customer(Respelled, TopLevel):
    """A customer, identified by its ``code`` (a string, e.g. ``"SHA01"``).

    Money (balances, totals, rates) is `Decimal`. ``first_invoice_date`` is
    1900-01-01 for a customer never invoiced. The official page spells the VAT number
    ``VatNumber``, the examples ``VATNumber``: both decode into `vat_number`, which is
    sent as ``VatNumber``. Items of a list page are summaries (no delivery addresses or
    custom fields): read the whole customer with ``get`` before ``update``.
    """

    _spellings = (("vat_number_upper", "vat_number"),)

    id: int | None = None
    code: str | None = None
    name: str | None = None
    display_name: str | None = None
    key: str | None = None
    source: int | None = None
    source_name: str | None = None
    created_date: WireDateTime | None = None
    last_updated_date: WireDateTime | None = None
    note: str | None = None
    email: str | None = None
    telephone_number: str | None = None
    mobile_number: str | None = None
    fax_number: str | None = None
    website: str | None = None
    contacts: list[Contact] | None = None
    addresses: list[Address] | None = None
    delivery_addresses: list[Address] | None = None
    use_custom_delivery_address: bool | None = None
    currency: CustomerCurrency | None = None
    payment_terms: PaymentTerms | None = None
    discount_rate: Decimal | None = None
    show_discount: bool | None = None
    receives_wholesale_pricing: bool | None = None
    is_registered_in_ec: bool | None = None
    is_registered_outside_ec: bool | None = None
    trade_border_type: str | None = None
    vat_number: str | None = msgspec.field(default=None, name="VatNumber")
    #: the other spelling, as decoded (moved to `vat_number`)
    vat_number_upper: str | None = msgspec.field(default=None, name="VATNumber")
    auto_include_vat_number: bool | None = None
    unique_entity_number: str | None = None
    default_nominal_code: int | None = None
    default_customer_reference: str | None = None
    email_template_number: int | None = None
    pdf_theme_id: int | None = msgspec.field(default=None, name="PDFThemeId")
    uses_default_theme: bool | None = None
    invoice_file_format: Code | None = None
    override_invoice_file_format: bool | None = None
    custom_check_boxes: list[NameValue] | None = None
    custom_text_boxes: list[NameValue] | None = None
    apply_wht: bool | None = msgspec.field(default=None, name="ApplyWHT")
    wht_rate: Decimal | None = msgspec.field(default=None, name="WHTRate")
    wht_references: list[NameValue] | None = msgspec.field(default=None, name="WHTReferences")
    apply_withholding_tax: bool | None = None
    withholding_tax_rate: Decimal | None = None
    withholding_tax_references: list[NameValue] | None = None
    is_cis_reverse_charge: bool | None = msgspec.field(default=None, name="IsCISReverseCharge")
    total_paid_amount: Decimal | None = None
    invoiced_net_amount: Decimal | None = None
    invoiced_vat_amount: Decimal | None = None
    outstanding_balance: Decimal | None = None
    overdue_amount: Decimal | None = None
    invoice_count: int | None = None
    average_days_to_pay: Decimal | None = None
    first_invoice_date: WireDateTime | None = None
    last_invoice_date: WireDateTime | None = None
    enable_credit_limit: bool | None = None
    credit_limit: Decimal | None = None
    automatic_credit_control_enabled: bool | None = None
    is_go_cardless_mandate_set: bool | None = None
    is_archived: bool | None = None
    is_schedule: bool | None = None
    marked_as_stale: bool | None = None
    customer_key: str | None = None
    envelope_url: str | None = None
    create_customer_code_if_duplicate: bool | None = None
    create_customer_name_if_empty_or_null: bool | None = None


class DeletionFailure(Model):
    """A customer ``DELETE /customerlist`` could not delete, and why."""

    code: str | None = None
    reason: str | None = None
