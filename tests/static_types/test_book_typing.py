"""What users' type checkers see of the books' resources: `book_types.py` must pass
``mypy --strict`` with the revealed types below."""

from __future__ import annotations

from pathlib import Path

from .test_typing import check_revealed

EXPECTED = {
    "await kf.nominals.list()": "list[Nominal]",
    "kf.nominals.with_raw_response.list()": "RawResponse[list[Nominal]]",
    "get_by_id(1)": "Nominal",
    'kf.products.get(4000, "510")': "Product",
    "with_raw_response.page(nominal_code=4000)": "RawResponse[Page[Product]]",
    "reveal_type(product)": "Product",
    "await kf.bank_accounts.list()": "list[BankAccount]",
    "with_raw_response.transactions(1)": "BankTransactions[Raw]",
    "transactions(1).get(2)": "BankTransaction",
    "reveal_type(row)": "BankTransaction",
    "await kf.vat_rates(dt.date(2024, 1, 1))": "list[VatRate]",
    "await kf.metadata()": "Metadata",
    "reference.with_raw_response.vat_rates()": "RawResponse[list[VatRate]]",
    "advanced_settings()": "AdvancedSettings",
    "with_raw_response.account_summary()": "RawResponse[AccountSummary]",
}


def test_book_resources_type_check_strictly_with_the_expected_types() -> None:
    check_revealed(Path(__file__).parent / "book_types.py", EXPECTED)
