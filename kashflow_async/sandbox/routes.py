"""aiohttp.web handlers for every endpoint of the five API pages, under ``/v2``: a few
declarative lines each. An object collection is one `Collection` entry in `COLLECTIONS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from aiohttp import web

from ..models import (
    Address,
    BulkPayment,
    Credit,
    Invoice,
    InvoiceFilter,
    InvoiceSortField,
    LoginChallenge,
    LoginRequest,
    Page,
    Quote,
    QuoteSortField,
    SortOrder,
)
from .accounts import Accounts
from .clock import Clock, SystemClock
from .errors import BadRequest
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
)
from .middleware import sandbox_middleware
from .records import INVOICES, PURCHASES, BulkKind
from .state import State

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


@dataclass(frozen=True)
class Collection(Generic[M]):
    """One collection of objects: POST `base` (201) and GET/PUT/DELETE ``base/{number}``
    (200, 200, 204), each calling its typed handler on the state, and GET `base` when the
    collection has a `listing` handler."""

    base: str
    model: type[M]
    get: Callable[[State, int], M]
    create: Callable[[State, M], M]
    update: Callable[[State, int, M], M]
    delete: Callable[[State, int], object]
    listing: Handler | None = None

    def routes(self, prefix: str) -> list[web.RouteDef]:
        """The four routes under `prefix`."""
        what = self.model.__name__

        async def get(request: web.Request) -> web.Response:
            return respond(request, self.get(_state(request), path_int(request, "number")))

        async def create(request: web.Request) -> web.Response:
            body = await read_body(request, self.model, what)
            return respond(request, self.create(_state(request), body), 201)

        async def update(request: web.Request) -> web.Response:
            body = await read_body(request, self.model, what)
            number = path_int(request, "number")
            return respond(request, self.update(_state(request), number, body))

        async def delete(request: web.Request) -> web.Response:
            self.delete(_state(request), path_int(request, "number"))
            return web.Response(status=204)

        item = prefix + self.base + "/{number:\\d+}"
        listing = (
            []
            if self.listing is None
            else [web.get(prefix + self.base, self.listing, allow_head=False)]
        )
        return [
            *listing,
            web.post(prefix + self.base, create),
            web.get(item, get, allow_head=False),
            web.put(item, update),
            web.delete(item, delete),
        ]


class Room(Protocol[M]):
    """A state room that holds one collection of objects by number."""

    def get(self, number: int) -> M: ...
    def create(self, body: M) -> M: ...
    def update(self, number: int, body: M) -> M: ...
    def delete(self, number: int) -> object: ...


def in_room(
    base: str,
    model: type[M],
    room: Callable[[State], Room[M]],
    listing: Handler,
    delete: Callable[[State, int], object] | None = None,
) -> Collection[M]:
    """A collection whose handlers are its room's methods (`delete` may do more)."""
    return Collection(
        base,
        model,
        get=lambda s, n: room(s).get(n),
        create=lambda s, body: room(s).create(body),
        update=lambda s, n, body: room(s).update(n, body),
        delete=delete or (lambda s, n: room(s).delete(n)),
        listing=listing,
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
    bulk_payments(INVOICES),
    bulk_payments(PURCHASES),
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
            *(route for collection in COLLECTIONS for route in collection.routes(p)),
            web.get(
                p + "/internal/invoices/{invoiceid:\\d+}/credits", list_credits, allow_head=False
            ),
            web.post(p + "/internal/invoices/{invoiceid:\\d+}/credits", apply_credits),
            web.post(p + "/internal/invoices", convert),
        ]
    )
    return app
