"""aiohttp.web handlers for every endpoint of the five API pages, under ``/v2``.

Answers are written in the format the ``Accept`` header asks for, request bodies read in
the format of their ``Content-Type`` (``application/xml`` or ``text/xml``: XML, anything
else: JSON), with the package's own codecs and models.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from ..codecs import Codec, get_codec
from ..errors import DecodeError
from ..models import (
    Address,
    BulkPayment,
    Credit,
    ErrorBody,
    Invoice,
    InvoiceFilter,
    InvoiceSortField,
    LoginChallenge,
    LoginRequest,
    Page,
    PageMeta,
    Quote,
    QuoteSortField,
    SortOrder,
)
from .clock import Clock, SystemClock
from .faults import FaultInjector, RequestRecord, Stats
from .state import BadRequest, SandboxError, Sessions, State, check_paging, last_page

__all__ = ["PREFIX", "build_app"]

PREFIX = "/v2"
E = TypeVar("E", bound=Enum)
T = TypeVar("T")

log = logging.getLogger("kashflow_async.sandbox")

STATE_KEY = web.AppKey("state", State)
SESSIONS_KEY = web.AppKey("sessions", Sessions)
FAULTS_KEY = web.AppKey("faults", FaultInjector)
STATS_KEY = web.AppKey("stats", Stats)
DEFAULT_FORMAT_KEY = web.AppKey("default_format", str)
CLOCK_KEY = web.AppKey("clock", Clock)

_PUBLIC = {"POST /sessiontoken", "PUT /sessiontoken", "DELETE /sessiontoken/{token}"}
_XML_TYPES = ("application/xml", "text/xml")
_JSON_TYPES = ("application/json", "text/json")


# ---------------------------------------------------------------------------- formats


def answer_format(request: web.Request) -> str:
    """``"xml"`` or ``"json"`` from the ``Accept`` header (highest quality wins; neither
    named: the server's default)."""
    best: tuple[float, str] | None = None
    for part in request.headers.get("Accept", "").split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        fmt = "xml" if media in _XML_TYPES else "json" if media in _JSON_TYPES else None
        if fmt is None:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, fmt)
    return best[1] if best else request.app[DEFAULT_FORMAT_KEY]


def body_codec(request: web.Request) -> Codec:
    """The codec of the request body, from its ``Content-Type``."""
    return get_codec("xml" if request.content_type in _XML_TYPES else "json")


def respond(request: web.Request, obj: Any, status: int = 200) -> web.Response:
    """`obj` encoded in the format the request asked for."""
    codec = get_codec(answer_format(request))
    return web.Response(body=codec.encode(obj), status=status, content_type=codec.media_type)


def error_response(
    request: web.Request,
    status: int,
    error: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """An error answer ``{"Message", "Error"}`` in the requested format."""
    codec = get_codec(answer_format(request))
    return web.Response(
        body=codec.encode(ErrorBody(message=message, error=error)),
        status=status,
        content_type=codec.media_type,
        headers=headers,
    )


async def read_body(request: web.Request, type_: type[T], what: str) -> T:
    """The request body decoded as `type_`; 400 naming the problem when it does not fit."""
    data = await request.read()
    if not data.strip():
        raise BadRequest(f"The request body is empty: a {what} is expected.")
    try:
        return body_codec(request).decode(data, type_)
    except DecodeError as exc:
        raise BadRequest(f"The request body is not a valid {what}: {exc}") from None


# ---------------------------------------------------------------------------- query


def int_param(request: web.Request, name: str, default: int | None) -> int | None:
    """An integer query parameter (empty or absent: `default`; 400 if not a number)."""
    raw = request.query.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"Query parameter {name} must be a whole number, not {raw!r}.") from None


def enum_param(request: web.Request, name: str, enum: type[E], default: E) -> E:
    """A query parameter from a closed set (case-insensitive; empty or absent: `default`)."""
    raw = request.query.get(name, "").strip()
    if not raw:
        return default
    for member in enum:
        if str(member.value).lower() == raw.lower():
            return member
    allowed = ", ".join(str(m.value) for m in enum)
    raise BadRequest(f"Query parameter {name}={raw!r} is not one of: {allowed}.")


def paging(request: web.Request) -> tuple[int, int]:
    """``page`` (default 1) and ``perpage`` (default 10); 400 unless both are 1 or more."""
    page = int_param(request, "page", 1) or 0
    perpage = int_param(request, "perpage", 10) or 0
    check_paging(page, perpage)
    return page, perpage


def path_int(request: web.Request, name: str) -> int:
    """An integer path segment (the routes only match digits)."""
    return int(request.match_info[name])


def page_meta(
    request: web.Request, resource: str, page: int, perpage: int, total: int, extra: dict[str, str]
) -> PageMeta:
    """``MetaData`` with the four absolute page URLs and ``TotalRecords``."""
    base = f"{request.url.origin()}{PREFIX}/{resource}"
    last = last_page(total, perpage)

    def url(n: int) -> str:
        return f"{base}?" + urlencode({"page": n, "perpage": perpage, **extra})

    return PageMeta(
        first_page_url=url(1),
        last_page_url=url(last),
        next_page_url=url(page + 1) if page < last else None,
        previous_page_url=url(min(page - 1, last)) if page > 1 else None,
        total_records=total,
    )


# ---------------------------------------------------------------------------- handlers

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _state(request: web.Request) -> State:
    return request.app[STATE_KEY]


async def login(request: web.Request) -> web.Response:
    """POST /sessiontoken: credentials in, temporary token and three positions out."""
    body = await read_body(request, LoginRequest, "login request (UserName, Password)")
    return respond(request, request.app[SESSIONS_KEY].login(body.user_name, body.password))


async def verify(request: web.Request) -> web.Response:
    """PUT /sessiontoken: temporary token and memorable-word characters in, token out."""
    body = await read_body(request, LoginChallenge, "memorable word answer")
    return respond(request, request.app[SESSIONS_KEY].verify(body))


async def logout(request: web.Request) -> web.Response:
    """DELETE /sessiontoken/{token}: end the session (unknown tokens too: idempotent)."""
    request.app[SESSIONS_KEY].logout(request.match_info["token"])
    return web.Response(status=204)


async def list_invoices(request: web.Request) -> web.Response:
    """GET /invoices: one page of invoice summaries."""
    page, perpage = paging(request)
    sortby = enum_param(request, "sortby", InvoiceSortField, InvoiceSortField.NUMBER)
    order = enum_param(request, "order", SortOrder, SortOrder.ASC)
    status = enum_param(request, "filterby", InvoiceFilter, InvoiceFilter.ALL)
    project = int_param(request, "projectnumber", 0) or None
    customer = request.query.get("customercode", "").strip() or None
    items, total = _state(request).invoice_page(
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
    _state(request).update_invoice_address(code, body)
    return web.Response(status=200)


async def list_quotes(request: web.Request) -> web.Response:
    """GET /quotes: first 10 by number unless paging parameters say otherwise."""
    page, perpage = paging(request)
    sortby = enum_param(request, "sortby", QuoteSortField, QuoteSortField.NUMBER)
    order = enum_param(request, "order", SortOrder, SortOrder.ASC)
    customer = request.query.get("customercode", "").strip() or None
    items, total = _state(request).quote_page(
        page, perpage, sortby=sortby, order=order, customer_code=customer
    )
    extra = {"sortby": sortby.value, "order": order.value}
    if customer:
        extra["customercode"] = customer
    meta = page_meta(request, "quotes", page, perpage, total, extra)
    return respond(request, Page(data=items, meta=meta))


def object_routes(base: str, model: type[Any], name: str, *, kind: bool = False) -> list[Any]:
    """POST ``base`` (201) and GET/PUT/DELETE ``base/{number}`` (200, 200, 204) for one model.

    The handlers call the state's ``get_<name>``, ``create_<name>``, ``update_<name>`` and
    ``delete_<name>``; with `kind`, the path's ``{kind}`` (invoices or purchases) is passed
    first.
    """
    what = model.__name__

    def call(request: web.Request, verb: str, *args: Any) -> Any:
        prefix = (request.match_info["kind"],) if kind else ()
        return getattr(_state(request), f"{verb}_{name}")(*prefix, *args)

    async def get(request: web.Request) -> web.Response:
        return respond(request, call(request, "get", path_int(request, "number")))

    async def create(request: web.Request) -> web.Response:
        body = await read_body(request, model, what)
        return respond(request, call(request, "create", body), 201)

    async def update(request: web.Request) -> web.Response:
        body = await read_body(request, model, what)
        return respond(request, call(request, "update", path_int(request, "number"), body))

    async def delete(request: web.Request) -> web.Response:
        call(request, "delete", path_int(request, "number"))
        return web.Response(status=204)

    item = base + "/{number:\\d+}"
    return [
        web.post(base, create),
        web.get(item, get, allow_head=False),
        web.put(item, update),
        web.delete(item, delete),
    ]


async def list_credits(request: web.Request) -> web.Response:
    """GET /internal/invoices/{invoiceid}/credits: the customer's credits."""
    return respond(request, _state(request).credits_for_invoice(path_int(request, "invoiceid")))


async def apply_credits(request: web.Request) -> web.Response:
    """POST /internal/invoices/{invoiceid}/credits: 200 with the updated invoice."""
    body = await read_body(request, list[Credit], "list of credits")
    invoice_id = path_int(request, "invoiceid")
    return respond(request, _state(request).apply_credits(invoice_id, body))


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
    return respond(request, _state(request).convert_quotes(numbers, retain), 201)


# ---------------------------------------------------------------------------- middleware


def route_key(request: web.Request) -> str:
    """``"METHOD /template"`` of the matched route, without the prefix (stats, faults)."""
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else request.path
    if template.startswith(PREFIX):
        template = template[len(PREFIX) :]
    kind = request.match_info.get("kind")
    if kind:
        template = template.replace("{kind}", kind)
    return f"{request.method} {template}"


def _drop(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.close()


#: Status recorded for a request whose client went away, or whose connection the sandbox
#: dropped before answering (nginx's "client closed request").
CLOSED = 499


@web.middleware
async def sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Statistics, request id, fault injection, authentication and error bodies around
    every handler."""
    stats = request.app[STATS_KEY]
    record = stats.begin(route_key(request))
    status = CLOSED
    try:
        response = await _answer(request, handler, record)
        status = response.status
        response.headers["X-Request-Id"] = record.request_id
        return response
    finally:
        stats.end(record, status)


async def _answer(
    request: web.Request, handler: Handler, record: RequestRecord
) -> web.StreamResponse:
    """The answer to one request: a routing error, an injected fault or the handler's."""
    key = record.key
    if request.match_info.http_exception is not None:
        exc = request.match_info.http_exception
        return error_response(
            request,
            exc.status,
            exc.reason.replace(" ", ""),
            f"{request.method} {request.path}: {exc.reason}.",
        )
    decision = request.app[FAULTS_KEY].decide(key)
    if decision.latency:
        await request.app[CLOCK_KEY].sleep(decision.latency)
    action = record.fault = decision.action
    if action != "ok":
        request.app[STATS_KEY].faults[action] += 1
    if action == "drop_before":
        _drop(request)
        return web.Response(status=CLOSED)
    if action.isdigit():
        return _injected_error(request, int(action), decision.retry_after)
    try:
        if key not in _PUBLIC:
            request.app[SESSIONS_KEY].check(_token(request))
        response = await handler(request)
    except SandboxError as exc:
        response = error_response(request, exc.status, exc.error, exc.message)
    except web.HTTPException as exc:
        response = error_response(request, exc.status, exc.reason.replace(" ", ""), exc.text or "")
    except ConnectionResetError as exc:
        log.debug("client went away during %s: %s", key, exc)
        return web.Response(status=CLOSED)
    except Exception:
        log.exception("sandbox handler failed: %s", key)
        return error_response(request, 500, "InternalServerError", "The sandbox failed.")
    if action == "drop_after":
        _drop(request)
    return response


def _injected_error(request: web.Request, status: int, retry_after: float | None) -> web.Response:
    headers = None
    if status == 429:
        headers = {"Retry-After": str(max(1, math.ceil(retry_after or 1)))}
    return error_response(
        request,
        status,
        _REASONS.get(status, "Error"),
        _MESSAGES.get(status, "Injected failure."),
        headers,
    )


def _token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "kftoken" or not token.strip():
        return None
    return token.strip()


_REASONS = {
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
_MESSAGES = {
    429: "Too many requests: slow down and retry after the time in Retry-After.",
    500: "An unexpected error occurred on the server.",
    503: "The service is temporarily unavailable.",
}


def build_app(
    state: State,
    sessions: Sessions,
    faults: FaultInjector,
    stats: Stats,
    default_format: str = "json",
    clock: Clock | None = None,
) -> web.Application:
    """The aiohttp application serving the API under ``/v2``."""
    app = web.Application(middlewares=[sandbox_middleware], client_max_size=16 * 1024 * 1024)
    app[STATE_KEY] = state
    app[SESSIONS_KEY] = sessions
    app[FAULTS_KEY] = faults
    app[STATS_KEY] = stats
    app[DEFAULT_FORMAT_KEY] = default_format
    app[CLOCK_KEY] = clock or SystemClock()
    p = PREFIX
    bulk = p + "/{kind:invoices|purchases}/bulk/payments"
    app.add_routes(
        [
            web.post(p + "/sessiontoken", login),
            web.put(p + "/sessiontoken", verify),
            web.delete(p + "/sessiontoken/{token}", logout),
            web.put(p + "/invoices/address", update_invoice_address),
            web.get(p + "/invoices", list_invoices, allow_head=False),
            *object_routes(p + "/invoices", Invoice, "invoice"),
            web.get(p + "/quotes", list_quotes, allow_head=False),
            *object_routes(p + "/quotes", Quote, "quote"),
            *object_routes(bulk, BulkPayment, "bulk_payment", kind=True),
            web.get(
                p + "/internal/invoices/{invoiceid:\\d+}/credits", list_credits, allow_head=False
            ),
            web.post(p + "/internal/invoices/{invoiceid:\\d+}/credits", apply_credits),
            web.post(p + "/internal/invoices", convert),
        ]
    )
    return app
