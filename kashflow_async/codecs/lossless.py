"""Lossless round trips: what the server sent comes back on update.

**Decode** (the hot path) costs one attribute per top-level object: a decoded `TopLevel`
(invoice, quote, bulk payment) keeps a reference to the body it came from, and each item
of a decoded list page is marked as a summary. Nothing is done per field or per nested
object.

**Encode**, for an object that has such a body: the body is read again, untyped and
typed, once per object (the result is cached with the body), into an `Unkept` tree that
holds only what the models do not keep, at every depth: undeclared members, and declared
members the server sent as explicit nulls. The codec writes the object's declared fields
as they are now, merged with that tree:

- a nested object (``Address``, ``Currency``...) merges with what its field held;
- a list item merges with the original item it is matched to: by identity key (a line's
  ``Number``, a payment line's ``Id``), else by equality with an unchanged original, else
  by position when neither has a key; an item with no match (a new line) is sent as it is;
- a declared field still None goes back as null when the server sent null; a field the
  caller set to None is omitted, as for a built object;
- JSON keeps the server's member order (members it did not send come after); XML writes
  every member in ordinal order among the declared ones, as DataContract requires.

Objects the caller builds carry no body and send only what they hold. `copy.copy` and
`copy.deepcopy` keep the body; `msgspec.structs.replace` and pickling do not. An object
decoded in one format and encoded in the other keeps its nulls, and its undeclared
members are translated through JSON-like values (`translate`; XML text becomes strings,
an XML attribute is not carried).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from ..models._base import TopLevel
from ..models.common import Page
from ._schema import Field, ListNode, StructNode

__all__ = [
    "Carrier",
    "Items",
    "Original",
    "RawAccess",
    "Unkept",
    "carried",
    "carry",
    "collect",
    "is_summary",
    "match",
    "remember",
    "translate",
    "unkept",
]

#: the attribute of a top-level object holding its `Carrier` (an `Original`, first as a
#: plain ``(codec, body)`` tuple), or `_SUMMARY` on the items of a list page
_ATTR = "_kf_wire"


class _Summary:
    """Marks an item of a list page: a summary, not the whole object."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<summary>"


_SUMMARY = _Summary()


class RawAccess(NamedTuple):
    """How one wire format's untyped tree is read (the codec supplies it)."""

    #: ``(name, raw value)`` of each member of an object, in the order sent (None: not an object)
    members: Callable[[Any], Sequence[tuple[str, Any]] | None]
    #: whether a raw value is an explicit null
    is_null: Callable[[Any], bool]
    #: the raw items of a collection (None: not a collection)
    items: Callable[[Any], Sequence[Any] | None]
    #: a raw undeclared member in the form the codec writes back
    keep: Callable[[Any], Any]


class Unkept:
    """What the models did not keep of one object: undeclared members, explicit nulls,
    and the same for its nested objects and list items."""

    __slots__ = ("extra", "nested", "nulls", "order")

    def __init__(
        self,
        order: tuple[str, ...],
        extra: dict[str, Any],
        nulls: frozenset[str],
        nested: dict[str, Unkept | Items],
    ) -> None:
        #: member names in the order the server sent them
        self.order = order
        #: undeclared member name -> its raw value (in the origin codec's form)
        self.extra = extra
        #: declared members the server sent as explicit null
        self.nulls = nulls
        #: declared object or list members holding something unkept
        self.nested = nested


class Items:
    """The original items of a list member (typed, for matching) and what each did not keep."""

    __slots__ = ("key", "originals", "unkept")

    def __init__(self, originals: list[Any], unkept: list[Unkept | None], key: str | None):
        self.originals = originals
        self.unkept = unkept
        #: the items' identity field (`Model._identity_field`)
        self.key = key


class Carrier(Protocol):
    """What a top-level object can carry for the way back: anything that tells a codec
    what to merge into its encoding (`Original`; the sandbox has its own)."""

    def unkept_for(self, obj: Any, codec: Any) -> Unkept | None:
        """What to merge into `codec`'s encoding of `obj` (None: nothing)."""
        ...


class Original:
    """The body a top-level object was decoded from, and the codec that decoded it."""

    __slots__ = ("_done", "_unkept", "codec", "data")

    def __init__(self, codec: Any, data: bytes) -> None:
        self.codec = codec
        self.data = data
        self._unkept: Unkept | None = None
        self._done = False

    def __repr__(self) -> str:
        return f"<Original {self.codec.name} {len(self.data)} bytes>"

    def unkept_for(self, obj: Any, codec: Any) -> Unkept | None:
        """What the models did not keep of the body (computed on first use); for the
        other format, with undeclared members translated (`translate`)."""
        if not self._done:
            self._unkept = self.codec.unkept(self.data, type(obj))
            self._done = True
        found = self._unkept
        if found is not None and codec.name != self.codec.name:
            return translate(found, self.codec, codec)
        return found


def translate(kept: Unkept, origin: Any, target: Any) -> Unkept:
    """`kept` (read by `origin`) with its undeclared members as `target` writes them,
    through their JSON-like values (XML has no types: its text becomes strings)."""
    nested: dict[str, Unkept | Items] = {}
    for name, sub in kept.nested.items():
        if isinstance(sub, Unkept):
            nested[name] = translate(sub, origin, target)
        else:
            items = [None if u is None else translate(u, origin, target) for u in sub.unkept]
            nested[name] = Items(sub.originals, items, sub.key)
    extra = {name: target.member(name, origin.plain(value)) for name, value in kept.extra.items()}
    return Unkept(kept.order, extra, kept.nulls, nested)


def remember(obj: Any, codec: Any, data: Any) -> Any:
    """Attach the body to a decoded top-level object, or mark a page's items as summaries;
    returns `obj`. (A plain tuple here: the `Original` is made on first encode.)"""
    if isinstance(obj, TopLevel):
        setattr(obj, _ATTR, (codec, data if type(data) is bytes else bytes(data)))
    elif obj.__class__ is Page:
        items = obj.data
        if items and isinstance(items[0], TopLevel):
            for item in items:
                setattr(item, _ATTR, _SUMMARY)
    return obj


def carry(obj: TopLevel, carrier: Carrier | None) -> None:
    """Make `obj` carry `carrier` in place of what it was decoded with (None: nothing,
    like a built object)."""
    if carrier is None:
        obj.__dict__.pop(_ATTR, None)
    else:
        setattr(obj, _ATTR, carrier)


def is_summary(obj: Any) -> bool:
    """Whether `obj` is an item of a decoded list page (a summary, without lines)."""
    return isinstance(obj, TopLevel) and obj.__dict__.get(_ATTR) is _SUMMARY


def carried(obj: TopLevel) -> Carrier | None:
    """What `obj` carries for its encodings (an `Original` if it was decoded), or None."""
    carrier = obj.__dict__.get(_ATTR)
    if carrier.__class__ is tuple:
        carrier = obj.__dict__[_ATTR] = Original(*carrier)
    elif carrier is _SUMMARY:
        return None
    found: Carrier | None = carrier
    return found


def unkept(obj: Any, codec: Any) -> Unkept | None:
    """What to merge into the encoding of `obj` by `codec` (None: encode it as it is)."""
    if not isinstance(obj, TopLevel):
        return None
    carrier = carried(obj)
    return None if carrier is None else carrier.unkept_for(obj, codec)


# --------------------------------------------------------------------------- reading


#: per struct description: wire name -> (attribute, the object or list-item description
#: to look into, None for a scalar)
_FIELDS: dict[int, dict[str, tuple[str, StructNode | None, bool]]] = {}


def _fields(node: StructNode) -> dict[str, tuple[str, StructNode | None, bool]]:
    found = _FIELDS.get(id(node))
    if found is None:
        found = _FIELDS[id(node)] = {f.wire: _inner(f) for f in node.fields}
    return found


def _inner(field: Field) -> tuple[str, StructNode | None, bool]:
    sub = field.node
    if isinstance(sub, StructNode):
        return field.attr, sub, False
    if isinstance(sub, ListNode) and isinstance(sub.item, StructNode):
        return field.attr, sub.item, True
    return field.attr, None, False


def collect(node: StructNode, typed: Any, raw: Any, access: RawAccess) -> Unkept | None:
    """What `typed` (decoded from `raw`) did not keep; None when it kept everything."""
    members = access.members(raw)
    if members is None or typed is None:
        return None
    fields = _fields(node)
    order: dict[str, None] = {}
    extra: dict[str, Any] = {}
    nulls: set[str] = set()
    nested: dict[str, Unkept | Items] = {}
    for name, value in members:
        order[name] = None
        field = fields.get(name)
        if field is None:
            kept = access.keep(value)
            # a repeated XML element is kept whole (JSON names are unique)
            extra[name] = extra[name] + kept if name in extra else kept
        elif access.is_null(value):
            nulls.add(name)
        elif (inner := field[1]) is not None:
            attr, _, is_list = field
            typed_value = getattr(typed, attr)
            found = (
                _collect_items(inner, typed_value, value, access)
                if is_list
                else collect(inner, typed_value, value, access)
            )
            if found is not None:
                nested[name] = found
    if not (extra or nulls or nested):
        return None
    return Unkept(tuple(order), extra, frozenset(nulls), nested)


def _collect_items(item: StructNode, typed: Any, raw: Any, access: RawAccess) -> Items | None:
    raw_items = access.items(raw)
    if not typed or raw_items is None or len(raw_items) != len(typed):
        return None
    found = [collect(item, t, r, access) for t, r in zip(typed, raw_items, strict=True)]
    if not any(found):
        return None
    return Items(list(typed), found, getattr(item.cls, "_identity_field", None))


# --------------------------------------------------------------------------- matching


def match(current: Sequence[Any], items: Items) -> list[Unkept | None]:
    """What each item of `current` merges with: its original's `Unkept`, or None."""
    originals, key = items.originals, items.key
    chosen: list[int | None] = [None] * len(current)
    free = set(range(len(originals)))
    pending = list(range(len(current)))
    if key is not None:
        by_key: dict[Any, list[int]] = {}
        for j, o in enumerate(originals):
            k = getattr(o, key, None) if o is not None else None
            if k:
                by_key.setdefault(k, []).append(j)
        pending = []
        for i, c in enumerate(current):
            k = getattr(c, key, None) if c is not None else None
            candidates = by_key.get(k) if k else None
            if candidates:
                chosen[i] = j = candidates.pop(0)
                free.discard(j)
            else:
                pending.append(i)
    unmatched: list[int] = []
    for i in pending:
        c = current[i]
        same = next((j for j in sorted(free) if c is not None and originals[j] == c), None)
        if same is None:
            unmatched.append(i)
        else:
            chosen[i] = same
            free.discard(same)
    for i in unmatched:
        if i in free and not _keyed(current[i], key) and not _keyed(originals[i], key):
            chosen[i] = i
            free.discard(i)
    return [None if j is None else items.unkept[j] for j in chosen]


def _keyed(obj: Any, key: str | None) -> bool:
    return key is not None and obj is not None and bool(getattr(obj, key, None))
