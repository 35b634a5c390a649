"""Hardening tests: faults, hostile input, cancellation and secrets, over loopback against
the sandbox (and a few hand-written hostile servers), every test bounded in time.

Profiles
--------
- CI (default): the volumes the issue names (a soak of 1,000 creates and a listing of
  5,000 invoices, 1,000 cancelled requests, 1,000 queued requests, 100 requests meeting
  an expired token) and the ``ci`` hypothesis profile of ``tests/conftest.py``
  (150 cases per property). The whole of ``tests/hardening`` runs in well under two
  minutes on a 2-core machine.
- ``KASHFLOW_SOAK=full``: ten times the volumes (10,000 creates, a 50,000-invoice
  listing, 10,000 cancellations, 10,000 queued requests, 1,000 requests on an expired
  token). Several minutes.
- ``HYPOTHESIS_PROFILE=fuzz``: 10,000 cases per property target (argument fuzzing and
  broken bodies through the client), as for ``tests/codecs/test_properties.py``.

``KASHFLOW_SOAK_SEED`` changes the seed of the soak's faults and workload (default 2024).
The soak prints its figures (run with ``-s`` to see them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

FULL = os.environ.get("KASHFLOW_SOAK", "").strip().lower() == "full"
SOAK_SEED = int(os.environ.get("KASHFLOW_SOAK_SEED", "2024"))


@dataclass(frozen=True)
class Volume:
    """How much each test does in the current profile."""

    creates: int
    listing: int
    cancelled: int
    queued: int
    expired: int


VOLUME = (
    Volume(creates=10_000, listing=50_000, cancelled=10_000, queued=10_000, expired=1_000)
    if FULL
    else Volume(creates=1_000, listing=5_000, cancelled=1_000, queued=1_000, expired=100)
)


@pytest.fixture
def volume() -> Volume:
    """The volumes of the current profile (CI or ``KASHFLOW_SOAK=full``)."""
    return VOLUME
