"""The HTTP side every handler shares: the application's keys, answer and body formats,
query parameters and page metadata.

Answers are written in the format the ``Accept`` header asks for, request bodies read in
the format of their ``Content-Type`` (``application/xml`` or ``text/xml``: XML, anything
else: JSON), with the package's own codecs and models.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from ..codecs import Codec, get_codec
from ..codecs.ranges import int32_problem
from ..errors import DecodeError
from ..models import ErrorBody, PageMeta
from .accounts import Accounts, SandboxAccount
from .clock import Clock
from .errors import BadRequest
from .extras import adopt as adopt_extras
from .faults import FaultInjector, Stats
from .money import check_numbers
from .state import State
from .views import check_paging, last_page

__all__ = [
    "ACCOUNTS_KEY",
    "CLOCK_KEY",
    "DEFAULT_FORMAT_KEY",
    "FAULTS_KEY",
    "PREFIX",
    "STATS_KEY",
    "Handler",
    "account_of",
    "answer_format",
    "enum_param",
    "error_response",
    "int_param",
    "page_meta",
    "paging",
    "path_int",
    "read_body",
    "respond",
    "serve_as",
    "state_of",
    "text_param",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PREFIX = "/v2"
E = TypeVar("E", bound=Enum)
T = TypeVar("T")

ACCOUNTS_KEY = web.AppKey("accounts", Accounts)
FAULTS_KEY = web.AppKey("faults", FaultInjector)
STATS_KEY = web.AppKey("stats", Stats)
DEFAULT_FORMAT_KEY = web.AppKey("default_format", str)
CLOCK_KEY = web.AppKey("clock", Clock)

_XML_TYPES = ("application/xml", "text/xml")
_JSON_TYPES = ("application/json", "text/json")
#: where a request keeps the account serving it (a typed key where aiohttp has them)
_ACCOUNT: Any = (
    web.RequestKey("account", SandboxAccount)
    if hasattr(web, "RequestKey")
    else "kashflow_sandbox.account"
)

# ---------------------------------------------------------------------------- accounts


def serve_as(request: web.Request, account: SandboxAccount) -> None:
    """`account` serves `request` (set once its token or login names it)."""
    request[_ACCOUNT] = account


def account_of(request: web.Request) -> SandboxAccount | None:
    """The account serving `request` (None until its token or login names one)."""
    account: SandboxAccount | None = request.get(_ACCOUNT)
    return account


def state_of(request: web.Request) -> State:
    """The books of the account serving `request` (an authenticated request has one)."""
    account = account_of(request)
    if account is None:  # pragma: no cover - the middleware authenticates first
        raise RuntimeError("no account serves this request")
    return account.state


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
        body = body_codec(request).decode(data, type_)
    except DecodeError as exc:
        raise BadRequest(f"The request body is not a valid {what}: {exc}") from None
    check_numbers(body, what)  # what .NET decimal and int hold, or 400
    adopt_extras(body)  # undeclared members, kept format-free
    return body


# ---------------------------------------------------------------------------- query


def int_param(request: web.Request, name: str, default: int | None) -> int | None:
    """An integer query parameter (empty or absent: `default`; 400 if not a number)."""
    raw = request.query.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"Query parameter {name} must be a whole number, not {raw!r}.") from None
    if int32_problem(value) is not None:
        raise BadRequest(f"Query parameter {name}={raw} is beyond the range of a whole number.")
    return value


def text_param(request: web.Request, name: str) -> str:
    """A text query parameter, stripped (absent: ``""``)."""
    return request.query.get(name, "").strip()


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
