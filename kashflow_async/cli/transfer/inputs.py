"""The records of an import file: JSON Lines (the wire form) or an export CSV.

`check_file` reads the file once as bytes before anything is sent and refuses, with one
line, what is not an input at all: an empty file, binary data, text that is not UTF-8, a
CSV without a ``Number`` column, or the records of another kind. `read_inputs` then
parses it once, streaming.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from ...codecs import get_codec
from ...errors import DecodeError, KashFlowError
from ..formats.rows import Row, RowError
from ..kinds import Kind
from .csv_lines import LineProblem, csv_rows

__all__ = ["Input", "InputFileError", "check_file", "for_create", "read_inputs"]

_CHUNK = 1 << 16
#: What the server assigns: dropped before a create, so that an export re-imports.
_ASSIGNED = (
    "id",
    "customer_id",
    "payment_lines",
    "reminder_letters",
    "permalink",
    "packing_slip_permalink",
    "previous_number",
    "next_number",
)


class InputFileError(KashFlowError):
    """A file that is not an import file of the kind asked for (nothing was sent)."""


@dataclasses.dataclass(frozen=True)
class Input:
    """One input record: its first line in the file, how many lines it spans, a hash of
    its content, and the record or the reason it is invalid."""

    line: int
    lines: int
    hash: str
    record: Any | None
    problem: str | None


def for_create(record: Any) -> Any:
    """`record` without what the server assigns (Id, line numbers, payment lines,
    reminder letters, permalinks, neighbour numbers); its own ``Number`` is kept."""
    changes: dict[str, Any] = {n: None for n in _ASSIGNED if getattr(record, n, None) is not None}
    lines = getattr(record, "line_items", None)
    if lines:
        changes["line_items"] = [msgspec.structs.replace(line, number=None) for line in lines]
    return msgspec.structs.replace(record, **changes) if changes else record


def is_csv(path: Path) -> bool:
    """Whether `path` is read as an export CSV (by its suffix) rather than JSON Lines."""
    return path.suffix.lower() == ".csv"


def check_file(kind: Kind, path: Path) -> int:
    """Refuse a file that is not an import file of `kind` (`InputFileError`, one line);
    the number of its non-empty lines (the header of a CSV not counted)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = count = 0
    first = carry = b""
    with path.open("rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            zero = chunk.find(b"\x00")
            if zero >= 0:
                raise InputFileError(f"{path}: not text: binary data at byte {offset + zero}")
            held = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                at = offset - held + exc.start
                raise InputFileError(f"{path}: not UTF-8 text at byte {at}") from None
            if not chunk:
                break
            first = first or chunk
            *whole, carry = (carry + chunk).split(b"\n")
            count += sum(1 for line in whole if line.strip())
            offset += len(chunk)
    count += bool(carry.strip())
    if count == 0:
        raise InputFileError(f"{path}: empty: no {kind.plural} to import")
    head = first.decode("utf-8", "replace").lstrip("\ufeff")
    if is_csv(path):
        _check_header(kind, path, next(csv.reader([head.splitlines()[0]])))
        return count - 1
    _check_first_record(kind, path, head)
    return count


def _check_header(kind: Kind, path: Path, header: list[str]) -> None:
    names = [h.strip() for h in header]
    if kind.key_column not in names:
        raise InputFileError(
            f"{path}: not a CSV of {kind.plural}: first row has no {kind.key_column} column"
        )
    foreign = kind.foreign(names)
    if foreign:
        raise InputFileError(
            f"{path}: not a CSV of {kind.plural}: it has {', '.join(foreign)} columns"
        )


def _check_first_record(kind: Kind, path: Path, head: str) -> None:
    number, text = next((n, t) for n, t in enumerate(head.splitlines(), 1) if t.strip())
    try:
        first = msgspec.json.decode(text)
    except msgspec.DecodeError:
        first = None  # a bad first line is reported with the others, if it is an object
        if not text.lstrip().startswith("{"):
            raise InputFileError(
                f"{path}: not JSON Lines of {kind.plural}: line {number} is not a JSON object"
            ) from None
    if first is None:
        return
    if not isinstance(first, dict):
        raise InputFileError(
            f"{path}: not JSON Lines of {kind.plural}: line {number} is not a JSON object"
        )
    foreign = kind.foreign(first)
    if foreign:
        raise InputFileError(
            f"{path}: not JSON Lines of {kind.plural}: line {number} has {', '.join(foreign)}"
        )


def read_inputs(kind: Kind, path: Path) -> Iterator[Input]:
    """Every input record of `path`, streamed (``.csv``: export CSV; else JSON Lines)."""
    if is_csv(path):
        yield from _read_csv(kind, path)
        return
    codec = get_codec("json")
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            text = raw.strip()
            if not text:
                continue
            digest = hashlib.sha256(text).hexdigest()[:16]
            try:
                record = codec.decode(text, kind.model)
            except DecodeError as exc:
                yield Input(number, 1, digest, None, str(exc))
                continue
            yield Input(number, 1, digest, for_create(record), None)


def _read_csv(kind: Kind, path: Path) -> Iterator[Input]:
    """The records of an export CSV; a line `csv_rows` refuses is an invalid input of
    its own, between the records before and after it."""
    source = csv_rows(path)
    problem: list[LineProblem] = []

    def rows() -> Iterator[Row]:
        for row in source:
            if isinstance(row, LineProblem):
                problem.append(row)
                return
            yield row

    while True:
        for line, identity, result in kind.from_rows(rows()):
            digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
            spans = identity.count("\x1e") + 1
            if isinstance(result, RowError):
                yield Input(line, spans, digest, None, str(result))
            else:
                yield Input(line, spans, digest, result, None)
        if not problem:
            return
        bad = problem.pop()
        digest = hashlib.sha256(bad.message.encode("utf-8")).hexdigest()[:16]
        yield Input(bad.line, 1, digest, None, bad.message)
