"""Checked by mypy --strict (tests/static_types/test_typing.py): what users see of the raw
responses, views and events. Never run."""

from __future__ import annotations

from typing_extensions import reveal_type

from kashflow_async import (
    Conversion,
    Credit,
    Invoice,
    KashFlowClient,
    Page,
    Quote,
    RawResponse,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
)
from kashflow_async.models import BulkPayment


def on_request(event: RequestEvent) -> None:
    print(event.method, event.route, event.url, event.attempt)


async def on_response(event: ResponseEvent) -> None:
    print(event.status, event.elapsed, event.request_id)


def on_retry(event: RetryEvent) -> None:
    print(event.delay, event.error, event.status, event.max_retries)


async def main() -> None:
    async with KashFlowClient(
        token="t",
        event_hooks={"request": [on_request], "response": [on_response], "retry": [on_retry]},
    ) as kf:
        reveal_type(await kf.invoices.with_raw_response.get(1))
        raw = await kf.invoices.with_raw_response.get(1)
        invoice: Invoice = raw.parse()
        status: int = raw.status
        request_id: str | None = raw.request_id
        elapsed: float = raw.elapsed
        attempts: int = raw.attempts
        version: str = raw.http_version
        content_type: str | None = raw.headers.get("content-type")
        print(invoice, status, request_id, elapsed, attempts, version, content_type)

        reveal_type(await kf.invoices.get(1))
        reveal_type(await kf.invoices.with_raw_response.page(1, perpage=5))
        reveal_type(await kf.invoices.with_raw_response.delete(1))
        reveal_type(await kf.invoices.with_raw_response.credits(1))
        reveal_type(await kf.invoices.with_raw_response.convert_quotes([1]))
        reveal_type(await kf.quotes.with_raw_response.update(1, Quote()))
        reveal_type(await kf.invoices.bulk_payments.with_raw_response.create(BulkPayment()))
        reveal_type(await kf.purchases.bulk_payments.with_raw_response.get(1))
        async for page in kf.quotes.with_raw_response.list(perpage=10):
            reveal_type(page)
        async for invoice in kf.invoices.list():
            reveal_type(invoice)

        fast = kf.with_options(timeout=2.0, max_retries=0)
        reveal_type(fast)
        reveal_type(await fast.invoices.get(2))

        reveal_type(await kf.customers.get("SHA01"))
        reveal_type(await kf.customers.with_raw_response.get("SHA01"))
        reveal_type(await kf.suppliers.patch("S1", name="x"))
        reveal_type(await kf.customers.delete_many(["A01"]))
        reveal_type(await kf.projects.page())
        reveal_type(await kf.purchases.get(1))
        async for customer in kf.customers.list(sortby="Code"):
            reveal_type(customer)

        credits: list[Credit] = (await kf.invoices.with_raw_response.credits(1)).parse()
        conversions: list[Conversion] = await kf.invoices.convert_quotes([1])
        page_: Page[Invoice] = await kf.invoices.page()
        raw_page: RawResponse[Page[Invoice]] = await kf.invoices.with_raw_response.page()
        print(credits, conversions, page_, raw_page)

        reveal_type(await kf.request("GET", "/invoices/1", cast_to=Invoice))
        reveal_type(await kf.request("GET", "/customers/A1", params={"x": 1}))
        reveal_type(await kf.with_raw_response.request("GET", "/invoices/1"))
        bounded = kf.with_options(deadline=15.0)
        reveal_type(await bounded.request("GET", "/quotes/2", cast_to=Quote))
