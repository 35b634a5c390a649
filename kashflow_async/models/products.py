"""Products, filed under a nominal code (``/products``)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ._base import Code
from ._spellings import Respelled
from .enums import WireEnum

__all__ = ["Product", "ProductSortField", "Stocked"]


class Stocked(Respelled):
    """What a product says about its price, VAT and stock; a nominal code says the same
    for the products filed under it.

    Prices and the VAT rate (percent) are `Decimal`. Some clients spell four members
    ``WholesalePrice``, ``AutoFill``, ``ManagesStock`` and ``WarnAt``: those decode into
    ``wholesale_price``, ``auto_fill_line_item``, ``manage_stock_level`` and
    ``stock_warning_quantity``, and the documented names are sent.
    """

    _spellings = (
        ("wholesale_price", "_wholesale_price"),
        ("auto_fill_line_item", "_auto_fill"),
        ("manage_stock_level", "_manages_stock"),
        ("stock_warning_quantity", "_warn_at"),
    )

    auto_fill_line_item: bool | None = None
    price: Decimal | None = None
    wholesale_price: Decimal | None = msgspec.field(default=None, name="WholeSalePrice")
    vat_rate: Decimal | None = None
    vat_exempt: bool | None = None
    manage_stock_level: bool | None = None
    quantity_in_stock: Decimal | None = None
    stock_warning_quantity: Decimal | None = None
    purchase_nominal_id: int | None = None
    purchase_sub_nominal_id: int | None = None
    _wholesale_price: Decimal | None = msgspec.field(default=None, name="WholesalePrice")
    _auto_fill: bool | None = msgspec.field(default=None, name="AutoFill")
    _manages_stock: bool | None = msgspec.field(default=None, name="ManagesStock")
    _warn_at: Decimal | None = msgspec.field(default=None, name="WarnAt")


class Product(Stocked):
    """A product, identified by its ``nominal_code`` and ``code`` together (the same code
    may exist under several nominal codes); its price, VAT and stock members are
    `Stocked`'s. ``purchase_nominal_id`` and ``purchase_sub_nominal_id`` name the
    purchases that bump its stock.
    """

    id: int | None = None
    code: Code | None = None
    name: str | None = None
    description: str | None = None
    nominal_id: int | None = None
    nominal_code: Code | None = None
    is_default: bool | None = None
    in_use: bool | None = None
    is_archived: bool | None = None


class ProductSortField(WireEnum):
    """Columns a product list can be sorted by (sent as their number, ``sortcolumn``)."""

    PRODUCT_CODE = "ProductCode"
    PRODUCT_NAME = "ProductName"
    NOMINAL_CODE = "NominalCode"
