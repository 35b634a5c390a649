"""``import``: create every record of a JSON Lines (or export CSV) file, resumably.

RESULTS is a JSON Lines log, appended and flushed one record per finished input line::

    {"line": 3, "hash": "9f2c...", "status": "created", "number": 5012, "resolved": false}
    {"line": 4, "hash": "41aa...", "status": "failed", "error": "BadRequestError",
     "message": "...", "invalid_numbers": []}
    {"line": 5, "hash": "c0de...", "status": "ambiguous", "number": null, "message": "..."}
    {"line": 6, "hash": "77e1...", "status": "invalid", "message": "..."}

The last record of a line wins. Running the same command again reads RESULTS first: a
line already ``created`` (with the same content hash) is skipped; ``failed`` and
``invalid`` lines are tried again; ``ambiguous`` lines (a create that may or may not have
been applied) are reported and left alone, unless ``--resolve-ambiguous``: then the
record is looked up first (by its number, or for an invoice without one by its customer,
reference, date and lines, among invoices no other line claims) and only created if it
is not found. Ctrl-C cancels the creates in flight and records them as ambiguous, so
RESULTS is always consistent.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import msgspec
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..bulk import BulkResult, NumberConflictError, create_many, same_content
from ..codecs import get_codec
from ..errors import (
    AmbiguousResultError,
    BadRequestError,
    DecodeError,
    KashFlowError,
    NotFoundError,
)
from ..models import Invoice
from ..resources import Invoices, Quotes
from .app import describe_error
from .kinds import Kind
from .records import RowError

__all__ = ["ImportSummary", "Input", "for_create", "import_file", "read_inputs"]

CREATED = "created"
FAILED = "failed"
AMBIGUOUS = "ambiguous"
INVALID = "invalid"


@dataclasses.dataclass(frozen=True)
class Input:
    """One input record: its first line in the file, content hash, and the record or
    the reason it is invalid."""

    line: int
    hash: str
    record: Any | None
    problem: str | None


@dataclasses.dataclass
class ImportSummary:
    """What an import run did."""

    total: int = 0
    created: int = 0
    resolved: int = 0
    retries: int = 0
    failed: int = 0
    ambiguous: int = 0
    invalid: int = 0
    skipped: int = 0
    left_ambiguous: int = 0
    interrupted: bool = False
    first_problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether every line is created (now or before)."""
        return not (self.failed or self.ambiguous or self.invalid or self.left_ambiguous)


def for_create(record: Any) -> Any:
    """`record` without what the server assigns (so an export re-imports): the Id, line
    numbers, payment lines, reminder letters, permalinks and neighbour numbers. The
    record's own ``Number`` is kept: it identifies the record when a create is ambiguous."""
    changes: dict[str, Any] = {}
    for name in (
        "id",
        "customer_id",
        "payment_lines",
        "reminder_letters",
        "permalink",
        "packing_slip_permalink",
        "previous_number",
        "next_number",
    ):
        if getattr(record, name, None) is not None:
            changes[name] = None
    lines = getattr(record, "line_items", None)
    if lines:
        changes["line_items"] = [msgspec.structs.replace(line, number=None) for line in lines]
    return msgspec.structs.replace(record, **changes) if changes else record


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _check_csv_header(kind: Kind, header: Sequence[str] | None, path: Path) -> None:
    known = set(kind.csv_columns)
    if not header or not known.intersection(h.strip() for h in header):
        raise KashFlowError(
            f"{path}: the first row is not a {kind.name} CSV header "
            f"(expected columns such as {', '.join(kind.csv_columns[:4])})"
        )


def read_inputs(kind: Kind, path: Path) -> Iterator[Input]:
    """Every input record of `path`, streamed (``.csv``: export CSV; else JSON Lines)."""
    if path.suffix.lower() == ".csv":
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
                yield Input(number, digest, None, str(exc))
                continue
            yield Input(number, digest, for_create(record), None)


def _read_csv(kind: Kind, path: Path) -> Iterator[Input]:
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        _check_csv_header(kind, reader.fieldnames, path)

        def rows() -> Iterator[tuple[int, dict[str, str]]]:
            start = reader.line_num + 1
            for row in reader:
                yield start, {k: v for k, v in row.items() if isinstance(k, str)}
                start = reader.line_num + 1

        for line, identity, result in kind.from_rows(rows()):
            if isinstance(result, RowError):
                yield Input(line, _digest(identity), None, f"{result}")
            else:
                yield Input(line, _digest(identity), result, None)


def read_results(path: Path) -> dict[int, dict[str, Any]]:
    """The last RESULTS record of each line (a torn last line is ignored)."""
    latest: dict[int, dict[str, Any]] = {}
    if not path.exists():
        return latest
    with path.open("r", encoding="utf-8") as f:
        for raw in f:
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash: that input is simply done again
            if isinstance(entry, dict) and isinstance(entry.get("line"), int):
                latest[entry["line"]] = entry
    return latest


class _RateColumn(ProgressColumn):
    """Records per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "", style="progress.data.speed")


class _Resolving:
    """The resource `create_many` runs against: for inputs marked to resolve first, look
    the record up before creating it (`resolved` collects the ones found)."""

    def __init__(self, kind: Kind, resource: Invoices | Quotes, claimed: set[int]) -> None:
        self.kind = kind
        self.resource = resource
        self.claimed = claimed
        self.resolve_first: set[int] = set()
        self.resolved: set[int] = set()

    async def get(self, number: int) -> Any:
        return await self.resource.get(number)

    async def create(self, item: Any) -> Any:
        if id(item) in self.resolve_first:
            self.resolve_first.discard(id(item))
            found = await self._find(item)
            if found is not None:
                self.resolved.add(id(item))
                return found
        return await self.resource.create(item)

    async def _find(self, item: Any) -> Any | None:
        number = getattr(item, "number", None)
        if number:
            try:
                found = await self.resource.get(number)
            except NotFoundError:
                return None
            if not same_content(item, found):
                raise NumberConflictError(number, "content")
            return found
        if isinstance(item, Invoice) and isinstance(self.resource, Invoices):
            return await self._search_invoice(self.resource, item)
        return None

    async def _search_invoice(self, invoices: Invoices, item: Invoice) -> Invoice | None:
        if not item.customer_code:
            return None
        async for summary in invoices.list(customer_code=item.customer_code):
            if summary.number is None or summary.number in self.claimed:
                continue
            if item.customer_reference and (summary.customer_reference or "").strip() != (
                item.customer_reference.strip()
            ):
                continue
            full = await invoices.get(summary.number)
            if same_content(item, full):
                self.claimed.add(summary.number)
                return full
        return None


def _entry(inp: Input, status: str, **fields: Any) -> dict[str, Any]:
    return {"line": inp.line, "hash": inp.hash, "status": status, **fields}


def _result_entry(inp: Input, result: BulkResult[Any], resolved: bool) -> dict[str, Any]:
    if result.error is None:
        value = result.value
        return _entry(
            inp,
            CREATED,
            number=getattr(value, "number", None),
            resolved=resolved or result.resolved,
            attempts=result.attempts,
        )
    error = result.error
    if isinstance(error, AmbiguousResultError):
        return _entry(
            inp,
            AMBIGUOUS,
            number=getattr(inp.record, "number", None),
            message=describe_error(error),
        )
    fields: dict[str, Any] = {"error": type(error).__name__, "message": describe_error(error)}
    if isinstance(error, BadRequestError):
        fields["invalid_numbers"] = error.invalid_numbers
    return _entry(inp, FAILED, **fields)


class _Log:
    """RESULTS, opened for appending: one flushed JSON line per record."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, entry: dict[str, Any]) -> None:
        self.out.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self.out.flush()


async def import_file(
    kind: Kind,
    resource: Invoices | Quotes,
    path: Path,
    results_path: Path,
    *,
    concurrency: int,
    resolve_ambiguous: bool,
    console: Console,
) -> ImportSummary:
    """Create the records of `path` not yet created according to `results_path`."""
    previous = read_results(results_path)
    claimed = {
        int(e["number"])
        for e in previous.values()
        if e.get("status") == CREATED and isinstance(e.get("number"), int)
    }
    summary = ImportSummary()

    def plan(inp: Input) -> str:
        """``skip``, ``left`` (ambiguous, left alone), ``resolve`` or ``do``."""
        before = previous.get(inp.line)
        if before is None or before.get("hash") != inp.hash:
            return "do"
        status = before.get("status")
        if status == CREATED:
            return "skip"
        if status == AMBIGUOUS:
            return "resolve" if resolve_ambiguous else "left"
        return "do"

    todo = 0
    for inp in read_inputs(kind, path):
        summary.total += 1
        if plan(inp) in ("do", "resolve"):
            todo += 1

    resolving = _Resolving(kind, resource, claimed)
    pending: dict[int, Input] = {}  # id(record) -> input, while its create runs

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )

    results_path.parent.mkdir(parents=True, exist_ok=True)
    with results_path.open("a", encoding="utf-8") as out, progress:
        log = _Log(out)
        task = progress.add_task(f"Importing {kind.plural}", total=todo)

        def note_problem(line: int, message: str) -> None:
            if len(summary.first_problems) < 5:
                summary.first_problems.append(f"line {line}: {message}")

        def work() -> Iterator[Any]:
            for inp in read_inputs(kind, path):
                action = plan(inp)
                if action == "skip":
                    summary.skipped += 1
                    continue
                if action == "left":
                    summary.left_ambiguous += 1
                    note_problem(inp.line, "ambiguous in an earlier run, left alone")
                    continue
                if inp.record is None:
                    log.write(_entry(inp, INVALID, message=inp.problem))
                    summary.invalid += 1
                    note_problem(inp.line, inp.problem or "invalid")
                    progress.advance(task)
                    continue
                if action == "resolve":
                    resolving.resolve_first.add(id(inp.record))
                pending[id(inp.record)] = inp
                yield inp.record

        def record(result: BulkResult[Any]) -> None:
            inp = pending.pop(id(result.item))
            resolved = id(result.item) in resolving.resolved
            resolving.resolved.discard(id(result.item))
            entry = _result_entry(inp, result, resolved)
            log.write(entry)
            status = entry["status"]
            summary.retries += max(0, result.attempts - 1)
            if status == CREATED:
                summary.created += 1
                summary.resolved += bool(entry["resolved"])
            elif status == AMBIGUOUS:
                summary.ambiguous += 1
                note_problem(inp.line, entry["message"])
            else:
                summary.failed += 1
                note_problem(inp.line, entry["message"])
            progress.advance(task)

        many = create_many(resolving, work(), concurrency=concurrency)
        try:
            async for result in many:
                record(result)
        except (asyncio.CancelledError, KeyboardInterrupt):
            summary.interrupted = True
            for result in await many.cancel():
                record(result)
            raise
    return summary
