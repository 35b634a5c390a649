"""Secrets: with ``KASHFLOW_LOG=debug``, run login, re-login, every endpoint, logout and
every error path; then scan every log record (and the debug handler's output), every
exception (its text, its repr, its attributes, its traceback and every exception chained
to it), every hook event, every span (name, attributes, status) and raw response, and the
repr and str of client, transport, auth and resources for the session tokens, the
password and the memorable word: zero hits."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import traceback
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kashflow_async import (
    Address,
    BulkPayment,
    BulkPaymentItem,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    Quote,
    QuoteLine,
    RetryPolicy,
)
from kashflow_async.sandbox import FaultRule, Faults, Sandbox
from kashflow_async.transport._logging import _EnvHandler

from .support import BadStatusServer, app_thread, sandbox_thread

PASSWORD = "pw-Ωmega-5ecret-771"
#: every character distinctive, so that any one of them sent in the login answer can be
#: looked for on its own
MEMORABLE = "ĦŵžǷȣɮ"
USERNAME = "hardening@example.com"
FAST = RetryPolicy(base=0.01, cap=0.05)


class Evidence:
    """Every text a user or a log could ever see, with where it came from."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.exceptions = 0

    def add(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def obj(self, where: str, value: Any) -> None:
        self.add(f"{where} repr", repr(value))
        self.add(f"{where} str", str(value))

    def exception(self, where: str, exc: BaseException) -> None:
        self.exceptions += 1
        self.add(f"{where} traceback", "".join(traceback.format_exception(exc)))
        seen: set[int] = set()
        todo: list[BaseException | None] = [exc]
        while todo:
            current = todo.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            name = f"{where} {type(current).__name__}"
            self.obj(name, current)
            self.add(f"{name} args", repr(current.args))
            for key, value in vars(current).items():
                self.add(f"{name}.{key}", repr(value))
            todo += [current.__cause__, current.__context__]

    async def run(self, where: str, call: Awaitable[Any]) -> Any:
        """Await `call`; an exception is recorded (and expected by the caller's plan)."""
        try:
            async with asyncio.timeout(20):
                result = await call
        except Exception as exc:
            self.exception(where, exc)
            return exc
        self.obj(f"{where} result", result)
        return result


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.formatter_ = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> Iterator[tuple[str, str]]:
        for r in self.records:
            yield f"log {r.name}", self.formatter_.format(r)
            yield f"log {r.name} args", repr(r.args)
            if r.exc_info and r.exc_info[1] is not None:
                yield f"log {r.name} exc", "".join(traceback.format_exception(r.exc_info[1]))


@pytest.fixture
def debug_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[Records]:
    """``KASHFLOW_LOG=debug`` (the client installs its stderr handler), plus a handler on
    the root logger that keeps every record of every logger."""
    monkeypatch.setenv("KASHFLOW_LOG", "debug")
    records = Records()
    root = logging.getLogger()
    ours = logging.getLogger("kashflow_async")
    levels = (root.level, ours.level)
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(records)
        root.setLevel(levels[0])
        ours.setLevel(levels[1])
        for handler in [h for h in ours.handlers if isinstance(h, _EnvHandler)]:
            ours.removeHandler(handler)


class Spy:
    """Wraps the sandbox's sessions to learn every token and temporary token it hands out."""

    def __init__(self, sb: Sandbox) -> None:
        self.tokens: set[str] = {sb.token}
        sessions = sb.sessions
        issue, login = sessions.issue, sessions.login

        def spying_issue() -> str:
            token = issue()
            self.tokens.add(token)
            return token

        def spying_login(username: str, password: str) -> Any:
            challenge = login(username, password)
            self.tokens.add(challenge.temporary_token)
            return challenge

        sessions.issue = spying_issue  # type: ignore[method-assign]
        sessions.login = spying_login  # type: ignore[method-assign]


def hostile_login_app(token: str) -> web.Application:
    """A server whose login answers do not fit the model but hold the secrets."""

    async def challenge(request: web.Request) -> web.Response:
        body = await request.read()
        # echo the request (with the password) into a body that cannot be decoded
        return web.Response(
            body=b'{"TemporaryToken": 17, "MemorableWordList": "' + body[:60] + b'"}',
            content_type="application/json",
        )

    async def verify(request: web.Request) -> web.Response:
        return web.Response(
            body=('{"SessionToken": ["' + token + '"]}').encode(), content_type="application/json"
        )

    async def good_challenge(request: web.Request) -> web.Response:
        return web.Response(
            body=b'{"TemporaryToken": "tmp-1", "MemorableWordList": '
            b'[{"Position": 1}, {"Position": 2}, {"Position": 3}]}',
            content_type="application/json",
        )

    app = web.Application()
    app.router.add_post("/broken1/sessiontoken", challenge)
    app.router.add_post("/broken2/sessiontoken", good_challenge)
    app.router.add_put("/broken2/sessiontoken", verify)
    return app


def secrets_of(spy: Spy) -> dict[str, str]:
    found = {"password": PASSWORD, "memorable word": MEMORABLE}
    for i, char in enumerate(MEMORABLE):
        found[f"memorable word character {i + 1}"] = char
    for token in spy.tokens:
        found[f"token {token[:4]}…"] = token
    return found


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_no_secret_in_any_log_exception_or_repr(
    wire_format: str, debug_logging: Records, capfd: pytest.CaptureFixture[str]
) -> None:
    sb = Sandbox(
        seed=3,
        invoices=40,
        quotes=20,
        customers=8,
        purchases=10,
        username=USERNAME,
        password=PASSWORD,
        memorable_word=MEMORABLE,
    )
    spy = Spy(sb)
    ev = Evidence()
    events: list[Any] = []
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    hooks = {kind: [events.append] for kind in ("request", "response", "retry")}
    with sandbox_thread(sb):
        creds = {"username": USERNAME, "password": PASSWORD, "memorable_word": MEMORABLE}
        # one retry, quick backoff: every retry path runs, the test stays short
        async with KashFlowClient(
            **creds,
            base_url=sb.url,
            wire_format=wire_format,
            max_retries=1,
            retry_policy=FAST,
            event_hooks=hooks,
            tracer_provider=provider,
        ) as kf:
            await _every_endpoint(kf, sb, ev)
            raw = await ev.run("raw get", kf.invoices.with_raw_response.get(1))
            ev.add("raw headers", repr(raw.headers))
            # re-login after the token expired
            sb.expire_tokens()
            await ev.run("after expiry", kf.invoices.get(2))
            assert sb.stats.requests["POST /sessiontoken"] == 2
            await _error_paths(kf, sb, ev, wire_format)
            for name, value in (
                ("client", kf),
                ("transport", kf._transport),
                ("auth", kf._transport.auth),
                ("invoices", kf.invoices),
                ("quotes", kf.quotes),
                ("bulk", kf.invoices.bulk_payments),
                ("purchases", kf.purchases),
            ):
                ev.obj(name, value)
            # logout, and a logout that fails
            sb.faults = Faults(routes={"DELETE /sessiontoken/{token}": FaultRule(script=("500",))})
            await ev.run("logout failing", kf.logout())
            sb.faults = Faults(
                routes={"DELETE /sessiontoken/{token}": FaultRule(script=("drop_before",) * 4)}
            )
            await ev.run("logout dropped", kf.logout())
            sb.faults = Faults()
            await ev.run("logout", kf.logout())
            ev.obj("client after logout", kf)

        # a token-only client whose token has expired: 401 with no way to log in again
        sb.expire_tokens()
        token = sb.new_token()
        async with KashFlowClient(token=token, base_url=sb.url, wire_format=wire_format) as kt:
            ev.obj("token client", kt)
            sb.expire_tokens()
            await ev.run("token expired", kt.invoices.get(1))
        # wrong password, wrong memorable word, a memorable word that is too short
        for where, options in (
            ("wrong password", {**creds, "password": PASSWORD + "x"}),
            ("wrong memorable word", {**creds, "memorable_word": MEMORABLE[::-1]}),
            ("short memorable word", {**creds, "memorable_word": MEMORABLE[:1]}),
        ):
            async with KashFlowClient(**options, base_url=sb.url, wire_format=wire_format) as bad:
                ev.obj(where, bad)
                await ev.run(where, bad.invoices.get(1))

    # servers that misbehave
    async with BadStatusServer() as url:
        async with KashFlowClient(
            token=next(iter(spy.tokens)), base_url=url, wire_format=wire_format, max_retries=0
        ) as kb:
            await ev.run("malformed status line", kb.invoices.get(1))
        async with KashFlowClient(**creds, base_url=url, max_retries=0) as kb:
            await ev.run("malformed status line at login", kb.invoices.get(1))
    with app_thread(hostile_login_app(next(iter(spy.tokens)))) as url:
        for path in ("broken1", "broken2"):
            async with KashFlowClient(**creds, base_url=f"{url}/{path}") as kh:
                await ev.run(f"login answer {path} does not fit", kh.invoices.get(1))
    async with KashFlowClient(**creds, base_url="http://127.0.0.1:9/v2", max_retries=0) as kc:
        await ev.run("connection refused at login", kc.invoices.get(1))

    # -- the scan
    captured = capfd.readouterr()
    ev.add("stderr", captured.err)
    ev.add("stdout", captured.out)
    for event in events:
        ev.obj(f"{type(event).__name__}", event)
    spans = exporter.get_finished_spans()
    for span in spans:
        ev.add(f"span {span.name}", f"{span.name} {dict(span.attributes or {})} {span.status}")
    texts = [*ev.texts, *debug_logging.texts()]
    secrets = secrets_of(spy)
    hits = [
        f"{what} in {where}: {text[:300]!r}"
        for where, text in texts
        for what, secret in secrets.items()
        if secret in text
    ]
    assert hits == []
    # the scan looked at something: logs at debug level, the errors of every path
    assert any(r.levelno == logging.DEBUG for r in debug_logging.records)
    assert any("logged in" in r.getMessage() for r in debug_logging.records)
    assert "DEBUG kashflow_async: " in captured.err  # the debug handler wrote to stderr
    assert ev.exceptions >= 25
    assert len(spy.tokens) >= 6
    # hooks and spans saw every kind of call: logins, retries, the logout
    routes = {(type(e).__name__, e.method, e.route) for e in events}
    assert ("RequestEvent", "PUT", "/sessiontoken") in routes
    assert ("RetryEvent", "GET", "/invoices/{number}") in routes
    assert ("ResponseEvent", "DELETE", "/sessiontoken/{token}") in routes
    assert "KashFlow DELETE /sessiontoken/{token}" in {s.name for s in spans}


async def _every_endpoint(kf: KashFlowClient, sb: Sandbox, ev: Evidence) -> None:
    run = ev.run
    line = InvoiceLine(quantity=Decimal(2), rate=Decimal("5.50"), description="secrets")
    inv = await run("invoices.get", kf.invoices.get(1))
    await run("invoices.page", kf.invoices.page(1, perpage=5, status="All"))
    await run("invoices.list", _collect(kf.invoices.list(perpage=15, concurrency=2)))
    new = await run(
        "invoices.create", kf.invoices.create(Invoice(customer_code="TCUST01", line_items=[line]))
    )
    assert isinstance(new, Invoice) and new.number is not None
    await run("invoices.update", kf.invoices.update(new.number, new))
    await run(
        "invoices.update_address",
        kf.invoices.update_address("TCUST01", Address(line1="1 Test Street")),
    )
    assert isinstance(inv, Invoice) and inv.id is not None
    credits = await run("invoices.credits", kf.invoices.credits(inv.id))
    if isinstance(credits, list) and credits:
        await run("invoices.apply_credits", kf.invoices.apply_credits(inv.id, credits[:1]))
    else:
        await run("invoices.apply_credits", kf.invoices.apply_credits(inv.id, [_credit()]))
    await run("invoices.convert_quotes", kf.invoices.convert_quotes([1, 2], retain=True))
    await run("invoices.delete", kf.invoices.delete(new.number))
    await run("quotes.get", kf.quotes.get(3))
    await run("quotes.page", kf.quotes.page(1, perpage=5))
    await run("quotes.list", _collect(kf.quotes.list(perpage=7)))
    quote = await run(
        "quotes.create",
        kf.quotes.create(
            Quote(
                customer_code="TCUST01",
                line_items=[QuoteLine(quantity=Decimal(1), rate=Decimal(3))],
            )
        ),
    )
    if isinstance(quote, Quote) and quote.number is not None:
        await run("quotes.update", kf.quotes.update(quote.number, quote))
        await run("quotes.delete", kf.quotes.delete(quote.number))
    for kind, resource in (
        ("invoices", kf.invoices.bulk_payments),
        ("purchases", kf.purchases.bulk_payments),
    ):
        payment = BulkPayment(
            date=dt.datetime.combine(sb.state.today(), dt.time(12)),
            payment_items=[BulkPaymentItem(object_number=5, amount=Decimal("1.00"))],
        )
        made = await run(f"{kind} bulk create", resource.create(payment))
        if isinstance(made, BulkPayment) and made.number is not None:
            await run(f"{kind} bulk get", resource.get(made.number))
            await run(f"{kind} bulk update", resource.update(made.number, made))
            await run(f"{kind} bulk delete", resource.delete(made.number))
        else:
            await run(f"{kind} bulk get", resource.get(1))


async def _error_paths(kf: KashFlowClient, sb: Sandbox, ev: Evidence, wire_format: str) -> None:
    run = ev.run
    await run("400", kf.invoices.create(Invoice(customer_code="NOBODY")))
    await run("400 invalid numbers", kf.invoices.convert_quotes([999_998, 999_999]))
    await run("404", kf.invoices.get(999_999))
    await run("invalid argument", kf.invoices.page(0))
    scripted: list[tuple[str, str, tuple[str, ...], Callable[[], Awaitable[Any]]]] = [
        ("429", "GET /invoices/{number}", ("429",) * 5, lambda: kf.invoices.get(1)),
        ("503", "GET /invoices/{number}", ("503",) * 5, lambda: kf.invoices.get(1)),
        ("500 on POST", "POST /quotes", ("500",), lambda: kf.quotes.create(Quote())),
        ("drop before", "GET /quotes/{number}", ("drop_before",) * 5, lambda: kf.quotes.get(1)),
        (
            "drop after POST",
            "POST /invoices",
            ("drop_after",),
            lambda: kf.invoices.create(Invoice(customer_code="TCUST01", customer_reference="d")),
        ),
        ("401 at login", "POST /sessiontoken", ("401",) * 2, lambda: kf.invoices.get(1)),
        ("503 at login", "PUT /sessiontoken", ("503",) * 5, lambda: kf.invoices.get(1)),
        ("drop at login", "POST /sessiontoken", ("drop_after",) * 5, lambda: kf.invoices.get(1)),
    ]
    for where, route, script, call in scripted:
        sb.faults = Faults(routes={route: FaultRule(script=script, retry_after=1)})
        if "login" in where:
            sb.expire_tokens()
        await run(where, call())
    sb.faults = Faults()
    # a timeout on a read and on a create (ambiguous)
    async with KashFlowClient(
        username=USERNAME,
        password=PASSWORD,
        memorable_word=MEMORABLE,
        base_url=sb.url,
        wire_format=wire_format,
        timeout=0.2,
        max_retries=1,
        retry_policy=FAST,
    ) as slow:
        await run("before timeouts", slow.invoices.get(1))
        sb.faults = Faults(latency=0.5)
        await run("timeout", slow.invoices.get(1))
        await run("timeout on POST", slow.invoices.create(Invoice(customer_code="TCUST01")))
        sb.faults = Faults()
    # an answer larger than max_response_bytes, and one that does not fit the model
    async with KashFlowClient(
        username=USERNAME,
        password=PASSWORD,
        memorable_word=MEMORABLE,
        base_url=sb.url,
        wire_format=wire_format,
        max_response_bytes=200,
    ) as small:
        await run("too large", small.invoices.get(1))
    ev.obj("client", kf)


async def _collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


def _credit() -> Any:
    from kashflow_async import Credit

    return Credit(id=1, amount=Decimal("1.00"))
