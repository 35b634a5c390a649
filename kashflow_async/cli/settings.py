"""What the root options (or the environment) configure, and the client they make."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import typer

from ..client import DEFAULT_BASE_URL, KashFlowClient
from ..coordination import RedisCoordinator
from ..errors import InvalidArgumentError
from .console import print_retry
from .errors import run, usage_error

__all__ = ["DEFAULT_TIMEOUT", "Settings", "default_namespace", "run_command", "settings_of"]

T = TypeVar("T")

#: Seconds per request attempt (shorter than the library's 30 s: a person is waiting).
DEFAULT_TIMEOUT = 10.0


@dataclass
class Settings:
    """The root options."""

    base_url: str = DEFAULT_BASE_URL
    token: str | None = None
    username: str | None = None
    password: str | None = None
    memorable_word: str | None = None
    xml: bool = False
    debug: bool = False
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = 3
    #: a Redis URL: clients share the account's limits and session through it
    redis: str | None = None
    #: None: `default_namespace` of the base URL and username
    namespace: str | None = None
    account_rate: float | None = None
    #: with Redis unreachable, fail rather than go on under degraded limits
    redis_strict: bool = False
    _coordinator: RedisCoordinator | None = field(default=None, init=False)

    @property
    def wire_format(self) -> str:
        """``xml`` with ``--xml``, else ``json``."""
        return "xml" if self.xml else "json"

    def __repr__(self) -> str:  # never show a secret
        return f"Settings(base_url={self.base_url!r}, wire_format={self.wire_format!r})"

    def client_options(self) -> dict[str, Any]:
        """The `KashFlowClient` keywords these settings give (credentials included)."""
        return {
            "token": self.token or None,
            "username": self.username,
            "password": self.password,
            "memorable_word": self.memorable_word,
            "base_url": self.base_url,
            "wire_format": self.wire_format,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "event_hooks": {"retry": [print_retry]},
        }

    def client(self, *, max_concurrency: int = 16) -> KashFlowClient:
        """A client configured by these settings (exit 2 when no credentials are given)."""
        if not self.token and not (self.username and self.password and self.memorable_word):
            usage_error(
                "no credentials: set KASHFLOW_TOKEN (or --token), or KASHFLOW_USERNAME, "
                "KASHFLOW_PASSWORD and KASHFLOW_MEMORABLE_WORD"
            )
        try:
            return KashFlowClient(
                **self.client_options(),
                max_concurrency=max_concurrency,
                coordinator=self.coordinator(),
            )
        except InvalidArgumentError as exc:
            usage_error(str(exc))

    def coordinator(self) -> RedisCoordinator | None:
        """The one `RedisCoordinator` of this command (``--redis``), or None."""
        if self.redis and self._coordinator is None:
            namespace = self.namespace or default_namespace(self.base_url, self.username)
            self._coordinator = RedisCoordinator(
                self.redis,
                namespace=namespace,
                rate_limit=self.account_rate,
                strict=self.redis_strict,
            )
        return self._coordinator

    async def aclose(self) -> None:
        """Close the coordinator, if one was made."""
        coordinator, self._coordinator = self._coordinator, None
        if coordinator is not None:
            await coordinator.aclose()


def default_namespace(base_url: str, username: str | None) -> str:
    """The Redis namespace of an account when none is given: a digest of the base URL and
    the username, so that two accounts (or two users) never share one by default."""
    digest = hashlib.sha256(f"{base_url}\0{username or ''}".encode()).hexdigest()
    return f"account-{digest[:24]}"


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root command stored in the context."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def run_command(ctx: typer.Context, body: Callable[[], Awaitable[T]]) -> T:
    """`run` `body` with the error handling the root options ask for (``--debug``)."""
    settings = settings_of(ctx)

    async def body_then_close() -> T:
        try:
            return await body()
        finally:
            await settings.aclose()

    return run(body_then_close, debug=settings.debug)
