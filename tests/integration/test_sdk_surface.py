"""Per-call options, raw responses, request ids, event hooks and tracing, over loopback
against the sandbox, in both wire formats."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from kashflow_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    BulkPayment,
    BulkPaymentItem,
    Invoice,
    KashFlowClient,
    NotFoundError,
    Page,
    Quote,
    QuoteLine,
    RateLimitError,
    RawResponse,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    RetryPolicy,
    ServerError,
    TransportError,
)
from kashflow_async.errors import InvalidArgumentError
from kashflow_async.sandbox import FaultRule, Faults, Sandbox
from kashflow_async.transport.tracing import Tracing

GET_ONE = "GET /invoices/{number}"
#: retries without real waiting
QUICK = RetryPolicy(base=0.001, cap=0.002)


def script(route: str, *actions: str, **rule: Any) -> Faults:
    return Faults(routes={route: FaultRule(script=actions, **rule)})


def last_request_id(sb: Sandbox, key: str) -> str:
    return next(r.request_id for r in reversed(sb.stats.records) if r.key == key)


# -- with_options ----------------------------------------------------------------------------


async def test_with_options_timeout_fires_while_the_parents_does_not(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    sb.faults = Faults(routes={"/invoices/{number}": FaultRule(latency=0.3)})
    fast = kf.with_options(timeout=0.05, max_retries=0)
    with pytest.raises(TransportError, match="timed out"):
        await fast.invoices.get(1)
    assert (await kf.invoices.get(1)).number == 1  # the parent keeps its 30 s
    assert fast.invoices is not kf.invoices
    assert kf._transport.timeout == 30.0 and fast._transport.timeout == 0.05


async def test_with_options_shares_session_token_and_limits_and_closing_it_closes_nothing(
    sb: Sandbox, kf: KashFlowClient
) -> None:
    await kf.invoices.get(1)
    view = kf.with_options(max_retries=0)
    assert view._transport.session is kf._transport.session
    assert view._transport.limits is kf._transport.limits
    assert view._transport.auth is kf._transport.auth
    async with view:
        await view.quotes.get(1)
    await view.aclose()
    assert not kf._transport.session.closed
    assert (await kf.invoices.get(2)).number == 2
    assert view._transport.unclosed is False  # a view never warns about the session


async def test_with_options_max_retries_and_hooks_apply_to_the_view_only(
    sb: Sandbox, fmt: str
) -> None:
    seen: list[Any] = []
    async with KashFlowClient(
        token=sb.token,
        base_url=sb.url,
        wire_format=fmt,
        retry_policy=QUICK,
        event_hooks={"request": [seen.append]},
    ) as kf:
        sb.faults = script(GET_ONE, "503")
        with pytest.raises(ServerError) as info:
            await kf.with_options(max_retries=0, event_hooks={}).invoices.get(1)
        assert info.value.status == 503
        assert seen == []  # the view replaced the hooks
        sb.faults = script(GET_ONE, "503")
        assert (await kf.invoices.get(1)).number == 1  # the parent retries
        assert [e.attempt for e in seen] == [1, 2]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": -1}, "timeout must be a positive number"),
        ({"max_retries": 1.5}, "max_retries must be a whole number >= 0"),
        ({"max_response_bytes": 0}, "max_response_bytes must be a whole number >= 1"),
        ({"retry_policy": "fast"}, "retry_policy must be a RetryPolicy"),
        ({"rate_limit": 5}, "with_options takes timeout, .*; not rate_limit"),
        ({"event_hooks": {"sent": [print]}}, "event_hooks keys must be among"),
        ({"event_hooks": {"request": [1]}}, "not callable"),
    ],
)
async def test_with_options_refuses_bad_values(
    kf: KashFlowClient, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        kf.with_options(**options)


# -- raw responses ---------------------------------------------------------------------------


async def test_raw_response_after_a_retry(sb: Sandbox, fmt: str) -> None:
    async with KashFlowClient(
        token=sb.token, base_url=sb.url, wire_format=fmt, retry_policy=QUICK
    ) as kf:
        sb.faults = script(GET_ONE, "503")
        raw = await kf.invoices.with_raw_response.get(2)
    assert isinstance(raw, RawResponse)
    assert raw.attempts == 2
    assert raw.status == 200
    assert raw.request_id == last_request_id(sb, GET_ONE)
    assert raw.request_id is not None and raw.request_id.startswith("req_")
    assert raw.headers["content-type"].startswith(f"application/{fmt}")
    assert raw.headers["X-REQUEST-ID"] == raw.request_id  # case-insensitive
    assert raw.http_version == "1.1"
    assert raw.elapsed > 0
    invoice = raw.parse()
    assert isinstance(invoice, Invoice) and invoice.number == 2
    assert raw.parse() is invoice


async def test_every_method_has_its_raw_twin(sb: Sandbox, kf: KashFlowClient) -> None:
    raw = kf.invoices.with_raw_response
    assert kf.invoices.with_raw_response is raw  # made once
    page = await raw.page(1, perpage=5)
    assert isinstance(page.parse(), Page) and len(page.parse().data) == 5
    first = await kf.invoices.get(1)
    assert first.id is not None
    credits = await raw.credits(first.id)
    assert credits.status == 200 and isinstance(credits.parse(), list)
    conversions = await raw.convert_quotes([1], retain=True)
    assert conversions.parse()[0].quote_number == 1
    address = await raw.update_address("TCUST01", first.address or _address())
    assert address.status in (200, 204) and address.parse() is None
    created = await kf.quotes.with_raw_response.create(
        Quote(
            number=9001,
            customer_code="TCUST01",
            line_items=[QuoteLine(quantity=Decimal(1), rate=Decimal(3))],
        )
    )
    assert created.status in (200, 201)
    quote = created.parse()
    assert quote.number is not None
    updated = await kf.quotes.with_raw_response.update(quote.number, quote)
    assert updated.parse().number == quote.number
    deleted = await kf.quotes.with_raw_response.delete(quote.number)
    assert deleted.parse() is None and deleted.request_id is not None
    payment = BulkPayment(
        date=dt.datetime(2024, 6, 1, 12),
        account_id=55166,
        method=409844,
        payment_items=[BulkPaymentItem(object_number=5, amount=Decimal("1.00"))],
    )
    for bulk in (kf.invoices.bulk_payments, kf.purchases.bulk_payments):
        made = await bulk.with_raw_response.create(payment)
        number = made.parse().number
        assert number is not None
        got = await bulk.with_raw_response.get(number)
        assert got.parse().payment_items[0].amount == Decimal("1.00")
    # the plain resources are untouched
    assert isinstance(await kf.invoices.get(1), Invoice)


async def test_raw_list_gives_raw_pages_in_order(sb: Sandbox, kf: KashFlowClient) -> None:
    pages = [page async for page in kf.invoices.with_raw_response.list(perpage=25, concurrency=2)]
    assert [p.status for p in pages] == [200, 200, 200]  # 60 invoices
    numbers = [inv.number for p in pages for inv in p.parse().data]
    plain = [inv.number async for inv in kf.invoices.list(perpage=25)]
    assert numbers == plain
    assert len({p.request_id for p in pages}) == 3


async def test_raw_resource_has_no_create_many(kf: KashFlowClient) -> None:
    with pytest.raises(InvalidArgumentError, match="create_many has no raw form"):
        kf.invoices.with_raw_response.create_many([])  # type: ignore[misc]


# -- request ids on errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "cls", "status"),
    [
        ("400", BadRequestError, 400),
        ("404", NotFoundError, 404),
        ("429", RateLimitError, 429),
        ("500", ServerError, 500),
        ("503", ServerError, 503),
    ],
)
async def test_request_id_on_each_error_class(
    sb: Sandbox, fmt: str, action: str, cls: type[APIError], status: int
) -> None:
    async with KashFlowClient(
        token=sb.token, base_url=sb.url, wire_format=fmt, max_retries=0
    ) as kf:
        sb.faults = script(GET_ONE, action, retry_after=0.01)
        with pytest.raises(cls) as info:
            await kf.invoices.get(1)
    error = info.value
    assert error.status == status
    assert error.request_id == last_request_id(sb, GET_ONE)
    assert error.request_id is not None
    assert f"[request id {error.request_id}]" in str(error)
    assert error.headers["x-request-id"] == error.request_id


async def test_request_id_on_real_404_and_401(sb: Sandbox, fmt: str) -> None:
    async with KashFlowClient(token=sb.token, base_url=sb.url, wire_format=fmt) as kf:
        with pytest.raises(NotFoundError) as missing:
            await kf.invoices.get(999_999)
    assert missing.value.request_id == last_request_id(sb, GET_ONE)
    async with KashFlowClient(token="expired", base_url=sb.url, wire_format=fmt) as kf:
        with pytest.raises(AuthenticationError) as refused:
            await kf.quotes.get(1)
    assert refused.value.request_id == last_request_id(sb, "GET /quotes/{number}")
    assert refused.value.request_id in str(refused.value)


# -- event hooks -----------------------------------------------------------------------------


async def test_hooks_in_order_across_a_re_login_and_a_retry(sb: Sandbox, fmt: str) -> None:
    seen: list[tuple[Any, ...]] = []

    def on_request(e: RequestEvent) -> None:
        seen.append(("request", e.method, e.route, e.attempt))

    async def on_response(e: ResponseEvent) -> None:
        await asyncio.sleep(0)
        seen.append(("response", e.method, e.route, e.attempt, e.status))
        assert e.elapsed > 0 and e.request_id is not None

    def on_retry(e: RetryEvent) -> None:
        seen.append(("retry", e.method, e.route, e.attempt, e.status, e.max_retries))
        assert isinstance(e.error, ServerError) and e.delay >= 0

    async with KashFlowClient(
        username=sb.username,
        password=sb.password,
        memorable_word=sb.memorable_word,
        base_url=sb.url,
        wire_format=fmt,
        retry_policy=QUICK,
        event_hooks={"request": [on_request], "response": [on_response], "retry": [on_retry]},
    ) as kf:
        await kf.invoices.get(1)
        seen.clear()
        sb.expire_tokens()
        sb.faults = script(GET_ONE, "ok", "503")  # 1: 401 (expired), 2: 503, 3: ok
        assert (await kf.invoices.get(2)).number == 2
    route = "/invoices/{number}"
    assert seen == [
        ("request", "GET", route, 1),
        ("response", "GET", route, 1, 401),
        ("request", "POST", "/sessiontoken", 1),
        ("response", "POST", "/sessiontoken", 1, 200),
        ("request", "PUT", "/sessiontoken", 1),
        ("response", "PUT", "/sessiontoken", 1, 200),
        ("request", "GET", route, 2),
        ("response", "GET", route, 2, 503),
        ("retry", "GET", route, 2, 503, 3),
        ("request", "GET", route, 3),
        ("response", "GET", route, 3, 200),
    ]


async def test_event_url_and_route_and_a_retry_after_a_connection_failure(
    sb: Sandbox, fmt: str
) -> None:
    events: list[Any] = []
    async with KashFlowClient(
        token=sb.token,
        base_url=sb.url,
        wire_format=fmt,
        retry_policy=QUICK,
        event_hooks={"request": [events.append], "retry": [events.append]},
    ) as kf:
        await kf.invoices.page(2, perpage=5, status="Paid")
        # aiohttp itself resends once on a dropped keep-alive connection
        sb.faults = script("GET /quotes/{number}", "drop_before", "drop_before")
        await kf.quotes.get(3)
    page, first, retry, second = events
    assert page.route == "/invoices"
    assert page.url == f"{sb.url}/invoices?page=2&perpage=5&filterby=Paid"
    assert first.url == f"{sb.url}/quotes/3" and first.route == "/quotes/{number}"
    assert isinstance(retry, RetryEvent)
    assert retry.status is None and isinstance(retry.error, TransportError)
    assert (retry.attempt, second.attempt) == (1, 2)


async def test_a_hook_that_raises_is_logged_and_the_request_goes_on(
    sb: Sandbox, fmt: str, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def broken(event: Any) -> None:
        calls.append("broken")
        raise RuntimeError("hook bug")

    async def broken_async(event: Any) -> None:
        calls.append("async")
        raise ValueError("async hook bug")

    async with KashFlowClient(
        token=sb.token,
        base_url=sb.url,
        wire_format=fmt,
        event_hooks={"request": [broken, broken_async], "response": [broken]},
    ) as kf:
        invoice = await kf.invoices.get(1)
    assert invoice.number == 1
    assert calls == ["broken", "async", "broken"]
    failures = [r for r in caplog.records if "event hook" in r.getMessage()]
    assert len(failures) == 3
    assert failures[0].exc_info is not None and "hook bug" in str(failures[0].exc_info[1])


# -- tracing ---------------------------------------------------------------------------------


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


async def test_one_span_per_call_covering_its_retries(
    sb: Sandbox, fmt: str, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with KashFlowClient(
        token=sb.token,
        base_url=sb.url,
        wire_format=fmt,
        retry_policy=QUICK,
        tracer_provider=provider,
    ) as kf:
        sb.faults = script(GET_ONE, "503", "502")
        await kf.invoices.get(2)
    (span,) = exporter.get_finished_spans()
    assert span.name == "KashFlow GET /invoices/{number}"
    assert span.kind is SpanKind.CLIENT
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "url.template": "/invoices/{number}",
        "url.full": f"{sb.url}/invoices/2",
        "server.address": "127.0.0.1",
        "server.port": sb.port,
        "http.response.status_code": 200,
        "http.request.resend_count": 2,
    }
    assert span.status.status_code is StatusCode.UNSET


async def test_failed_call_span_has_error_type(
    sb: Sandbox, fmt: str, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with KashFlowClient(
        token=sb.token, base_url=sb.url, wire_format=fmt, tracer_provider=provider
    ) as kf:
        with pytest.raises(NotFoundError):
            await kf.invoices.get(999_999)
        sb.faults = script("GET /quotes/{number}", "drop_after", "drop_after")
        with pytest.raises(TransportError):
            await kf.with_options(max_retries=0).quotes.get(1)
    missing, dropped = exporter.get_finished_spans()
    assert missing.attributes is not None and dropped.attributes is not None
    assert missing.attributes["error.type"] == "404"
    assert missing.attributes["http.response.status_code"] == 404
    assert missing.status.status_code is StatusCode.ERROR
    assert dropped.attributes["error.type"] == "TransportError"
    assert "http.response.status_code" not in dropped.attributes


async def test_the_calls_span_is_current_while_it_runs(
    sb: Sandbox, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    inside: list[Any] = []

    def on_request(event: RequestEvent) -> None:
        inside.append(trace.get_current_span().get_span_context().span_id)

    tracer = provider.get_tracer("app")
    async with KashFlowClient(
        token=sb.token,
        base_url=sb.url,
        tracer_provider=provider,
        event_hooks={"request": [on_request]},
    ) as kf:
        with tracer.start_as_current_span("handler"):
            await kf.invoices.get(1)
    ours, handler = exporter.get_finished_spans()
    assert ours.parent is not None and ours.parent.span_id == handler.context.span_id
    assert inside == [ours.context.span_id]  # what an aiohttp instrumentation would nest in


async def test_no_spans_without_a_provider_and_a_provider_set_later_is_used(
    sb: Sandbox, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    assert trace._TRACER_PROVIDER is None
    assert Tracing().tracer() is None  # the API's proxy provider: no span is made
    async with KashFlowClient(token=sb.token, base_url=sb.url) as kf:
        await kf.invoices.get(1)
        assert kf._transport._shared.tracing.tracer() is None
        saved = trace._TRACER_PROVIDER
        trace._TRACER_PROVIDER = provider
        try:
            await kf.quotes.get(1)
        finally:
            trace._TRACER_PROVIDER = saved
        await kf.invoices.get(3)
    assert [s.name for s in exporter.get_finished_spans()] == ["KashFlow GET /quotes/{number}"]


def _address() -> Any:
    from kashflow_async import Address

    return Address(line1="1 Test Street")
