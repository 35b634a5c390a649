"""The local KashFlow sandbox server: every endpoint of the API, in JSON and XML, from
in-memory state with the documented rules, plus seeded fault injection."""

from .clock import Clock, FakeClock, SystemClock
from .faults import FaultRule, Faults, RequestRecord, Stats
from .seed import (
    BANK_ACCOUNTS,
    DEFAULT_BANK_ACCOUNT_ID,
    DEFAULT_PAYMENT_METHOD_ID,
    PAYMENT_METHODS,
    SEED_CUSTOMER_CODES,
)
from .server import DEFAULT_MEMORABLE_WORD, DEFAULT_PASSWORD, DEFAULT_USERNAME, Sandbox
from .serving import ServeOptions, serve, serve_forever
from .state import State

__all__ = [
    "BANK_ACCOUNTS",
    "DEFAULT_BANK_ACCOUNT_ID",
    "DEFAULT_MEMORABLE_WORD",
    "DEFAULT_PASSWORD",
    "DEFAULT_PAYMENT_METHOD_ID",
    "DEFAULT_USERNAME",
    "PAYMENT_METHODS",
    "SEED_CUSTOMER_CODES",
    "Clock",
    "FakeClock",
    "FaultRule",
    "Faults",
    "RequestRecord",
    "Sandbox",
    "ServeOptions",
    "State",
    "Stats",
    "SystemClock",
    "serve",
    "serve_forever",
]
