"""Fault decisions and statistics without HTTP."""

from __future__ import annotations

from collections import Counter

import pytest

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
    stats = Stats()
    for _ in range(3):
        stats.begin("GET /a")
    stats.end()
    assert stats.in_flight == 2
    assert stats.max_in_flight == 3
    assert stats.total == 3
    assert stats.max_rate(10.0, "GET /a") == 3
    stats.reset()
    assert stats.total == 0 and stats.max_in_flight == 2
