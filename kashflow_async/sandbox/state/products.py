"""Products: each filed under an existing nominal code, its code unique under that
nominal code (the same code may exist under another); paged lists of every product or of
one nominal code's."""

from __future__ import annotations

from ...models import Product, SortOrder
from ..account import Account
from ..errors import BadRequest
from ..money import ZERO
from ..records import code_key
from ..views import check_paging, page_slice
from .keyed import KeyedStore
from .nominals import Nominals

__all__ = ["PRODUCT_SORT_COLUMNS", "Products"]

#: ``sortcolumn`` values: 0 product code, 1 product name, 2 nominal code
PRODUCT_SORT_COLUMNS = ("ProductCode", "ProductName", "NominalCode")

ProductKey = tuple[int, str]


class Products(KeyedStore[ProductKey, Product]):
    """The account's products, keyed by (nominal code, product code)."""

    def __init__(self, account: Account, nominals: Nominals) -> None:
        super().__init__(account, "Product")
        self.nominals = nominals

    def get(self, nominal_code: int, code: str) -> Product:
        """One product, whole."""
        return self.full(self.stored((nominal_code, code_key(code)), f"{nominal_code}/{code}"))

    def page(
        self,
        page: int,
        perpage: int,
        *,
        nominal_code: int | None = None,
        sortcolumn: int = 0,
        order: SortOrder = SortOrder.ASC,
        name_starts_with: str | None = None,
        in_use_only: bool = True,
    ) -> tuple[list[Product], int]:
        """One page of products (of `nominal_code` when given: 404 if it does not exist)
        and the total count; ``perpage`` at most 100."""
        check_paging(page, perpage)
        if perpage > 100:
            raise BadRequest(f"perpage must be at most 100 for products, not {perpage}.")
        if not 0 <= sortcolumn < len(PRODUCT_SORT_COLUMNS):
            raise BadRequest(f"sortcolumn must be 0, 1 or 2, not {sortcolumn}.")
        if nominal_code is not None:
            self.nominals.stored(nominal_code)
        prefix = (name_starts_with or "").strip().lower()
        items = self.summaries(
            lambda p: (
                (nominal_code is None or int(p.nominal_code or 0) == nominal_code)
                and (not in_use_only or bool(p.in_use))
                and (p.name or "").lower().startswith(prefix)
            )
        )
        keys = (
            lambda p: code_key(p.code),
            lambda p: (p.name or "").strip().lower(),
            lambda p: (int(p.nominal_code or 0), code_key(p.code)),
        )
        items.sort(key=keys[sortcolumn], reverse=order is SortOrder.DESC)
        return page_slice(items, page, perpage), len(items)

    def create(self, body: Product) -> Product:
        """Add a product under an existing nominal code; ``Code`` and ``Name`` required."""
        key = self._check(body, None)
        if key in self.store:
            raise BadRequest(f"Product {body.code} already exists under nominal code {key[0]}.")
        body.id = self.account.new_id()
        return self.full(self._put(key, body, None))

    def update(self, nominal_code: int, code: str, body: Product) -> Product:
        """Replace a product; another ``NominalCode`` or ``Code`` in the body moves it
        (400 when that place is taken)."""
        key = (nominal_code, code_key(code))
        old = self.stored(key, f"{nominal_code}/{code}")
        new_key = self._check(body, old)
        if new_key != key and new_key in self.store:
            raise BadRequest(f"Product {body.code} already exists under nominal code {new_key[0]}.")
        body.id = old.id
        self._remove(key)
        return self.full(self._put(new_key, body, old))

    def delete(self, nominal_code: int, code: str) -> None:
        """Delete a product."""
        key = (nominal_code, code_key(code))
        self.stored(key, f"{nominal_code}/{code}")
        self._remove(key)

    def _check(self, body: Product, old: Product | None) -> ProductKey:
        """The key `body` is filed under, after checking it (nothing is changed)."""
        if old is not None:
            body.code = body.code if body.code is not None else old.code
            if body.nominal_code is None:
                body.nominal_code = old.nominal_code
        if not (body.code or "").strip():
            raise BadRequest("Code is required for a product.")
        if not (body.name or "").strip():
            raise BadRequest("Name is required for a product.")
        raw = str(body.nominal_code or "").strip()
        if not raw.isdigit():
            raise BadRequest(f"NominalCode must be an existing nominal code, not {raw!r}.")
        nominal = self.nominals.store.get(int(raw))
        if nominal is None:
            raise BadRequest(f"Nominal code {raw} does not exist.")
        for name in ("price", "wholesale_price", "vat_rate", "quantity_in_stock"):
            value = getattr(body, name)
            if value is not None and value < ZERO:
                raise BadRequest(f"{name} must not be negative, not {value}.")
        return int(raw), code_key(body.code)

    def _put(self, key: ProductKey, body: Product, old: Product | None) -> Product:
        nominal = self.nominals.store[key[0]]
        body.nominal_id = nominal.id
        body.in_use = True if body.in_use is None else body.in_use
        for name in ("auto_fill_line_item", "manage_stock_level", "vat_exempt", "is_default"):
            setattr(body, name, bool(getattr(body, name)))
        self.nominals.in_use[key[0]] = self.nominals.in_use.get(key[0], 0) + 1
        return self.put(key, body, old)

    def _remove(self, key: ProductKey) -> None:
        self.remove(key)
        self.nominals.in_use[key[0]] -= 1
