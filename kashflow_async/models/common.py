"""Objects shared by several resources: address, currency, category, pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Generic, TypeVar

import msgspec

from ._base import Model

__all__ = ["Address", "Category", "Currency", "ErrorBody", "Page", "PageMeta"]

T = TypeVar("T")


class Address(Model):
    """A postal address (invoice address, delivery address)."""

    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    line4: str | None = None
    post_code: str | None = None
    country_code: str | None = None
    country_name: str | None = None


class Currency(Model):
    """Currency of a document, with its exchange rate to the home currency."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    symbol: str | None = None
    exchange_rate: Decimal | None = None
    display_symbol_on_right: bool | None = None


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
