"""Seeded fault injection and request statistics for the sandbox server.

A `Faults` value says, per route, what may go wrong: latency (fixed plus jitter), 500/503
answers at a rate, 429 with ``Retry-After`` when a request rate is exceeded, and dropped
connections before the request is applied or after it (the reply is lost). A `script`
gives exact outcomes for the first requests of a route, for deterministic tests.
"""

from __future__ import annotations

import fnmatch
import math
import random
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "ACTIONS",
    "Decision",
    "FaultInjector",
    "FaultRule",
    "Faults",
    "RequestRecord",
    "Stats",
    "decide_in_turn",
]

#: What a scripted request may meet: ``ok``, an HTTP status (``"500"``, ``"503"``,
#: ``"429"``, any 4xx/5xx), ``drop_before`` (connection closed, nothing applied) or
#: ``drop_after`` (request applied, connection closed instead of the answer).
ACTIONS = ("ok", "drop_before", "drop_after")


@dataclass(frozen=True)
class FaultRule:
    """What may go wrong on a route. Rates are probabilities per request (0..1)."""

    #: seconds added to every request
    latency: float = 0.0
    #: up to this many more seconds, uniformly drawn
    jitter: float = 0.0
    #: probability of answering one of `error_statuses` instead of handling the request
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 503)
    #: at most this many requests in any `rate_window` seconds; beyond it: 429 with
    #: ``Retry-After`` (seconds until a slot frees, rounded up). On `Faults` itself the
    #: window is account-wide: one for every route without a rule of its own, over every
    #: client and connection. A route's rule has a window of its own.
    rate_limit: int | None = None
    rate_window: float = 1.0
    #: probability of closing the connection before anything is applied
    drop_before_rate: float = 0.0
    #: probability of applying the request, then closing the connection unanswered
    drop_after_rate: float = 0.0
    #: exact outcomes for the first requests (see `ACTIONS`), before any rate applies
    script: tuple[str, ...] = ()
    #: ``Retry-After`` (seconds) of a scripted 429
    retry_after: float = 1.0

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_before_rate", "drop_after_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.error_rate + self.drop_before_rate + self.drop_after_rate > 1.0:
            raise ValueError("error_rate + drop_before_rate + drop_after_rate must not exceed 1")
        if self.latency < 0 or self.jitter < 0:
            raise ValueError("latency and jitter must not be negative")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be at least 1 (or None)")
        for action in self.script:
            if action not in ACTIONS and not (action.isdigit() and 400 <= int(action) <= 599):
                raise ValueError(f"unknown scripted action {action!r}")


@dataclass(frozen=True)
class Faults(FaultRule):
    """Fault configuration: the fields of `FaultRule` apply to every route without a rule
    of its own in `routes`. Keys of `routes` are ``"POST /invoices"``,
    ``"/invoices/{number}"`` (any method) or shell patterns (``"* /quotes*"``), without
    the ``/v2`` prefix. `seed` makes every random draw repeatable."""

    routes: Mapping[str, FaultRule] = field(default_factory=dict)
    seed: int = 0

    def rule_for(self, route: str) -> tuple[str, FaultRule]:
        """The key and rule that apply to `route` (``"METHOD /template"``)."""
        if route in self.routes:
            return route, self.routes[route]
        template = route.partition(" ")[2]
        if template in self.routes:
            return template, self.routes[template]
        for key, rule in self.routes.items():
            if fnmatch.fnmatchcase(route, key):
                return key, rule
        return "*", self


@dataclass(frozen=True)
class Decision:
    """What happens to one request: wait `latency` seconds, then `action` (``ok``,
    ``drop_before``, ``drop_after`` or an HTTP status as text, the key `Stats.faults`
    counts); `status` is the HTTP status answered instead of handling the request (None
    for the other actions), `retry_after` the ``Retry-After`` seconds of a 429."""

    latency: float
    action: str
    status: int | None = None
    retry_after: float | None = None

    @classmethod
    def answer(cls, latency: float, status: int, retry_after: float | None = None) -> Decision:
        """An injected error answer with `status`."""
        return cls(latency, str(status), status, retry_after)


class FaultInjector:
    """Draws the fate of each request from a `Faults` configuration (seeded)."""

    def __init__(
        self, faults: Faults | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self.configure(faults or Faults())

    @property
    def faults(self) -> Faults:
        """The current configuration."""
        return self._faults

    def configure(self, faults: Faults) -> None:
        """Replace the configuration; scripts and rate windows start afresh."""
        self._faults = faults
        self._rng = random.Random(faults.seed)
        self._script_pos: Counter[str] = Counter()
        self._windows: dict[str, deque[float]] = {}

    def decide(self, route: str) -> Decision:
        """The fate of the next request to `route`."""
        key, rule = self._faults.rule_for(route)
        latency = rule.latency + (self._rng.uniform(0.0, rule.jitter) if rule.jitter else 0.0)
        position = self._script_pos[key]
        if position < len(rule.script):
            self._script_pos[key] = position + 1
            action = rule.script[position]
            if action in ACTIONS:
                return Decision(latency, action)
            status = int(action)
            return Decision.answer(latency, status, rule.retry_after if status == 429 else None)
        if rule.rate_limit is not None:
            now = self._clock()
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - rule.rate_window:
                window.popleft()
            if len(window) >= rule.rate_limit:
                wait = window[0] + rule.rate_window - now
                return Decision.answer(latency, 429, float(max(1, math.ceil(wait))))
            window.append(now)
        draw = (
            self._rng.random()
            if (rule.error_rate or rule.drop_before_rate or rule.drop_after_rate)
            else 1.0
        )
        if draw < rule.drop_before_rate:
            return Decision(latency, "drop_before")
        draw -= rule.drop_before_rate
        if draw < rule.error_rate:
            return Decision.answer(latency, self._rng.choice(rule.error_statuses))
        draw -= rule.error_rate
        if draw < rule.drop_after_rate:
            return Decision(latency, "drop_after")
        return Decision(latency, "ok")


def decide_in_turn(server: FaultInjector, own: FaultInjector | None, key: str) -> Decision:
    """The fate of a request to `key`: the server's faults first, then, only if they let
    it through, the account's `own` (their latencies add up; a request the server's
    faults stop never moves the account's scripts or rate window)."""
    decision = server.decide(key)
    if own is None or decision.action != "ok":
        return decision
    mine = own.decide(key)
    return Decision(decision.latency + mine.latency, mine.action, mine.status, mine.retry_after)


def new_request_id() -> str:
    """``req_`` and 16 random hex digits: the ``X-Request-Id`` of one answer."""
    return "req_" + secrets.token_hex(8)


@dataclass
class RequestRecord:
    """One request the server saw: arrival time on the sandbox clock, method, route
    template (``/invoices/{number}``), the status answered (None while in flight; 499 when
    the client went away or the connection was dropped before anything was applied), the
    fault injected (``ok`` if none), the answer's request id and the user name of the
    account that served it (None: no account, e.g. a request without a valid token)."""

    arrived: float
    method: str
    route: str
    status: int | None = None
    fault: str = "ok"
    account: str | None = None
    #: the answer's ``X-Request-Id``
    request_id: str = field(default_factory=new_request_id)

    @property
    def key(self) -> str:
        """``"METHOD /template"``, the key of `Stats.requests` and of fault rules."""
        return f"{self.method} {self.route}"


class Stats:
    """What the server saw: requests per route, the last `max_records` requests
    (`records`), 429s sent, successful logins, and requests in flight (current and the
    maximum at once; a request is in flight from arrival to answer, latency included).
    Times are on the sandbox's clock."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_records: int = 100_000
    ) -> None:
        self._clock = clock
        self.requests: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.records: deque[RequestRecord] = deque(maxlen=max_records)
        #: answers with status 429 sent
        self.rate_limited = 0
        #: successful ``PUT /sessiontoken`` (session tokens handed out by logging in)
        self.logins = 0
        self.in_flight = 0
        self.max_in_flight = 0

    @property
    def total(self) -> int:
        """How many requests arrived."""
        return sum(self.requests.values())

    def begin(self, key: str, arrived: float | None = None) -> RequestRecord:
        """Count a request to `key` (``"METHOD /template"``) arriving now (or at
        `arrived`, on the same clock); its record."""
        method, _, route = key.partition(" ")
        record = RequestRecord(self._clock() if arrived is None else arrived, method, route)
        self.records.append(record)
        self.requests[key] += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return record

    def end(self, record: RequestRecord, status: int) -> None:
        """The request of `record` was answered with `status` (or dropped)."""
        record.status = status
        self.in_flight -= 1
        if status == 429:
            self.rate_limited += 1
        elif status == 200 and record.key == "PUT /sessiontoken":
            self.logins += 1

    def times(self, route: str | None = None) -> list[float]:
        """Arrival times of the recorded requests to `route` (``"METHOD /template"``;
        every route when None), in order."""
        return sorted(r.arrived for r in self.records if route is None or r.key == route)

    def max_rate(self, window: float = 1.0, route: str | None = None) -> int:
        """The most recorded requests that arrived within any `window` seconds."""
        times = self.times(route)
        best = 0
        start = 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def reset(self) -> None:
        """Forget everything counted so far (requests in flight stay counted as such)."""
        self.requests.clear()
        self.faults.clear()
        self.records.clear()
        self.rate_limited = 0
        self.logins = 0
        self.max_in_flight = self.in_flight
