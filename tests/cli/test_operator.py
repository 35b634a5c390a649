"""What a careful operator meets: deleting, CSV from every reading command, retries and
slow requests, a library-only install, bad import files, interrupted numbered lines, and
the smaller items of the CLI's review (each test names its item)."""

from __future__ import annotations

import csv
import io
import json
import logging
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kashflow_async import Invoice, InvoiceLine, InvoiceStatus
from kashflow_async.cli import console as cli_console
from kashflow_async.cli.app import app
from kashflow_async.cli.commands import deleting
from kashflow_async.cli.settings import DEFAULT_TIMEOUT, Settings
from kashflow_async.cli.transfer.results import Entry, Status, read_results
from kashflow_async.codecs import get_codec
from kashflow_async.models import InvoiceSortField, QuoteSortField
from kashflow_async.sandbox import FaultRule, Faults, Sandbox

from .conftest import Kashflow

CLI_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "cli" / "index.md"
JSON = get_codec("json")


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# 1. deleting ------------------------------------------------------------------------


def test_delete_without_a_terminal_needs_yes(kashflow: Kashflow, sandbox: Sandbox) -> None:
    number = sandbox.state.invoice_numbers()[0]
    out = kashflow("invoices", "delete", str(number), input="n\n")
    assert out.exit_code == 2
    assert "--yes" in out.stderr
    assert number in sandbox.state.invoice_numbers()


def test_delete_on_a_terminal_asks(
    kashflow: Kashflow, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deleting, "can_ask", lambda: True)
    number = sandbox.state.invoice_numbers()[0]
    kept = kashflow("invoices", "delete", str(number), input="n\n")
    assert kept.exit_code == 0
    assert "Nothing deleted" in kept.stderr
    assert number in sandbox.state.invoice_numbers()
    gone = kashflow("invoices", "delete", str(number), input="y\n")
    assert gone.exit_code == 0, gone.stderr
    assert number not in sandbox.state.invoice_numbers()


def test_delete_tries_every_number(kashflow: Kashflow, sandbox: Sandbox) -> None:
    a, b, c = sandbox.state.invoice_numbers()[:3]
    out = kashflow("invoices", "delete", str(a), str(b), "99999", str(c), "--yes")
    assert out.exit_code == 1
    remaining = sandbox.state.invoice_numbers()
    assert a not in remaining and b not in remaining and c not in remaining
    lines = out.stderr.splitlines()
    assert [line for line in lines if line.startswith("Deleted invoice")] == [
        f"Deleted invoice {a}.",
        f"Deleted invoice {b}.",
        f"Deleted invoice {c}.",
    ]
    assert any("99999" in line and "404" in line for line in lines)


# 2. get --format csv ----------------------------------------------------------------


def test_get_writes_csv(kashflow: Kashflow, sandbox: Sandbox) -> None:
    number = sandbox.state.invoice_numbers()[3]
    invoice = sandbox.state.invoice(number)
    rows = csv_rows(kashflow("invoices", "get", str(number), "-f", "csv").stdout)
    assert rows[0][:3] == ["Number", "CustomerCode", "CustomerName"]
    assert len(rows) == 1 + max(1, len(invoice.line_items or []))
    assert {row[0] for row in rows[1:]} == {str(number)}
    assert rows[1][rows[0].index("GrossAmount")] == str(invoice.gross_amount)

    quote = kashflow("quotes", "get", "1", "-f", "csv")
    assert quote.exit_code == 0, quote.stderr
    assert csv_rows(quote.stdout)[0][:5] == ["Number", "CustomerCode", "CustomerName",
                                             "CustomerReference", "Date"]  # fmt: skip

    target = sandbox.state.invoice_numbers()[5]
    created = kashflow(
        "payments", "create", f"{target}=1.50", "--account-id", "3942", "--method", "2508",
        "-f", "json",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    payment_number = json.loads(created.stdout)["Number"]
    payment = csv_rows(kashflow("payments", "get", str(payment_number), "-f", "csv").stdout)
    assert payment[0][0] == "Number" and "ItemObjectNumber" in payment[0]
    assert payment[1][payment[0].index("ItemObjectNumber")] == str(target)
    assert Decimal(payment[1][payment[0].index("ItemAmount")]) == Decimal("1.50")


def test_credits_and_conversions_csv_come_from_csv_writer(
    kashflow: Kashflow, sandbox: Sandbox
) -> None:
    number = next(
        n
        for n in sandbox.state.invoice_numbers()
        if sandbox.state.invoice(n).customer_code == "TCUST01"
    )
    listed = json.loads(kashflow("credits", "list", str(number), "-f", "json").stdout)
    assert listed
    out = kashflow("credits", "list", str(number), "-f", "csv").stdout
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(["Type", "Id", "Date", "Amount", "Comment"])
    for c in listed:
        writer.writerow([c["Type"], c["Id"], c["Date"][:10], f"{c['Amount']:.4f}", c["Comment"]])
    assert out == expected.getvalue()


# 3. retries and slow requests ---------------------------------------------------------


def test_retries_print_a_status_line(kashflow: Kashflow, sandbox: Sandbox) -> None:
    sandbox.faults = Faults(routes={"GET /invoices/{number}": FaultRule(script=("503",))})
    number = sandbox.state.invoice_numbers()[0]
    out = kashflow("invoices", "get", str(number), "-f", "json")
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["Number"] == number  # stdout holds only the data
    [line] = [x for x in out.stderr.splitlines() if "retrying" in x]
    assert line.startswith("HTTP 503, retrying in ") and line.endswith(" s (1/3)")


def test_a_slow_request_shows_a_spinner(
    kashflow: Kashflow, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_console, "SPINNER_DELAY", 0.0)
    sandbox.faults = Faults(latency=0.3)
    number = sandbox.state.invoice_numbers()[0]
    out = kashflow("invoices", "get", str(number), "-f", "jsonl", env={"TTY_COMPATIBLE": "1"})
    assert out.exit_code == 0, out.stderr
    assert f"Getting invoice {number}" in out.stderr
    quiet = kashflow("invoices", "get", str(number), "-f", "jsonl")  # not a terminal
    assert "Getting invoice" not in quiet.stderr


def test_cli_timeout_is_short_and_settable(kashflow: Kashflow, sandbox: Sandbox) -> None:
    assert Settings().timeout == DEFAULT_TIMEOUT <= 10.0
    sandbox.faults = Faults(latency=2.0)
    out = kashflow("--timeout", "0.2", "--max-retries", "0", "invoices", "get", "1")
    assert out.exit_code == 1
    assert "timed out" in out.stderr.lower() or "timeout" in out.stderr.lower()


# 4. a library-only install ---------------------------------------------------------


def test_library_only_install_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['typer'] = None\n"  # as if the cli extra were not installed
        "from kashflow_async.cli import main\n"
        "main()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "kashflow: the command needs the cli extra: pip install 'kashflow-async[cli]' "
        "(missing: typer)"
    ]


# 5. bad import files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.jsonl", b"\n  \n", "empty: no invoices to import"),
        ("blob.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00", "not text: binary data at byte 8"),
        ("latin.jsonl", b'{"Number": 5}\n{"CustomerCode": "Caf\xe9"}\n',
         "not UTF-8 text at byte 35"),
        ("plain.csv", b"5001,TCUST01,Consulting\n",
         "not a CSV of invoices: first row has no Number column"),
        ("quotes.csv", b"Number,CustomerCode,Date,Category\n1,TCUST01,2024-01-01,Hot\n",
         "not a CSV of invoices: it has Date, Category columns"),
        ("quotes.jsonl", b'{"Number": 1, "Date": "2024-01-01", "CustomerCode": "TCUST01"}\n',
         "not JSON Lines of invoices: line 1 has Date"),
        ("table.jsonl", b"Number,CustomerCode\n5001,TCUST01\n",
         "not JSON Lines of invoices: line 1 is not a JSON object"),
    ],
)  # fmt: skip
def test_import_refuses_what_is_not_an_input_file(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    posts = sandbox.stats.requests["POST /invoices"]
    out = kashflow("invoices", "import", str(path))
    assert out.exit_code == 1
    assert out.stderr.strip().splitlines() == [f"Error: {path}: {message}"]
    assert "recorded" not in out.stderr
    assert not (tmp_path / f"{name}.results.jsonl").exists()
    assert sandbox.stats.requests["POST /invoices"] == posts


# 6. numbered lines left ambiguous are looked up on the next run -------------------------


def test_ambiguous_numbered_lines_are_looked_up_on_the_next_run(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    def line(number: int) -> Invoice:
        return Invoice(
            number=number,
            customer_code="TCUST01",
            customer_reference=f"ref {number}",
            line_items=[InvoiceLine(description="x", quantity=1, rate=2)],  # type: ignore[arg-type]
        )

    inputs = tmp_path / "in.jsonl"
    inputs.write_bytes(b"".join(JSON.encode(line(n)) + b"\n" for n in (7001, 7002, 7003)))
    first = kashflow("invoices", "import", str(inputs), "-r", str(tmp_path / "r.jsonl"))
    assert first.exit_code == 0, first.stderr
    # as a Ctrl-C would leave it: 7001 applied, 7002 not, both "ambiguous"; 7003 not sent
    sandbox.state.delete_invoice(7002)
    sandbox.state.delete_invoice(7003)
    log = tmp_path / "r.jsonl"
    entries = read_results(log)
    with log.open("a") as f:
        for n, status in ((1, "ambiguous"), (2, "ambiguous"), (3, "not_sent")):
            f.write(json.dumps({"line": n, "hash": entries[n].hash, "status": status,
                                "number": 7000 + n}) + "\n")  # fmt: skip
    posts = sandbox.stats.requests["POST /invoices"]
    again = kashflow("invoices", "import", str(inputs), "-r", str(log))
    assert again.exit_code == 0, again.stderr
    assert sandbox.stats.requests["POST /invoices"] == posts + 2  # 7002 and 7003 only
    latest = read_results(log)
    assert latest[1].status is Status.CREATED and latest[1].resolved and latest[1].attempts == 0
    assert latest[2].status is Status.CREATED and not latest[2].resolved
    assert latest[3].status is Status.CREATED
    assert sorted(n for n in sandbox.state.invoice_numbers() if n > 7000) == [7001, 7002, 7003]
    for raw in log.read_bytes().splitlines():  # every line is a whole, typed entry
        assert isinstance(get_codec("json").decode(raw, Entry), Entry)


# 8. smaller items -----------------------------------------------------------------------


def test_sandbox_bad_value_shows_the_cli_usage() -> None:
    out = CliRunner().invoke(app, ["sandbox", "--latency", "fast"])
    assert out.exit_code == 2
    assert "Usage: kashflow sandbox" in out.stderr
    assert "python -m kashflow_async.sandbox" not in out.stderr
    assert "not a duration" in out.stderr


def test_help_shows_no_type_on_flags() -> None:
    for args in (["--help"], ["invoices", "import", "--help"], ["credits", "apply", "--help"],
                 ["payments", "get", "--help"], ["sandbox", "--help"]):  # fmt: skip
        text = CliRunner().invoke(app, args, env={"COLUMNS": "120"}).stdout
        assert "--help" in text, args
        assert [x for x in text.splitlines() if "<bool>" in x] == [], args
    for args in (["--xml=yes", "invoices", "list"], ["invoices", "list", "--help=yes"]):
        refused = CliRunner().invoke(app, args)
        assert refused.exit_code == 2 and "does not take a value" in refused.stderr


def test_export_to_an_unknown_suffix_names_format(kashflow: Kashflow, tmp_path: Path) -> None:
    out = kashflow("invoices", "export", str(tmp_path / "out.txt"))
    assert out.exit_code == 2
    assert "--format" in out.stderr and "out.txt" in out.stderr
    assert not (tmp_path / "out.txt").exists()
    ok = kashflow("invoices", "export", str(tmp_path / "out.txt"), "--format", "csv", "--summary")
    assert ok.exit_code == 0, ok.stderr
    assert (tmp_path / "out.txt").read_text().startswith("Number,")


def test_sort_by_values_agree_between_the_cli_guide_and_help() -> None:
    readme = CLI_GUIDE.read_text()
    for command, enum in (("invoices", InvoiceSortField), ("quotes", QuoteSortField)):
        values = "|".join(e.value for e in enum)
        assert f"--sort-by {values}" in readme, command
        help_text = CliRunner().invoke(app, [command, "list", "--help"], env={"COLUMNS": "300"})
        assert values in help_text.stdout.replace(" ", ""), command


def test_status_prints_its_wire_value() -> None:
    assert str(InvoiceStatus.PAID) == "Paid"
    assert f"{InvoiceStatus.OVERDUE}" == "Overdue"


def test_debug_and_kashflow_log_log_each_request_once(kashflow: Kashflow) -> None:
    out = kashflow("--debug", "invoices", "get", "1", "-f", "json", env={"KASHFLOW_LOG": "debug"})
    assert out.exit_code == 0, out.stderr
    [logged] = [x for x in out.stderr.splitlines() if "/invoices/1 ->" in x]
    assert "DEBUG kashflow_async" in logged
    logging.getLogger("kashflow_async").handlers.clear()
