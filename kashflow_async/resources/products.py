"""Products (``/products``), each filed under a nominal code: keyed by nominal code and
product code together."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..codecs.lossless import is_summary
from ..errors import InvalidArgumentError
from ..models import Page, Product, ProductSortField, SortOrder
from ..pagination import PageIterator
from ._base import DEFAULT_LIST_CONCURRENCY, Listed, _check_changes
from ._modes import Mode, Raw, endpoint, listing
from ._params import Param, QuerySpec, choice, flag, instance, number, numbered, page_query, text

__all__ = ["Products", "product_code", "product_key"]

#: the page size cap the API documents for product lists
MAX_PRODUCT_PERPAGE = 100


_FILTERS = QuerySpec(
    order=Param("order", choice(SortOrder)),
    sortby=Param("sortcolumn", numbered(ProductSortField)),
    name_starts_with=Param("filterbycharacter", text),
    in_use_only=Param("filterbyinuseonly", flag),
)


def product_code(name: str, value: Any) -> str:
    """A product code: a non-empty string, or a whole number (``510`` is ``"510"``)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return text(name, value)


def product_key(nominal_code: Any, code: Any) -> str:
    """The path of one product: ``/products/{nominalCode}/{code}`` (the code escaped)."""
    escaped = quote(product_code("code", code), safe="")
    return f"/products/{number('nominal_code', nominal_code)}/{escaped}"


def _list_path(nominal_code: int | None) -> tuple[str, str]:
    """The path of a product list (of every product, or of one nominal code's) and its
    template."""
    if nominal_code is None:
        return "/products/list", "/products/list"
    path = f"/nominals/{number('nominal_code', nominal_code)}/products"
    return path, "/nominals/{nominalCode}/products"


def _check_perpage(perpage: int | None) -> None:
    if perpage is not None and isinstance(perpage, int) and perpage > MAX_PRODUCT_PERPAGE:
        raise InvalidArgumentError(
            f"perpage must be at most {MAX_PRODUCT_PERPAGE} for products, not {perpage!r}"
        )


class Products(Listed[Product, Mode]):
    """Products, identified by nominal code and product code: get, page, list, create,
    update, patch, delete. Lists cover every nominal code, or one (`nominal_code`)."""

    __slots__ = ()
    path = "/products"
    item_route = "/products/{nominalCode}/{code}"
    model = Product
    page_type = Page[Product]
    with_raw_response: Products[Raw]

    @endpoint
    async def get(self, nominal_code: int, code: str | int) -> Product:  # type: ignore[override]
        """The product `code` under `nominal_code`. Raises `NotFoundError` if none."""
        return await self._transport.request(
            "GET", product_key(nominal_code, code), Product, route=self.item_route
        )

    @endpoint
    async def update(self, nominal_code: int, code: str | int, obj: Product) -> Product:  # type: ignore[override]
        """Replace the product `code` under `nominal_code` by `obj` (the whole product);
        a `Code` or `NominalCode` in `obj` unlike the path's moves it. A list item (a
        summary) is refused."""
        path = product_key(nominal_code, code)
        instance("obj", obj, Product)
        if is_summary(obj):
            raise InvalidArgumentError(
                f"obj is a summary from a list page: use get({nominal_code}, {code!r}) for "
                f"the whole Product, or patch({nominal_code}, {code!r}, field=value)"
            )
        return await self._transport.request("PUT", path, Product, body=obj, route=self.item_route)

    @endpoint
    async def patch(self, nominal_code: int, code: str | int, /, **changes: Any) -> Product:  # type: ignore[override]
        """Read the product, set `changes` (snake_case field names) and write it back
        whole, as `Invoices.patch` does."""
        _check_changes(Product, changes)
        path = product_key(nominal_code, code)
        got: Any = await self._transport.request("GET", path, Product, route=self.item_route)
        obj = got.parse() if self._transport.raw else got
        for name, value in changes.items():
            setattr(obj, name, value)
        return await self._transport.request("PUT", path, Product, body=obj, route=self.item_route)

    @endpoint
    async def delete(self, nominal_code: int, code: str | int) -> None:  # type: ignore[override]
        """Delete the product `code` under `nominal_code`."""
        return await self._transport.request(
            "DELETE", product_key(nominal_code, code), route=self.item_route
        )

    @endpoint
    async def page(
        self,
        page: int | None = None,
        *,
        perpage: int | None = None,
        nominal_code: int | None = None,
        sortby: ProductSortField | str | None = None,
        order: SortOrder | str | None = None,
        name_starts_with: str | None = None,
        in_use_only: bool | None = None,
    ) -> Page[Product]:
        """One page of products (of one nominal code, or of all); `perpage` at most 100.
        Arguments left None are not sent (the server then lists products in use only)."""
        _check_perpage(perpage)
        filters = _FILTERS.build(
            sortby=sortby, order=order, name_starts_with=name_starts_with, in_use_only=in_use_only
        )
        return await self._page({**page_query(page, perpage), **filters}, *_list_path(nominal_code))

    @listing
    def list(
        self,
        *,
        perpage: int = MAX_PRODUCT_PERPAGE,
        nominal_code: int | None = None,
        sortby: ProductSortField | str | None = None,
        order: SortOrder | str | None = None,
        name_starts_with: str | None = None,
        in_use_only: bool | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
    ) -> PageIterator[Product]:
        """Every product of every page, in order (`concurrency` pages at once)."""
        _check_perpage(perpage)
        filters = _FILTERS.build(
            sortby=sortby, order=order, name_starts_with=name_starts_with, in_use_only=in_use_only
        )
        return self._list(perpage, concurrency, filters, *_list_path(nominal_code))
