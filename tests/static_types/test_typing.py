"""What users' type checkers see: `raw_responses.py` must pass ``mypy --strict`` with
the revealed types below (raw twins typed per method, views typed as clients)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

EXPECTED = {
    "await kf.invoices.with_raw_response.get(1)": "RawResponse[Invoice]",
    "await kf.invoices.get(1)": "Invoice",
    "page(1, perpage=5)": "RawResponse[Page[Invoice]]",
    "delete(1)": "RawResponse[None]",
    "credits(1)": "RawResponse[list[Credit]]",
    "convert_quotes([1])": "RawResponse[list[Conversion]]",
    "update(1, Quote())": "RawResponse[Quote]",
    "create(BulkPayment())": "RawResponse[BulkPayment]",
    "purchases.bulk_payments.with_raw_response.get(1)": "RawResponse[BulkPayment]",
    "reveal_type(page)": "RawResponse[Page[Quote]]",
    "reveal_type(invoice)": "Invoice",
    "reveal_type(fast)": "KashFlowClient",
    "fast.invoices.get(2)": "Invoice",
    'request("GET", "/invoices/1", cast_to=Invoice)': "Invoice",
    'request("GET", "/customers/A1", params={"x": 1})': "Any",
    'with_raw_response.request("GET", "/invoices/1")': "RawResponse[Any]",
    'bounded.request("GET", "/quotes/2", cast_to=Quote)': "Quote",
    'await kf.customers.get("SHA01")': "Customer",
    'customers.with_raw_response.get("SHA01")': "RawResponse[Customer]",
    'kf.suppliers.patch("S1", name="x")': "Supplier",
    'delete_many(["A01"])': "list[DeletionFailure]",
    "kf.projects.page()": "Page[Project]",
    "kf.purchases.get(1)": "Purchase",
    "reveal_type(customer)": "Customer",
}


def _short(type_text: str) -> str:
    return re.sub(r"[\w.]+\.(\w+)", r"\1", type_text)


def test_raw_responses_type_check_strictly_with_the_expected_types() -> None:
    check_revealed(HERE / "raw_responses.py", EXPECTED)


def check_revealed(source: Path, expected: dict[str, str]) -> None:
    """`source` passes ``mypy --strict``, and the line holding each snippet of `expected`
    reveals its type."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--no-error-summary",
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = source.read_text().splitlines()
    revealed: dict[str, str] = {}
    problems: list[str] = []
    for out in run.stdout.splitlines():
        match = re.match(r".*?:(\d+): note: Revealed type is \"(.*)\"$", out)
        if match:
            revealed[lines[int(match.group(1)) - 1].strip()] = _short(match.group(2))
        elif ": error:" in out:
            problems.append(out)
    assert problems == []
    for snippet, type_text in expected.items():
        found = [t for line, t in revealed.items() if snippet in line]
        assert found == [type_text], (snippet, revealed)
