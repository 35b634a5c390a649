"""Checked by mypy --strict (tests/static_types/test_book_typing.py): what users see of
the books' resources, plain and raw. Never run."""

from __future__ import annotations

import datetime as dt

from typing_extensions import reveal_type

from kashflow_async import KashFlowClient


async def main() -> None:
    async with KashFlowClient(token="t") as kf:
        reveal_type(await kf.nominals.list())
        reveal_type(await kf.nominals.with_raw_response.list())
        reveal_type(await kf.nominals.get_by_id(1))
        reveal_type(await kf.products.get(4000, "510"))
        reveal_type(await kf.products.with_raw_response.page(nominal_code=4000))
        async for product in kf.products.list():
            reveal_type(product)
        reveal_type(await kf.bank_accounts.list())
        reveal_type(kf.bank_accounts.with_raw_response.transactions(1))
        reveal_type(await kf.bank_accounts.transactions(1).get(2))
        async for row in kf.bank_accounts.transactions(1).list(start_date=dt.date(2024, 1, 1)):
            reveal_type(row)
        reveal_type(await kf.vat_rates(dt.date(2024, 1, 1)))
        reveal_type(await kf.metadata())
        reveal_type(await kf.reference.with_raw_response.vat_rates())
        reveal_type(await kf.reference.advanced_settings())
        reveal_type(await kf.reference.with_raw_response.account_summary())
