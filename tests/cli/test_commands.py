"""Every ``kashflow`` command against the sandbox, in both wire formats."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from kashflow_async import BulkPayment, Conversion, Credit, Invoice, Quote
from kashflow_async.codecs import get_codec

from .conftest import Kashflow, Sandbox

JSON = get_codec("json")


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_invoices_list_formats_and_filters(kashflow: Kashflow, sandbox: Sandbox) -> None:
    state = sandbox.state
    out = kashflow("invoices", "list", "--limit", "7")  # not a terminal: jsonl
    assert out.exit_code == 0, out.stderr
    records = [JSON.decode(line.encode(), Invoice) for line in lines(out.stdout)]
    assert [r.number for r in records] == state.invoice_numbers()[:7]
    first = state.invoice(records[0].number or 0)
    assert records[0].gross_amount == first.gross_amount
    assert isinstance(records[0].gross_amount, Decimal)

    overdue = kashflow(
        "invoices", "list", "--status", "overdue", "--sort-by", "GrossAmount", "--order", "desc",
        "--format", "csv",
    )  # fmt: skip
    assert overdue.exit_code == 0, overdue.stderr
    rows = list(csv.DictReader(io.StringIO(overdue.stdout)))
    expected = [i for i in state.invoice_numbers() if state.invoice(i).status.value == "Overdue"]  # type: ignore[union-attr]
    assert sorted(int(r["Number"]) for r in rows) == sorted(expected)
    grosses = [Decimal(r["GrossAmount"]) for r in rows]
    assert grosses == sorted(grosses, reverse=True)

    as_json = kashflow("invoices", "list", "--customer", "TCUST01", "-f", "json")
    assert as_json.exit_code == 0
    parsed = json.loads(as_json.stdout, parse_float=Decimal)
    assert parsed and all(p["CustomerCode"] == "TCUST01" for p in parsed)

    table = kashflow("invoices", "list", "--limit", "3", "-f", "table")
    assert table.exit_code == 0
    assert "Number" in table.stdout and "Status" in table.stdout
    assert f"3 of {state.invoice_count()} invoices" in table.stderr


def test_invoices_get_and_errors(kashflow: Kashflow, sandbox: Sandbox) -> None:
    number = sandbox.state.invoice_numbers()[4]
    out = kashflow("invoices", "get", str(number), "-f", "json")
    assert out.exit_code == 0, out.stderr
    got = JSON.decode(out.stdout.encode(), Invoice)
    assert got == JSON.decode(JSON.encode(sandbox.state.invoice(number)), Invoice)

    table = kashflow("invoices", "get", str(number), "-f", "table")
    assert table.exit_code == 0 and "Description" in table.stdout

    missing = kashflow("invoices", "get", "999999")
    assert missing.exit_code == 1
    assert len(lines(missing.stderr)) == 1
    assert "999999" in missing.stderr and "404" in missing.stderr
    assert "Traceback" not in missing.stderr + missing.stdout

    debug = kashflow("--debug", "invoices", "get", "999999")
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr


def test_usage_errors_exit_2(kashflow: Kashflow) -> None:
    assert kashflow("invoices", "list", "--status", "bogus").exit_code == 2
    assert kashflow("invoices", "get", "not-a-number").exit_code == 2
    no_credentials = kashflow("invoices", "list", env={"KASHFLOW_TOKEN": ""})
    assert no_credentials.exit_code == 2
    assert "KASHFLOW_TOKEN" in no_credentials.stderr


def test_login_with_credentials_from_the_environment(kashflow: Kashflow, sandbox: Sandbox) -> None:
    sb = sandbox
    env = {
        "KASHFLOW_TOKEN": "",
        "KASHFLOW_USERNAME": sb.username,
        "KASHFLOW_PASSWORD": sb.password,
        "KASHFLOW_MEMORABLE_WORD": sb.memorable_word,
    }
    out = kashflow("invoices", "list", "--limit", "2", env=env)
    assert out.exit_code == 0, out.stderr
    assert len(lines(out.stdout)) == 2
    wrong = kashflow("invoices", "list", env={**env, "KASHFLOW_PASSWORD": "nope"})
    assert wrong.exit_code == 1
    assert sb.password not in wrong.stderr and "nope" not in wrong.stderr


def test_invoices_delete(kashflow: Kashflow, sandbox: Sandbox) -> None:
    a, b = sandbox.state.invoice_numbers()[:2]
    out = kashflow("invoices", "delete", str(a), str(b), "--yes")
    assert out.exit_code == 0, out.stderr
    assert a not in sandbox.state.invoice_numbers()
    assert b not in sandbox.state.invoice_numbers()
    again = kashflow("invoices", "delete", str(a), "--yes")
    assert again.exit_code == 1


def test_quotes_list_get_and_convert(kashflow: Kashflow, sandbox: Sandbox) -> None:
    state = sandbox.state
    out = kashflow("quotes", "list", "--sort-by", "NetAmount", "--order", "asc", "-f", "jsonl")
    assert out.exit_code == 0, out.stderr
    quotes = [JSON.decode(line.encode(), Quote) for line in lines(out.stdout)]
    assert len(quotes) == state.quote_count()
    nets = [q.net_amount for q in quotes]
    assert nets == sorted(nets)  # type: ignore[type-var]

    with_customer = [n for n in state.quote_numbers() if state.quote(n).customer_id][:2]
    got = kashflow("quotes", "get", str(with_customer[0]), "-f", "json")
    assert JSON.decode(got.stdout.encode(), Quote).number == with_customer[0]

    invoices_before = state.invoice_count()
    refused = kashflow("quotes", "convert", *map(str, with_customer), "99999", "--no-retain")
    assert refused.exit_code == 1
    assert "99999" in refused.stderr and "invalid numbers" in refused.stderr
    assert state.invoice_count() == invoices_before  # all or nothing

    done = kashflow("quotes", "convert", *map(str, with_customer), "--no-retain", "-f", "json")
    assert done.exit_code == 0, done.stderr
    conversions = JSON.decode(done.stdout.encode(), list[Conversion])
    assert [c.quote_number for c in conversions] == with_customer
    assert state.invoice_count() == invoices_before + 2
    assert all(n not in state.quote_numbers() for n in with_customer)


def test_payments_create_get_delete(kashflow: Kashflow, sandbox: Sandbox) -> None:
    state = sandbox.state
    a, b = state.invoice_numbers()[10:12]
    paid_before = state.invoice(a).total_paid_amount or Decimal(0)
    out = kashflow(
        "payments", "create", f"{a}=10.05", f"{b}=0.10", "--account-id", "3942",
        "--method", "2508", "--date", "2024-06-14", "--comment", "cli", "-f", "json",
    )  # fmt: skip
    assert out.exit_code == 0, out.stderr
    created = JSON.decode(out.stdout.encode(), BulkPayment)
    assert state.invoice(a).total_paid_amount == paid_before + Decimal("10.05")

    got = kashflow("payments", "get", str(created.number), "-f", "json")
    payment = JSON.decode(got.stdout.encode(), BulkPayment)
    assert sorted(i.amount for i in payment.payment_items or []) == [  # type: ignore[type-var]
        Decimal("0.10"),
        Decimal("10.05"),
    ]
    table = kashflow("payments", "get", str(created.number), "-f", "table")
    assert "10.15" in table.stdout  # the total, exact

    invalid = kashflow(
        "payments", "create", "999999=5", "--account-id", "3942", "--method", "2508",
    )  # fmt: skip
    assert invalid.exit_code == 1 and "999999" in invalid.stderr
    assert (
        kashflow("payments", "create", "12-5", "--account-id", "1", "--method", "1").exit_code == 2
    )

    deleted = kashflow("payments", "delete", str(created.number), "-y")
    assert deleted.exit_code == 0, deleted.stderr
    assert state.invoice(a).total_paid_amount == paid_before

    purchase = kashflow(
        "payments", "create", "1=20.00", "--purchases", "--account-id", "3942", "--method", "2508",
        "-f", "json",
    )  # fmt: skip
    assert purchase.exit_code == 0, purchase.stderr
    number = JSON.decode(purchase.stdout.encode(), BulkPayment).number
    assert kashflow("payments", "get", str(number), "--purchases").exit_code == 0
    assert kashflow("payments", "delete", str(number), "--purchases", "-y").exit_code == 0
    assert kashflow("payments", "get", str(number), "--purchases").exit_code == 1


def test_credits_list_and_apply(kashflow: Kashflow, sandbox: Sandbox) -> None:
    state = sandbox.state
    unpaid = next(
        n
        for n in state.invoice_numbers()
        if state.invoice(n).customer_code == "TCUST01" and state.amount_due(state.invoice(n)) > 50
    )
    out = kashflow("credits", "list", str(unpaid), "-f", "json")
    assert out.exit_code == 0, out.stderr
    credits = JSON.decode(out.stdout.encode(), list[Credit])
    assert credits
    due_before = state.amount_due(state.invoice(unpaid))
    pick = credits[0]
    assert pick.type is not None
    spec = f"{pick.type.value}:{pick.id}:1.25"
    applied = kashflow("credits", "apply", str(unpaid), "--credit", spec, "-f", "json")
    assert applied.exit_code == 0, applied.stderr
    assert state.amount_due(state.invoice(unpaid)) == due_before - Decimal("1.25")

    too_much = kashflow(
        "credits", "apply", str(unpaid), "--credit", f"{pick.type.value}:{pick.id}:999999"
    )
    assert too_much.exit_code == 1 and len(lines(too_much.stderr)) == 1
    assert kashflow("credits", "apply", str(unpaid)).exit_code == 2
    assert kashflow("credits", "apply", str(unpaid), "--credit", "Nonsense:1").exit_code == 2

    everything = kashflow("credits", "apply", str(unpaid), "--all", "-f", "table")
    assert everything.exit_code == 0, everything.stderr
    assert state.amount_due(state.invoice(unpaid)) < due_before - Decimal("1.25")


def test_demo_runs_in_seconds(wire: str) -> None:
    from typer.testing import CliRunner

    from kashflow_async.cli.app import app

    args = ["demo", "--xml"] if wire == "xml" else ["demo"]
    out = CliRunner().invoke(app, args, catch_exceptions=False)
    assert out.exit_code == 0, out.stderr
    text = out.stdout
    for expected in (
        "1. Quotes",
        "invalid_numbers=[",
        "Bulk payment",
        "Credits",
        "Overdue",
        "Summary",
    ):
        assert expected in text
    assert f"({wire.upper()})" in text


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_quotes_export_and_import(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path, fmt: str
) -> None:
    state = sandbox.state
    path = tmp_path / f"quotes.{fmt}"
    out = kashflow("quotes", "export", str(path))
    assert out.exit_code == 0, out.stderr
    assert f"Exported {state.quote_count()} quotes" in out.stderr
    # renumber so that they import into the same account as new quotes
    if fmt == "jsonl":
        records = [json.loads(line, parse_float=Decimal) for line in path.read_text().splitlines()]
        for r in records:
            r["Number"] += 1000
        path.write_text("".join(json.dumps(r, default=str) + "\n" for r in records))
    else:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            r["Number"] = str(int(r["Number"]) + 1000)
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    originals = list(state.quote_numbers())
    imported = kashflow("quotes", "import", str(path), "--concurrency", "4")
    assert imported.exit_code == 0, imported.stderr
    for n in originals:
        old, new = state.quote(n), state.quote(n + 1000)
        assert new.customer_code == old.customer_code
        assert [(x.quantity, x.rate) for x in new.line_items or []] == [
            (x.quantity, x.rate) for x in old.line_items or []
        ]
        assert new.net_amount == old.net_amount
