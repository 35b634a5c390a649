"""aiohttp.web handlers for every endpoint the sandbox serves, under ``/v2``: a few
declarative lines each. An object collection is one `Collection` entry in `COLLECTIONS`,
keyed by number or by code (`Key`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from aiohttp import web

from ..models import (
    Address,
    BankAccount,
    BulkPayment,
    Credit,
    Customer,
    CustomerSortField,
    Invoice,
    InvoiceFilter,
    InvoiceSortField,
    LoginChallenge,
    LoginRequest,
    Nominal,
    Page,
    Project,
    Purchase,
    PurchaseSortField,
    PurchaseType,
    Quote,
    QuoteSortField,
    SortOrder,
    Supplier,
    SupplierSortField,
)
from .accounts import Accounts
from .book_routes import book_routes, list_bank_accounts, list_nominals
from .clock import Clock, SystemClock
from .errors import BadRequest, NotFound
from .faults import FaultInjector, Stats
from .http import (
    ACCOUNTS_KEY,
    CLOCK_KEY,
    DEFAULT_FORMAT_KEY,
    FAULTS_KEY,
    PREFIX,
    STATS_KEY,
    Handler,
    enum_param,
    int_param,
    page_meta,
    paging,
    path_int,
    read_body,
    respond,
    serve_as,
    state_of,
    text_param,
)
from .middleware import sandbox_middleware
from .records import INVOICES, PURCHASES, BulkKind
from .state import State
from .state import customers as customer_rules
from .state import suppliers as supplier_rules
from .users import user_routes
from .views import page_slice

__all__ = ["COLLECTIONS", "PREFIX", "Collection", "build_app"]


M = TypeVar("M")


def _state(request: web.Request) -> State:
    return state_of(request)


async def login(request: web.Request) -> web.Response:
    """POST /sessiontoken: credentials in, temporary token and three positions out (at the
    account the user name names)."""
    body = await read_body(request, LoginRequest, "login request (UserName, Password)")
    account, challenge = request.app[ACCOUNTS_KEY].login(body)
    serve_as(request, account)
    return respond(request, challenge)


async def verify(request: web.Request) -> web.Response:
    """PUT /sessiontoken: temporary token and memorable-word characters in, token out (at
    the account that handed out the temporary token)."""
    body = await read_body(request, LoginChallenge, "memorable word answer")
    account, token = request.app[ACCOUNTS_KEY].verify(body)
    serve_as(request, account)
    return respond(request, token)


async def logout(request: web.Request) -> web.Response:
    """DELETE /sessiontoken/{token}: end the session (unknown tokens too: idempotent)."""
    account = request.app[ACCOUNTS_KEY].logout(request.match_info["token"])
    if account is not None:
        serve_as(request, account)
    return web.Response(status=204)


async def list_invoices(request: web.Request) -> web.Response:
    """GET /invoices: one page of invoice summaries."""
    page, perpage = paging(request)
    sortby = enum_param(request, "sortby", InvoiceSortField, InvoiceSortField.NUMBER)
    order = enum_param(request, "order", SortOrder, SortOrder.ASC)
    status = enum_param(request, "filterby", InvoiceFilter, InvoiceFilter.ALL)
    project = int_param(request, "projectnumber", 0) or None
    customer = request.query.get("customercode", "").strip() or None
    items, total = _state(request).invoices.page(
        page,
        perpage,
        sortby=sortby,
        order=order,
        status=status,
        project_number=project,
        customer_code=customer,
    )
    extra = {"sortby": sortby.value, "order": order.value}
    if status is not InvoiceFilter.ALL:
        extra["filterby"] = status.value
    if project:
        extra["projectnumber"] = str(project)
    if customer:
        extra["customercode"] = customer
    meta = page_meta(request, "invoices", page, perpage, total, extra)
    return respond(request, Page(data=items, meta=meta))


async def update_invoice_address(request: web.Request) -> web.Response:
    """PUT /invoices/address?customercode=: the address of all the customer's invoices."""
    code = request.query.get("customercode", "")
    if not code.strip():
        raise BadRequest("Query parameter customercode is required.")
    body = await read_body(request, Address, "Address")
    _state(request).invoices.update_address(code, body)
    return web.Response(status=200)


async def list_quotes(request: web.Request) -> web.Response:
    """GET /quotes: first 10 by number unless paging parameters say otherwise."""
    page, perpage = paging(request)
    sortby = enum_param(request, "sortby", QuoteSortField, QuoteSortField.NUMBER)
    order = enum_param(request, "order", SortOrder, SortOrder.ASC)
    customer = request.query.get("customercode", "").strip() or None
    items, total = _state(request).quotes.page(
        page, perpage, sortby=sortby, order=order, customer_code=customer
    )
    extra = {"sortby": sortby.value, "order": order.value}
    if customer:
        extra["customercode"] = customer
    meta = page_meta(request, "quotes", page, perpage, total, extra)
    return respond(request, Page(data=items, meta=meta))


def _party_page(
    request: web.Request, book: Any, default: Any, numbers: dict[str, Any], resource: str
) -> web.Response:
    """One page of customers or suppliers (``sortby`` by name or by its Swagger number)."""
    page, perpage = paging(request)
    raw_sort = text_param(request, "sortby")
    sortby = numbers.get(raw_sort) or enum_param(request, "sortby", type(default), default)
    order = enum_param(request, "order", SortOrder, SortOrder.ASC)
    archived = text_param(request, "filterarchived").lower()
    items, total = book.page(
        page,
        perpage,
        sortby,
        order,
        name_starts_with=text_param(request, "namestartswith"),
        search_text=text_param(request, "searchtext"),
        archived={"true": True, "false": False}.get(archived),
    )
    extra = {"sortby": sortby.value, "order": order.value}
    meta = page_meta(request, resource, page, perpage, total, extra)
    return respond(request, Page(data=items, meta=meta))


async def list_customers(request: web.Request) -> web.Response:
    """GET /customers: one page of customer summaries."""
    book = _state(request).customers
    numbers = customer_rules.SORT_NUMBERS
    return _party_page(request, book, CustomerSortField.CODE, numbers, "customers")


async def list_suppliers(request: web.Request) -> web.Response:
    """GET /suppliers: one page of supplier summaries."""
    book = _state(request).suppliers
    numbers = supplier_rules.SORT_NUMBERS
    return _party_page(request, book, SupplierSortField.CODE, numbers, "suppliers")


async def delete_customers(request: web.Request) -> web.Response:
    """DELETE /customerlist: 204 when every customer was deleted, else 200 and the
    codes that were not, with the reason."""
    codes = await read_body(request, list[str], "list of customer codes")
    failures = _state(request).delete_customers(codes)
    return respond(request, failures) if failures else web.Response(status=204)


async def list_purchases(request: web.Request) -> web.Response:
    """GET /purchases: one page of purchase summaries."""
    page, perpage = paging(request)
    sortby = enum_param(request, "sortby", PurchaseSortField, PurchaseSortField.NUMBER)
    order = enum_param(request, "order", SortOrder, SortOrder.ASC)
    status = enum_param(request, "filterby", InvoiceFilter, InvoiceFilter.ALL)
    kind = text_param(request, "type")
    items, total = _state(request).purchases.page(
        page,
        perpage,
        sortby=sortby,
        order=order,
        status=status,
        supplier_code=text_param(request, "suppliercode") or None,
        project_number=int_param(request, "projectnumber", 0) or None,
        purchase_type=enum_param(request, "type", PurchaseType, PurchaseType.PURCHASE)
        if kind
        else None,
        search_text=text_param(request, "searchtext") or None,
    )
    extra = {"sortby": sortby.value, "order": order.value}
    meta = page_meta(request, "purchases", page, perpage, total, extra)
    return respond(request, Page(data=items, meta=meta))


async def list_projects(request: web.Request) -> web.Response:
    """GET /projects: every project as a bare array, or (``Sandbox(project_list=
    "paged")``) one page of them; ``customercode`` limits it to one customer's."""
    state = _state(request)
    query = {k.lower(): v for k, v in request.query.items()}
    code = query.get("customercode", "").strip() or None
    items = state.projects.listing(code)
    if state.settings.project_list != "paged":
        return respond(request, items)
    page, perpage = paging(request)
    extra = {"customercode": code} if code else {}
    meta = page_meta(request, "projects", page, perpage, len(items), extra)
    return respond(request, Page(data=page_slice(items, page, perpage), meta=meta))


@dataclass(frozen=True)
class Key:
    """What identifies one object in its path: its name, the route pattern, the parser."""

    name: str
    pattern: str
    parse: Callable[[str], Any]


NUMBER = Key("number", "\\d+", int)
CODE = Key("code", "[^/]+", str)


@dataclass(frozen=True)
class Collection(Generic[M]):
    """One collection of objects: POST `base` (201) and GET/PUT/DELETE ``base/{key}``
    (200, 200, 204), each calling its typed handler on the state, and GET `base` when the
    collection has a `listing` handler. `item_base` serves the objects elsewhere (a
    function of the state: ``/project`` or ``/projects``)."""

    base: str
    model: type[M]
    get: Callable[[State, Any], M]
    create: Callable[[State, M], M]
    update: Callable[[State, Any, M], M]
    delete: Callable[[State, Any], object]
    listing: Handler | None = None
    key: Key = NUMBER
    item_bases: tuple[str, ...] = ()
    item_base: Callable[[State], str] | None = None

    def routes(self, prefix: str) -> list[web.RouteDef]:
        """The four routes under `prefix`."""
        what = self.model.__name__

        key = self.key

        def state_for(request: web.Request) -> State:
            state = _state(request)
            if self.item_base is not None:
                served = self.item_base(state)
                if not request.path.startswith(f"{PREFIX}{served}/"):
                    raise NotFound(f"{request.path} is not served here: use {served}/{{number}}.")
            return state

        def key_of(request: web.Request) -> Any:
            return key.parse(request.match_info[key.name])

        async def get(request: web.Request) -> web.Response:
            return respond(request, self.get(state_for(request), key_of(request)))

        async def create(request: web.Request) -> web.Response:
            body = await read_body(request, self.model, what)
            return respond(request, self.create(_state(request), body), 201)

        async def update(request: web.Request) -> web.Response:
            state = state_for(request)
            body = await read_body(request, self.model, what)
            return respond(request, self.update(state, key_of(request), body))

        async def delete(request: web.Request) -> web.Response:
            self.delete(state_for(request), key_of(request))
            return web.Response(status=204)

        items = [
            prefix + base + f"/{{{key.name}:{key.pattern}}}"
            for base in (self.item_bases or (self.base,))
        ]
        listing = (
            []
            if self.listing is None
            else [web.get(prefix + self.base, self.listing, allow_head=False)]
        )
        return [
            *listing,
            web.post(prefix + self.base, create),
            *(web.get(item, get, allow_head=False) for item in items),
            *(web.put(item, update) for item in items),
            *(web.delete(item, delete) for item in items),
        ]


class Room(Protocol[M]):
    """A state room that holds one collection of objects by number or code."""

    def get(self, key: Any) -> M: ...
    def create(self, body: M) -> M: ...
    def update(self, key: Any, body: M) -> M: ...
    def delete(self, key: Any) -> object: ...


def in_room(
    base: str,
    model: type[M],
    room: Callable[[State], Room[M]],
    listing: Handler,
    delete: Callable[[State, Any], object] | None = None,
    **options: Any,
) -> Collection[M]:
    """A collection whose handlers are its room's methods (`delete` may do more;
    `options`: the other `Collection` fields)."""
    return Collection(
        base,
        model,
        get=lambda s, n: room(s).get(n),
        create=lambda s, body: room(s).create(body),
        update=lambda s, n, body: room(s).update(n, body),
        delete=delete or (lambda s, n: room(s).delete(n)),
        listing=listing,
        **options,
    )


def bulk_payments(kind: BulkKind) -> Collection[BulkPayment]:
    """The bulk payments against invoices or purchases."""
    return Collection(
        f"/{kind}/bulk/payments",
        BulkPayment,
        get=lambda s, n: s.bulk_payments.get(kind, n),
        create=lambda s, body: s.bulk_payments.create(kind, body),
        update=lambda s, n, body: s.bulk_payments.update(kind, n, body),
        delete=lambda s, n: s.bulk_payments.delete(kind, n),
    )


#: Every object collection; the next one is one more entry (and a room in `State`).
COLLECTIONS: tuple[Collection[Any], ...] = (
    in_room("/invoices", Invoice, lambda s: s.invoices, list_invoices, State.delete_invoice),
    in_room("/quotes", Quote, lambda s: s.quotes, list_quotes),
    in_room("/customers", Customer, lambda s: s.customers, list_customers, key=CODE),
    in_room("/suppliers", Supplier, lambda s: s.suppliers, list_suppliers, key=CODE),
    in_room("/purchases", Purchase, lambda s: s.purchases, list_purchases, State.delete_purchase),
    in_room(
        "/projects",
        Project,
        lambda s: s.projects,
        list_projects,
        item_bases=("/projects", "/project"),
        item_base=lambda s: "/" + s.settings.project_path,
    ),
    bulk_payments(INVOICES),
    bulk_payments(PURCHASES),
    in_room("/nominals", Nominal, lambda s: s.nominals, list_nominals),
    in_room("/bankaccounts", BankAccount, lambda s: s.bank, list_bank_accounts),
)


async def list_credits(request: web.Request) -> web.Response:
    """GET /internal/invoices/{invoiceid}/credits: the customer's credits."""
    credits = _state(request).customer_credits.for_invoice(path_int(request, "invoiceid"))
    return respond(request, credits)


async def apply_credits(request: web.Request) -> web.Response:
    """POST /internal/invoices/{invoiceid}/credits: 200 with the updated invoice."""
    body = await read_body(request, list[Credit], "list of credits")
    invoice_id = path_int(request, "invoiceid")
    return respond(request, _state(request).customer_credits.apply(invoice_id, body))


async def convert(request: web.Request) -> web.Response:
    """POST /internal/invoices?convertfrom=quote[&retainafterconversion=]: 201 with pairs."""
    source = request.query.get("convertfrom", "").strip()
    if source.lower() != "quote":
        raise BadRequest(f"convertfrom must be 'quote', not {source!r}.")
    raw = request.query.get("retainafterconversion", "").strip().lower()
    retain: bool | None
    if not raw:
        retain = None
    elif raw in ("true", "false"):
        retain = raw == "true"
    else:
        raise BadRequest(f"retainafterconversion must be true or false, not {raw!r}.")
    numbers = await read_body(request, list[int], "list of quote numbers")
    return respond(request, _state(request).quotes.convert(numbers, retain), 201)


def build_app(
    accounts: Accounts,
    faults: FaultInjector,
    stats: Stats,
    default_format: str = "json",
    clock: Clock | None = None,
) -> web.Application:
    """The aiohttp application serving the API of `accounts` under ``/v2``."""
    app = web.Application(middlewares=[sandbox_middleware], client_max_size=16 * 1024 * 1024)
    app[ACCOUNTS_KEY] = accounts
    app[FAULTS_KEY] = faults
    app[STATS_KEY] = stats
    app[DEFAULT_FORMAT_KEY] = default_format
    app[CLOCK_KEY] = clock or SystemClock()
    p = PREFIX
    app.add_routes(
        [
            web.post(p + "/sessiontoken", login),
            web.put(p + "/sessiontoken", verify),
            web.delete(p + "/sessiontoken/{token}", logout),
            web.put(p + "/invoices/address", update_invoice_address),
            web.delete(p + "/customerlist", delete_customers),
            *(route for collection in COLLECTIONS for route in collection.routes(p)),
            web.get(
                p + "/internal/invoices/{invoiceid:\\d+}/credits", list_credits, allow_head=False
            ),
            web.post(p + "/internal/invoices/{invoiceid:\\d+}/credits", apply_credits),
            web.post(p + "/internal/invoices", convert),
            *book_routes(p),
            *user_routes(p),
        ]
    )
    return app
