"""Bulk import under faults (exactly once, resumable, every line accounted for) and
export of 10,000 invoices (row count, CSV re-import), plus Ctrl-C and bad input."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kashflow_async.cli.app import app
from kashflow_async.sandbox import Faults
from tests.support.threads import sandbox_env, sandbox_process

from .conftest import Kashflow, Sandbox

FAULTS = Faults(
    error_rate=0.10, error_statuses=(503,), drop_before_rate=0.05, drop_after_rate=0.05, seed=5
)


def write_inputs(path: Path, count: int, *, start: int, numbered: bool = True) -> list[str]:
    """`count` invoice lines (wire JSON); returns each line's reference."""
    refs = []
    with path.open("w") as f:
        for i in range(count):
            ref = f"imp-{start + i}"
            refs.append(ref)
            record: dict[str, Any] = {
                "CustomerCode": ("TCUST01", "TCUST02", "TEST01")[i % 3],
                "CustomerReference": ref,
                "LineItems": [
                    {"Description": "Widget", "Quantity": 3, "Rate": f"{i % 97}.{i % 100:02d}"},
                    {"Description": "Delivery", "Quantity": 1, "Rate": "4.99", "VATLevel": 0},
                ],
            }
            if numbered:
                record["Number"] = start + i
            f.write(json.dumps(record) + "\n")
    return refs


def results_by_line(path: Path) -> dict[int, dict[str, Any]]:
    latest: dict[int, dict[str, Any]] = {}
    for raw in path.read_text().splitlines():
        entry = json.loads(raw)  # every line of RESULTS is complete JSON
        latest[entry["line"]] = entry
    return latest


def references(sandbox: Sandbox, prefix: str = "imp-") -> Counter[str]:
    state = sandbox.state
    return Counter(
        ref
        for n in state.invoice_numbers()
        if (ref := state.invoice(n).customer_reference or "").startswith(prefix)
    )


@pytest.mark.sandbox(invoices=30, customers=5)
def test_import_1000_under_faults_exactly_once(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    inputs = tmp_path / "invoices.jsonl"
    refs = write_inputs(inputs, 1000, start=5001)
    # two bad lines in the middle: not JSON, and a wrong type
    text = inputs.read_text().splitlines()
    text.insert(100, "{not json")
    text.insert(500, json.dumps({"Number": "five", "CustomerCode": "TCUST01"}))
    inputs.write_text("\n".join(text) + "\n")
    results = tmp_path / "results.jsonl"
    sandbox.faults = FAULTS

    started = time.perf_counter()
    first = kashflow(
        "--max-retries", "8", "invoices", "import", str(inputs), "--results", str(results),
        "--concurrency", "16",
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    assert first.exit_code == 1  # the two bad lines
    assert "line 101" in first.stderr and "line 501" in first.stderr
    injected = sandbox.stats.faults
    assert injected["503"] > 0 and injected["drop_before"] > 0 and injected["drop_after"] > 0

    latest = results_by_line(results)
    assert sorted(latest) == list(range(1, 1003))  # every line accounted for
    assert latest[101]["status"] == "invalid" and latest[501]["status"] == "invalid"
    created = {n: e for n, e in latest.items() if e["status"] == "created"}
    others = [e for n, e in latest.items() if n not in created and n not in (101, 501)]
    assert len(created) == 1000, [e["message"] for e in others]
    assert any(e["resolved"] for e in created.values())  # some replies were lost
    assert references(sandbox) == Counter({ref: 1 for ref in refs})  # exactly once each
    for entry in created.values():
        assert (
            sandbox.state.invoice(entry["number"]).customer_reference
            == refs[entry["number"] - 5001]
        )
    print(f"\n1,000 imports under faults: {elapsed:.1f} s, faults injected {dict(injected)}")

    posts = sandbox.stats.requests["POST /invoices"]
    count = sandbox.state.invoice_count()
    second = kashflow("invoices", "import", str(inputs), "--results", str(results))
    assert second.exit_code == 1  # still the two bad lines
    assert "1000 already done" in second.stderr
    assert sandbox.stats.requests["POST /invoices"] == posts  # nothing sent
    assert sandbox.state.invoice_count() == count
    assert references(sandbox) == Counter({ref: 1 for ref in refs})


@pytest.mark.sandbox(invoices=10, customers=5)
def test_unnumbered_ambiguous_lines_are_left_alone_then_resolved(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    inputs = tmp_path / "in.jsonl"
    refs = write_inputs(inputs, 120, start=1, numbered=False)
    results = tmp_path / "out.jsonl"
    sandbox.faults = Faults(drop_before_rate=0.08, drop_after_rate=0.08, seed=2)
    first = kashflow("invoices", "import", str(inputs), "-r", str(results), "-c", "6")
    ambiguous = [e for e in results_by_line(results).values() if e["status"] == "ambiguous"]
    assert ambiguous and first.exit_code == 1
    assert "--resolve-ambiguous" in first.stderr
    held = references(sandbox)
    assert all(held[ref] <= 1 for ref in refs)  # never a second POST

    posts = sandbox.stats.requests["POST /invoices"]
    again = kashflow("invoices", "import", str(inputs), "-r", str(results))
    assert again.exit_code == 1 and f"{len(ambiguous)} ambiguous" in again.stderr
    assert sandbox.stats.requests["POST /invoices"] == posts  # left alone

    sandbox.faults = Faults()
    resolved = kashflow(
        "invoices", "import", str(inputs), "-r", str(results), "--resolve-ambiguous"
    )
    assert resolved.exit_code == 0, resolved.stderr
    assert references(sandbox) == Counter({ref: 1 for ref in refs})
    assert all(e["status"] == "created" for e in results_by_line(results).values())


def test_bad_lines_do_not_stop_the_rest(kashflow: Kashflow, tmp_path: Path) -> None:
    inputs = tmp_path / "mixed.jsonl"
    good = {"CustomerCode": "TCUST01", "LineItems": [{"Quantity": 1, "Rate": 2.5}]}
    inputs.write_text(
        "\n".join(
            [
                json.dumps(good),
                "[1, 2",
                json.dumps({**good, "LineItems": [{"Quantity": "lots"}]}),
                "",
                json.dumps({**good, "CustomerCode": "NOSUCH"}),
                json.dumps(good),
            ]
        )
        + "\n"
    )
    out = kashflow("invoices", "import", str(inputs))
    assert out.exit_code == 1
    latest = results_by_line(tmp_path / "mixed.jsonl.results.jsonl")
    assert {n: e["status"] for n, e in latest.items()} == {
        1: "created",
        2: "invalid",
        3: "invalid",
        5: "failed",
        6: "created",
    }
    assert "LineItems[0].Quantity" in latest[3]["message"]
    assert "NOSUCH" in latest[5]["message"]


def summaries(path: Path) -> dict[int, tuple[Any, ...]]:
    """Number -> (customer, net, VAT, gross) of a summary JSONL export (Decimals)."""
    found = {}
    for line in path.read_text().splitlines():
        r = json.loads(line, parse_float=Decimal)
        found[r["Number"]] = (r["CustomerCode"], r["NetAmount"], r["VATAmount"], r["GrossAmount"])
    return found


def test_export_10000_rows_match_total_and_csv_reimports(tmp_path: Path) -> None:
    runner = CliRunner()
    source_list = tmp_path / "source.jsonl"
    path = tmp_path / "all.csv"
    with sandbox_process("--invoices", "10000", "--customers", "60", "--seed", "11") as env:
        out = runner.invoke(app, ["invoices", "export", str(source_list), "--summary"], env=env)
        assert out.exit_code == 0, out.stderr
        assert "Exported 10000 invoices (TotalRecords 10000)" in out.stderr
        assert len(source_list.read_text().splitlines()) == 10_000

        started = time.perf_counter()
        out = runner.invoke(app, ["invoices", "export", str(path), "-c", "16"], env=env)
        elapsed = time.perf_counter() - started
        assert out.exit_code == 0, out.stderr
        assert "(TotalRecords 10000)" in out.stderr
    assert not (tmp_path / "all.csv.part").exists()
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    numbers = Counter(int(r["Number"]) for r in rows)
    assert len(numbers) == 10_000  # every record, each on consecutive rows
    assert all(r["LineDescription"] for r in rows)  # the seeded invoices all have lines
    line_numbers = [int(r["LineNumber"]) for r in rows]
    assert sum(1 for n in line_numbers if n == 1) == 10_000
    print(f"\nexport of 10,000 invoices with lines: {elapsed:.1f} s, {len(rows)} CSV rows")

    # the same seed and customer count: the CSV's customer codes exist there too
    copy_list = tmp_path / "copy.jsonl"
    with sandbox_process("--invoices", "0", "--customers", "60", "--seed", "11") as env:
        imported = runner.invoke(app, ["invoices", "import", str(path), "-c", "16"], env=env)
        assert imported.exit_code == 0, imported.stderr
        assert "10000 lines: 10000 created" in imported.stderr
        out = runner.invoke(app, ["invoices", "export", str(copy_list), "--summary"], env=env)
        assert out.exit_code == 0, out.stderr
    assert summaries(copy_list) == summaries(source_list)  # every figure, exact


@pytest.mark.sandbox(invoices=5, customers=5)
def test_ctrl_c_leaves_results_consistent_and_resumes(sandbox: Sandbox, tmp_path: Path) -> None:
    inputs = tmp_path / "slow.jsonl"
    refs = write_inputs(inputs, 400, start=9001)
    results = tmp_path / "slow.results.jsonl"
    sandbox.faults = Faults(latency=0.02)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kashflow_async.cli", "invoices", "import", str(inputs),
         "-r", str(results), "-c", "4"],
        env={**os.environ, **sandbox_env(sandbox)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 40:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "run the same command again to resume" in err
    assert "Traceback" not in err
    latest = results_by_line(results)  # every record is whole JSON
    assert 40 <= len(latest) < 400
    lines = results.read_text().splitlines()
    assert len(lines) == len(latest)  # each finished line recorded once
    assert {e["status"] for e in latest.values()} <= {"created", "ambiguous", "not_sent"}

    # numbered lines: what Ctrl-C left ambiguous is looked up, no flag needed
    sandbox.faults = Faults()
    resumed = CliRunner().invoke(
        app, ["invoices", "import", str(inputs), "-r", str(results)], env=sandbox_env(sandbox)
    )
    assert resumed.exit_code == 0, resumed.stderr
    assert references(sandbox) == Counter({ref: 1 for ref in refs})
    assert {e["status"] for e in results_by_line(results).values()} == {"created"}


def test_sandbox_command_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kashflow_async.cli", "sandbox", "--port", "0",
         "--invoices", "12", "--seed", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        header = [proc.stdout.readline() for _ in range(2)]
        url = header[0].split(" at ")[1].strip()
        token = header[1].split(":", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:")
        out = CliRunner().invoke(
            app,
            ["invoices", "list", "-f", "csv"],
            env={"KASHFLOW_BASE_URL": url, "KASHFLOW_TOKEN": token},
        )
        assert out.exit_code == 0, out.stderr
        assert len(out.stdout.splitlines()) == 1 + 12
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Sandbox stopped." in rest
    bad = subprocess.run(
        [sys.executable, "-m", "kashflow_async.cli", "sandbox", "--latency", "fast"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2


CSV_HEADER = "Number,CustomerCode,CustomerReference,LineDescription,LineQuantity,LineRate\n"


def test_csv_errors_name_file_lines_and_one_bad_line_takes_no_other(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    inputs = tmp_path / "in.csv"
    inputs.write_text(
        CSV_HEADER
        + "7001,TCUST01,csv-1,Widget,1,lots\n"  # line 2: a bad rate
        + "7002,TCUST01,csv-2,Widget,1,oops\n"  # line 3: a bad rate
        + "7003,TCUST01,csv-3,Widget,1,2.00,extra,more\n"  # line 4: unnamed columns
        + '7004,TCUST01,csv-4,"Two\nlines",1,2.00\n'  # lines 5-6: a quoted value
        + "7005,TCUST01,csv-5,Widget,1,2.00\n"  # line 7
        + '7006,TCUST01,"csv-6,Widget,1,2.00\n'  # line 8: a quote never closed
        + "7007,TCUST01,csv-7,Widget,1,2.00\n"  # line 9: after it
    )
    out = kashflow("invoices", "import", str(inputs))
    assert out.exit_code == 1
    latest = results_by_line(tmp_path / "in.csv.results.jsonl")
    assert {n: e["status"] for n, e in latest.items()} == {
        2: "invalid",
        3: "invalid",
        4: "invalid",
        5: "created",
        7: "created",
        8: "invalid",
        9: "created",
    }
    assert "line 2: LineRate" in out.stderr and "line 3: LineRate" in out.stderr
    assert "line 4: 2 values beyond the header's 6 columns" in out.stderr
    assert "line 8: " in out.stderr and "quote" in latest[8]["message"]
    assert "7 lines: 3 created" in out.stderr
    assert sandbox.state.invoice(7004).line_items[0].description == "Two\nlines"  # type: ignore[index]
    assert sandbox.state.invoice(7007).customer_reference == "csv-7"


@pytest.mark.sandbox(invoices=5, customers=5)
def test_a_cut_problem_list_says_how_many_more(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    inputs = tmp_path / "bad.jsonl"
    inputs.write_text("".join("{not json\n" for _ in range(8)))
    out = kashflow("invoices", "import", str(inputs))
    assert out.exit_code == 1
    assert "8 invalid" in out.stderr
    assert "line 5: " in out.stderr and "line 6: " not in out.stderr
    assert "and 3 more (see the results file)" in out.stderr


@pytest.mark.sandbox(invoices=5, customers=5)
@pytest.mark.parametrize("interrupts", [2, 5])
def test_any_number_of_ctrl_c_exits_130_with_exact_results(
    sandbox: Sandbox, tmp_path: Path, interrupts: int
) -> None:
    inputs = tmp_path / "slow.jsonl"
    write_inputs(inputs, 400, start=9001)
    results = tmp_path / "slow.results.jsonl"
    sandbox.faults = Faults(latency=0.05)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kashflow_async.cli", "invoices", "import", str(inputs),
         "-r", str(results), "-c", "8"],
        env={**os.environ, **sandbox_env(sandbox)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 20:
            break
        time.sleep(0.01)
    for _ in range(interrupts):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.001)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    latest = results_by_line(results)
    assert {e["status"] for e in latest.values()} <= {"created", "ambiguous", "not_sent"}
    sandbox.faults = Faults()
    resumed = CliRunner().invoke(
        app, ["invoices", "import", str(inputs), "-r", str(results)], env=sandbox_env(sandbox)
    )
    assert resumed.exit_code == 0, resumed.stderr
    assert references(sandbox) == Counter({f"imp-{9001 + i}": 1 for i in range(400)})


def test_a_second_import_on_the_same_results_is_refused(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    import asyncio

    from kashflow_async.bulk import FileJournal
    from kashflow_async.cli.transfer.importer import journal_path

    inputs = tmp_path / "in.jsonl"
    write_inputs(inputs, 3, start=7101)
    results = tmp_path / "in.jsonl.results.jsonl"
    held = FileJournal(journal_path(results))  # another run has it
    try:
        out = kashflow("invoices", "import", str(inputs))
    finally:
        asyncio.run(held.aclose())
    assert out.exit_code == 2
    assert "is in use by another run" in out.stderr
    assert sandbox.stats.requests["POST /invoices"] == 0
    again = kashflow("invoices", "import", str(inputs))
    assert again.exit_code == 0, again.stderr


@pytest.mark.sandbox(invoices=5, customers=5)
def test_numbered_lines_already_there_are_done_not_failed(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    inputs = tmp_path / "in.jsonl"
    refs = write_inputs(inputs, 6, start=8101)
    first = kashflow("invoices", "import", str(inputs))
    assert first.exit_code == 0, first.stderr
    for leftover in tmp_path.glob("in.jsonl.results.jsonl*"):  # the records are lost
        leftover.unlink()
    lines = inputs.read_text().splitlines()  # and one line now differs from its invoice
    lines[5] = lines[5].replace('"imp-8106"', '"someone else"')
    inputs.write_text("\n".join(lines) + "\n")
    again = kashflow("invoices", "import", str(inputs))
    assert again.exit_code == 1
    assert "6 lines: 5 created (5 found by lookup), 0 already done, 1 failed" in again.stderr
    assert "line 6: number 8106 already exists with a different customer_reference" in again.stderr
    assert references(sandbox) == Counter({ref: 1 for ref in refs})
