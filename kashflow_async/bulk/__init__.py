"""Creating many objects at once: `create_many`, its results and its write-ahead journal.

`create_many` runs the creates of a resource (`kf.invoices`, `kf.quotes`) with bounded
concurrency and yields one `BulkResult` per input, in completion order; `index` restores
the input order. Every input that was started is accounted for exactly once: a failure
is a result, never an exception out of the iterator.

A create is never blindly sent twice:

- an input with an explicit ``number`` whose create was ambiguous, or answered "number
  already taken", is looked up by that number: found with the same content, the create
  succeeded (``resolved=True``); not found, it never happened and is sent again (at most
  `MAX_CREATE_ROUNDS` times in all); found with other content, the result is a
  `NumberConflictError` naming the first differing field;
- an input without a number keeps the `AmbiguousResultError` as its result.

Looking up before creating: inputs for which ``look_up_first(item)`` is true (a previous
run may have created them) are looked up before their first POST, by number, or when
they have none by their content among the records of their customer that no other
input has claimed (`claimed`). A record found is the input's result (``resolved=True``,
``attempts=0``); only what is not found is sent.

With a `journal` (`FileJournal`, `kashflow_async.bulk.redis.RedisJournal`), an intent is
on stable storage before each POST and the outcome is recorded after it; a run resumed
on the same journal skips what was created and looks up, before sending anything, each
input whose create may have been applied (see `kashflow_async.bulk.journal`). That
makes a job exact after the worker is killed at any moment.

Interrupted inputs (`CreateMany.cancel`, or the consumer cancelled) are told apart
exactly: an input whose create was never sent, or whose last send a lookup proved not
applied, gets a `NotSentError` (nothing happened: send it again); one cancelled while a
POST may have been applied gets an `AmbiguousResultError`.
"""

from .content import content_digest, find_created, key_of, number_taken, same_content
from .creating import (
    DEFAULT_BULK_CONCURRENCY,
    MAX_CREATE_ROUNDS,
    READ_AHEAD_LIMIT,
    CreateMany,
    create_many,
)
from .journal import FileJournal, Journal, JournalEntry, Outcome
from .results import BulkResult, NotSentError, NumberConflictError

__all__ = [
    "DEFAULT_BULK_CONCURRENCY",
    "MAX_CREATE_ROUNDS",
    "READ_AHEAD_LIMIT",
    "BulkResult",
    "CreateMany",
    "FileJournal",
    "Journal",
    "JournalEntry",
    "NotSentError",
    "NumberConflictError",
    "Outcome",
    "content_digest",
    "create_many",
    "find_created",
    "key_of",
    "number_taken",
    "same_content",
]
