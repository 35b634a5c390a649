"""Nominal codes: the account's chart of accounts (``/nominals``)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Code
from .products import Product, Stocked

__all__ = ["Nominal"]


class Nominal(Stocked):
    """A nominal code (an account of the chart of accounts), identified by its ``code``.

    ``type`` is the type's label (``nom_type`` its number). ``default_product`` (a
    `Product` summary: code, name, description, prices, VAT, in use) comes in lists only,
    the ``cis_rate`` ... ``purchase_sub_nominal_code`` group on `get` only: list items are
    summaries. Money and rates are `Decimal`; the price, VAT and stock members
    (`Stocked`'s) are those of the products filed under the code.
    """

    id: int | None = None
    code: int | None = None
    name: str | None = None
    type: Code | None = None
    nom_type: int | None = None
    sa103_code: int | None = None
    classification: Code | None = None
    control_account_classification: Code | None = None
    compliance_code: Code | None = None
    description: str | None = None
    archived: bool | None = None
    disallowed: bool | None = None
    digital_service: bool | None = None
    allow_delete: bool | None = None
    is_product: int | None = None
    special: int | None = None
    pl_option: int | None = None
    bs_option: int | None = None
    iris_coa_name: str | None = msgspec.field(default=None, name="IRISCoAName")
    is_iris_coa: bool | None = msgspec.field(default=None, name="IsIRISCoA")
    default_product: Product | None = None
    cis_rate: Decimal | None = msgspec.field(default=None, name="CISRate")
    pre_payments: bool | None = None
    include_in_ec_sales_list: bool | None = None
    increment_stock_levels_on_purchase: bool | None = None
    purchase_nominal_code: int | None = None
    purchase_sub_nominal_code: Code | None = None
