"""A worker process of the crash tests: imports the job's invoices with `create_many`
and the Redis journal of the job, printing one line per finished input (``ok N`` or
``error N: message``) and ``finished`` at the end; exit status 0 if every input was
created.

``python -m tests.bulk._import_worker BASE_URL TOKEN REDIS_URL JOB COUNT WIRE``
"""

from __future__ import annotations

import asyncio
import sys
from decimal import Decimal

from kashflow_async import Invoice, InvoiceLine, KashFlowClient
from kashflow_async.bulk.redis import RedisJournal

CUSTOMERS = ("TCUST01", "TCUST02", "TEST01")


def job_items(count: int) -> list[Invoice]:
    """The job: `count` invoices, odd ones numbered (from 20001), even ones not."""
    return [
        Invoice(
            number=20_000 + i if i % 2 else None,
            customer_code=CUSTOMERS[i % 3],
            customer_reference=f"job-{i}",
            line_items=[
                InvoiceLine(description="Widget", quantity=Decimal(3), rate=Decimal(f"{i % 89}.25"))
            ],
        )
        for i in range(count)
    ]


async def main(base_url: str, token: str, redis_url: str, job: str, count: int, wire: str) -> int:
    failed = 0
    async with (
        KashFlowClient(token=token, base_url=base_url, wire_format=wire) as kf,  # type: ignore[arg-type]
        RedisJournal(redis_url, job=job, lease_seconds=1.0) as journal,
    ):
        async for result in kf.invoices.create_many(
            job_items(count), concurrency=8, journal=journal
        ):
            if result.ok:
                print(f"ok {result.index}", flush=True)
            else:
                failed += 1
                print(f"error {result.index}: {result.error!r}", flush=True)
    print("finished", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    url, token, redis_url, job, count, wire = sys.argv[1:7]
    sys.exit(asyncio.run(main(url, token, redis_url, job, int(count), wire)))
