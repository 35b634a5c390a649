"""Reference data read whole: VAT rates by country (``/countries/vatrates``), the
account's metadata (``/metadata``), settings (``/settings/advanced``,
``/settings/invoice``) and summary (``/accountsummary``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..codecs.shapes import list_or_empty_object
from ..errors import InvalidArgumentError
from ..models import (
    AccountSummary,
    AccountVatRate,
    AdvancedSettings,
    Country,
    InvoiceSettings,
    Metadata,
    VatRate,
)
from ..transport import Transport
from ._modes import Mode, Raw, _Moded, endpoint

__all__ = ["Reference"]

#: an array, or ``{}`` (seen from live accounts) for none
_VAT_RATES: Any = list_or_empty_object(VatRate)


def url_date(name: str, value: Any) -> str:
    """A `datetime.date` as a URL date parameter, ``YYYYMMDD``."""
    if not isinstance(value, dt.date):
        raise InvalidArgumentError(f"{name} must be a datetime.date or None, not {value!r}")
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


class Reference(_Moded[Mode]):
    """Read-only reference data and settings: `vat_rates`, `metadata` (``kf.vat_rates()``
    and ``kf.metadata()`` call these), `advanced_settings`, `invoice_settings`,
    `account_summary`, `countries`, `account_vat_rates`."""

    __slots__ = ("_transport",)
    with_raw_response: Reference[Raw]

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return "<Reference>"

    if not TYPE_CHECKING:

        @property
        def with_raw_response(self):
            """This object with every method returning a `RawResponse`."""
            return Reference(self._transport.raw_view())

    @endpoint
    async def vat_rates(self, date: dt.date | None = None) -> list[VatRate]:
        """The VAT rates of every country valid on `date` (None: the latest).

        Global data, the same for every account. An account that answers ``{}`` gives an
        empty list.
        """
        params = None if date is None else {"date": url_date("date", date)}
        return await self._transport.request(  # type: ignore[no-any-return]
            "GET", "/countries/vatrates", _VAT_RATES, params=params
        )

    @endpoint
    async def metadata(self) -> Metadata:
        """Counts and totals of the account: customers, invoices, nominal codes, products,
        suppliers, logins, and the total bank balance."""
        return await self._transport.request("GET", "/metadata", Metadata)

    @endpoint
    async def advanced_settings(self) -> AdvancedSettings:
        """The account's advanced settings: default nominal code and VAT rate, date
        format, transaction lock, VAT registration and text, and other switches."""
        return await self._transport.request("GET", "/settings/advanced", AdvancedSettings)

    @endpoint
    async def invoice_settings(self) -> InvoiceSettings:
        """The labels the account prints on invoices (``InvoiceName``, ``TotalName`` ...)."""
        return await self._transport.request("GET", "/settings/invoice", InvoiceSettings)

    @endpoint
    async def account_summary(self) -> AccountSummary:
        """The account summary: which sections its dashboard shows."""
        return await self._transport.request("GET", "/accountsummary", AccountSummary)

    @endpoint
    async def countries(self) -> list[Country]:
        """Every country the API knows, with whether it is in the EU."""
        return await self._transport.request("GET", "/countries", list[Country])

    @endpoint
    async def account_vat_rates(self) -> list[AccountVatRate]:
        """The VAT rates the account offers on its lines (percentages with their labels)."""
        return await self._transport.request("GET", "/vat/settings/vatrates", list[AccountVatRate])
