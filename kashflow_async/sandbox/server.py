"""`Sandbox`: the local KashFlow server as an async context manager (127.0.0.1 only)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from .accounts import AccountConfig, Accounts, SandboxAccount
from .clock import Clock, SystemClock
from .faults import FaultInjector, Faults, Stats
from .routes import PREFIX, build_app
from .seed import populate
from .state import State

__all__ = ["DEFAULT_MEMORABLE_WORD", "DEFAULT_PASSWORD", "DEFAULT_USERNAME", "HOST", "Sandbox"]

#: The only address the sandbox binds.
HOST = "127.0.0.1"
#: The sandbox's login unless told otherwise: user name, password, memorable word.
DEFAULT_USERNAME = "sandbox@example.com"
DEFAULT_PASSWORD = "sandbox-password"
DEFAULT_MEMORABLE_WORD = "kashflow"


class Sandbox:
    """A running local KashFlow API with demo data, for tests and demos.

    ``async with Sandbox(invoices=50) as sb:`` starts it on a free port of 127.0.0.1;
    `url` is the API root (``http://127.0.0.1:<port>/v2``), `token` a ready session token,
    `username`/`password`/`memorable_word` log in through ``/sessiontoken``. `state` is the
    account itself (change settings, inspect invoices), `stats` what the server saw, and
    `faults` (settable at any time) what goes wrong.

    `today` fixes the date the rules use (None: the real date). `default_format` is the
    answer format when ``Accept`` names neither JSON nor XML. `clock` is the time that
    session expiry, rate windows, ``Retry-After``, injected latency and `stats` run on
    (a `FakeClock` makes tests wait for nothing; default: real time). `extra_members`
    (settable at any time) serves invoices and quotes with members the models do not
    declare, as a newer server would; members a client sends are always kept (see
    `kashflow_async.sandbox.extras`).

    Multi-account mode: `accounts` (a count, or one `AccountConfig` each) adds logins
    beside the default one, each with its own books (the same sizes, seeded with `seed`
    plus its position unless its config says), session tokens, rate limit and faults;
    a request is served by the account whose token it carries. `accounts` lists them
    all (the default one first); `account(username)` finds one. `faults` and `stats`
    are the server's: they see every request, whatever its account.

    `projects` demo projects are made; where the sources disagree, ``GET /projects``
    answers a bare array (`project_list` ``"array"``, the default) or a paged body
    (``"paged"``), and one project is served at ``/projects/{number}`` (`project_path`
    ``"projects"``, the default) or only at ``/project/{number}`` (``"project"``).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        customers: int = 25,
        invoices: int = 200,
        quotes: int = 50,
        purchases: int = 40,
        projects: int = 5,
        project_list: str = "array",
        project_path: str = "projects",
        faults: Faults | None = None,
        port: int = 0,
        today: dt.date | None = None,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        memorable_word: str = DEFAULT_MEMORABLE_WORD,
        token_idle_timeout: float = 1200.0,
        retain_quotes_after_conversion: bool = True,
        extra_members: bool = False,
        default_format: str = "json",
        access_log: bool = False,
        clock: Clock | None = None,
        accounts: int | Sequence[AccountConfig] = (),
    ) -> None:
        if default_format not in ("json", "xml"):
            raise ValueError("default_format must be 'json' or 'xml'")
        if project_list not in ("array", "paged"):
            raise ValueError("project_list must be 'array' or 'paged'")
        if project_path not in ("projects", "project"):
            raise ValueError("project_path must be 'projects' or 'project'")
        self.clock: Clock = clock or SystemClock()
        self._today = today
        self._seed = seed
        #: what every account's books start with (see `_books`)
        self._demo = {
            "customers": customers,
            "invoices": invoices,
            "quotes": quotes,
            "purchases": purchases,
            "projects": projects,
        }
        self._settings = {
            "retain_quotes_after_conversion": retain_quotes_after_conversion,
            "extra_members": extra_members,
            "project_list": project_list,
            "project_path": project_path,
        }
        self._token_idle_timeout = token_idle_timeout
        self.accounts = Accounts()
        default = self.add_account(AccountConfig(username, password, memorable_word), seed=seed)
        #: the default account's books and sessions
        self.state = default.state
        self.sessions = default.sessions
        configs = AccountConfig.numbered(accounts) if isinstance(accounts, int) else accounts
        for position, config in enumerate(configs, start=1):
            self.add_account(config, seed=seed + position)
        self.stats = Stats(clock=self.clock.now)
        self._injector = FaultInjector(faults, clock=self.clock.now)
        self._port = port
        self._default_format = default_format
        self._access_log = access_log
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self.token = default.token

    def add_account(self, config: AccountConfig, *, seed: int | None = None) -> SandboxAccount:
        """Add an account (also while running): its books are built like the default
        account's, seeded with `config.seed`, else `seed`, else the sandbox's seed plus
        the number of accounts so far. Raises `ValueError` for a user name already used."""
        if config.username in self.accounts:
            raise ValueError(f"two accounts have the user name {config.username!r}")
        if config.seed is not None:
            seed = config.seed
        elif seed is None:
            seed = self._seed + len(self.accounts)
        account = SandboxAccount(
            config,
            self._books(seed),
            index=self.accounts.index,
            idle_timeout=self._token_idle_timeout,
            rng=random.Random(seed),
            clock=self.clock.now,
        )
        return self.accounts.add(account)

    def _books(self, seed: int) -> State:
        """A complete account in memory: `State` with the demo data of `seed` and the
        sandbox's settings."""
        state = State(today=self._today, seed=seed)
        populate(state, seed=seed, **self._demo)
        for name, value in self._settings.items():
            setattr(state.settings, name, value)
        return state

    def account(self, username: str) -> SandboxAccount:
        """The account that logs in as `username` (`KeyError` naming it if none does)."""
        return self.accounts[username]

    # ------------------------------------------------------------------ configuration

    @property
    def username(self) -> str:
        """User name for ``POST /sessiontoken``."""
        return self.sessions.username

    @property
    def password(self) -> str:
        """Password for ``POST /sessiontoken``."""
        return self.sessions.password

    @property
    def memorable_word(self) -> str:
        """The memorable word whose characters ``PUT /sessiontoken`` asks for."""
        return self.sessions.memorable_word

    @property
    def faults(self) -> Faults:
        """The fault configuration in force."""
        return self._injector.faults

    @faults.setter
    def faults(self, value: Faults | None) -> None:
        self._injector.configure(value or Faults())

    @property
    def extra_members(self) -> bool:
        """Whether invoices and quotes are served with undeclared members (on the object,
        each line and the address), as a newer server would (see `sandbox.extras`)."""
        return self.state.settings.extra_members

    @extra_members.setter
    def extra_members(self, value: bool) -> None:
        self._settings["extra_members"] = value
        for account in self.accounts:
            account.state.settings.extra_members = value

    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._bound_port is None:
            raise RuntimeError("the sandbox is not running")
        return self._bound_port

    @property
    def url(self) -> str:
        """The API root, ``http://127.0.0.1:<port>/v2``."""
        return f"http://{HOST}:{self.port}{PREFIX}"

    def new_token(self) -> str:
        """Another ready session token."""
        return self.sessions.issue()

    def expire_tokens(self) -> None:
        """Expire every session token of every account: the next request with any of them
        gets 401 ``InvalidSessionToken`` (log in again through ``/sessiontoken``)."""
        for account in self.accounts:
            account.expire_tokens()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 and start serving."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        app = build_app(
            self.accounts,
            self._injector,
            self.stats,
            self._default_format,
            self.clock,
        )
        extra: dict[str, Any] = {} if self._access_log else {"access_log": None}
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0, **extra)
        await runner.setup()
        site = web.TCPSite(runner, HOST, self._port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self._bound_port = int(address[1])

    async def stop(self) -> None:
        """Close every connection and stop serving."""
        runner, self._runner = self._runner, None
        self._bound_port = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __repr__(self) -> str:
        where = self.url if self._bound_port is not None else "not running"
        many = f" accounts={len(self.accounts)}" if len(self.accounts) > 1 else ""
        return f"<Sandbox {where} invoices={self.state.invoice_count()}{many}>"
