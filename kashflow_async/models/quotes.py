"""Quotes and their lines."""

from __future__ import annotations

from decimal import Decimal

from ._base import TopLevel, WireDateTime
from .common import Category, Currency
from .invoices import LineBase

__all__ = ["Quote", "QuoteLine"]


class QuoteLine(LineBase):
    """A line item of a quote."""


class Quote(TopLevel):
    """A quote, identified by its ``number`` (the only field required to create one)."""

    id: int | None = None
    number: int | None = None
    date: WireDateTime | None = None
    customer_id: int | None = None
    customer_code: str | None = None
    customer_name: str | None = None
    customer_reference: str | None = None
    customer_discount: Decimal | None = None
    net_amount: Decimal | None = None
    vat_amount: Decimal | None = None
    gross_amount: Decimal | None = None
    exchange_rate: Decimal | None = None
    vat_number: str | None = None
    category: Category | None = None
    currency: Currency | None = None
    line_items: list[QuoteLine] | None = None
    project_number: int | None = None
    suppress_amount: bool | None = None
    previous_number: int | None = None
    next_number: int | None = None
    permalink: str | None = None
