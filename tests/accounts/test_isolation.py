"""Many accounts, one process: 200 accounts of a multi-account sandbox served at once by
one process through ONE aiohttp session and ONE Redis pool (a real redis-server), each
account with its own coordinator namespace and rate. Requests interleave; some accounts
have their tokens expired mid-run (re-login), some get a 429 (a pause of their own).

Checked: every answer a client got was recorded by its own account (request ids), its
data is its own account's; each account's rate holds at its own limit; a pause in one
account never holds another; nothing per account stays alive after its client and
coordinator close (no task, no Redis key without a TTL), and one pool of at most
`MAX_CONNECTIONS` connections served everything.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import aiohttp
import pytest

from kashflow_async import (
    AuthenticationError,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    ResponseEvent,
    RetryEvent,
)
from kashflow_async.coordination import Coordination
from kashflow_async.coordination.testing import RedisServer, redis_server_path
from kashflow_async.sandbox import AccountConfig, Faults, Sandbox, SandboxAccount

ACCOUNTS = 200
#: requests each client sends after every client has logged in
WORK = 8
#: one Redis pool for every account, of at most this many connections
MAX_CONNECTIONS = 16
#: how long a command may wait for one of them (seconds): 200 accounts on one busy loop
#: on a loaded machine can take longer than the default second, which would count as an
#: outage and put every account under per-process limits
POOL_WAIT = 10.0
#: Retry-After of the scripted 429s (seconds): far longer than an account's own gaps
PAUSE = 2.0
SIZES = {"invoices": 5, "quotes": 0, "customers": 3, "purchases": 0}


def rate_of(i: int) -> int:
    """Account i's own limit at the server (requests per second before 429): 2, 3 or 4."""
    return 2 + i % 3


#: The share of its limit each account's coordinator is given: the requests of 200
#: accounts and the sandbox share one event loop here, on a machine shared with other
#: work, so a request may reach the server a few hundred milliseconds after its
#: admission; this keeps such lateness (up to 0.7 s) from making a 429.
HEADROOM = 0.6


def relogs(i: int) -> bool:
    """Account i has its tokens expired mid-run."""
    return i % 10 == 3


def pauses(i: int) -> bool:
    """Account i gets a 429 with Retry-After as its first request after the start."""
    return i % 10 == 7


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    if redis_server_path() is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so this test must run")
        pytest.skip(reason)
    with RedisServer() as server:
        yield server


@dataclass
class Seen:
    """What one client saw: request ids and (route, status) of its answers; retries."""

    ids: set[str] = field(default_factory=set)
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    retries: list[int | None] = field(default_factory=list)

    def response(self, event: ResponseEvent) -> None:
        if event.request_id is not None:
            self.ids.add(event.request_id)
        self.answers[(f"{event.method} {event.route}", event.status)] += 1

    def retry(self, event: RetryEvent) -> None:
        self.retries.append(event.status)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    configs = [
        AccountConfig(f"client{i}@example.com", f"pw-{i}", f"word-{i:03d}", rate_limit=rate_of(i))
        for i in range(ACCOUNTS)
    ]
    async with Sandbox(accounts=configs, seed=100, **SIZES) as sb:
        yield sb


def most_in_a_second(account: SandboxAccount) -> int:
    """The most requests (logins aside) the account saw arrive within one second."""
    times = sorted(r.arrived for r in account.stats.records if r.route != "/sessiontoken")
    best = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def _timers() -> list[asyncio.TimerHandle]:
    """The running loop's pending timers (asyncio's and uvloop's expose them alike)."""
    loop = asyncio.get_running_loop()
    scheduled = getattr(loop, "_scheduled", [])
    return [h for h in scheduled if not h.cancelled()]


def _where(handle: asyncio.TimerHandle) -> str:
    """The module and name of what a timer will call."""
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    return " ".join(
        str(getattr(x, name, ""))
        for x in (callback, type(owner) if owner is not None else None)
        for name in ("__module__", "__qualname__")
    )


def _server_tasks(task: asyncio.Task[object]) -> bool:
    """The sandbox's own per-connection tasks (the server outlives the clients)."""
    return "aiohttp" in getattr(task.get_coro(), "__qualname__", "") or "RequestHandler" in (
        getattr(task.get_coro(), "__qualname__", "")
    )


async def test_two_hundred_accounts_one_session_one_pool(
    sandbox: Sandbox, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kashflow_async.coordination")
    accounts = [sandbox.account(f"client{i}@example.com") for i in range(ACCOUNTS)]
    seen = [Seen() for _ in range(ACCOUNTS)]
    created: list[int] = [0] * ACCOUNTS
    logged_in = 0
    everyone_in = asyncio.Event()
    paused_at: dict[int, float] = {}
    baseline = {t for t in asyncio.all_tasks()}

    async def run(i: int, session: aiohttp.ClientSession, coordination: Coordination) -> None:
        nonlocal logged_in
        account, mine = accounts[i], seen[i]
        fmt = "xml" if i % 2 else "json"
        rng = random.Random(i)
        async with (
            coordination.account(f"acct-{i}", rate_limit=rate_of(i) * HEADROOM) as coord,
            KashFlowClient(
                username=account.username,
                password=account.password,
                memorable_word=account.memorable_word,
                base_url=sandbox.url,
                wire_format=fmt,
                session=session,
                coordinator=coord,
                event_hooks={"response": [mine.response], "retry": [mine.retry]},
            ) as kf,
        ):
            # log in and read a first page; then wait for everyone, so all run together
            page = await kf.invoices.page(1, perpage=10)
            assert [inv.number for inv in page.data] == account.state.invoice_numbers()
            logged_in += 1
            if logged_in == ACCOUNTS:
                everyone_in.set()
            await everyone_in.wait()
            if pauses(i):
                paused_at[i] = asyncio.get_running_loop().time()
            for step in range(WORK):
                if relogs(i) and step == WORK // 2:
                    account.expire_tokens()
                if step == 1:
                    new = await kf.invoices.create(
                        Invoice(
                            customer_code="TCUST01",
                            line_items=[
                                InvoiceLine(
                                    quantity=Decimal(1),
                                    rate=Decimal(i) + Decimal("0.01"),
                                    description=f"for {account.username}",
                                )
                            ],
                        )
                    )
                    created[i] = int(new.number or 0)
                elif created[i] and step % 3 == 0:
                    got = await kf.invoices.get(created[i])
                    assert got.line_items[0].description == f"for {account.username}"
                else:
                    number = rng.choice(account.state.invoice_numbers())
                    got = await kf.invoices.get(number)
                    assert got.gross_amount == account.state.invoice(number).gross_amount
                    assert got.customer_code == account.state.invoice(number).customer_code

    # the accounts that pause: a 429 as their first request once all are in
    for i in range(ACCOUNTS):
        if pauses(i):
            accounts[i].faults = Faults(
                rate_limit=rate_of(i), script=("ok", "429"), retry_after=PAUSE
            )

    async with (
        aiohttp.ClientSession() as session,
        Coordination(
            redis_server.url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT
        ) as coordination,
    ):
        await asyncio.wait_for(
            asyncio.gather(*(run(i, session, coordination) for i in range(ACCOUNTS))),
            timeout=240,
        )
        redis = coordination.redis
        clients = await redis.client_list()
        keys = [key async for key in redis.scan_iter("kashflow:*")]
        ttls = {key: await redis.pttl(key) for key in keys}
        left = {t for t in asyncio.all_tasks() if t not in baseline and not _server_tasks(t)}
        assert left == {asyncio.current_task()} or left == set(), left
        timers = [h for h in _timers() if "kashflow_async" in _where(h)]
        assert timers == [], timers

    # the accounts' limits were shared through Redis all along (no fall-back)
    assert [r.getMessage() for r in caplog.records] == []
    # ONE pool, bounded: this process never held more connections than the pool's maximum
    assert 1 <= len(clients) <= MAX_CONNECTIONS + 1  # + the connection asking
    # nothing per account is left in Redis without an expiry
    # (-1: a key without expiry; -2: expired since the scan)
    persistent = {k for k, ttl in ttls.items() if ttl == -1}
    assert keys and not persistent, persistent

    everything = sandbox.stats.records
    by_id = {r.request_id: r for r in everything}
    for i, (account, mine) in enumerate(zip(accounts, seen, strict=True)):
        # every answer this client got was recorded by its own account, and by no other
        own_ids = {r.request_id for r in account.stats.records}
        assert mine.ids <= {r.request_id for r in everything}
        strays = {rid for rid in mine.ids if by_id[rid].account not in (account.username, None)}
        assert not strays, f"account {i} answered by {[by_id[r].account for r in strays]}"
        assert {rid for rid in mine.ids if by_id[rid].account is not None} <= own_ids
        # the only answers not recorded by it are the 401s of its expired token
        unowned = [by_id[rid] for rid in mine.ids if by_id[rid].account is None]
        assert all(r.status == 401 for r in unowned)
        assert bool(unowned) == relogs(i)
        # its books, and only its books, hold its invoice
        assert created[i] in account.state.invoice_numbers()
        mark = f"for {account.username}"
        assert account.state.invoice(created[i]).line_items[0].description == mark
        # one login, two for those whose tokens expired
        assert account.stats.logins == (2 if relogs(i) else 1), i
        # its own rate: never more than its limit in any second at the server
        busiest = most_in_a_second(account)
        assert busiest <= rate_of(i), (i, busiest)
        assert account.stats.rate_limited == (1 if pauses(i) else 0), i
        assert mine.retries.count(429) == (1 if pauses(i) else 0), i

    for i in paused_at:
        pauses_seen = [r.arrived for r in accounts[i].stats.records if r.status == 429]
        assert len(pauses_seen) == 1
        start = pauses_seen[0]
        # the paused account sent nothing during its pause ...
        during = [r for r in accounts[i].stats.records if start < r.arrived < start + PAUSE]
        assert during == []
        # ... while every other account busy across the whole pause went on: it sent
        # requests during it (its own gaps are well under PAUSE)
        busy = 0
        for j in range(ACCOUNTS):
            if j in paused_at:
                continue
            times = [r.arrived for r in accounts[j].stats.records if r.route != "/sessiontoken"]
            if not (min(times) < start and max(times) > start + PAUSE):
                continue  # it started after, or was done before, the pause ended
            busy += 1
            during = [t for t in times if start < t < start + PAUSE]
            assert during, f"account {j} sent nothing while account {i} was paused"
        assert busy >= ACCOUNTS // 2, f"only {busy} accounts were busy across pause {i}"

    # no invoice crossed: each marker is in exactly one account's books
    for i, account in enumerate(accounts):
        neighbour = accounts[(i + 1) % ACCOUNTS]
        assert created[i] not in neighbour.state.invoice_numbers() or (
            neighbour.state.invoice(created[i]).line_items[0].description
            != f"for {account.username}"
        )


async def test_an_ended_token_is_served_by_no_account(sandbox: Sandbox) -> None:
    first, second = sandbox.account("client1@example.com"), sandbox.account("client2@example.com")
    async with KashFlowClient(token=first.token, base_url=sandbox.url) as kf:
        inv = await kf.invoices.get(1)
    assert inv.gross_amount == first.state.invoice(1).gross_amount
    assert first.state.invoice(1).gross_amount != second.state.invoice(1).gross_amount
    first.expire_tokens()
    async with KashFlowClient(token=first.token, base_url=sandbox.url, max_retries=0) as kf:
        with pytest.raises(AuthenticationError):
            await kf.invoices.get(1)
    last = sandbox.stats.records[-1]
    assert (last.status, last.account) == (401, None)
    assert second.stats.total == 0
