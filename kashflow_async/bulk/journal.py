"""The write-ahead journal of `create_many`: what was about to be sent, and what came of it.

Before each create, `create_many` writes an *intent* (the input's key, a digest of its
content, the attempt) and waits until the journal says it is on stable storage; after
it, the *outcome*. A run resumed with the same journal knows, for each input:

- an outcome ``created`` with its number: done, nothing is sent;
- an intent without an outcome (the worker died, or the create was ambiguous): it may
  have been applied, so it is looked up before anything is sent;
- ``failed`` or ``not_sent``: sent again.

A journal is anything with the four methods of `Journal`. `FileJournal` (one JSON line
per record, fsync'd in batches) serves one machine; `kashflow_async.bulk.redis`
holds `RedisJournal`, so that a job can be resumed on another machine.
"""

from __future__ import annotations

import asyncio
import enum
import fcntl
import os
from pathlib import Path
from typing import Protocol

import msgspec

from .._closing import AsyncClosing
from ..errors import InvalidArgumentError

__all__ = ["FileJournal", "Journal", "JournalEntry", "Outcome", "latest_entries"]


class Outcome(str, enum.Enum):
    """What came of a create whose intent is in the journal."""

    #: created (or found by a lookup): ``number`` says which record
    CREATED = "created"
    #: refused (an API error, a number conflict): sent again on resume
    FAILED = "failed"
    #: never sent (interrupted before its POST): sent again on resume
    NOT_SENT = "not_sent"
    #: may or may not have been applied: looked up on resume, like a missing outcome
    AMBIGUOUS = "ambiguous"


class JournalEntry(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=False):
    """One journal record: an intent (``attempt`` set, no outcome) or an outcome."""

    key: int
    digest: str
    attempt: int = 0
    outcome: Outcome | None = None
    number: int | None = None

    @property
    def unresolved(self) -> bool:
        """Whether the create may have been applied and nobody knows (look it up)."""
        return self.outcome is None or self.outcome is Outcome.AMBIGUOUS


class Journal(Protocol):
    """Where `create_many` writes ahead. Keys are the inputs' keys (their index unless
    `create_many` is given a `key` function); `digest` identifies an input's content."""

    async def read(self) -> dict[int, JournalEntry]:
        """The latest record of each key (empty for a new journal)."""
        ...

    async def intend(self, key: int, digest: str, attempt: int) -> None:
        """Record that create `attempt` (1 for the first) of `key` is about to be sent;
        returns once the record is on stable storage."""
        ...

    async def record(
        self, key: int, digest: str, outcome: Outcome, number: int | None = None
    ) -> None:
        """Record what came of the create of `key` (need not wait for stable storage)."""
        ...

    async def aclose(self) -> None:
        """Write out what is pending and release the journal."""
        ...


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(JournalEntry)


def latest_entries(entries: list[JournalEntry]) -> dict[int, JournalEntry]:
    """The latest record of each key, in the order written (a later intent replaces an
    earlier outcome: a new attempt began)."""
    latest: dict[int, JournalEntry] = {}
    for entry in entries:
        latest[entry.key] = entry
    return latest


class _GroupSync:
    """One ``fsync`` for every write made while the previous one ran: callers of `wait`
    return once everything they wrote before calling it is on stable storage."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._waiting: list[asyncio.Future[None]] = []
        self._task: asyncio.Task[None] | None = None

    async def wait(self) -> None:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="kashflow_async journal fsync")
        await future

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await asyncio.to_thread(os.fsync, self._fd)
            except OSError as exc:
                for future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for future in batch:
                if not future.done():
                    future.set_result(None)

    async def close(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)


class FileJournal(AsyncClosing):
    """A journal in a file of JSON lines, appended (``async with FileJournal(path) as j``).

    Each record is written with one ``write`` as soon as it is made, so a killed process
    loses nothing the kernel has; intents are also fsync'd, many at once (one ``fsync``
    serves every intent written while the previous one ran). A torn last line (a crash
    while writing) is ignored on reading. One job per file, one process at a time: the
    file is locked while open (`InvalidArgumentError` if another holder has it; a killed
    process's lock goes with it).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            raise InvalidArgumentError(
                f"the journal {self.path} is in use by another run: one run per journal at a time"
            ) from None
        self._sync = _GroupSync(self._fd)
        self._closed = False

    def __repr__(self) -> str:
        return f"<FileJournal {self.path}>"

    async def read(self) -> dict[int, JournalEntry]:
        """The latest record of each key in the file."""
        entries = []
        with self.path.open("rb") as f:
            for raw in f:
                try:
                    entries.append(_decoder.decode(raw))
                except msgspec.DecodeError:
                    continue  # a line torn by a crash: its create is simply looked up
        return latest_entries(entries)

    def _write(self, entry: JournalEntry) -> None:
        if self._closed:
            raise RuntimeError(f"{self!r} is closed")
        os.write(self._fd, _encoder.encode(entry) + b"\n")

    async def intend(self, key: int, digest: str, attempt: int) -> None:
        """Append the intent and wait for the batch ``fsync`` that covers it."""
        self._write(JournalEntry(key, digest, attempt=attempt))
        await self._sync.wait()

    async def record(
        self, key: int, digest: str, outcome: Outcome, number: int | None = None
    ) -> None:
        """Append the outcome (fsync'd with the next batch of intents, or on close)."""
        self._write(JournalEntry(key, digest, outcome=outcome, number=number))

    async def aclose(self) -> None:
        """Wait for the pending ``fsync``, sync once more, close the file."""
        if self._closed:
            return
        await self._sync.close()
        self._closed = True
        try:
            await asyncio.to_thread(os.fsync, self._fd)
        finally:
            os.close(self._fd)
