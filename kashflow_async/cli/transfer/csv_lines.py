"""The data rows of an import CSV, each with the file line it starts on (the header is
line 1), read so that one bad line never takes others with it.

A row with more values than the header has columns, a line the CSV grammar refuses and
a quote left open are each a `LineProblem` of the line they start on; reading then
resumes at the next line. (An open quote would otherwise swallow the rest of the file
into one record.) A quoted value may still span lines when its row has the header's
number of values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["LineProblem", "csv_rows", "row_problem"]


@dataclass(frozen=True)
class LineProblem:
    """A line that is not a row of the CSV: its number in the file and why."""

    line: int
    message: str


class _Lines:
    """The file's lines as text, counted, for `csv.reader` (which takes them one by one)."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        #: lines read so far
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self.f.readline()
            if not raw:
                return
            self.count += 1
            text = raw.decode("utf-8")
            yield text.lstrip("\ufeff") if self.count == 1 else text

    def restart_after(self, line: int, offset: int) -> None:
        """Go back to `offset` (where `line` starts) and skip that one line."""
        self.f.seek(offset)
        self.f.readline()
        self.count = line


def row_problem(values: list[str], columns: int, spans: int) -> str | None:
    """Why a row of `values` read over `spans` lines is not a row of a CSV whose header
    has `columns` columns, or None if it is one."""
    if spans > 1 and len(values) != columns:
        return (
            f"unterminated quote: a quoted value runs on over {spans} lines "
            f"({len(values)} values for {columns} columns)"
        )
    if len(values) > columns:
        extra = len(values) - columns
        return f"{extra} value{'s' if extra > 1 else ''} beyond the header's {columns} columns"
    return None


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]] | LineProblem]:
    """Every data row of the CSV at `path` as (first line, cells by header name; cells
    missing at the end are None), or a `LineProblem`; empty lines are skipped."""
    with path.open("rb") as f:
        lines = _Lines(f)
        header: list[str] | None = None
        while True:
            reader = csv.reader(lines, strict=True)
            while True:
                line, offset = lines.count + 1, f.tell()
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield LineProblem(line, f"not valid CSV: {_reason(exc)}")
                    lines.restart_after(line, offset)
                    break  # a new reader: the old one may hold part of the bad row
                if not values:
                    continue
                if header is None:
                    header = values
                    continue
                spans = lines.count - line + 1
                problem = row_problem(values, len(header), spans)
                if problem is not None:
                    yield LineProblem(line, problem)
                    if spans > 1:
                        lines.restart_after(line, offset)
                        break
                    continue
                yield (
                    line,
                    {h: (values[i] if i < len(values) else None) for i, h in enumerate(header)},
                )


def _reason(exc: csv.Error) -> str:
    """What `csv.reader` refused, in the operator's words."""
    text = str(exc)
    if "end of data" in text:
        return "unterminated quote (the file ends inside a quoted value)"
    if "expected after" in text:
        return f"a quote is open or stray: {text}"
    return text
