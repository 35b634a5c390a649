"""Suppliers (``/suppliers/{code}``): balances from their purchases."""

from __future__ import annotations

from ...models import Supplier, SupplierSortField
from ..account import Account
from ..money import at_noon, q4
from ..parties import PartyBook, PartyRules, Totals, totals_by_party
from ..records import code_key
from .purchases import Purchases

__all__ = ["SORT_NUMBERS", "Suppliers"]

#: ``sortby`` by number, as Swagger types it (numbered unlike the customers')
SORT_NUMBERS = {
    "0": SupplierSortField.NAME,
    "1": SupplierSortField.CODE,
    "2": SupplierSortField.TOTAL_PAID_AMOUNT,
    "3": SupplierSortField.OUTSTANDING_BALANCE,
}


def derive_supplier(supplier: Supplier, totals: Totals) -> None:
    """A supplier's figures from its purchases (no purchase dates while it has none)."""
    supplier.billed_net_amount = q4(totals.net)
    supplier.billed_vat_amount = q4(totals.vat)
    supplier.total_paid_amount = q4(totals.paid)
    supplier.outstanding_balance = q4(totals.due)
    supplier.total_due_amount = q4(totals.due)
    supplier.first_purchase_date = at_noon(min(totals.dates)) if totals.dates else None
    supplier.last_purchase_date = at_noon(max(totals.dates)) if totals.dates else None


class Suppliers(PartyBook[Supplier]):
    """The account's suppliers and their rules."""

    def __init__(self, account: Account, purchases: Purchases) -> None:
        self.purchases = purchases
        rules = PartyRules[Supplier](
            what="supplier",
            totals=lambda: totals_by_party(purchases.store.values(), lambda p: p.supplier_code),
            derive=derive_supplier,
            summary_omits=("bank_account", "payment_terms"),
            used_by=lambda key: sum(
                1 for p in purchases.store.values() if code_key(p.supplier_code) == key
            ),
            renamed=self._renamed,
        )
        super().__init__(account, account.supplier_records, rules)

    def _renamed(self, old: str, new: str) -> None:
        """The supplier's purchases follow a new code."""
        key = code_key(old)
        for purchase in self.purchases.store.values():
            if code_key(purchase.supplier_code) == key:
                purchase.supplier_code = new
