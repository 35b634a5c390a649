"""Suppliers (``/suppliers``), keyed by code."""

from __future__ import annotations

from ..models import Page, Supplier, SupplierSortField
from ._modes import Mode, Raw
from ._parties import Parties, party_filters

__all__ = ["Suppliers"]


class Suppliers(Parties[Supplier, Mode]):
    """Suppliers, identified by code: get, page, list, create, update, patch, delete.
    Lists sort by `SupplierSortField`."""

    __slots__ = ()
    path = "/suppliers"
    model = Supplier
    page_type = Page[Supplier]
    filters = party_filters(SupplierSortField)
    with_raw_response: Suppliers[Raw]
