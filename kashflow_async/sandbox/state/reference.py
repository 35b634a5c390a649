"""Reference data read whole: VAT rates by country and date (global data, the same for
every account), the account's metadata (counted from the account), its settings and
summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from ...models import (
    AccountSummary,
    AccountVatRate,
    AdvancedSettings,
    Country,
    DashboardDisplay,
    InvoiceSettings,
    Metadata,
    PayrollProvisioningStatus,
    VatRate,
    VatRateBands,
)
from ..account import Account
from ..errors import BadRequest
from ..money import q4

if TYPE_CHECKING:
    from . import State

D = Decimal

__all__ = [
    "COUNTRIES",
    "VAT_HISTORY",
    "Preferences",
    "VatRates",
    "account_metadata",
    "countries",
    "parse_url_date",
]

#: country code, name, valid from, then the standard, reduced, super reduced and parking
#: rates (space-separated percentages); the rates valid on a date are those of the latest
#: row of that country from on or before it
VAT_HISTORY: tuple[tuple[str, ...], ...] = (
    ("GB", "United Kingdom", "2008-12-01", "15.0000", "5.0000", "", ""),
    ("GB", "United Kingdom", "2010-01-01", "17.5000", "5.0000", "", ""),
    ("GB", "United Kingdom", "2011-01-04", "20.0000", "5.0000", "", ""),
    ("IE", "Ireland", "2012-01-01", "23.0000", "13.5000 9.0000", "4.8000", "13.5000"),
    ("FR", "France", "2014-01-01", "20.0000", "10.0000 5.5000", "2.1000", ""),
    ("DE", "Germany", "2007-01-01", "19.0000", "7.0000", "", ""),
    ("DE", "Germany", "2020-07-01", "16.0000", "5.0000", "", ""),
    ("DE", "Germany", "2021-01-01", "19.0000", "7.0000", "", ""),
)


def _rates(text: str) -> list[Decimal]:
    return [Decimal(part) for part in text.split()]


def parse_url_date(raw: str) -> dt.date:
    """A URL date parameter, ``YYYYMMDD`` (400 for anything else)."""
    try:
        if len(raw) != 8 or not raw.isdigit():
            raise ValueError
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise BadRequest(f"date must be a date as YYYYMMDD, not {raw!r}.") from None


class VatRates:
    """VAT rates by country, as valid on a date."""

    def __init__(self) -> None:
        #: answer ``{}`` instead of the array, as some live accounts do
        self.empty_object = False

    def on(self, day: dt.date | None) -> list[VatRate]:
        """Each country's rates valid on `day` (None: the latest), by country name."""
        found: dict[str, VatRate] = {}
        for code, name, since, standard, reduced, super_reduced, parking in VAT_HISTORY:
            if day is not None and dt.date.fromisoformat(since) > day:
                continue
            bands = VatRateBands(
                standard_rate=_rates(standard),
                reduced_rate=_rates(reduced),
                super_reduced_rate=_rates(super_reduced),
                parking_rate=_rates(parking),
            )
            found[code] = VatRate(country_code=code, country_name=name, vat_rates=bands)
        return sorted(found.values(), key=lambda r: r.country_name or "")


def account_metadata(state: State, logins: int) -> Metadata:
    """The account's counts and totals; `logins` is how many logins the server saw."""
    balance = sum(
        (state.bank.get(i).bank_balance or Decimal(0) for i in state.bank.store),
        Decimal(0),
    )
    return Metadata(
        total_bank_balance=balance,
        total_customer_count=state.customers.count(),
        total_invoice_count=state.invoice_count(),
        total_login_count=logins,
        total_nominal_count=len(state.nominals),
        total_product_count=len(state.products),
        total_supplier_count=state.suppliers.count(),
        user_has_amazon_files=False,
        amazon_files_marked_for_migration=False,
        payroll_provisioning_status=PayrollProvisioningStatus.NOT_INITIATED.value,
    )


class Preferences:
    """The account's settings pages and summary: `invoice` labels and the dashboard's
    `display` are stored (tests may change them); the advanced settings and the VAT rates
    offered are read from the account's rules (default VAT rate, transaction lock)."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.invoice = InvoiceSettings(
            account_name="Account",
            credit_note_name="Credit Note",
            customer_reference_name="Customer Reference",
            description_name="Description",
            due_date_name="Due Date",
            invoice_date_name="Invoice Date",
            invoice_name="Invoice",
            invoice_number_name="Invoice Number",
            invoice_total_name="Invoice Total",
            net_amount_name="Net Amount",
            quantity_name="Qty",
            rate_name="Rate",
            total_name="Total",
            is_email_sent_icon_included=True,
            is_invoice_customer_reference_shown_on_list=True,
            is_quantity_field_removed=False,
        )
        self.display = DashboardDisplay(
            show_announcement=True,
            show_change_log=True,
            show_do_you_know_section=True,
            show_financial_graph=True,
            show_financial_overview=True,
            show_getting_started_section=False,
            show_messages=True,
            show_quick_links=True,
            show_quotes_summary=True,
            show_referral=False,
            show_vat_liability=True,
            suppress_vat_warning=False,
        )

    def advanced(self) -> AdvancedSettings:
        """The advanced settings, as the account's rules stand."""
        settings = self.account.settings
        lock = settings.transaction_lock_date
        return AdvancedSettings(
            automatic_credit_control_enabled=False,
            apply_manual_discount=False,
            auto_calculate_vat=False,
            date_format="UK",
            default_nominal_code=4000,
            default_vat_rate=settings.default_vat_level,
            journal_enabled=True,
            pdf_in_new_window=False,
            projects_enabled=True,
            quote_text="Quote",
            show_quote_total=True,
            transaction_lock=lock is not None,
            transaction_lock_date=lock,
            user_id=1,
            vat_registered=True,
            vat_text="VAT",
            via_post_enabled=False,
        )

    def summary(self) -> AccountSummary:
        """The account summary."""
        return AccountSummary(display=self.display)

    def vat_rates(self) -> list[AccountVatRate]:
        """The VAT rates the account offers: its default rate first, then the UK's others."""
        default = self.account.settings.default_vat_level
        rates = [default, *(r for r in (D(20), D(5), D(0)) if r != default)]
        return [
            AccountVatRate(vat_id=i, vat_rate=q4(rate), vat_text=f"{rate.normalize():f}%")
            for i, rate in enumerate(rates, 1)
        ]


#: (id, code, name, in the EU)
COUNTRIES = (
    (1, "GB", "United Kingdom", False),
    (2, "IE", "Ireland", True),
    (3, "FR", "France", True),
    (4, "DE", "Germany", True),
    (5, "US", "United States", False),
)


def countries() -> list[Country]:
    """The countries the sandbox knows, by name."""
    found = [Country(id=i, code=c, name=n, is_eu=eu) for i, c, n, eu in COUNTRIES]
    return sorted(found, key=lambda c: c.name or "")
