"""Objects shared by several resources: address, currency, category, pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Generic, TypeVar

import msgspec

from ._base import Model

__all__ = [
    "Address",
    "Category",
    "Contact",
    "Currency",
    "ErrorBody",
    "NameValue",
    "Page",
    "PageMeta",
    "PaymentTerms",
]

T = TypeVar("T")


class Address(Model):
    """A postal address (invoice address, delivery address; ``name`` on a customer's
    delivery addresses)."""

    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    line4: str | None = None
    post_code: str | None = None
    country_code: str | None = None
    country_name: str | None = None
    name: str | None = None


class Currency(Model):
    """Currency of a document, with its exchange rate to the home currency."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    symbol: str | None = None
    exchange_rate: Decimal | None = None
    display_symbol_on_right: bool | None = None


class Contact(Model):
    """A contact person of a customer or supplier (channels may be ``""`` or None)."""

    _identity_field = "id"

    id: int | None = None
    title: str | None = None
    name: str | None = None
    firstname: str | None = None
    last_name: str | None = None
    email: str | None = None
    telephone: str | None = None
    mobile: str | None = None
    fax: str | None = None
    website: str | None = None
    is_primary: bool | None = None
    receive_emails: bool | None = None


class NameValue(Model):
    """A named value: a withholding-tax reference, a custom text box or check box
    (whose ``Value`` some accounts send as ``"1"``, others as a boolean)."""

    name: str | None = None
    value: str | bool | None = None


class PaymentTerms(Model):
    """When payment is due: ``days`` after the point ``type`` names (``AfterIssuedDate``,
    ``AfterMonthEnd``)."""

    days: int | None = None
    type: str | None = None


class Category(Model):
    """A quote category."""

    number: int | None = None
    name: str | None = None
    icon_id: int | None = None
    icon_type: str | None = None
    icon_color: str | None = None


class PageMeta(Model):
    """Pagination metadata (``MetaData``). The page URLs are information only."""

    first_page_url: str | None = None
    last_page_url: str | None = None
    next_page_url: str | None = None
    previous_page_url: str | None = None
    total_records: int = 0


class Page(Model, Generic[T], rename={"data": "Data", "meta": "MetaData"}):
    """One page of a paginated list: ``data`` (the items) and ``meta``.

    ``Data`` is required: an answer without it is not an empty page but a broken one
    (`DecodeError`), and an empty page is always sent with its ``Data``.
    """

    data: list[T]
    meta: PageMeta = msgspec.field(default_factory=PageMeta)


class ErrorBody(Model):
    """An error answer: ``{"Message": "...", "Error": "..."}`` (or the XML twin)."""

    message: str | None = None
    error: str | None = None
