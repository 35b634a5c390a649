"""The local KashFlow sandbox server: every endpoint of the API, in JSON and XML, from
in-memory state with the documented rules, plus seeded fault injection.

Where things live: `state/` holds one room per endpoint family over the shared `account`
(a new family is one module there, a room in `State` and a `Collection` in `routes`);
`documents` derives every invoice and quote figure; `accounts` holds several accounts and
routes each request to the one its token names; `routes`, `book_routes` (nominal codes,
products, bank, VAT rates, metadata), `http` and `middleware` are the HTTP side; `seed`
and `seed_books` the demo data; `faults`, `clock` and `server` the harness; `serving` the
command line.
"""

from .accounts import AccountConfig, SandboxAccount
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
    "AccountConfig",
    "Clock",
    "FakeClock",
    "FaultRule",
    "Faults",
    "RequestRecord",
    "Sandbox",
    "SandboxAccount",
    "ServeOptions",
    "State",
    "Stats",
    "SystemClock",
    "serve",
    "serve_forever",
]
