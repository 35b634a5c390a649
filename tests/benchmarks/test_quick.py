"""``python -m benchmarks --quick`` runs every benchmark and writes every table (no timings
are asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SECTIONS = (
    "## Targets",
    "## 1. Codec decode and encode",
    "## 2. Per-request overhead",
    "## 3. JSON decode inside the loop",
    "## 4. Pagination",
    "## 5. Bulk import under a rate limit",
    "## 7. What coordination costs a request",
)


def test_quick_mode_writes_every_table(tmp_path: Path) -> None:
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    text = (out / "results.md").read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in text, heading
        body = text.split(heading, 1)[1].split("\n## ", 1)[0]
        assert "\n|:---|" in body, f"no table under {heading}"
    for name in ("codec.png", "overhead.png", "pagination.png"):
        assert (out / name).stat().st_size > 1000, name
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"codec", "overhead", "inloop", "pagination", "bulk"} <= set(data["data"])
    assert data["quick"] is True
    assert all(len(t) == 3 for t in data["targets"])


def test_overhead_profile_prints_the_top_entries() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.overhead", "--quick", "--profile", "json", "-c", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert proc.stdout.startswith("kashflow-async JSON, c=4: ")
    assert "Ordered by: internal time" in proc.stdout
    assert "_attempt.py" in proc.stdout  # the client's own request path is in the profile


def test_paired_ratios_cancel_what_slows_a_whole_round() -> None:
    from benchmarks._stats import paired_ratio, summarize

    # the second round ran on a machine twice as slow for both contenders
    ref = summarize([100.0, 200.0, 100.0]).as_dict()
    own = summarize([125.0, 250.0, 125.0]).as_dict()
    assert paired_ratio(ref, own) == 0.8
    # a slow round of one contender alone does not move the median
    own_slow_once = summarize([125.0, 250.0, 500.0]).as_dict()
    assert paired_ratio(ref, own_slow_once) == 0.8
    # results written before rounds were kept: median over median
    del ref["values"]
    assert paired_ratio(ref, own) == 100.0 / 125.0
