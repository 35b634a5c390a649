"""Nominal codes: the account's chart of accounts (``/nominals``)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Code, Model, TopLevel

__all__ = ["Nominal", "NominalProduct"]


class NominalProduct(Model):
    """The default product of a nominal code, as a nominal list item carries it."""

    code: Code | None = None
    name: str | None = None
    description: str | None = None
    auto_fill_line_item: bool | None = None
    price: Decimal | None = None
    wholesale_price: Decimal | None = msgspec.field(default=None, name="WholeSalePrice")
    vat_rate: Decimal | None = None
    vat_exempt: bool | None = None
    in_use: bool | None = None


class Nominal(TopLevel):
    """A nominal code (an account of the chart of accounts), identified by its ``code``.

    ``type`` is the type's label (``nom_type`` its number); ``default_product`` comes in
    lists only, and the ``cis_rate`` ... ``purchase_sub_nominal_id`` group on `get` only:
    list items are summaries. Money and rates are `Decimal`.
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
    auto_fill_line_item: bool | None = None
    price: Decimal | None = None
    wholesale_price: Decimal | None = msgspec.field(default=None, name="WholeSalePrice")
    vat_rate: Decimal | None = None
    vat_exempt: bool | None = None
    manage_stock_level: bool | None = None
    quantity_in_stock: Decimal | None = None
    stock_warning_quantity: Decimal | None = None
    default_product: NominalProduct | None = None
    cis_rate: Decimal | None = msgspec.field(default=None, name="CISRate")
    pre_payments: bool | None = None
    include_in_ec_sales_list: bool | None = None
    increment_stock_levels_on_purchase: bool | None = None
    purchase_nominal_code: int | None = None
    purchase_sub_nominal_code: Code | None = None
    purchase_nominal_id: int | None = None
    purchase_sub_nominal_id: int | None = None
