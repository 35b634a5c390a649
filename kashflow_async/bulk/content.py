"""Telling whether a record on the server is the one an input asked for: `same_content`,
`find_created`, the digest a journal keeps (`content_digest`) and the rule that reads a
"number already taken" answer (`number_taken`).

"Same content" compares what the caller set and the server keeps as given: the customer
code (any letter case), the customer reference, the dates, and each line's quantity,
rate, description, product and nominal code, VAT level and project (Decimals by value).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any, TypeVar

from ..codecs import get_codec
from ..errors import AmbiguousResultError, BadRequestError, NotFoundError
from .results import NumberConflictError

__all__ = [
    "content_digest",
    "cut_short",
    "differing_field",
    "find_created",
    "key_of",
    "number_taken",
    "same_content",
]

M = TypeVar("M")

#: Top-level fields compared by `same_content` (when set on the input).
_CONTENT_FIELDS = (
    "customer_code",
    "customer_reference",
    "supplier_code",
    "supplier_reference",
    "name",
    "issued_date",
    "due_date",
    "date",
)
#: Line fields compared by `same_content` (when set on the input's line).
_LINE_FIELDS = (
    "quantity",
    "rate",
    "description",
    "product_code",
    "nominal_code",
    "vat_level",
    "project_number",
)
#: How the API says a number is in use ("Invoice number 80267 is already taken.").
_TAKEN = re.compile(r"\bnumber\b.*\b(already (taken|exists|in use)|not unique)", re.I | re.S)

_json = get_codec("json")


def _same_value(sent: Any, found: Any) -> bool:
    if isinstance(sent, str) and isinstance(found, str):
        return sent.strip() == found.strip()
    if isinstance(sent, dt.date) and isinstance(found, dt.date):
        if not isinstance(sent, dt.datetime) or not isinstance(found, dt.datetime):
            return _day(sent) == _day(found)
        if (sent.tzinfo is None) != (found.tzinfo is None):
            return sent.replace(tzinfo=None) == found.replace(tzinfo=None)
        return sent == found
    return bool(sent == found)


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def differing_field(sent: Any, found: Any) -> str | None:
    """The first member `sent` set that `found` holds otherwise, or None if none."""
    for name in _CONTENT_FIELDS:
        mine = getattr(sent, name, None)
        if mine is None:
            continue
        theirs = getattr(found, name, None)
        if name in ("customer_code", "supplier_code"):
            if str(mine).strip().casefold() != str(theirs or "").strip().casefold():
                return name
        elif theirs is None or not _same_value(mine, theirs):
            return name
    lines = getattr(sent, "line_items", None)
    if lines is not None:
        found_lines = getattr(found, "line_items", None) or []
        if len(lines) != len(found_lines):
            return "line_items"
        for i, (mine_line, their_line) in enumerate(zip(lines, found_lines, strict=True)):
            for name in _LINE_FIELDS:
                mine = getattr(mine_line, name, None)
                if mine is not None and not _same_value(mine, getattr(their_line, name, None)):
                    return f"line_items[{i}].{name}"
    return None


def same_content(sent: Any, found: Any) -> bool:
    """Whether `found` (as the server holds it) is what `sent` asked to create."""
    return differing_field(sent, found) is None


def content_digest(item: Any) -> str:
    """A short hex digest of everything `item` holds (what a journal records of an input,
    so that a resumed run knows the input is the same one): of its JSON wire form."""
    return hashlib.sha256(_json.encode(item)).hexdigest()[:24]


def number_taken(exc: BaseException) -> bool:
    """Whether `exc` is the API refusing a create because its number is in use."""
    return isinstance(exc, BadRequestError) and bool(_TAKEN.search(str(exc.message or "")))


async def find_by_number(resource: Any, item: M, number: int) -> M | None:
    """The record with `item`'s `number` if it holds `item`'s content; None if there is
    none; `NumberConflictError` naming the differing field if it holds other content."""
    try:
        found: M = await resource.get(number)
    except NotFoundError:
        return None
    field = differing_field(item, found)
    if field is not None:
        raise NumberConflictError(number, field)
    return found


def key_of(resource: Any, item: Any) -> Any:
    """What `item` is looked up by: its ``number``, or its ``code`` on a resource keyed
    by code (`kf.customers`, `kf.suppliers`); None when it has none."""
    return getattr(item, getattr(resource, "key_name", "number"), None)


async def find_created(resource: Any, item: M, claimed: set[Any]) -> M | None:
    """The record an earlier create of `item` made, or None if there is none.

    With a number (a code, for a resource keyed by code): that number, looked up (other
    content there: `NumberConflictError`).
    Without: among the records of `item`'s customer (``resource.list(customer_code=)``)
    whose numbers are not in `claimed`, the first with the same content (its number is
    then added to `claimed`). None when the resource cannot list or the item has no
    customer code. Two identical inputs without numbers cannot be told apart.
    """
    number = key_of(resource, item)
    if number:
        return await find_by_number(resource, item, number)
    customer = getattr(item, "customer_code", None)
    if not customer or not hasattr(resource, "list"):
        return None
    reference = (getattr(item, "customer_reference", None) or "").strip()
    listing = resource.list(customer_code=customer)
    async for summary in listing:
        if summary.number is None or summary.number in claimed:
            continue
        if reference and (summary.customer_reference or "").strip() != reference:
            continue
        full: M = await resource.get(summary.number)
        if same_content(item, full) and summary.number not in claimed:
            claimed.add(summary.number)
            return full
    cut_short(listing, item)
    return None


def cut_short(listing: Any, item: Any) -> None:
    """Raise `AmbiguousResultError` when a lookup's `listing` ended early (the server's
    pages did not add up, for instance while other creates changed the count): not
    finding `item` there proves nothing, so it must not be sent again on that ground."""
    reason = getattr(listing, "stopped", None)
    if reason:
        raise AmbiguousResultError(
            f"looking this input up was cut short ({reason}): it may have been created",
            sent=item,
        )
