"""The results log of an import: one JSON line per finished input, appended and flushed.

::

    {"line":3,"hash":"9f2c...","status":"created","number":5012,"resolved":false,"attempts":1}
    {"line":4,"hash":"41aa...","status":"failed","error":"BadRequestError","message":"..."}
    {"line":5,"hash":"c0de...","status":"ambiguous","number":5013,"message":"..."}
    {"line":6,"hash":"77e1...","status":"not_sent","message":"..."}
    {"line":7,"hash":"d00d...","status":"invalid","message":"..."}

The last entry of a line wins; a torn last line (a crash while writing) is ignored.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import IO

import msgspec

__all__ = ["Entry", "ResultsLog", "Status", "read_results"]


class Status(str, enum.Enum):
    """What happened to an input line."""

    #: created (now, or found by a lookup: ``resolved``)
    CREATED = "created"
    #: refused by the API or the network; tried again on the next run
    FAILED = "failed"
    #: the create may or may not have been applied; looked up before any new attempt
    AMBIGUOUS = "ambiguous"
    #: interrupted before the create was sent (nothing applied); sent on the next run
    NOT_SENT = "not_sent"
    #: the line is not a valid record; tried again (after a fix) on the next run
    INVALID = "invalid"


class Entry(msgspec.Struct, omit_defaults=True):
    """One line of the results log."""

    line: int
    hash: str
    status: Status
    number: int | str | None = None
    resolved: bool | None = None
    attempts: int | None = None
    error: str | None = None
    message: str | None = None
    invalid_numbers: list[int] | None = None


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Entry)


class ResultsLog:
    """The results log, opened for appending: one flushed JSON line per entry."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        #: entries written by this run
        self.written = 0

    def write(self, entry: Entry) -> None:
        """Append `entry` and flush it."""
        self.out.write(_encoder.encode(entry) + b"\n")
        self.out.flush()
        self.written += 1


def read_results(path: Path) -> dict[int, Entry]:
    """The last entry of each line of the log at `path` (none if it does not exist)."""
    latest: dict[int, Entry] = {}
    if not path.exists():
        return latest
    with path.open("rb") as f:
        for raw in f:
            try:
                entry = _decoder.decode(raw)
            except msgspec.DecodeError:
                continue  # a line cut short by a crash: that input is simply done again
            latest[entry.line] = entry
    return latest
