"""Reference data read whole: VAT rates by country and the account's metadata."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Model
from .enums import WireEnum

__all__ = [
    "AccountVatRate",
    "Country",
    "Metadata",
    "PayrollProvisioningStatus",
    "VatRate",
    "VatRateBands",
]


class VatRateBands(Model):
    """A country's VAT rates (percent) by band; a band may hold several rates or none."""

    standard_rate: list[Decimal] = msgspec.field(default_factory=list)
    reduced_rate: list[Decimal] = msgspec.field(default_factory=list)
    super_reduced_rate: list[Decimal] = msgspec.field(default_factory=list)
    parking_rate: list[Decimal] = msgspec.field(default_factory=list)


class VatRate(Model):
    """The VAT rates of one country (``GET /countries/vatrates``)."""

    country_code: str | None = None
    country_name: str | None = None
    vat_rates: VatRateBands | None = msgspec.field(default=None, name="VatRates")


class Country(Model):
    """A country the API knows (``GET /countries``)."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    is_eu: bool | None = msgspec.field(default=None, name="IsEU")


class AccountVatRate(Model):
    """A VAT rate the account offers on its lines (``GET /vat/settings/vatrates``):
    ``vat_rate`` is a percentage, ``vat_text`` its label."""

    vat_id: int | None = msgspec.field(default=None, name="VATId")
    vat_rate: Decimal | None = None
    vat_text: str | None = msgspec.field(default=None, name="VATText")


class PayrollProvisioningStatus(WireEnum):
    """Where the account's payroll set-up stands (`Metadata.payroll_provisioning_status`)."""

    NOT_INITIATED = "NotInitiated"
    QUEUED = "Queued"
    REQUEST_SENT = "RequestSent"


class Metadata(Model):
    """Counts and totals of the account (``GET /metadata``).

    ``total_bank_balance`` is a `Decimal`. ``payroll_provisioning_status`` is the text
    sent (compare it with `PayrollProvisioningStatus`; an unknown value still decodes).
    """

    total_bank_balance: Decimal | None = None
    total_customer_count: int | None = None
    total_invoice_count: int | None = None
    total_login_count: int | None = None
    total_nominal_count: int | None = None
    total_product_count: int | None = None
    total_supplier_count: int | None = None
    user_has_amazon_files: bool | None = None
    amazon_files_marked_for_migration: bool | None = msgspec.field(
        default=None, name="AmazonFilesMarkedforMigration"
    )
    payroll_provisioning_status: str | None = None
