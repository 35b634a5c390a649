"""`RedisJournal`: the write-ahead journal of `create_many` in Redis (extra
``kashflow-async[redis]``), so that a job whose worker died is resumed exactly by a
worker on any machine that reaches the same Redis.

The journal of job ``J`` is one hash, ``kashflow:{J}:journal`` (one hash tag per job:
Redis Cluster accepts it), holding the latest record of each input key. Records are
written in batches (one ``HSET`` for every record made while the previous one ran); an
intent counts as written once Redis has acknowledged it. How long Redis itself keeps it
is Redis's setting: with ``appendonly yes`` and ``appendfsync always`` an intent
survives Redis's own crash too.

One worker at a time per job: a worker holds the job's lease (``kashflow:{J}:owner``)
from its first read or write, renews it every third of `lease_seconds`, and gives it
back on close. A worker that dies loses it within `lease_seconds`, and the next worker
waits for that; every write checks the lease in the same script, so a worker that lost
it (stalled longer than the lease) cannot write another intent, and sends nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import TYPE_CHECKING, Any

import msgspec

from .._closing import AsyncClosing
from ..coordination._link import describe_url, import_redis
from ..errors import CoordinationError, InvalidArgumentError
from .journal import JournalEntry, Outcome, latest_entries

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["DEFAULT_JOURNAL_TTL", "DEFAULT_LEASE_SECONDS", "RedisJournal"]

#: Seconds a job's journal is kept after its last write unless told otherwise (7 days).
DEFAULT_JOURNAL_TTL = 7 * 24 * 3600
#: Seconds a worker's lease on a job lasts unless renewed (it is renewed every third).
DEFAULT_LEASE_SECONDS = 10.0

#: KEYS: journal, owner. ARGV: lease id, ttl s (0: none), lease ms, field, value, ...
_WRITE = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
"""
#: KEYS: owner. ARGV: lease id, lease ms (0: give it back).
_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) == 0 then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(JournalEntry)


def _cancelled() -> bool:
    """Whether the running task has been asked to stop: redis-py may swallow the
    cancellation of a command in flight, or turn it into a connection error, and the
    heartbeat must not outlive its worker."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)  # Python 3.11+
    return bool(cancelling()) if cancelling is not None else False


class RedisJournal(AsyncClosing):
    """The journal of job `job` in the Redis at `url` (or the client `redis`, which is
    not closed): ``async with RedisJournal("redis://host:6379/0", job="import-42") as j``.

    `ttl` is seconds the journal is kept after its last write (None: for ever).
    `lease_seconds` is how long the job stays held after its worker stops renewing it
    (dies); `wait_seconds` how long a worker waits for another's lease before giving up
    (default: a little more than one lease). Redis failures, a job held by another
    worker and a lost lease raise `CoordinationError` (the create they belong to is then
    not sent).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        job: str,
        redis: Redis | None = None,
        ttl: float | None = DEFAULT_JOURNAL_TTL,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        wait_seconds: float | None = None,
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
        if not lease_seconds > 0:
            raise InvalidArgumentError(f"lease_seconds must be positive, not {lease_seconds!r}")
        self.key = f"kashflow:{{{job}}}:journal"
        self.owner_key = f"kashflow:{{{job}}}:owner"
        self._ttl = None if ttl is None else max(1, int(ttl))
        self._lease_ms = max(1, int(lease_seconds * 1000))
        self._wait = lease_seconds + 1 if wait_seconds is None else wait_seconds
        self._lease_id = uuid.uuid4().hex
        self._held = False
        self._holding = asyncio.Lock()
        self._heartbeat: asyncio.Task[None] | None = None
        self._stopping = False
        self._pending: dict[str, bytes] = {}
        self._waiting: list[asyncio.Future[None]] = []
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<RedisJournal {self.key} at {self._where}>"

    async def _hold(self) -> None:
        """Take the job's lease (waiting up to `wait_seconds` for another worker's)."""
        if self._held:
            return
        async with self._holding:
            if not self._held:
                await self._take()

    async def _take(self) -> None:
        deadline = time.monotonic() + self._wait
        while True:
            try:
                taken = await self._redis.set(
                    self.owner_key, self._lease_id, nx=True, px=self._lease_ms
                )
            except Exception as exc:
                raise CoordinationError(f"{self!r}: cannot take the job: {exc}") from exc
            if taken:
                break
            if time.monotonic() >= deadline:
                raise CoordinationError(
                    f"{self!r}: the job is held by another worker (a dead worker's lease "
                    f"ends within {self._lease_ms / 1000:g} s)"
                )
            await asyncio.sleep(min(0.2, self._lease_ms / 3000))
        self._held = True
        self._heartbeat = asyncio.create_task(self._renew(), name="kashflow_async job lease")

    async def _renew(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self._lease_ms / 3000)
            try:
                await self._redis.eval(_RENEW, 1, self.owner_key, self._lease_id, self._lease_ms)
            except Exception:  # a write that finds the lease lost says so
                pass
            if _cancelled():  # a cancellation redis-py swallowed or turned into an error
                raise asyncio.CancelledError

    async def read(self) -> dict[int, JournalEntry]:
        """The latest record of each key of the job (taking the job's lease first)."""
        await self._hold()
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
        await self._hold()
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
            fields = [part for pair in batch.items() for part in pair]
            try:
                written = await self._redis.eval(
                    _WRITE, 2, self.key, self.owner_key, self._lease_id, self._ttl or 0,
                    self._lease_ms, *fields,
                )  # fmt: skip
            except Exception as exc:
                error = CoordinationError(f"{self!r}: cannot write the journal: {exc}")
            else:
                if not written:
                    error = CoordinationError(
                        f"{self!r}: this worker lost the job's lease (another worker may "
                        "have taken the job over): nothing more is sent"
                    )
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
        """Wait for the pending writes, give the job's lease back, and close the
        connection if this journal opened it."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        if self._heartbeat is not None:
            self._stopping = True
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
        if self._held:
            self._held = False
            with contextlib.suppress(Exception):
                await self._redis.eval(_RENEW, 1, self.owner_key, self._lease_id, 0)
        if self._owned:
            await self._redis.aclose()
