"""Random arguments through every resource method, against the sandbox.

For every call, exactly one of these holds:

- it is refused before anything is sent, with `InvalidArgumentError` or `EncodeError`
  (both `ValueError` and `KashFlowError`), and the sandbox saw no request;
- it was sent, and the sandbox answered it on its merits: a result, or a 400/404 that is
  not about a query parameter (the client's checks are at least as strict as the
  server's).

Nothing else: no TypeError, OverflowError, UnicodeEncodeError, no hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kashflow_async import (
    Address,
    APIError,
    BulkPayment,
    BulkPaymentItem,
    Credit,
    EncodeError,
    Invoice,
    InvoiceFilter,
    InvoiceLine,
    InvoiceSortField,
    KashFlowClient,
    KashFlowError,
    Quote,
    QuoteSortField,
    SortOrder,
)
from kashflow_async.errors import InvalidArgumentError
from kashflow_async.sandbox import Sandbox

from .support import sandbox_thread

#: text UTF-8 cannot carry
SURROGATES = st.text(
    alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2
)
#: anything at all, in place of an argument
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    SURROGATES,
    st.binary(max_size=6),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(min_value=-5, max_value=10**12), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(object),
    st.just(Invoice()),
    st.just(dt.date(2024, 1, 1)),
)

NUMBERS = st.integers(min_value=1, max_value=120)


def mixed(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A valid value two times in three, junk otherwise (``one_of`` would flatten the
    junk's many branches and make valid values rare)."""
    return st.integers(0, 2).flatmap(lambda k: valid if k else JUNK)


def choices(enum_cls: type[enum.Enum]) -> st.SearchStrategy[Any]:
    """Members of `enum_cls`, or their values in random letter case."""
    values = [str(m.value) for m in enum_cls]
    recased = st.builds(
        lambda v, flips: "".join(
            c.upper() if f else c.lower() for c, f in zip(v, flips, strict=False)
        ),
        st.sampled_from(values),
        st.lists(st.booleans(), min_size=30, max_size=30),
    )
    return st.one_of(st.sampled_from(list(enum_cls)), recased)


CODES = st.one_of(st.sampled_from(["TCUST01", "tcust02", "TEST01", "NOPE99"]), st.text(max_size=8))
LINE = InvoiceLine(quantity=Decimal(1), rate=Decimal("10.00"), description="fuzz")
INVOICES = mixed(
    st.builds(
        lambda code, ref: Invoice(customer_code=code, customer_reference=ref, line_items=[LINE]),
        CODES,
        st.one_of(st.text(max_size=10), SURROGATES),
    )
)
QUOTES = mixed(st.builds(lambda code: Quote(customer_code=code), CODES))
BULK = mixed(
    st.builds(
        lambda n, amount: BulkPayment(
            date=dt.datetime(2024, 6, 1, 12),
            payment_items=[BulkPaymentItem(object_number=n, amount=amount)],
        ),
        NUMBERS,
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2),
    )
)
ADDRESSES = mixed(st.builds(Address, line1=st.text(max_size=10)))
CREDITS = mixed(
    st.lists(st.builds(Credit, id=NUMBERS, amount=st.just(Decimal("1.00"))), max_size=2)
)

Method = Callable[[KashFlowClient, dict[str, Any]], Awaitable[Any]]


async def _first(iterator: Any) -> Any:
    async with contextlib.aclosing(iterator) as it:
        async for item in it:
            return item
    return None


#: name -> (call, keyword strategies)
METHODS: dict[str, tuple[Method, dict[str, st.SearchStrategy[Any]]]] = {
    "invoices.get": (lambda kf, a: kf.invoices.get(a["number"]), {"number": mixed(NUMBERS)}),
    "invoices.page": (
        lambda kf, a: kf.invoices.page(a.pop("page"), **a),
        {
            "page": mixed(st.integers(1, 4)),
            "perpage": mixed(st.integers(1, 600)),
            "sortby": mixed(choices(InvoiceSortField)),
            "order": mixed(choices(SortOrder)),
            "status": mixed(choices(InvoiceFilter)),
            "customer_code": mixed(CODES),
            "project_number": mixed(st.integers(0, 5)),
        },
    ),
    "invoices.list": (
        lambda kf, a: _first(kf.invoices.list(**a)),
        {
            "perpage": mixed(st.integers(1, 600)),
            "sortby": mixed(choices(InvoiceSortField)),
            "order": mixed(choices(SortOrder)),
            "status": mixed(choices(InvoiceFilter)),
            "customer_code": mixed(CODES),
            "project_number": mixed(st.integers(0, 5)),
            "concurrency": mixed(st.integers(1, 6)),
        },
    ),
    "invoices.create": (lambda kf, a: kf.invoices.create(a["obj"]), {"obj": INVOICES}),
    "invoices.update": (
        lambda kf, a: kf.invoices.update(a["number"], a["obj"]),
        {"number": mixed(NUMBERS), "obj": INVOICES},
    ),
    "invoices.delete": (lambda kf, a: kf.invoices.delete(a["number"]), {"number": mixed(NUMBERS)}),
    "invoices.update_address": (
        lambda kf, a: kf.invoices.update_address(a["code"], a["address"]),
        {"code": mixed(CODES), "address": ADDRESSES},
    ),
    "invoices.credits": (
        lambda kf, a: kf.invoices.credits(a["invoice_id"]),
        {"invoice_id": mixed(st.integers(100_000, 100_300))},
    ),
    "invoices.apply_credits": (
        lambda kf, a: kf.invoices.apply_credits(a["invoice_id"], a["credits"]),
        {"invoice_id": mixed(st.integers(100_000, 100_300)), "credits": CREDITS},
    ),
    "invoices.convert_quotes": (
        lambda kf, a: kf.invoices.convert_quotes(a["numbers"], retain=a["retain"]),
        {
            "numbers": mixed(st.lists(NUMBERS, min_size=1, max_size=3)),
            "retain": mixed(st.one_of(st.none(), st.booleans())),
        },
    ),
    "quotes.get": (lambda kf, a: kf.quotes.get(a["number"]), {"number": mixed(NUMBERS)}),
    "quotes.page": (
        lambda kf, a: kf.quotes.page(a.pop("page"), **a),
        {
            "page": mixed(st.integers(1, 4)),
            "perpage": mixed(st.integers(1, 600)),
            "sortby": mixed(choices(QuoteSortField)),
            "order": mixed(choices(SortOrder)),
            "customer_code": mixed(CODES),
        },
    ),
    "quotes.list": (
        lambda kf, a: _first(kf.quotes.list(**a)),
        {
            "perpage": mixed(st.integers(1, 600)),
            "sortby": mixed(choices(QuoteSortField)),
            "order": mixed(choices(SortOrder)),
            "customer_code": mixed(CODES),
            "concurrency": mixed(st.integers(1, 6)),
        },
    ),
    "quotes.create": (lambda kf, a: kf.quotes.create(a["obj"]), {"obj": QUOTES}),
    "quotes.update": (
        lambda kf, a: kf.quotes.update(a["number"], a["obj"]),
        {"number": mixed(NUMBERS), "obj": QUOTES},
    ),
    "quotes.delete": (lambda kf, a: kf.quotes.delete(a["number"]), {"number": mixed(NUMBERS)}),
    "invoices.bulk_payments.get": (
        lambda kf, a: kf.invoices.bulk_payments.get(a["number"]),
        {"number": mixed(NUMBERS)},
    ),
    "invoices.bulk_payments.create": (
        lambda kf, a: kf.invoices.bulk_payments.create(a["obj"]),
        {"obj": BULK},
    ),
    "invoices.bulk_payments.update": (
        lambda kf, a: kf.invoices.bulk_payments.update(a["number"], a["obj"]),
        {"number": mixed(NUMBERS), "obj": BULK},
    ),
    "invoices.bulk_payments.delete": (
        lambda kf, a: kf.invoices.bulk_payments.delete(a["number"]),
        {"number": mixed(NUMBERS)},
    ),
    "purchases.bulk_payments.get": (
        lambda kf, a: kf.purchases.bulk_payments.get(a["number"]),
        {"number": mixed(NUMBERS)},
    ),
    "purchases.bulk_payments.create": (
        lambda kf, a: kf.purchases.bulk_payments.create(a["obj"]),
        {"obj": BULK},
    ),
    "purchases.bulk_payments.update": (
        lambda kf, a: kf.purchases.bulk_payments.update(a["number"], a["obj"]),
        {"number": mixed(NUMBERS), "obj": BULK},
    ),
    "purchases.bulk_payments.delete": (
        lambda kf, a: kf.purchases.bulk_payments.delete(a["number"]),
        {"number": mixed(NUMBERS)},
    ),
}

#: a 400 whose message is about the query: the client should have refused it itself
QUERY_COMPLAINTS = ("query parameter", "page must", "perpage must", "convertfrom", "retainafter")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(seed=21, invoices=120, quotes=60, customers=8, purchases=30)
    with sandbox_thread(sb):
        yield sb


@pytest.mark.parametrize("name", sorted(METHODS))
def test_random_arguments_are_refused_before_sending_or_answered_on_their_merits(
    sandbox: Sandbox, name: str
) -> None:
    call, keywords = METHODS[name]
    seen: dict[str, int] = {}
    loop = asyncio.new_event_loop()
    kf = KashFlowClient(token=sandbox.token, base_url=sandbox.url, max_retries=0)

    async def run(arguments: dict[str, Any]) -> None:
        before = sandbox.stats.total
        refused: Exception | None = None
        answered: APIError | None = None
        try:
            async with asyncio.timeout(10):
                await call(kf, dict(arguments))
        except (InvalidArgumentError, EncodeError) as exc:
            refused = exc
        except APIError as exc:
            answered = exc
        if refused is not None:
            assert isinstance(refused, ValueError)
            assert isinstance(refused, KashFlowError)
            assert sandbox.stats.total == before, f"{refused!r} after sending"
            seen["refused"] = seen.get("refused", 0) + 1
            return
        if answered is not None:
            assert answered.status in (400, 404), repr(answered)
            message = (answered.message or "").lower()
            assert not any(c in message for c in QUERY_COMPLAINTS), repr(answered)
            seen[f"HTTP {answered.status}"] = seen.get(f"HTTP {answered.status}", 0) + 1
        else:
            seen["answered"] = seen.get("answered", 0) + 1
        assert sandbox.stats.total > before

    @settings(
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much], deadline=None
    )
    @given(st.fixed_dictionaries(keywords))
    def check(arguments: dict[str, Any]) -> None:
        loop.run_until_complete(run(arguments))

    try:
        check()
    finally:
        loop.run_until_complete(kf.aclose())
        loop.close()
    # both sides of the property were exercised
    assert seen.get("refused", 0) > 0, seen
    assert sum(v for k, v in seen.items() if k != "refused") > 0, seen
