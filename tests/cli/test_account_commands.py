"""``kashflow customers|suppliers|purchases|projects``: list, get, export, import on the
same transfer code as invoices, in both wire formats."""

from __future__ import annotations

import json
from pathlib import Path

from kashflow_async.sandbox import Sandbox

from .conftest import Kashflow


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_customers_list_sorted_and_get_by_code(kashflow: Kashflow, sandbox: Sandbox) -> None:
    listed = kashflow("customers", "list", "--sort-by", "name", "--order", "desc", "-f", "jsonl")
    assert listed.exit_code == 0, listed.stderr
    rows = jsonl(listed.stdout)
    assert len(rows) == sandbox.state.customers.count()
    names = [str(r["Name"]).lower() for r in rows]
    assert names == sorted(names, reverse=True)
    got = kashflow("customers", "get", "TCUST01", "-f", "json")
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout)["Name"] == "John Smith"
    missing = kashflow("customers", "get", "NOSUCH")
    assert missing.exit_code == 1
    bad = kashflow("customers", "list", "--sort-by", "Balance")
    assert bad.exit_code == 2


def test_suppliers_export_then_import_elsewhere(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "suppliers.csv"
    exported = kashflow("suppliers", "export", str(out))
    assert exported.exit_code == 0, exported.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("Code,Name,VatNumber")
    assert len(lines) == 1 + sandbox.state.suppliers.count()
    # rename the codes and import them as new suppliers; a second run skips them all
    renamed = tmp_path / "new.csv"
    renamed.write_text(
        "\n".join([lines[0], *(("N" + line) for line in lines[1:])]) + "\n", encoding="utf-8"
    )
    first = kashflow("suppliers", "import", str(renamed))
    assert first.exit_code == 0, first.stderr
    assert sandbox.state.supplier("NSUP01") is not None
    again = kashflow("suppliers", "import", str(renamed))
    assert again.exit_code == 0 and "already done" in again.stderr


def test_purchases_list_get_export_import(
    kashflow: Kashflow, sandbox: Sandbox, tmp_path: Path
) -> None:
    listed = kashflow("purchases", "list", "--sort-by", "GrossAmount", "-f", "jsonl", "-n", "4")
    assert listed.exit_code == 0, listed.stderr
    gross = [float(str(r["GrossAmount"])) for r in jsonl(listed.stdout)]
    assert len(gross) == 4 and gross == sorted(gross)
    got = kashflow("purchases", "get", "2", "-f", "json")
    assert got.exit_code == 0 and json.loads(got.stdout)["LineItems"]
    out = tmp_path / "purchases.jsonl"
    assert kashflow("purchases", "export", str(out)).exit_code == 0
    records = jsonl(out.read_text())
    assert len(records) == len(sandbox.state.purchases.numbers())
    one = {**records[0], "Number": 7777, "SupplierReference": "IMPORTED"}
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(one) + "\n")
    done = kashflow("purchases", "import", str(source))
    assert done.exit_code == 0, done.stderr
    assert sandbox.state.purchases.store[7777].supplier_reference == "IMPORTED"
    assert kashflow("purchases", "get", "x").exit_code == 2


def test_projects_list(kashflow: Kashflow, sandbox: Sandbox) -> None:
    listed = kashflow("projects", "list", "-f", "csv")
    assert listed.exit_code == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.startswith("Number,Name")
    assert len(rows) == len(sandbox.state.projects.numbers())
