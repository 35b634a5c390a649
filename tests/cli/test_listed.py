"""``kashflow nominals list``: every nominal code in one request, in each output format."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from kashflow_async import Nominal, get_codec
from kashflow_async.sandbox import Sandbox

from .conftest import Kashflow

JSON = get_codec("json")


def test_nominals_list_in_every_format(kashflow: Kashflow, sandbox: Sandbox) -> None:
    codes = sorted(sandbox.state.nominals.store)
    sandbox.state.nominals.store[4000].vat_rate = Decimal("20.0000")

    out = kashflow("nominals", "list")  # not a terminal: jsonl
    assert out.exit_code == 0, out.stderr
    records = [JSON.decode(line.encode(), Nominal) for line in out.stdout.splitlines() if line]
    assert [r.code for r in records] == codes
    assert next(r for r in records if r.code == 4000).vat_rate == Decimal("20.0000")

    as_csv = kashflow("nominals", "list", "--format", "csv", "--limit", "3")
    assert as_csv.exit_code == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [int(r["Code"]) for r in rows] == codes[:3]
    assert {"Code", "Name", "Type", "VATRate", "Archived"} <= set(rows[0])

    as_json = kashflow("nominals", "list", "-f", "json")
    assert [n["Code"] for n in json.loads(as_json.stdout)] == codes

    table = kashflow("nominals", "list", "-f", "table", "-n", "2")
    assert table.exit_code == 0
    assert "Sales Type A" not in table.stdout  # codes 1200 and 1210 only
    assert "Bank Current Account" in table.stdout
    assert f"2 of {len(codes)} nominals" in table.stderr


def test_nominals_help_names_the_command(kashflow: Kashflow) -> None:
    out = kashflow("nominals", "--help")
    assert out.exit_code == 0
    assert "List every nominal code." in out.stdout
