"""``import``: create every record of an input file, resumably.

The results log (`results`) says what became of each input line. Running the same
import again reads it first:

- a line already ``created`` (with the same content hash) is skipped;
- ``failed``, ``invalid`` and ``not_sent`` lines are sent again;
- an ``ambiguous`` line (the create may or may not have been applied) with a ``Number``
  (a ``Code``, for customers and suppliers) is looked up by it and created only if it is
  not there; one without a number
  is reported and left alone unless `resolve_ambiguous`, which looks it up by its content
  among the records no other line claims.

Ctrl-C cancels the creates in flight and records each as ``ambiguous`` (its POST may
have been applied) or ``not_sent`` (it was not sent), so the log is always exact.

A crash (the process killed, the machine down) leaves no entry for the lines in flight:
the write-ahead journal beside the log (`journal_path`) has their intents, written to
stable storage before each POST. The next run looks each of them up, by its number or
by its content among the records no other line claims, before it sends anything, so a
crash at any moment neither duplicates nor loses a line.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, TaskID

from ...bulk import BulkResult, FileJournal, create_many
from ...errors import AmbiguousResultError, BadRequestError
from ..console import progress_bar
from ..errors import describe_error
from ..kinds import Kind
from .inputs import Input, check_file, read_inputs
from .results import Entry, ResultsLog, Status, read_results

__all__ = ["ImportSummary", "import_file", "journal_path"]

#: Problems listed after the summary line.
MAX_PROBLEMS = 5


@dataclasses.dataclass
class ImportSummary:
    """What an import run did."""

    total: int = 0
    created: int = 0
    resolved: int = 0
    failed: int = 0
    ambiguous: int = 0
    not_sent: int = 0
    invalid: int = 0
    skipped: int = 0
    left_ambiguous: int = 0
    #: entries this run wrote to the results log
    recorded: int = 0
    first_problems: list[str] = dataclasses.field(default_factory=list)
    #: problems noted beyond the first `MAX_PROBLEMS`
    more_problems: int = 0

    @property
    def clean(self) -> bool:
        """Whether every line is created (now or before)."""
        return not (
            self.failed or self.ambiguous or self.not_sent or self.invalid or self.left_ambiguous
        )

    def problem(self, line: int, message: str) -> None:
        """Note a problem of `line` (the first few are shown)."""
        if len(self.first_problems) < MAX_PROBLEMS:
            self.first_problems.append(f"line {line}: {message}")
        else:
            self.more_problems += 1

    @property
    def problem_lines(self) -> list[str]:
        """The problems to show: the first few, then how many more the log holds."""
        if not self.more_problems:
            return list(self.first_problems)
        tail = f"and {self.more_problems} more (see the results file)"
        return [*self.first_problems, tail]


class Action(enum.Enum):
    """What this run does with an input line."""

    SKIP = "skip"
    LEAVE = "leave"
    SEND = "send"
    LOOK_UP = "look up"


def plan(inp: Input, before: Entry | None, resolve_ambiguous: bool, key: str = "number") -> Action:
    """What to do with `inp`, given its last entry in the results log (`key`: what its
    record is looked up by)."""
    if before is None or before.hash != inp.hash:
        return Action.SEND
    if before.status is Status.CREATED:
        return Action.SKIP
    if before.status is Status.AMBIGUOUS:
        numbered = getattr(inp.record, key, None) is not None
        return Action.LOOK_UP if numbered or resolve_ambiguous else Action.LEAVE
    return Action.SEND


def entry_for(inp: Input, result: BulkResult[Any], key: str = "number") -> Entry:
    """The results-log entry of a finished create (`key`: the record's number or code)."""
    line, digest, error = inp.line, inp.hash, result.error
    if error is None:
        number = getattr(result.value, key, None)
        return Entry(
            line, digest, Status.CREATED, number, result.resolved, attempts=result.attempts
        )
    message = describe_error(error)
    if result.not_sent:
        return Entry(line, digest, Status.NOT_SENT, message=message)
    if isinstance(error, AmbiguousResultError):
        number = getattr(inp.record, key, None)
        return Entry(line, digest, Status.AMBIGUOUS, number, message=message)
    invalid = error.invalid_numbers if isinstance(error, BadRequestError) else None
    return Entry(
        line, digest, Status.FAILED, error=type(error).__name__, message=message,
        invalid_numbers=invalid,
    )  # fmt: skip


class _Run:
    """One import run: the log, the progress bar and the summary, kept in step."""

    def __init__(
        self, log: ResultsLog, progress: Progress, task: TaskID, summary: ImportSummary, key: str
    ) -> None:
        self.key = key
        self.log = log
        self.progress = progress
        self.task = task
        self.summary = summary
        #: inputs whose create runs, by the id of their record
        self.pending: dict[int, Input] = {}
        #: ids of the records to look up before creating
        self.look_up: set[int] = set()

    def record(self, entry: Entry) -> None:
        self.log.write(entry)
        self.summary.recorded += 1

    def done(self, inp: Input) -> None:
        self.progress.advance(self.task, inp.lines)

    def inputs(self, inputs: Iterator[Input], before: dict[int, Entry], resolve: bool) -> Any:
        """The records to create, noting the lines that need no create on the way."""
        summary = self.summary
        for inp in inputs:
            summary.total += 1
            action = plan(inp, before.get(inp.line), resolve, self.key)
            if action is Action.SKIP:
                summary.skipped += 1
            elif action is Action.LEAVE:
                summary.left_ambiguous += 1
                summary.problem(inp.line, "ambiguous in an earlier run, left alone")
            elif inp.record is None:
                self.record(Entry(inp.line, inp.hash, Status.INVALID, message=inp.problem))
                summary.invalid += 1
                summary.problem(inp.line, inp.problem or "invalid")
            else:
                if action is Action.LOOK_UP:
                    self.look_up.add(id(inp.record))
                self.pending[id(inp.record)] = inp
                yield inp.record
                continue
            self.done(inp)

    def finished(self, result: BulkResult[Any]) -> None:
        """Record the outcome of one create."""
        inp = self.pending.pop(id(result.item))
        entry = entry_for(inp, result, self.key)
        self.record(entry)
        summary = self.summary
        if entry.status is Status.CREATED:
            summary.created += 1
            summary.resolved += bool(entry.resolved)
        else:
            if entry.status is Status.AMBIGUOUS:
                summary.ambiguous += 1
            elif entry.status is Status.NOT_SENT:
                summary.not_sent += 1
            else:
                summary.failed += 1
            summary.problem(inp.line, entry.message or entry.status.value)
        self.done(inp)


def journal_path(results: Path) -> Path:
    """The write-ahead journal kept beside the results log `results`."""
    return results.with_name(results.name + ".journal")


async def import_file(
    kind: Kind,
    resource: Any,
    path: Path,
    results: Path,
    *,
    concurrency: int,
    resolve_ambiguous: bool,
    console: Console,
    summary: ImportSummary,
) -> ImportSummary:
    """Create the records of `path` not yet created according to the log `results`,
    filling `summary` as lines finish (so it is right even if this raises)."""
    lines = check_file(kind, path)
    before = read_results(results)
    claimed = {
        e.number for e in before.values() if e.status is Status.CREATED and type(e.number) is int
    }
    results.parent.mkdir(parents=True, exist_ok=True)
    progress = progress_bar(console)
    async with FileJournal(journal_path(results)) as journal:
        with results.open("ab") as out, progress:
            run = _Run(
                ResultsLog(out),
                progress,
                progress.add_task(f"Importing {kind.plural}", total=lines),
                summary,
                kind.key,
            )
            many = create_many(
                resource,
                run.inputs(read_inputs(kind, path), before, resolve_ambiguous),
                concurrency=concurrency,
                look_up_first=lambda item: id(item) in run.look_up,
                claimed=claimed,
                journal=journal,
                key=lambda item: run.pending[id(item)].line,
            )
            await _drain(many, run)
    return summary


async def _drain(many: Any, run: _Run) -> None:
    """Record every result of `many`; on Ctrl-C, those of the creates it cancels too."""
    try:
        async for result in many:
            run.finished(result)
    except (asyncio.CancelledError, KeyboardInterrupt):
        for result in await many.cancel():
            run.finished(result)
        raise
