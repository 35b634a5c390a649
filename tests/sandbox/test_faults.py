"""Fault decisions and statistics without HTTP."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import pytest

from kashflow_async.sandbox import FakeClock
from kashflow_async.sandbox.faults import FaultInjector, FaultRule, Faults, Stats


def test_same_seed_same_fates() -> None:
    config = Faults(error_rate=0.3, drop_before_rate=0.1, drop_after_rate=0.1, jitter=0.5, seed=9)
    a, b = FaultInjector(config), FaultInjector(config)
    fates_a = [a.decide("GET /invoices") for _ in range(200)]
    assert fates_a == [b.decide("GET /invoices") for _ in range(200)]
    counts = Counter(d.action for d in fates_a)
    assert set(counts) == {"ok", "500", "503", "drop_before", "drop_after"}
    assert 30 < counts["500"] + counts["503"] < 90
    assert all(0 <= d.latency <= 0.5 for d in fates_a)


def test_route_rules_override_the_default_and_scripts_come_first() -> None:
    config = Faults(
        routes={
            "POST /invoices": FaultRule(script=("drop_after", "503")),
            "/quotes/{number}": FaultRule(latency=0.2),
            "* /invoices/bulk/*": FaultRule(error_rate=1.0, error_statuses=(502,)),
        }
    )
    inj = FaultInjector(config)
    assert [inj.decide("POST /invoices").action for _ in range(3)] == ["drop_after", "503", "ok"]
    assert inj.decide("GET /invoices").action == "ok"
    assert inj.decide("DELETE /quotes/{number}").latency == pytest.approx(0.2)
    assert inj.decide("PUT /invoices/bulk/payments/{number}").action == "502"


def test_rate_limit_window_and_retry_after() -> None:
    now = [100.0]
    inj = FaultInjector(Faults(rate_limit=2, rate_window=3.0), clock=lambda: now[0])
    assert [inj.decide("GET /x").action for _ in range(2)] == ["ok", "ok"]
    limited = inj.decide("GET /y")  # the default rule's window is shared by every route
    assert limited.action == "429"
    assert limited.retry_after == 3.0
    now[0] += 3.0
    assert inj.decide("GET /x").action == "ok"


def test_stats_max_rate_and_in_flight() -> None:
    clock = FakeClock()
    stats = Stats(clock=clock.now)
    records = []
    for _ in range(3):
        records.append(stats.begin("GET /a"))
        clock.advance(0.5)
    stats.end(records[0], 200)
    assert stats.in_flight == 2
    assert stats.max_in_flight == 3
    assert stats.total == 3
    assert stats.max_rate(10.0, "GET /a") == 3
    assert stats.max_rate(1.0, "GET /a") == 2
    assert stats.times("GET /a") == [1000.0, 1000.5, 1001.0]
    stats.reset()
    assert stats.total == 0 and stats.max_in_flight == 2 and not stats.records


def test_stats_record_each_request_429s_and_logins() -> None:
    clock = FakeClock(50.0)
    stats = Stats(clock=clock.now, max_records=3)
    answers = [("PUT /sessiontoken", 200), ("PUT /sessiontoken", 401), ("GET /x/{n}", 429)]
    for key, status in answers:
        record = stats.begin(key)
        clock.advance(1.0)
        stats.end(record, status)
    assert [(r.arrived, r.method, r.route, r.status) for r in stats.records] == [
        (50.0, "PUT", "/sessiontoken", 200),
        (51.0, "PUT", "/sessiontoken", 401),
        (52.0, "GET", "/x/{n}", 429),
    ]
    assert stats.logins == 1
    assert stats.rate_limited == 1
    assert len({r.request_id for r in stats.records}) == 3
    assert all(re.fullmatch(r"req_[0-9a-f]{16}", r.request_id) for r in stats.records)
    stats.end(stats.begin("GET /y"), 200)
    assert len(stats.records) == 3  # bounded: the oldest went
    assert stats.records[0].status == 401
    assert stats.total == 4


def test_account_wide_window_frees_slots_in_arrival_order() -> None:
    clock = FakeClock(0.0)
    inj = FaultInjector(Faults(rate_limit=2, rate_window=5.0), clock=clock.now)
    assert inj.decide("GET /invoices").action == "ok"
    clock.advance(1.5)
    assert inj.decide("POST /quotes").action == "ok"
    clock.advance(1.2)  # 2.7 s: the first slot frees at 5.0
    limited = inj.decide("DELETE /quotes/{number}")
    assert (limited.action, limited.retry_after) == ("429", 3.0)
    clock.advance(2.3)  # 5.0
    assert inj.decide("GET /invoices").action == "ok"
    limited = inj.decide("GET /invoices")
    assert (limited.action, limited.retry_after) == ("429", 2.0)  # 1.5 s, rounded up


def test_fake_clock_records_sleeps_and_moves_on() -> None:
    clock = FakeClock(10.0)
    asyncio.run(clock.sleep(0.25))
    clock.advance(1.0)
    assert clock.now() == 11.25
    assert clock.sleeps == [0.25]
    with pytest.raises(ValueError, match="back"):
        clock.advance(-1.0)
