"""Writing records to standard output: a rich table, JSON, JSON Lines or CSV.

JSON is the API's own wire form (the same field names, exact Decimal numbers), written
with the project's JSON codec, so what `list`/`get`/`export` write, `import` reads back.
CSV is always written by `csv.writer`.
"""

from __future__ import annotations

import csv
import enum
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import IO, Any, TypeVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ...codecs import get_codec
from ..console import stdout
from .columns import Column, cell, row_of

__all__ = [
    "OutputFormat",
    "detail_table",
    "encode_json",
    "pick_format",
    "records_table",
    "write_csv",
    "write_one",
    "write_records",
]

R = TypeVar("R")


class OutputFormat(str, enum.Enum):
    """How a reading command writes its records."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def pick_format(chosen: OutputFormat | None, stream: IO[str] | None = None) -> OutputFormat:
    """`chosen`, or a table on a terminal and JSON Lines otherwise."""
    if chosen is not None:
        return chosen
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return OutputFormat.table if isatty is not None and isatty() else OutputFormat.jsonl


def encode_json(obj: Any) -> str:
    """`obj` (a model or a list of models) as wire-form JSON text."""
    return get_codec("json").encode(obj).decode("utf-8")


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]], out: IO[str]) -> None:
    """`header` and `rows` as CSV on `out`."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def records_table(
    columns: Sequence[Column[R]], records: Iterable[R] = (), title: str | None = None
) -> Table:
    """A rich table of `records` in `columns` (numbers right-aligned)."""
    table = Table(title=title, header_style="bold", title_justify="left")
    for column in columns:
        table.add_column(column.name, justify="right" if column.numeric else "left")
    for record in records:
        table.add_row(*(Text(v) for v in row_of(columns, record)))
    return table


def detail_table(pairs: Sequence[tuple[str, Any]], title: str) -> Table:
    """A two-column table of field names and values (empty values left out)."""
    table = Table(title=title, show_header=False, title_justify="left", box=None)
    table.add_column("Field", style="bold")
    table.add_column("Value")
    for name, value in pairs:
        if value is not None and value != "":
            table.add_row(name, Text(cell(value)))
    return table


async def write_records(
    records: AsyncIterator[R],
    columns: Sequence[Column[R]],
    fmt: OutputFormat,
    *,
    table_columns: Sequence[Column[R]] | None = None,
    title: str | None = None,
) -> int:
    """Write every record of `records` to standard output in `fmt`; how many."""
    out = sys.stdout
    count = 0
    if fmt is OutputFormat.table:
        shown = table_columns or columns
        table = records_table(shown, title=title)
        async for record in records:
            table.add_row(*(Text(v) for v in row_of(shown, record)))
            count += 1
        stdout().print(table)
        return count
    if fmt is OutputFormat.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        async for record in records:
            writer.writerow(row_of(columns, record))
            count += 1
        return count
    if fmt is OutputFormat.json:
        out.write("[")
        async for record in records:
            out.write(",\n " if count else "\n ")
            out.write(encode_json(record))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    async for record in records:
        out.write(encode_json(record) + "\n")
        count += 1
    return count


def write_one(
    record: Any,
    fmt: OutputFormat,
    *,
    table: RenderableType,
    csv_header: Sequence[str],
    csv_rows: Iterable[Sequence[str]],
) -> None:
    """Write one record (or a list of them) to standard output: `table` as a table, CSV
    from `csv_header` and `csv_rows`, else its JSON (one line in both JSON forms)."""
    if fmt is OutputFormat.table:
        stdout().print(table)
    elif fmt is OutputFormat.csv:
        write_csv(csv_header, csv_rows, sys.stdout)
    elif fmt is OutputFormat.jsonl and isinstance(record, list):
        sys.stdout.writelines(encode_json(item) + "\n" for item in record)
    else:
        sys.stdout.write(encode_json(record) + "\n")
