"""Crashes, for real: importer processes SIGKILLed at seeded random moments, then the
job finished by a plain rerun (the CLI, with its file journal) or by a second worker
process on the same Redis journal (the library). After each: every input exactly once
in the sandbox's books, none failed, exit status 0.

The sandbox runs in a process of its own, as a real server would; each kill moment is
the number of finished inputs the killer waits for, drawn from a seeded generator."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kashflow_async import KashFlowClient
from kashflow_async.coordination.testing import RedisServer, redis_server_path
from tests.support.threads import sandbox_process

from ._import_worker import job_items

COUNT = 2000
SANDBOX = ("--invoices", "0", "--customers", "5", "--seed", "3")
#: Finished lines at which the CLI import is killed, one run each (seeded).
MOMENTS = sorted(random.Random(20).sample(range(COUNT - 100), 8))


def kill_after(proc: subprocess.Popen[str], finished: int, timeout: float = 60) -> list[str]:
    """Read `proc`'s lines until `finished` inputs are done, then SIGKILL it; its lines."""
    assert proc.stdout is not None
    lines: list[str] = []
    done = 0
    while done < finished:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        done += line.startswith("ok ")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=timeout)
    proc.stdout.close()
    return lines


def books(env: dict[str, str], prefix: str) -> Counter[str]:
    """How many invoices of the sandbox hold each customer reference with `prefix`."""

    async def read() -> Counter[str]:
        async with KashFlowClient(
            token=env["KASHFLOW_TOKEN"], base_url=env["KASHFLOW_BASE_URL"]
        ) as kf:
            refs = [
                inv.customer_reference or ""
                async for inv in kf.invoices.list(perpage=500, concurrency=4)
            ]
        return Counter(ref for ref in refs if ref.startswith(prefix))

    return asyncio.run(read())


def write_job(path: Path) -> Counter[str]:
    """The job as JSON Lines of wire invoices; the references it must leave in the books."""
    with path.open("w") as f:
        for item in job_items(COUNT):
            record = {
                "CustomerCode": item.customer_code,
                "CustomerReference": item.customer_reference,
                "LineItems": [
                    {"Description": line.description, "Quantity": str(line.quantity),
                     "Rate": str(line.rate)}
                    for line in item.line_items or []
                ],
            }  # fmt: skip
            if item.number is not None:
                record["Number"] = item.number
            f.write(json.dumps(record) + "\n")
    return Counter(item.customer_reference for item in job_items(COUNT))


def kill_at_results(proc: subprocess.Popen[str], results: Path, lines: int) -> None:
    """SIGKILL `proc` once `results` holds `lines` lines."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if lines == 0 or (results.exists() and results.read_bytes().count(b"\n") >= lines):
            break
        time.sleep(0.002)
    assert proc.poll() is None, "the import ended before the moment it was to be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


@pytest.mark.parametrize("moment", MOMENTS)
def test_cli_import_killed_at_any_moment_then_rerun_is_exact(moment: int, tmp_path: Path) -> None:
    inputs = tmp_path / "job.jsonl"
    expected = write_job(inputs)
    results = tmp_path / "job.results.jsonl"
    command = [
        sys.executable, "-m", "kashflow_async.cli", "invoices", "import", str(inputs),
        "-r", str(results), "-c", "8",
    ]  # fmt: skip
    with sandbox_process(*SANDBOX) as env:
        run_env = {**os.environ, **env}
        first = subprocess.Popen(
            command, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        kill_at_results(first, results, moment)
        assert first.returncode == -signal.SIGKILL
        rerun = subprocess.run(
            command, env=run_env, capture_output=True, text=True, timeout=120, check=False
        )
        held = books(env, "job-")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"{COUNT} lines:" in rerun.stderr and "0 failed" in rerun.stderr
    latest = {}
    for raw in results.read_text().splitlines():
        entry = json.loads(raw)
        latest[entry["line"]] = entry
    assert sorted(latest) == list(range(1, COUNT + 1))
    assert {e["status"] for e in latest.values()} == {"created"}
    assert held == expected  # 0 duplicates, 0 missing
    print(f"\nkilled after {moment} results: {rerun.stderr.strip().splitlines()[-1][:120]}")


@pytest.fixture
def redis_url() -> Iterator[str]:
    if redis_server_path() is None:
        pytest.fail("redis-server is not installed")
    with RedisServer() as server:
        yield server.url


#: (wire format, finished inputs at which the first worker is killed), seeded.
WORKER_KILLS = list(
    zip(["json", "xml"], sorted(random.Random(21).sample(range(50, COUNT - 100), 2)), strict=True)
)


@pytest.mark.parametrize(("wire", "moment"), WORKER_KILLS)
def test_a_second_worker_finishes_a_killed_workers_job_on_one_redis_journal(
    redis_url: str, wire: str, moment: int
) -> None:
    with sandbox_process(*SANDBOX) as env:
        args = [
            sys.executable, "-m", "tests.bulk._import_worker", env["KASHFLOW_BASE_URL"],
            env["KASHFLOW_TOKEN"], redis_url, f"job-{wire}", str(COUNT), wire,
        ]  # fmt: skip
        first = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        lines = kill_after(first, moment)
        assert first.returncode == -signal.SIGKILL
        assert "finished\n" not in lines
        second = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
        assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
        assert second.stdout.endswith("finished\n")
        held = books(env, "job-")
    print(f"\nkilled after {moment} of {COUNT}; the second worker: {second.stdout.count('ok ')}")
    expected = Counter(item.customer_reference for item in job_items(COUNT))
    assert held == expected  # 0 duplicates, 0 missing
