"""`RedisJournal`: the write-ahead journal of `create_many` in Redis (extra
``kashflow-async[redis]``), so that a job whose worker died is resumed exactly by a
worker on any machine that reaches the same Redis.

The journal of job ``J`` is one hash, ``kashflow:{J}:journal`` (one hash tag per job:
Redis Cluster accepts it), holding the latest record of each input key. Records are
written in batches (one ``HSET`` for every record made while the previous one ran); an
intent counts as written once Redis has acknowledged it. How long Redis itself keeps it
is Redis's setting: with ``appendonly yes`` and ``appendfsync always`` an intent
survives Redis's own crash too. One worker at a time per job.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import msgspec

from .._closing import AsyncClosing
from ..coordination._link import describe_url, import_redis
from ..errors import CoordinationError, InvalidArgumentError
from .journal import JournalEntry, Outcome, latest_entries

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["DEFAULT_JOURNAL_TTL", "RedisJournal"]

#: Seconds a job's journal is kept after its last write unless told otherwise (7 days).
DEFAULT_JOURNAL_TTL = 7 * 24 * 3600

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(JournalEntry)


class RedisJournal(AsyncClosing):
    """The journal of job `job` in the Redis at `url` (or the client `redis`, which is
    not closed): ``async with RedisJournal("redis://host:6379/0", job="import-42") as j``.

    `ttl` is seconds the journal is kept after its last write (None: for ever). Redis
    failures raise `CoordinationError` (the create they belong to is then not sent).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        job: str,
        redis: Redis | None = None,
        ttl: float | None = DEFAULT_JOURNAL_TTL,
    ) -> None:
        if not job or not isinstance(job, str) or "}" in job or "{" in job:
            raise InvalidArgumentError(f"job must be a non-empty name without braces, not {job!r}")
        if (url is None) == (redis is None):
            raise InvalidArgumentError("give RedisJournal either url or redis, not both")
        if redis is None:
            assert url is not None
            self._where = describe_url(url)
            self._redis: Redis = import_redis().from_url(url)
            self._owned = True
        else:
            self._where = "the given client"
            self._redis = redis
            self._owned = False
        self.key = f"kashflow:{{{job}}}:journal"
        self._ttl = None if ttl is None else max(1, int(ttl))
        self._pending: dict[str, bytes] = {}
        self._waiting: list[asyncio.Future[None]] = []
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<RedisJournal {self.key} at {self._where}>"

    async def read(self) -> dict[int, JournalEntry]:
        """The latest record of each key of the job."""
        try:
            stored: dict[Any, Any] = await self._redis.hgetall(self.key)
        except Exception as exc:
            raise CoordinationError(f"{self!r}: cannot read the journal: {exc}") from exc
        entries = []
        for raw in stored.values():
            try:
                entries.append(_decoder.decode(raw))
            except msgspec.DecodeError:
                continue
        return latest_entries(sorted(entries, key=lambda e: e.key))

    async def _write(self, entry: JournalEntry) -> None:
        self._pending[str(entry.key)] = _encoder.encode(entry)
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name="kashflow_async redis journal")
        await future

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._pending = self._pending, {}
            waiting, self._waiting = self._waiting, []
            error: BaseException | None = None
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.hset(self.key, mapping=batch)  # type: ignore[arg-type]
                    if self._ttl is not None:
                        pipe.expire(self.key, self._ttl)
                    await pipe.execute()
            except Exception as exc:
                error = CoordinationError(f"{self!r}: cannot write the journal: {exc}")
            for future in waiting:
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)

    async def intend(self, key: int, digest: str, attempt: int) -> None:
        """Store the intent; returns once Redis has acknowledged it."""
        await self._write(JournalEntry(key, digest, attempt=attempt))

    async def record(
        self, key: int, digest: str, outcome: Outcome, number: int | None = None
    ) -> None:
        """Store the outcome."""
        await self._write(JournalEntry(key, digest, outcome=outcome, number=number))

    async def delete(self) -> None:
        """Remove the job's journal (when the job is done and nothing will resume it)."""
        await self._redis.delete(self.key)

    async def aclose(self) -> None:
        """Wait for the pending writes; close the connection if this journal opened it."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        if self._owned:
            await self._redis.aclose()
