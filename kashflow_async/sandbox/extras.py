"""Undeclared members: what the sandbox keeps of what a client sends, and what it adds
as a newer server would.

**Kept.** A request body may hold members the models do not declare, at any depth. The
sandbox keeps them with the stored object, format-free (JSON-like values), and serves
them back in either format: on the object, in its nested objects (``Address``...) and on
each item of its lists (``LineItems``...; an item's members follow its position in the
body, which is also the order the lines are renumbered in).

**Added** (``Sandbox(extra_members=True)``, or ``sb.extra_members = True`` at any time):
every invoice and quote served whole also carries ``FutureNote`` and ``FutureFlags`` (an
object), each of its lines ``FutureLineCode`` (``L<number>``), and its addresses
``FutureLine5``, as a newer server would. A client that sends them back has them kept.

**PUT replaces the whole object.** What the pages say, and the sandbox does:

- the body is the whole object, "same as response of GET" (Invoices, Quotes pages);
- a line left out of ``LineItems`` is deleted; ``Number`` 0 adds a line (Invoices, Quotes);
- a quote's ``Number`` in the body, if unlike the URL's and unique, renumbers it (Quotes);
- a bulk payment item without ``Id`` is new; an item left out is deleted (Bulk Payments).

What the pages do not say, and the sandbox's choice:

- undeclared members are replaced with the body's: a member the body leaves out is gone;
- a declared member the body leaves out (or sends as null) keeps the stored value for the
  customer, reference, dates, currency, address, category, project, credit control, and
  for ``LineItems``/``PaymentLines`` as a whole (the stored lines stay, with the members
  kept on them); any other member left out is cleared (derived figures, ids, links and
  reminder letters are the server's whatever the body says);
- a quote body without ``Number`` keeps the URL's (the Quotes page calls it mandatory);
- payment lines keep their members only while the stored list lines up with the body's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..codecs._schema import ListNode, StructNode, describe
from ..codecs.lossless import Items, Original, Unkept, carried, carry
from ..models import Address, LineBase, Quote, TopLevel
from ..models.invoices import Invoice

__all__ = ["Extras", "Served", "adopt", "future_members", "keep"]


class Settings(Protocol):
    """The account setting this module reads."""

    extra_members: bool


@dataclass
class Extras:
    """The undeclared members of one stored object, and of what it holds, as JSON-like
    values."""

    #: undeclared member name -> value
    members: dict[str, Any] = field(default_factory=dict)
    #: object member (wire name) -> its extras
    nested: dict[str, Extras] = field(default_factory=dict)
    #: list member (wire name) -> the extras of each item, in order
    items: dict[str, list[Extras | None]] = field(default_factory=dict)
    #: declared object and list members the body did not send (None or absent)
    unsent: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.members or self.nested or self.items)


class Served:
    """What a stored object carries for its encodings: the members kept from its body,
    plus the added ones while the account's `extra_members` is on."""

    __slots__ = ("extras", "settings")

    def __init__(self, extras: Extras | None, settings: Settings | None) -> None:
        self.extras = extras
        self.settings = settings

    def unkept_for(self, obj: Any, codec: Any) -> Unkept | None:
        """`lossless.Carrier`: the members to merge into `codec`'s encoding of `obj`."""
        future = self.settings is not None and self.settings.extra_members
        if not self.extras and not future:
            return None
        return _render(_struct(type(obj)), obj, self.extras, codec, future)


def future_members(obj: Any) -> dict[str, Any]:
    """The undeclared members `extra_members` adds to `obj`."""
    if isinstance(obj, (Invoice, Quote)):
        return {
            "FutureNote": "added by a newer server",
            "FutureFlags": {"Priority": "high", "Channel": "web"},
        }
    if isinstance(obj, LineBase):
        return {"FutureLineCode": f"L{obj.number}"}
    if isinstance(obj, Address):
        return {"FutureLine5": "Unit 5"}
    return {}


def adopt(obj: Any, *, fresh: bool = True) -> None:
    """Turn what a decoded request body carries into format-free `Extras`. `fresh`: `obj`
    is still as decoded (its body is then not decoded again)."""
    if isinstance(obj, TopLevel):
        original = carried(obj)
        if isinstance(original, Original):
            found = original.codec.unkept(original.data, type(obj), obj if fresh else None)
            extras = _neutral(found, original.codec) or Extras()
            extras.unsent = _unsent(_struct(type(obj)), obj)
            carry(obj, Served(extras, None))


def keep(body: TopLevel, old: TopLevel | None, settings: Settings) -> None:
    """Store with `body` what it carries (see `adopt`), plus what `old` (the stored
    object it replaces) kept for the object and list members the body did not send."""
    adopt(body, fresh=False)
    now = carried(body)
    extras = now.extras if isinstance(now, Served) else None
    before = carried(old) if old is not None else None
    if extras is not None and isinstance(before, Served) and before.extras is not None:
        for name in extras.unsent:
            if name in before.extras.nested:
                extras.nested[name] = before.extras.nested[name]
            if name in before.extras.items:
                extras.items[name] = before.extras.items[name]
    carry(body, Served(extras or None, settings))


def _struct(cls: type) -> StructNode:
    node = describe(cls)
    assert isinstance(node, StructNode)
    return node


def _unsent(node: StructNode, obj: Any) -> frozenset[str]:
    return frozenset(
        f.wire
        for f in node.fields
        if isinstance(f.node, (StructNode, ListNode)) and getattr(obj, f.attr) is None
    )


def _neutral(found: Unkept | None, codec: Any) -> Extras | None:
    if found is None:
        return None
    extras = Extras({name: codec.plain(value) for name, value in found.extra.items()})
    for name, sub in found.nested.items():
        if isinstance(sub, Unkept):
            inner = _neutral(sub, codec)
            if inner:
                extras.nested[name] = inner
        else:
            extras.items[name] = [_neutral(item, codec) for item in sub.unkept]
    return extras


def _render(
    node: StructNode, obj: Any, extras: Extras | None, codec: Any, future: bool
) -> Unkept | None:
    members = future_members(obj) if future else {}
    if extras is not None:
        members.update(extras.members)
    extra = {name: codec.member(name, value) for name, value in members.items()}
    nested: dict[str, Unkept | Items] = {}
    for f in node.fields:
        value = getattr(obj, f.attr)
        if value is None:
            continue
        sub = f.node
        if isinstance(sub, StructNode):
            inner = extras.nested.get(f.wire) if extras is not None else None
            found = _render(sub, value, inner, codec, future)
            if found is not None:
                nested[f.wire] = found
        elif isinstance(sub, ListNode) and isinstance(sub.item, StructNode) and value:
            item = sub.item
            given = extras.items.get(f.wire, []) if extras is not None else []
            aligned = given if len(given) == len(value) else [None] * len(value)
            rendered = [
                None if v is None else _render(item, v, e, codec, future)
                for v, e in zip(value, aligned, strict=True)
            ]
            if any(rendered):
                nested[f.wire] = Items(list(value), rendered)
    if not (extra or nested):
        return None
    return Unkept(tuple(extra), extra, frozenset(), nested)
