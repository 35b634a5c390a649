"""aiohttp.web handlers for nominal codes, products, bank accounts and transactions, VAT
rates, metadata, settings and the account summary (the `routes` table lists nominal codes
and bank accounts among its collections; the rest is `book_routes`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..models import BankTransaction, Page, Product, SortOrder
from .errors import BadRequest
from .http import (
    STATS_KEY,
    answer_format,
    enum_param,
    int_param,
    page_meta,
    paging,
    path_int,
    read_body,
    respond,
    state_of,
)
from .state import State
from .state.reference import account_metadata, countries, parse_url_date

__all__ = ["book_routes", "list_bank_accounts", "list_nominals"]


def _state(request: web.Request) -> State:
    return state_of(request)


def bool_param(request: web.Request, name: str, default: bool | None) -> bool | None:
    """A ``true``/``false`` query parameter, any case (empty or absent: `default`)."""
    raw = request.query.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false"):
        raise BadRequest(f"Query parameter {name} must be true or false, not {raw!r}.")
    return raw == "true"


def date_param(request: web.Request, name: str) -> Any:
    """A ``YYYY-MM-DD`` (or ``YYYYMMDD``) query parameter, or None when absent."""
    raw = request.query.get(name, "").strip()
    return parse_url_date(raw.replace("-", "")) if raw else None


def _listed(request: web.Request, items: list[Any], shape: str, resource: str) -> web.Response:
    """A whole list, as a bare array or (the other form some accounts use) one page."""
    if shape == "paged":
        meta = page_meta(request, resource, 1, max(1, len(items)), len(items), {})
        return respond(request, Page(data=items, meta=meta))
    return respond(request, items)


async def list_nominals(request: web.Request) -> web.Response:
    """GET /nominals: every nominal code (``type``, ``searchText`` narrow it)."""
    rooms = _state(request).nominals
    items = rooms.list(request.query.get("type"), request.query.get("searchText"))
    return _listed(request, items, rooms.list_shape, "nominals")


async def nominal_by_id(request: web.Request) -> web.Response:
    """GET /nominals/Id/{nominalId}."""
    return respond(request, _state(request).nominals.get_by_id(path_int(request, "id")))


async def list_bank_accounts(request: web.Request) -> web.Response:
    """GET /bankaccounts: every bank account (``includeArchivedAccounts``)."""
    bank = _state(request).bank
    archived = bool_param(request, "includeArchivedAccounts", False)
    return _listed(request, bank.list(bool(archived)), bank.list_shape, "bankaccounts")


# ---------------------------------------------------------------------------- products


def _product_page(nominal_code: Callable[[web.Request], int | None]) -> Any:
    async def handler(request: web.Request) -> web.Response:
        page, perpage = paging(request)
        code = nominal_code(request)
        items, total = _state(request).products.page(
            page,
            perpage,
            nominal_code=code,
            sortcolumn=int_param(request, "sortcolumn", 0) or 0,
            order=enum_param(request, "order", SortOrder, SortOrder.ASC),
            name_starts_with=request.query.get("filterbycharacter"),
            in_use_only=bool(bool_param(request, "filterbyinuseonly", True)),
        )
        where = "products/list" if code is None else f"nominals/{code}/products"
        extra = {k: v for k, v in request.query.items() if k not in ("page", "perpage")}
        return respond(
            request, Page(data=items, meta=page_meta(request, where, page, perpage, total, extra))
        )

    return handler


def _product_key(request: web.Request) -> tuple[int, str]:
    return path_int(request, "nominal"), request.match_info["code"]


async def get_product(request: web.Request) -> web.Response:
    """GET /products/{nominalCode}/{code}."""
    return respond(request, _state(request).products.get(*_product_key(request)))


async def create_product(request: web.Request) -> web.Response:
    """POST /products: 201 with the product."""
    body = await read_body(request, Product, "Product")
    return respond(request, _state(request).products.create(body), 201)


async def update_product(request: web.Request) -> web.Response:
    """PUT /products/{nominalCode}/{code}."""
    body = await read_body(request, Product, "Product")
    return respond(request, _state(request).products.update(*_product_key(request), body))


async def delete_product(request: web.Request) -> web.Response:
    """DELETE /products/{nominalCode}/{code}: 204."""
    _state(request).products.delete(*_product_key(request))
    return web.Response(status=204)


# ---------------------------------------------------------------------------- transactions


def _account(request: web.Request) -> int:
    """The path's bank account id (404 when there is no such account)."""
    account_id = path_int(request, "account")
    _state(request).bank.stored(account_id)
    return account_id


async def list_transactions(request: web.Request) -> web.Response:
    """GET /bankaccounts/{accountId}/transactions: one page, with running balances."""
    account_id = _account(request)
    page, perpage = paging(request)
    state = _state(request)
    items, total = state.bank.transactions.page(
        account_id,
        page,
        perpage,
        opening=state.bank.opening(account_id),
        start=date_param(request, "startdate"),
        end=date_param(request, "enddate"),
        sortcolumn=int_param(request, "sortcolumn", 1) or 1,
        order=enum_param(request, "order", SortOrder, SortOrder.ASC),
        search_text=request.query.get("searchtext"),
        reconciled=bool_param(request, "reconciled", None),
    )
    extra = {k: v for k, v in request.query.items() if k not in ("page", "perpage")}
    meta = page_meta(
        request, f"bankaccounts/{account_id}/transactions", page, perpage, total, extra
    )
    return respond(request, Page(data=items, meta=meta))


async def get_transaction(request: web.Request) -> web.Response:
    """GET /bankaccounts/{accountId}/transactions/{transactionId}."""
    account_id = _account(request)
    found = _state(request).bank.transactions.get(account_id, path_int(request, "id"))
    return respond(request, found)


async def create_transaction(request: web.Request) -> web.Response:
    """POST /bankaccounts/{accountId}/transactions: 201 with the transaction."""
    account_id = _account(request)
    body = await read_body(request, BankTransaction, "BankTransaction")
    return respond(request, _state(request).bank.transactions.create(account_id, body), 201)


async def update_transaction(request: web.Request) -> web.Response:
    """PUT /bankaccounts/{accountId}/transactions/{transactionId}."""
    account_id = _account(request)
    body = await read_body(request, BankTransaction, "BankTransaction")
    rooms = _state(request).bank.transactions
    return respond(request, rooms.update(account_id, path_int(request, "id"), body))


async def delete_transaction(request: web.Request) -> web.Response:
    """DELETE /bankaccounts/{accountId}/transactions/{transactionId}: 204."""
    account_id = _account(request)
    _state(request).bank.transactions.delete(account_id, path_int(request, "id"))
    return web.Response(status=204)


# ---------------------------------------------------------------------------- reference


async def vat_rates(request: web.Request) -> web.Response:
    """GET /countries/vatrates?date=YYYYMMDD: every country's rates valid on that date."""
    rates = _state(request).vat_rates
    raw = request.query.get("date", "").strip()
    day = None if raw in ("", "NULL", "null") else parse_url_date(raw)
    if rates.empty_object:  # {} in JSON; in XML an empty root, the same as no items
        if answer_format(request) == "json":
            return web.json_response({})
        return respond(request, [])
    return respond(request, rates.on(day))


async def advanced_settings(request: web.Request) -> web.Response:
    """GET /settings/advanced."""
    return respond(request, _state(request).preferences.advanced())


async def invoice_settings(request: web.Request) -> web.Response:
    """GET /settings/invoice."""
    return respond(request, _state(request).preferences.invoice)


async def account_summary(request: web.Request) -> web.Response:
    """GET /accountsummary."""
    return respond(request, _state(request).preferences.summary())


async def list_countries(request: web.Request) -> web.Response:
    """GET /countries."""
    return respond(request, countries())


async def account_vat_rates(request: web.Request) -> web.Response:
    """GET /vat/settings/vatrates: the VAT rates the account offers."""
    return respond(request, _state(request).preferences.vat_rates())


async def metadata(request: web.Request) -> web.Response:
    """GET /metadata: the account's counts and totals."""
    return respond(request, account_metadata(_state(request), request.app[STATS_KEY].logins))


def book_routes(prefix: str) -> list[web.RouteDef]:
    """The routes of this module under `prefix` (nominal codes and bank accounts
    themselves are `routes.COLLECTIONS` entries)."""
    p = prefix
    product = p + "/products/{nominal:\\d+}/{code}"
    transactions = p + "/bankaccounts/{account:\\d+}/transactions"
    transaction = transactions + "/{id:\\d+}"
    return [
        web.get(p + "/nominals/Id/{id:\\d+}", nominal_by_id, allow_head=False),
        web.get(p + "/products", _product_page(lambda r: None), allow_head=False),
        web.get(p + "/products/list", _product_page(lambda r: None), allow_head=False),
        web.get(
            p + "/nominals/{nominal:\\d+}/products",
            _product_page(lambda r: path_int(r, "nominal")),
            allow_head=False,
        ),
        web.post(p + "/products", create_product),
        web.get(product, get_product, allow_head=False),
        web.put(product, update_product),
        web.delete(product, delete_product),
        web.get(transactions, list_transactions, allow_head=False),
        web.post(transactions, create_transaction),
        web.get(transaction, get_transaction, allow_head=False),
        web.put(transaction, update_transaction),
        web.delete(transaction, delete_transaction),
        web.get(p + "/countries/vatrates", vat_rates, allow_head=False),
        web.get(p + "/metadata", metadata, allow_head=False),
        web.get(p + "/settings/advanced", advanced_settings, allow_head=False),
        web.get(p + "/settings/invoice", invoice_settings, allow_head=False),
        web.get(p + "/accountsummary", account_summary, allow_head=False),
        web.get(p + "/countries", list_countries, allow_head=False),
        web.get(p + "/vat/settings/vatrates", account_vat_rates, allow_head=False),
    ]
