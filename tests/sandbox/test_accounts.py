"""The sandbox's multi-account mode over real loopback HTTP: each login has its own books,
tokens, rate limit and faults, and a token never reaches another account's data."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import pytest

from kashflow_async import (
    AuthenticationError,
    Invoice,
    InvoiceLine,
    KashFlowClient,
    NotFoundError,
)
from kashflow_async.sandbox import AccountConfig, FakeClock, Faults, Sandbox, ServeOptions
from kashflow_async.sandbox.__main__ import build_parser, options_from_args
from kashflow_async.sandbox.faults import FaultInjector, decide_in_turn

SIZES = {"invoices": 6, "quotes": 2, "customers": 4, "purchases": 2}


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    """The wire format under test."""
    return str(request.param)


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """The default account and two more."""
    async with Sandbox(accounts=2, **SIZES) as sandbox:
        yield sandbox


def _login(sb: Sandbox, username: str, fmt: str) -> KashFlowClient:
    account = sb.account(username)
    return KashFlowClient(
        username=account.username,
        password=account.password,
        memorable_word=account.memorable_word,
        base_url=sb.url,
        wire_format=fmt,
        max_retries=0,
    )


def test_a_count_of_accounts_names_them_after_the_default_one() -> None:
    sb = Sandbox(accounts=3, **SIZES)
    assert sb.accounts.names() == [
        sb.username,
        "account1@example.com",
        "account2@example.com",
        "account3@example.com",
    ]
    second = sb.account("account2@example.com")
    assert (second.password, second.memorable_word) == ("password-2", "memorable2")
    assert sb.account(sb.username).state is sb.state
    with pytest.raises(KeyError, match=r"nobody@example\.com"):
        sb.account("nobody@example.com")


def test_each_account_has_books_of_its_own_built_from_its_own_seed() -> None:
    sb = Sandbox(accounts=2, seed=5, **SIZES)
    states = [account.state for account in sb.accounts]
    assert len({id(s) for s in states}) == 3
    assert all(s.invoice_count() == SIZES["invoices"] for s in states)
    totals = {s.invoice(1).gross_amount for s in states}
    assert len(totals) == 3  # seeds 5, 6, 7: three different first invoices
    again = Sandbox(seed=6, **SIZES)
    assert again.state.invoice(1) == sb.account("account1@example.com").state.invoice(1)


def test_bad_account_configs_are_refused_naming_what_is_wrong() -> None:
    with pytest.raises(ValueError, match=r"memorable word of account 'x@example\.com'"):
        AccountConfig("x@example.com", "p", "ab")
    with pytest.raises(ValueError, match=r"rate_limit of account 'x@example\.com'"):
        AccountConfig("x@example.com", "p", "word", rate_limit=0)
    with pytest.raises(ValueError, match="user name"):
        AccountConfig(" ", "p", "word")
    with pytest.raises(ValueError, match="number of accounts"):
        AccountConfig.numbered(-1)
    with pytest.raises(ValueError, match=r"two accounts have the user name 'a@example\.com'"):
        Sandbox(accounts=[AccountConfig("a@example.com", "p", "word")] * 2, **SIZES)


async def test_logging_in_as_an_account_reaches_its_books_alone(sb: Sandbox, fmt: str) -> None:
    first, second = sb.account("account1@example.com"), sb.account("account2@example.com")
    async with _login(sb, first.username, fmt) as kf:
        inv = await kf.invoices.get(1)
        assert inv.gross_amount == first.state.invoice(1).gross_amount
        assert inv.gross_amount != second.state.invoice(1).gross_amount
        created = await kf.invoices.create(
            Invoice(
                customer_code="TCUST01",
                line_items=[InvoiceLine(quantity=Decimal(1), rate=Decimal("9.99"))],
            )
        )
    assert created.number in first.state.invoice_numbers()
    assert created.number not in second.state.invoice_numbers()
    assert created.number not in sb.state.invoice_numbers()
    async with _login(sb, second.username, fmt) as kf:
        with pytest.raises(NotFoundError):
            await kf.invoices.get(created.number)
    # the sandbox saw each account's requests under that account
    assert {r.account for r in first.stats.records} == {first.username}
    assert first.stats.requests["POST /invoices"] == 1
    assert second.stats.requests["GET /invoices/{number}"] == 1
    assert first.stats.logins == second.stats.logins == 1
    assert sb.stats.logins == 2  # the server's stats see every account


async def test_a_token_works_at_its_own_account_and_an_unknown_one_nowhere(
    sb: Sandbox, fmt: str
) -> None:
    first = sb.account("account1@example.com")
    async with KashFlowClient(token=first.token, base_url=sb.url, wire_format=fmt) as kf:
        assert (await kf.invoices.page(1, perpage=50)).meta.total_records == SIZES["invoices"]
        first.state.create_invoice(
            Invoice(
                customer_code="TCUST01",
                line_items=[InvoiceLine(quantity=Decimal(1), rate=Decimal(1))],
            )
        )
        assert (await kf.invoices.page(1, perpage=50)).meta.total_records == SIZES["invoices"] + 1
    assert sb.state.invoice_count() == SIZES["invoices"]
    async with KashFlowClient(token="0" * 40, base_url=sb.url, wire_format=fmt) as kf:
        with pytest.raises(AuthenticationError):
            await kf.invoices.get(1)
    assert sb.stats.records[-1].account is None


async def test_one_accounts_password_does_not_open_another(sb: Sandbox, fmt: str) -> None:
    first, second = sb.account("account1@example.com"), sb.account("account2@example.com")
    async with KashFlowClient(
        username=first.username,
        password=second.password,
        memorable_word=first.memorable_word,
        base_url=sb.url,
        wire_format=fmt,
    ) as kf:
        with pytest.raises(AuthenticationError):
            await kf.invoices.get(1)
    async with KashFlowClient(
        username=first.username,
        password=first.password,
        memorable_word="z" * len(first.memorable_word),
        base_url=sb.url,
        wire_format=fmt,
    ) as kf:
        with pytest.raises(AuthenticationError):
            await kf.invoices.get(1)
    assert first.stats.logins == second.stats.logins == 0


async def test_expiring_one_accounts_tokens_leaves_the_others_alone(sb: Sandbox, fmt: str) -> None:
    first, second = sb.account("account1@example.com"), sb.account("account2@example.com")
    async with _login(sb, first.username, fmt) as one, _login(sb, second.username, fmt) as two:
        await one.invoices.get(1)
        await two.invoices.get(1)
        first.expire_tokens()
        await one.invoices.get(1)  # logs in again, then replays
        await two.invoices.get(1)
    assert (first.stats.logins, second.stats.logins) == (2, 1)
    # the first and the replay; the 401 of the ended token was nobody's
    assert first.stats.requests["GET /invoices/{number}"] == 2
    assert [(r.status, r.account) for r in sb.stats.records if r.status == 401] == [(401, None)]
    assert second.stats.requests["GET /invoices/{number}"] == 2
    assert sb.sessions.is_live(sb.token)
    assert sb.accounts.owner(first.token) is None  # ended tokens leave the index too


async def test_each_account_has_its_own_rate_limit(fmt: str) -> None:
    clock = FakeClock()
    configs = [
        AccountConfig("slow@example.com", "p1", "word1", rate_limit=2),
        AccountConfig("fast@example.com", "p2", "word2", rate_limit=5),
    ]
    async with Sandbox(accounts=configs, clock=clock, **SIZES) as sb:
        slow, fast = sb.account("slow@example.com"), sb.account("fast@example.com")

        async def burst(token: str) -> list[int]:
            async with aiohttp.ClientSession() as http:
                statuses = []
                for _ in range(6):  # all at one fake instant
                    async with http.get(
                        f"{sb.url}/invoices/1",
                        headers={
                            "Authorization": f"KfToken {token}",
                            "Accept": f"application/{fmt}",
                        },
                    ) as resp:
                        statuses.append(resp.status)
                        if resp.status == 429:
                            assert int(resp.headers["Retry-After"]) >= 1
                return statuses

        assert await burst(slow.token) == [200, 200, 429, 429, 429, 429]
        assert await burst(fast.token) == [200] * 5 + [429]
        assert await burst(sb.token) == [200] * 6  # the default account has no limit
        clock.advance(1.0)
        assert (await burst(slow.token))[:3] == [200, 200, 429]
    assert (slow.stats.rate_limited, fast.stats.rate_limited) == (8, 1)
    assert sb.stats.rate_limited == 9


async def test_a_scripted_429_in_one_account_pauses_only_its_clients(fmt: str) -> None:
    configs = AccountConfig.numbered(2)
    async with Sandbox(accounts=configs, **SIZES) as sb:
        paused, other = sb.account(configs[0].username), sb.account(configs[1].username)
        paused.faults = Faults(script=("429",), retry_after=2.0)
        waiting = asyncio.Event()
        async with (
            KashFlowClient(
                token=paused.token,
                base_url=sb.url,
                wire_format=fmt,
                event_hooks={"retry": [lambda event: waiting.set()]},
            ) as one,
            KashFlowClient(token=other.token, base_url=sb.url, wire_format=fmt) as two,
        ):
            loop = asyncio.get_running_loop()
            started = loop.time()
            slow = asyncio.ensure_future(one.invoices.get(1))
            await waiting.wait()  # the 429 has been answered; its client waits
            for _ in range(5):
                await two.invoices.get(1)
            await slow
            assert loop.time() - started >= 2.0  # its client waited out Retry-After
    assert paused.stats.rate_limited == 1 and other.stats.rate_limited == 0
    assert [r.status for r in paused.stats.records] == [429, 200]
    # the other account's requests went on during the pause: all before the replay
    replay = paused.stats.records[-1].arrived
    assert [r.arrived < replay for r in other.stats.records] == [True] * 5


async def test_faults_of_an_account_never_reach_its_neighbours(sb: Sandbox, fmt: str) -> None:
    first = sb.account("account1@example.com")
    first.faults = Faults(error_rate=1.0, error_statuses=(500,))
    async with KashFlowClient(
        token=first.token, base_url=sb.url, wire_format=fmt, max_retries=0
    ) as kf:
        with pytest.raises(Exception, match="500"):
            await kf.invoices.get(1)
    second = sb.account("account2@example.com")
    async with KashFlowClient(token=second.token, base_url=sb.url, wire_format=fmt) as kf:
        await kf.invoices.get(1)
    first.faults = None
    assert first.faults == Faults()
    assert [r.status for r in first.stats.records] == [500]
    assert [r.status for r in second.stats.records] == [200]


async def test_accounts_added_while_running_serve_at_once(sb: Sandbox, fmt: str) -> None:
    late = sb.add_account(AccountConfig("late@example.com", "late-pass", "lateword", seed=99))
    async with _login(sb, late.username, fmt) as kf:
        assert (await kf.invoices.get(1)).gross_amount == late.state.invoice(1).gross_amount
    assert "accounts=4" in repr(sb)


@pytest.mark.kashflow_sandbox(accounts=2, invoices=3)
async def test_the_pytest_fixture_takes_accounts(kashflow_sandbox: Sandbox) -> None:
    assert len(kashflow_sandbox.accounts) == 3
    account = kashflow_sandbox.account("account2@example.com")
    async with KashFlowClient(token=account.token, base_url=kashflow_sandbox.url) as kf:
        page = await kf.invoices.page(1, perpage=10)
    assert [i.number for i in page.data] == account.state.invoice_numbers()
    assert account.stats.total == 1 and kashflow_sandbox.state is not account.state


def test_serve_options_give_each_account_the_rate_limit() -> None:
    args = build_parser().parse_args(["--accounts", "3", "--rate-limit", "4", "--invoices", "2"])
    options = options_from_args(args)
    assert options.accounts == 3
    sb = options.sandbox()
    assert len(sb.accounts) == 4
    assert sb.faults.rate_limit is None  # not shared by all: each account has its own
    assert {account.faults.rate_limit for account in sb.accounts} == {4}
    single = ServeOptions(rate_limit=4, invoices=2).sandbox()
    assert single.faults.rate_limit == 4 and len(single.accounts) == 1
    with pytest.raises(ValueError, match="accounts must not be negative"):
        ServeOptions(accounts=-1)


def test_kashflow_sandbox_accounts_prints_the_logins() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kashflow_async.cli", "sandbox", "--port", "0",
         "--invoices", "2", "--quotes", "0", "--accounts", "5", "--rate-limit", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    with proc.stdout, proc.stderr:
        try:
            first = proc.stdout.readline()  # serving (or '' if it died)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
        rest, errors = proc.stdout.read(), proc.stderr.read()
    assert first.startswith("KashFlow sandbox at http://127.0.0.1:"), errors
    assert proc.returncode == 0
    assert "accounts:       5 more" in rest
    assert "account1@example.com / password-1 / memorable word memorable1" in rest
    assert "account5@example.com / password-5 / memorable word memorable5" in rest


def test_the_directory_knows_each_live_token_and_forgets_ended_ones() -> None:
    sb = Sandbox(accounts=2, **SIZES)
    first, second = sb.account("account1@example.com"), sb.account("account2@example.com")
    extra = first.new_token()
    assert sb.accounts.owner(extra) is first and sb.accounts.owner(second.token) is second
    assert sb.accounts.owner(sb.sessions.issue()) is sb.account(sb.username)
    assert sb.accounts.logout(extra) is first
    assert sb.accounts.owner(extra) is None and not first.sessions.owns(extra)
    assert sb.accounts.logout(extra) is None  # unknown now: nobody's, and no error
    assert sb.accounts.owner(None) is None and sb.accounts.owner("") is None
    sb.expire_tokens()
    assert sb.accounts.index == {}  # every account's tokens ended, none left in the index


async def test_a_login_goes_to_the_account_its_user_name_names(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        unknown = {"UserName": "nobody@example.com", "Password": "password-1"}
        async with http.post(f"{sb.url}/sessiontoken", json=unknown) as resp:
            assert resp.status == 401
            assert (await resp.json())["Error"] == "InvalidCredentials"
        known = {"UserName": "account1@example.com", "Password": "password-1"}
        async with http.post(f"{sb.url}/sessiontoken", json=known) as resp:
            temporary = (await resp.json())["TemporaryToken"]
        assert sb.accounts.owner(temporary) is sb.account("account1@example.com")
        forged = {"TemporaryToken": "f" * 32, "MemorableWordList": []}
        async with http.put(f"{sb.url}/sessiontoken", json=forged) as resp:
            assert resp.status == 401
            assert (await resp.json())["Error"] == "InvalidToken"
    assert sb.stats.records[-1].account is None  # no account served the forged answer


def test_an_accounts_faults_apply_only_to_what_the_servers_let_through() -> None:
    server = FaultInjector(Faults(latency=0.5, script=("ok", "503")))
    own = FaultInjector(Faults(latency=0.25, script=("429", "ok", "500"), retry_after=3.0))
    first = decide_in_turn(server, own, "GET /invoices")
    assert (first.latency, first.status, first.retry_after) == (0.75, 429, 3.0)
    second = decide_in_turn(server, own, "GET /invoices")
    assert (second.latency, second.status) == (0.5, 503)  # the server's fault, its latency
    third = decide_in_turn(server, own, "GET /invoices")
    assert (third.action, third.latency) == ("ok", 0.75)  # the account's script moved on
    fourth = decide_in_turn(server, own, "GET /invoices")  # the 503 spent none of its script
    assert (fourth.action, fourth.status) == ("500", 500)
    alone = decide_in_turn(FaultInjector(Faults(error_rate=1.0)), None, "GET /invoices")
    assert alone.status in (500, 503)


def test_sandbox_wide_settings_hold_for_every_account() -> None:
    sb = Sandbox(accounts=2, extra_members=True, retain_quotes_after_conversion=False, **SIZES)
    late = sb.add_account(AccountConfig("late@example.com", "p", "word"))
    settings = [account.state.settings for account in sb.accounts]
    assert [s.extra_members for s in settings] == [True] * 4
    assert [s.retain_quotes_after_conversion for s in settings] == [False] * 4
    sb.extra_members = False
    assert not any(account.state.settings.extra_members for account in sb.accounts)
    assert (
        sb.add_account(AccountConfig("later@example.com", "p", "word")).state.settings.extra_members
        is False
    )
    assert late.state.today() == sb.state.today()
