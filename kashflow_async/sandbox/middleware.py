"""Around every handler: statistics, the request id, injected faults, authentication and
error bodies."""

from __future__ import annotations

import logging
import math

from aiohttp import web

from .accounts import SandboxAccount
from .errors import SandboxError, Unauthorized
from .faults import RequestRecord, decide_in_turn
from .http import (
    ACCOUNTS_KEY,
    CLOCK_KEY,
    FAULTS_KEY,
    PREFIX,
    STATS_KEY,
    Handler,
    account_of,
    error_response,
    serve_as,
)

__all__ = ["CLOSED", "route_account", "route_key", "sandbox_middleware"]

log = logging.getLogger("kashflow_async.sandbox")

_PUBLIC = {"POST /sessiontoken", "PUT /sessiontoken", "DELETE /sessiontoken/{token}"}


def route_key(request: web.Request) -> str:
    """``"METHOD /template"`` of the matched route, without the prefix (stats, faults)."""
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else request.path
    if template.startswith(PREFIX):
        template = template[len(PREFIX) :]
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
    """Statistics, request id, the account, fault injection, authentication and error
    bodies around every handler."""
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
        _count_for_account(request, record)


def _count_for_account(request: web.Request, record: RequestRecord) -> None:
    """Record the answered request in the stats of the account that served it."""
    account = account_of(request)
    if account is None or record.status is None:
        return
    record.account = account.username
    own = account.stats.begin(record.key, record.arrived)
    own.fault, own.request_id, own.account = record.fault, record.request_id, record.account
    account.stats.end(own, record.status)


def route_account(request: web.Request, key: str) -> SandboxAccount | None:
    """The account whose session token `request` carries (None for the login routes,
    whose handlers find their account, and for a token no account handed out)."""
    if key in _PUBLIC:
        return None
    account = request.app[ACCOUNTS_KEY].owner(_token(request))
    if account is not None:
        serve_as(request, account)
    return account


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
    account = route_account(request, key)
    own = account.injector if account is not None else None
    decision = decide_in_turn(request.app[FAULTS_KEY], own, key)
    if decision.latency:
        await request.app[CLOCK_KEY].sleep(decision.latency)
    action = record.fault = decision.action
    if action != "ok":
        request.app[STATS_KEY].faults[action] += 1
    if action == "drop_before":
        _drop(request)
        return web.Response(status=CLOSED)
    if decision.status is not None:
        return _injected_error(request, decision.status, decision.retry_after)
    try:
        if key not in _PUBLIC:
            if account is None:
                raise Unauthorized("The session token is missing or invalid.")
            account.sessions.check(_token(request))
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
