"""Many accounts in one sandbox: each login has its own books, session tokens, rate limit
and faults, and every request is served by the account its token (or login) names.

`AccountConfig` describes one account, `SandboxAccount` is one running account, and
`Accounts` is the directory the HTTP side routes requests through (no HTTP here).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..models import LoginChallenge, LoginRequest, SessionToken
from .errors import Unauthorized
from .faults import FaultInjector, Faults, Stats
from .sessions import Sessions
from .state import State

__all__ = ["AccountConfig", "Accounts", "SandboxAccount"]


@dataclass(frozen=True)
class AccountConfig:
    """One account of a multi-account sandbox: its login, its own `rate_limit` (requests
    per second before 429; None: none of its own), its own `faults` (on top of the
    server's; overrides `rate_limit` when given) and the `seed` of its books (None: the
    sandbox's seed plus the account's position)."""

    username: str
    password: str
    memorable_word: str
    rate_limit: int | None = None
    faults: Faults | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.username, str) or not self.username.strip():
            raise ValueError(f"an account needs a user name, not {self.username!r}")
        if len(self.memorable_word) < 3:
            raise ValueError(
                f"the memorable word of account {self.username!r} needs at least 3 characters"
            )
        if self.rate_limit is not None and (
            isinstance(self.rate_limit, bool) or self.rate_limit < 1
        ):
            raise ValueError(
                f"rate_limit of account {self.username!r} must be at least 1 (or None), "
                f"not {self.rate_limit!r}"
            )

    @classmethod
    def numbered(cls, count: int, *, rate_limit: int | None = None) -> tuple[AccountConfig, ...]:
        """`count` accounts ``account1@example.com`` … with password ``password-<i>`` and
        memorable word ``memorable<i>``, each with `rate_limit` of its own."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"the number of accounts must be a whole number >= 0, not {count!r}")
        return tuple(
            cls(f"account{i}@example.com", f"password-{i}", f"memorable{i}", rate_limit)
            for i in range(1, count + 1)
        )

    def own_faults(self) -> Faults | None:
        """The faults of this account alone (None: it has none)."""
        if self.faults is not None:
            return self.faults
        return None if self.rate_limit is None else Faults(rate_limit=self.rate_limit)


class SandboxAccount:
    """One running account: its books (`state`), `sessions`, `stats` (the requests it
    served), its own `faults` (settable; applied after the server's) and a ready `token`."""

    def __init__(
        self,
        config: AccountConfig,
        state: State,
        *,
        index: dict[str, str],
        idle_timeout: float,
        rng: random.Random,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.state = state
        self.sessions = Sessions(
            config.username,
            config.password,
            config.memorable_word,
            idle_timeout=idle_timeout,
            rng=rng,
            clock=clock,
            index=index,
        )
        self.stats = Stats(clock=clock)
        own = config.own_faults()
        self._injector = FaultInjector(own, clock=clock) if own is not None else None
        self._clock = clock
        self.token = self.sessions.issue()

    @property
    def username(self) -> str:
        """User name for ``POST /sessiontoken``."""
        return self.config.username

    @property
    def password(self) -> str:
        """Password for ``POST /sessiontoken``."""
        return self.config.password

    @property
    def memorable_word(self) -> str:
        """The memorable word whose characters ``PUT /sessiontoken`` asks for."""
        return self.config.memorable_word

    @property
    def faults(self) -> Faults:
        """This account's own faults (empty when it has none)."""
        return self._injector.faults if self._injector is not None else Faults()

    @faults.setter
    def faults(self, value: Faults | None) -> None:
        self._injector = FaultInjector(value, clock=self._clock) if value is not None else None

    @property
    def injector(self) -> FaultInjector | None:
        """What draws this account's own faults (None: it has none)."""
        return self._injector

    def new_token(self) -> str:
        """Another ready session token of this account."""
        return self.sessions.issue()

    def expire_tokens(self) -> None:
        """Expire every session token of this account (its clients must log in again)."""
        self.sessions.expire()

    def __repr__(self) -> str:
        return f"<SandboxAccount {self.username} invoices={self.state.invoice_count()}>"


class Accounts:
    """The sandbox's accounts by user name, and which account owns each token."""

    def __init__(self) -> None:
        #: every live temporary and session token -> the user name of its account
        self.index: dict[str, str] = {}
        self._by_name: dict[str, SandboxAccount] = {}

    def add(self, account: SandboxAccount) -> SandboxAccount:
        """Register `account` (its user name must be new)."""
        if account.username in self._by_name:
            raise ValueError(f"two accounts have the user name {account.username!r}")
        self._by_name[account.username] = account
        return account

    def __getitem__(self, username: str) -> SandboxAccount:
        try:
            return self._by_name[username]
        except KeyError:
            raise KeyError(f"no sandbox account has the user name {username!r}") from None

    def __contains__(self, username: object) -> bool:
        return username in self._by_name

    def __iter__(self) -> Iterator[SandboxAccount]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def names(self) -> Sequence[str]:
        """The user names, in the order the accounts were added."""
        return list(self._by_name)

    def owner(self, token: str | None) -> SandboxAccount | None:
        """The account that handed out `token` and still holds it (None: no account)."""
        name = self.index.get(token or "")
        return self._by_name.get(name) if name is not None else None

    def login(self, body: LoginRequest) -> tuple[SandboxAccount, LoginChallenge]:
        """Step 1 of a login, at the account `body` names; 401 when none has that name."""
        account = self._by_name.get(body.user_name)
        if account is None:
            raise Unauthorized("The username or password is incorrect.", "InvalidCredentials")
        return account, account.sessions.login(body.user_name, body.password)

    def verify(self, body: LoginChallenge) -> tuple[SandboxAccount, SessionToken]:
        """Step 2 of a login, at the account that handed out the temporary token."""
        account = self.owner(body.temporary_token)
        if account is None:
            raise Unauthorized("The temporary token is unknown or expired.", "InvalidToken")
        return account, account.sessions.verify(body)

    def logout(self, token: str) -> SandboxAccount | None:
        """End the session of `token` (unknown tokens too); the account it was of."""
        account = self.owner(token)
        if account is not None:
            account.sessions.logout(token)
        return account
