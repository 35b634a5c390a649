"""Hostile and broken answers through the whole client: bodies beyond
``max_response_bytes`` (endless, falsely declared, compressed bombs) are refused without
being read whole; answers that do not fit the model raise `DecodeError` naming the field
path; random broken bodies raise nothing but `DecodeError`."""

from __future__ import annotations

import asyncio
import threading
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kashflow_async import (
    AmbiguousResultError,
    DecodeError,
    KashFlowClient,
    RetryPolicy,
    TransportError,
    get_codec,
)
from kashflow_async.models import BulkPayment, Credit, Invoice, Page, Quote
from tests.support.models import models

from .support import BadStatusServer, acquired_connections, app_thread

MiB = 1024 * 1024
LIMIT = 1 * MiB
CHUNK = b" " * (64 * 1024)  # whitespace: a valid start of a JSON body that never ends


class Hostile:
    """A server whose answers the test sets per path; counts what it wrote."""

    def __init__(self) -> None:
        self.written = 0
        self.finished = threading.Event()
        self.body: tuple[bytes, str] = (b"{}", "application/json")
        app = web.Application()
        app.router.add_get("/v2/endless", self.endless)
        app.router.add_get("/v2/declared", self.declared)
        app.router.add_get("/v2/bomb", self.bomb)
        app.router.add_route("*", "/v2/{tail:.*}", self.canned)
        self.app = app
        self.bomb_body = b""

    async def endless(self, request: web.Request) -> web.StreamResponse:
        """A chunked body that never ends (capped at 256 MiB to keep a failure finite)."""
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        try:
            while self.written < 256 * MiB:
                await resp.write(CHUNK)
                self.written += len(CHUNK)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            self.finished.set()
        return resp

    async def declared(self, request: web.Request) -> web.StreamResponse:
        """Declares a terabyte, sends a little, then waits for the client to hang up."""
        resp = web.StreamResponse(
            headers={"Content-Type": "application/json", "Content-Length": str(10**12)}
        )
        await resp.prepare(request)
        try:
            await resp.write(CHUNK)
            self.written += len(CHUNK)
            # wait (up to 30 s) until the client drops the connection
            for _ in range(3000):
                if request.transport is None or request.transport.is_closing():
                    break
                await asyncio.sleep(0.01)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            self.finished.set()
        return resp

    async def bomb(self, request: web.Request) -> web.Response:
        """A small gzip body (well under the limit as sent) that inflates to 128 MiB."""
        self.written += len(self.bomb_body)
        return web.Response(
            body=self.bomb_body,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )

    async def canned(self, request: web.Request) -> web.Response:
        body, content_type = self.body
        return web.Response(body=body, content_type=content_type)


def gzip_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    zeros = b" " * MiB
    parts = [compressor.compress(zeros) for _ in range(size // MiB)]
    parts.append(compressor.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[Hostile, str]]:
    server = Hostile()
    server.bomb_body = gzip_bomb(128 * MiB)
    with app_thread(server.app) as url:
        yield server, url + "/v2"


async def _peak_while(call: Callable[[], Awaitable[Any]]) -> tuple[BaseException | None, int]:
    """Run `call`, returning what it raised and the peak of memory traced meanwhile."""
    tracemalloc.start()
    raised: BaseException | None = None
    try:
        await call()
    except Exception as exc:
        raised = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, peak


@pytest.mark.parametrize("path", ["endless", "declared", "bomb"])
async def test_a_body_beyond_max_response_bytes_is_refused_without_reading_it_whole(
    hostile: tuple[Hostile, str], path: str
) -> None:
    server, base = hostile
    server.written = 0
    server.finished.clear()
    async with KashFlowClient(token="t0k", base_url=base, max_response_bytes=LIMIT) as kf:
        transport = kf._transport
        started = time.monotonic()

        async def fetch() -> Any:
            async with asyncio.timeout(10):
                return await transport.request("GET", "/" + path, Invoice)

        raised, peak = await _peak_while(fetch)
        elapsed = time.monotonic() - started
        assert isinstance(raised, DecodeError), repr(raised)
        assert "max_response_bytes" in str(raised)
        # refused promptly, holding at most a few chunks beyond the limit in memory
        assert elapsed < 5
        assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB"
        # the connection is given up (not kept reading): the server stops writing
        assert acquired_connections(kf) == 0
        if path != "bomb":
            assert await asyncio.to_thread(server.finished.wait, 5)
            assert server.written < 64 * MiB
        # and the client still works
        server.body = (b'{"Number": 7}', "application/json")
        assert (await kf.invoices.get(7)).number == 7


async def test_an_unparsable_answer_to_a_create_is_ambiguous_and_never_sent_again() -> None:
    """A malformed status line arrives after the request was written: a create may have
    been applied (never sent twice), a read is retried; the token travels nowhere."""
    token = "tok-unparsable-7d1c"
    server = BadStatusServer()
    async with (
        server as base,
        KashFlowClient(
            token=token, base_url=base, max_retries=2, retry_policy=RetryPolicy(base=0.01)
        ) as kf,
    ):
        new = Invoice(customer_code="TCUST01", customer_reference="once only")
        with pytest.raises(AmbiguousResultError) as created:
            await kf.invoices.create(new)
        assert created.value.sent is new
        assert server.requests == 1
        with pytest.raises(TransportError) as read:
            await kf.invoices.get(1)
        assert not isinstance(read.value, AmbiguousResultError)
        assert server.requests == 1 + 3
        for error in (created.value, read.value):
            assert "OK-ish" in str(error) or "status" in str(error).lower()
            chain = [error, error.__cause__, error.__context__]
            assert all(token not in repr(e) for e in chain)
        assert acquired_connections(kf) == 0


def _xml(root: str, inner: str) -> bytes:
    return f"<{root}>{inner}</{root}>".encode()


Call = Callable[[KashFlowClient], Awaitable[Any]]


async def _first_listed(kf: KashFlowClient) -> Any:
    async for inv in kf.invoices.list(perpage=10):
        return inv
    return None


#: (what is called, JSON answer, XML answer, the field path the error must name)
MISFITS: list[tuple[str, Call, bytes, bytes, str]] = [
    (
        "number not a number",
        lambda kf: kf.invoices.get(1),
        b'{"Number": "abc"}',
        _xml("Invoice", "<Number>abc</Number>"),
        "$.Number",
    ),
    (
        "line rate not a decimal",
        lambda kf: kf.invoices.get(1),
        b'{"Number": 1, "LineItems": [{"Number": 1}, {"Rate": "x"}]}',
        _xml(
            "Invoice",
            "<Number>1</Number><LineItems><InvoiceLine><Number>1</Number></InvoiceLine>"
            "<InvoiceLine><Rate>x</Rate></InvoiceLine></LineItems>",
        ),
        "$.LineItems[1].Rate",
    ),
    (
        "page without Data",
        lambda kf: kf.invoices.page(1),
        b'{"MetaData": {"TotalRecords": 3}}',
        _xml("PaginatedResultOfInvoice", "<MetaData><TotalRecords>3</TotalRecords></MetaData>"),
        "Data",
    ),
    (
        "list page without Data",
        _first_listed,
        b'{"MetaData": {"TotalRecords": 3}}',
        _xml("PaginatedResultOfInvoice", "<MetaData><TotalRecords>3</TotalRecords></MetaData>"),
        "Data",
    ),
    (
        "Data not a list",
        lambda kf: kf.invoices.page(1),
        b'{"Data": 5, "MetaData": {"TotalRecords": 1}}',
        _xml("P", "<Data>5</Data><MetaData><TotalRecords>1</TotalRecords></MetaData>"),
        "$.Data",
    ),
    (
        "TotalRecords not a number",
        lambda kf: kf.quotes.page(1),
        b'{"Data": [], "MetaData": {"TotalRecords": "many"}}',
        _xml("P", "<Data/><MetaData><TotalRecords>many</TotalRecords></MetaData>"),
        "$.MetaData.TotalRecords",
    ),
    (
        "list page item of the wrong type",
        _first_listed,
        b'{"Data": [{"Number": 1}, {"Number": {"x": 1}}], "MetaData": {"TotalRecords": 2}}',
        _xml(
            "P",
            "<Data><Invoice><Number>1</Number></Invoice><Invoice><Number><x>1</x></Number>"
            "</Invoice></Data><MetaData><TotalRecords>2</TotalRecords></MetaData>",
        ),
        "$.Data[1].Number",
    ),
    (
        "quote date not a date",
        lambda kf: kf.quotes.get(3),
        b'{"Date": "yesterday"}',
        _xml("Quote", "<Date>yesterday</Date>"),
        "$.Date",
    ),
    (
        "bulk payment item amount not a decimal",
        lambda kf: kf.invoices.bulk_payments.get(4),
        b'{"PaymentItems": [{"Amount": "lots"}]}',
        _xml(
            "BulkPayment",
            "<PaymentItems><BulkPaymentItem><Amount>lots</Amount></BulkPaymentItem></PaymentItems>",
        ),
        "$.PaymentItems[0].Amount",
    ),
    (
        "credits not a list",
        lambda kf: kf.invoices.credits(9),
        b'{"Id": 1}',
        b"<ArrayOfCredit>lots</ArrayOfCredit>",
        "$",
    ),
]


@pytest.mark.parametrize("wire_format", ["json", "xml"])
@pytest.mark.parametrize(
    ("call", "json_body", "xml_body", "path"),
    [m[1:] for m in MISFITS],
    ids=[m[0] for m in MISFITS],
)
async def test_answers_that_do_not_fit_the_model_name_the_field(
    hostile: tuple[Hostile, str],
    wire_format: str,
    call: Call,
    json_body: bytes,
    xml_body: bytes,
    path: str,
) -> None:
    server, base = hostile
    media = get_codec(wire_format).media_type
    server.body = (json_body if wire_format == "json" else xml_body, media)
    async with (
        asyncio.timeout(10),
        KashFlowClient(token="t0k", base_url=base, wire_format=wire_format) as kf,
    ):
        with pytest.raises(DecodeError) as info:
            await call(kf)
        err = info.value
        assert err.path is not None
        if path.startswith("$"):
            assert err.path == path, str(err)
        else:
            assert path in err.path, str(err)
        assert err.path in str(err)
        assert acquired_connections(kf) == 0


async def test_a_listing_never_stops_short_on_a_page_without_metadata(
    hostile: tuple[Hostile, str], fmt_pair: tuple[str, bytes]
) -> None:
    """``TotalRecords`` decides how many pages there are; an answer without it must not
    pass for an account with one page of invoices."""
    server, base = hostile
    wire_format, body = fmt_pair
    server.body = (body, get_codec(wire_format).media_type)
    async with (
        asyncio.timeout(10),
        KashFlowClient(token="t0k", base_url=base, wire_format=wire_format) as kf,
    ):
        with pytest.raises(DecodeError) as info:
            _ = [inv async for inv in kf.invoices.list(perpage=2)]
        assert "TotalRecords" in str(info.value)


@pytest.fixture(
    params=[
        ("json", b'{"Data": [{"Number": 1}, {"Number": 2}]}'),
        ("json", b'{"Data": [{"Number": 1}, {"Number": 2}], "MetaData": {}}'),
        (
            "xml",
            _xml(
                "P",
                "<Data><Invoice><Number>1</Number></Invoice>"
                "<Invoice><Number>2</Number></Invoice></Data>",
            ),
        ),
    ],
    ids=["json-no-metadata", "json-no-totalrecords", "xml-no-metadata"],
)
def fmt_pair(request: pytest.FixtureRequest) -> tuple[str, bytes]:
    return request.param  # type: ignore[no-any-return]


# ------------------------------------------------------------------ random broken bodies

#: what the client is asked for, and the type its answer decodes to
ENDPOINTS: list[tuple[str, Call, Any]] = [
    ("invoices.get", lambda kf: kf.invoices.get(1), Invoice),
    ("invoices.page", lambda kf: kf.invoices.page(1, perpage=5), Page[Invoice]),
    ("quotes.get", lambda kf: kf.quotes.get(1), Quote),
    ("invoices.credits", lambda kf: kf.invoices.credits(1), list[Credit]),
    ("bulk_payments.get", lambda kf: kf.purchases.bulk_payments.get(1), BulkPayment),
]


def _broken(doc: bytes, cut: int, at: int, byte: int, kind: int) -> bytes:
    if not doc:
        return bytes([byte])
    if kind == 0:
        return doc[: cut % (len(doc) + 1)]
    i = at % len(doc)
    if kind == 1:
        return doc[:i] + bytes([byte]) + doc[i + 1 :]
    return doc[:i] + doc[i + 1 + cut % 8 :]


@pytest.mark.parametrize("wire_format", ["json", "xml"])
@pytest.mark.parametrize(
    ("call", "type_"), [e[1:] for e in ENDPOINTS], ids=[e[0] for e in ENDPOINTS]
)
def test_random_broken_answers_raise_only_decode_error_through_the_client(
    hostile: tuple[Hostile, str], wire_format: str, call: Call, type_: Any
) -> None:
    server, base = hostile
    codec = get_codec(wire_format)
    bodies = st.one_of(
        st.builds(
            _broken,
            models(type_).map(codec.encode),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
            st.integers(0, 255),
            st.integers(0, 2),
        ),
        st.binary(max_size=100),
    )
    outcomes: dict[str, int] = {}

    loop = asyncio.new_event_loop()
    kf = KashFlowClient(token="t0k", base_url=base, wire_format=wire_format, max_retries=0)

    async def ask(body: bytes) -> None:
        server.body = (body, codec.media_type)
        try:
            async with asyncio.timeout(10):
                await call(kf)
            outcomes["decoded"] = outcomes.get("decoded", 0) + 1
        except DecodeError:
            outcomes["DecodeError"] = outcomes.get("DecodeError", 0) + 1
        assert acquired_connections(kf) == 0

    try:

        @settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
        @given(bodies)
        def check(body: bytes) -> None:
            loop.run_until_complete(ask(body))

        check()
    finally:
        loop.run_until_complete(kf.aclose())
        loop.close()
    assert outcomes.get("DecodeError", 0) > 0
