"""Account settings read whole (``/settings/advanced``, ``/settings/invoice``) and the
account summary (``/accountsummary``): all GET only in the official pages."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Model, WireDate

__all__ = ["AccountSummary", "AdvancedSettings", "DashboardDisplay", "InvoiceSettings"]


class AdvancedSettings(Model):
    """The account's advanced settings (``GET /settings/advanced``).

    ``default_vat_rate`` is a percentage (`Decimal`); ``date_format`` is ``UK`` or ``US``;
    ``auto_calculate_vat`` is False for VAT on the line total, True for VAT per item times
    quantity (sent as a boolean or as 0/1: both decode). ``dropbox_settings`` is not
    modelled (its members are not documented).
    """

    automatic_credit_control_enabled: bool | None = None
    apply_manual_discount: bool | None = None
    auto_calculate_vat: bool | None = msgspec.field(default=None, name="AutoCalculateVAT")
    date_format: str | None = None
    default_nominal_code: int | None = None
    default_vat_rate: Decimal | None = msgspec.field(default=None, name="DefaultVATRate")
    journal_enabled: bool | None = None
    pdf_in_new_window: bool | None = msgspec.field(default=None, name="PDFInNewWindow")
    projects_enabled: bool | None = None
    quote_text: str | None = None
    show_quote_total: bool | None = None
    transaction_lock: bool | None = None
    transaction_lock_date: WireDate | None = None
    user_id: int | None = None
    vat_registered: bool | None = msgspec.field(default=None, name="VATRegistered")
    vat_text: str | None = msgspec.field(default=None, name="VATText")
    via_post_enabled: bool | None = None


class InvoiceSettings(Model):
    """The labels the account prints on invoices, and three display switches
    (``GET /settings/invoice``)."""

    account_name: str | None = None
    credit_note_name: str | None = None
    customer_reference_name: str | None = None
    description_name: str | None = None
    due_date_name: str | None = None
    invoice_date_name: str | None = None
    invoice_name: str | None = None
    invoice_number_name: str | None = None
    invoice_total_name: str | None = None
    net_amount_name: str | None = None
    quantity_name: str | None = None
    rate_name: str | None = None
    total_name: str | None = None
    is_email_sent_icon_included: bool | None = None
    is_invoice_customer_reference_shown_on_list: bool | None = None
    is_quantity_field_removed: bool | None = None


class DashboardDisplay(Model):
    """Which sections the account's dashboard shows (`AccountSummary.display`)."""

    show_announcement: bool | None = None
    show_change_log: bool | None = None
    show_do_you_know_section: bool | None = None
    show_financial_graph: bool | None = None
    show_financial_overview: bool | None = None
    show_getting_started_section: bool | None = None
    show_messages: bool | None = None
    show_quick_links: bool | None = None
    show_quotes_summary: bool | None = None
    show_referral: bool | None = None
    show_vat_liability: bool | None = msgspec.field(default=None, name="ShowVATLiability")
    suppress_vat_warning: bool | None = msgspec.field(default=None, name="SuppressVATWarning")


class AccountSummary(Model):
    """The account summary (``GET /accountsummary``): its dashboard display switches.
    (The page's ``DataImports`` list is cut off in the recovered documentation and not
    modelled.)"""

    display: DashboardDisplay | None = None
