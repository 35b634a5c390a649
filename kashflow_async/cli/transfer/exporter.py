"""``export``: stream every matching record to a JSON Lines or CSV file.

Pages come from the client's `list()` (a few in flight, in order); unless ``--summary``
each record is then fetched in full (its line items are not in the list pages), up to
`concurrency` at once but written in list order. Memory holds at most a few pages and
`concurrency` records, whatever the total. The file is written as ``FILE.part`` and
renamed when complete, so a failed or interrupted export never leaves a short FILE.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import enum
import os
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from rich.console import Console

from ...pagination import PageIterator
from ..console import progress_bar
from ..formats.writers import encode_json
from ..kinds import Kind

__all__ = ["ExportFormat", "export_records", "format_for"]


class ExportFormat(str, enum.Enum):
    """File format of an export."""

    jsonl = "jsonl"
    csv = "csv"


#: File suffixes and the format they name.
SUFFIXES = {".csv": ExportFormat.csv, ".jsonl": ExportFormat.jsonl, ".ndjson": ExportFormat.jsonl}


def format_for(path: Path, chosen: ExportFormat | None) -> ExportFormat | None:
    """`chosen`, or the format the file's suffix names (None for another suffix)."""
    return chosen or SUFFIXES.get(path.suffix.lower())


async def _in_full(
    kind: Kind, get: Any, summaries: PageIterator[Any], concurrency: int
) -> AsyncIterator[Any]:
    """Each summary's full record, in list order, `concurrency` fetched at once."""
    window: deque[asyncio.Task[Any]] = deque()
    try:
        async for summary in summaries:
            window.append(asyncio.create_task(get(getattr(summary, kind.key))))
            if len(window) >= concurrency:
                yield await window.popleft()
        while window:
            yield await window.popleft()
    finally:
        for task in window:
            task.cancel()
        if window:
            await asyncio.gather(*window, return_exceptions=True)
        await summaries.aclose()


async def _summaries(summaries: PageIterator[Any]) -> AsyncIterator[Any]:
    try:
        async for record in summaries:
            yield record
    finally:
        await summaries.aclose()


async def export_records(
    kind: Kind,
    summaries: PageIterator[Any],
    get: Any,
    path: Path,
    fmt: ExportFormat,
    *,
    full: bool,
    concurrency: int,
    console: Console,
) -> tuple[int, int]:
    """Write every record of `summaries` (in full unless `full` is False) to `path`.

    Returns (records written, TotalRecords reported by the server).
    """
    part = path.with_name(path.name + ".part")
    records = _in_full(kind, get, summaries, concurrency) if full else _summaries(summaries)
    count = rows = 0
    progress = progress_bar(console)
    completed = False
    try:
        with part.open("w", encoding="utf-8", newline="") as out, progress:
            task = progress.add_task(f"Exporting {kind.plural}", total=None)
            writer = csv.writer(out, lineterminator="\n") if fmt is ExportFormat.csv else None
            if writer is not None:
                writer.writerow(kind.csv_columns)
            async for record in records:
                if writer is not None:
                    record_rows = kind.rows(record)
                    writer.writerows(record_rows)
                    rows += len(record_rows)
                else:
                    out.write(encode_json(record) + "\n")
                count += 1
                if count == 1 or count % 50 == 0:
                    progress.update(task, total=summaries.total_records, completed=count)
            total = summaries.total_records or 0
            progress.update(task, total=max(total, count), completed=count)
        os.replace(part, path)
        completed = True
    finally:
        if not completed:
            with contextlib.suppress(OSError):
                part.unlink()
    return count, summaries.total_records or 0
