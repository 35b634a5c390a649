"""Lossless round trips: what the server sent comes back on update.

**Decode** (the hot path) costs one attribute per top-level object and one walk over its
nested objects: a decoded `TopLevel` (invoice, quote, bulk payment) keeps a reference to
the body it came from and a *shape*, the nested objects (address, currency, each line)
as decoded, by identity. An item of a decoded list page becomes a summary: its class is
swapped for the model's summary twin (`summary_class`), which `update()` refuses and
which survives `msgspec.structs.replace`, `copy`, `deepcopy` and pickling.

**Encode**, for an object that has such a body: the body is read again, untyped, once
per object (the result is cached with the body), into an `Unkept` tree that holds only
what the models do not keep, at every depth: undeclared members, and declared members
the server sent as explicit nulls. The codec writes the object's declared fields as they
are now, merged with that tree:

- a nested object (``Address``, ``Currency``...) or a list item merges with what *it*
  was decoded with: an undeclared member travels with its object, by identity, whatever
  the caller deletes, inserts or reorders. An object the caller builds (a new line, a
  new address, the result of `msgspec.structs.replace`) has none;
- a declared field still None goes back as null when the server sent null; a field the
  caller set to None is omitted, as for a built object;
- JSON keeps the server's member order (members it did not send come after); XML writes
  every member in ordinal order among the declared ones, as DataContract requires.

Objects the caller builds carry no body and send only what they hold. `copy.copy`,
`copy.deepcopy` and pickling keep the body (a deep copy's or an unpickled object's
nested objects stand for the originals they copy); `msgspec.structs.replace` does not.
An object decoded in one format and encoded in the other keeps its nulls, and its
undeclared members are translated through JSON-like values (`translate`; XML text
becomes strings, an XML attribute is not carried).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from ..models._base import TopLevel, is_summary, summary_class
from ..models.common import Page
from ._schema import Field, ListNode, StructNode, describe
from .compare import Difference, first_difference, first_plain_difference

__all__ = [
    "Carrier",
    "Items",
    "Original",
    "RawAccess",
    "Shape",
    "Unkept",
    "carried",
    "carry",
    "collect",
    "is_hollow",
    "is_summary",
    "match",
    "original_of",
    "remember",
    "shape_of",
    "translate",
    "unchanged_difference",
    "unkept",
]

#: the attribute of a top-level object holding its `Carrier` (an `Original` once decoded)
_ATTR = "_kf_wire"

#: the nested objects of one decoded object, by wire name: ``(object, its shape)`` for an
#: object member, a list of those for a list member (see `shape_of`)
Shape = dict[str, Any]


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

    __slots__ = ("extra", "nested", "nulls", "order", "source")

    def __init__(
        self,
        order: tuple[str, ...],
        extra: dict[str, Any],
        nulls: frozenset[str],
        nested: dict[str, Unkept | Items],
        source: Any = None,
    ) -> None:
        #: member names in the order the server sent them
        self.order = order
        #: undeclared member name -> its raw value (in the origin codec's form)
        self.extra = extra
        #: declared members the server sent as explicit null
        self.nulls = nulls
        #: declared object or list members holding something unkept
        self.nested = nested
        #: the nested object this belongs to (merged only into that very object), or
        #: None: whatever object the member holds now
        self.source = source

    def belongs_to(self, obj: Any) -> bool:
        """Whether `obj` is the object this was kept for (identity, not equality)."""
        return self.source is None or self.source is obj


class Items:
    """The original items of a list member (the objects as decoded, matched by identity)
    and what each did not keep."""

    __slots__ = ("originals", "unkept")

    def __init__(self, originals: list[Any], unkept: list[Unkept | None]) -> None:
        self.originals = originals
        self.unkept = unkept


class Carrier(Protocol):
    """What a top-level object can carry for the way back: anything that tells a codec
    what to merge into its encoding (`Original`; the sandbox has its own)."""

    def unkept_for(self, obj: Any, codec: Any) -> Unkept | None:
        """What to merge into `codec`'s encoding of `obj` (None: nothing)."""
        ...


class Original:
    """The body a top-level object was decoded from, the codec that decoded it, and the
    object's shape as decoded (its nested objects, by identity)."""

    __slots__ = ("_done", "_hollow", "_unkept", "codec", "data", "shape")

    def __init__(self, codec: Any, data: bytes, shape: Shape | None) -> None:
        self.codec = codec
        self.data = data
        self.shape = shape
        self._unkept: Unkept | None = None
        self._hollow = False
        self._done = False

    def __repr__(self) -> str:
        return f"<Original {self.codec.name} {len(self.data)} bytes>"

    def copied(self, counterpart: Callable[[Any], Any]) -> Original:
        """This body for a copy of its object whose nested objects are
        ``counterpart(original)`` (a deep copy; pickling passes them as they are)."""
        return Original(self.codec, self.data, remap(self.shape, counterpart))

    def __reduce__(self) -> Any:
        return (_original, (self.codec.name, self.data, self.shape))

    def _read(self, model: type) -> None:
        """Read the body again, once: what the models did not keep, and whether it held
        any of `model`'s members at all."""
        if self._done:
            return
        node = describe(model)
        assert isinstance(node, StructNode)
        found = self.codec.unkept(self.data, model, shape=self.shape, whole=True)
        self._hollow = found is None or not set(found.order).intersection(_fields(node))
        if found is not None and not (found.extra or found.nulls or found.nested):
            found = None
        self._unkept = found
        self._done = True

    def hollow(self, model: type) -> bool:
        """Whether the body held none of `model`'s members (not an object of that kind)."""
        self._read(model)
        return self._hollow

    def unkept_for(self, obj: Any, codec: Any) -> Unkept | None:
        """What the models did not keep of the body (computed on first use); for the
        other format, with undeclared members translated (`translate`)."""
        self._read(type(obj))
        found = self._unkept
        if found is not None and codec.name != self.codec.name:
            return translate(found, self.codec, codec)
        return found


def _original(codec_name: str, data: bytes, shape: Shape | None) -> Original:
    """An unpickled `Original`, with the shared codec of its format."""
    from . import get_codec

    return Original(get_codec(codec_name), data, shape)


def translate(kept: Unkept, origin: Any, target: Any) -> Unkept:
    """`kept` (read by `origin`) with its undeclared members as `target` writes them,
    through their JSON-like values (XML has no types: its text becomes strings)."""
    nested: dict[str, Unkept | Items] = {}
    for name, sub in kept.nested.items():
        if isinstance(sub, Unkept):
            nested[name] = translate(sub, origin, target)
        else:
            items = [None if u is None else translate(u, origin, target) for u in sub.unkept]
            nested[name] = Items(sub.originals, items)
    extra = {name: target.member(name, origin.plain(value)) for name, value in kept.extra.items()}
    return Unkept(kept.order, extra, kept.nulls, nested, kept.source)


def remember(obj: Any, codec: Any, data: Any) -> Any:
    """Attach the body and the shape to a decoded top-level object, or make a page's items
    summaries; returns `obj`."""
    if isinstance(obj, TopLevel):
        body = data if type(data) is bytes else bytes(data)
        node = describe(type(obj))
        assert isinstance(node, StructNode)
        setattr(obj, _ATTR, Original(codec, body, shape_of(node, obj)))
    elif obj.__class__ is Page:
        items = obj.data
        if items and isinstance(items[0], TopLevel):
            summary = summary_class(type(items[0]))
            for item in items:
                if isinstance(item, TopLevel):
                    item.__class__ = summary
    return obj


def shape_of(node: StructNode, obj: Any) -> Shape | None:
    """The nested objects of `obj` as they are now, by wire name (None: it has none)."""
    nested = _NESTED.get(id(node))
    if nested is None:
        nested = _NESTED[id(node)] = tuple(
            (f.attr, f.wire, inner, is_list)
            for f in node.fields
            for _, inner, is_list in (_inner(f),)
            if inner is not None
        )
    if not nested:
        return None
    shape: Shape = {}
    for attr, wire, inner, is_list in nested:
        value = getattr(obj, attr)
        if value is None:
            continue
        if is_list:
            shape[wire] = [(v, None if v is None else shape_of(inner, v)) for v in value]
        else:
            shape[wire] = (value, shape_of(inner, value))
    return shape


def remap(shape: Shape | None, new: Callable[[Any], Any]) -> Shape | None:
    """`shape` with every object replaced by `new(object)` (a deep copy's counterpart)."""
    if shape is None:
        return None
    out: Shape = {}
    for wire, entry in shape.items():
        if isinstance(entry, list):
            out[wire] = [(new(v), remap(s, new)) for v, s in entry]
        else:
            out[wire] = (new(entry[0]), remap(entry[1], new))
    return out


def carry(obj: TopLevel, carrier: Carrier | None) -> None:
    """Make `obj` carry `carrier` in place of what it was decoded with (None: nothing,
    like a built object)."""
    if carrier is None:
        obj.__dict__.pop(_ATTR, None)
    else:
        setattr(obj, _ATTR, carrier)


def carried(obj: TopLevel) -> Carrier | None:
    """What `obj` carries for its encodings (an `Original` if it was decoded), or None."""
    found: Carrier | None = obj.__dict__.get(_ATTR)
    return found


def is_hollow(obj: Any) -> bool:
    """Whether `obj` was decoded from a body holding none of its model's members (an
    error page, another object): sending it back would blank the real one."""
    if not isinstance(obj, TopLevel):
        return False
    carrier = carried(obj)
    return isinstance(carrier, Original) and carrier.hollow(type(obj))


def original_of(obj: Any) -> Original | None:
    """The body `obj` was decoded from, or None (built, or a summary's page)."""
    carrier = carried(obj) if isinstance(obj, TopLevel) else None
    return carrier if isinstance(carrier, Original) else None


def unchanged_difference(model: type, read: Original, current: Any) -> Difference | None:
    """The first member in which `current` (the server's copy now) differs from the copy
    `read` holds: declared members as values, then, when both came in one format, the
    whole bodies (undeclared members included). None: unchanged."""
    was = read.codec.decode(read.data, model)
    found = first_difference(model, was, current)
    now = original_of(current)
    if found is None and now is not None and now.codec.name == read.codec.name:
        found = first_plain_difference(
            read.codec.plain_document(read.data), now.codec.plain_document(now.data)
        )
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
#: per struct description: (attribute, wire name, description, is a list) of each member
#: holding model objects
_NESTED: dict[int, tuple[tuple[str, str, StructNode, bool], ...]] = {}


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


def collect(
    node: StructNode,
    shape: Shape | None,
    raw: Any,
    access: RawAccess,
    source: Any = None,
    whole: bool = False,
) -> Unkept | None:
    """What the object decoded from `raw` did not keep (None when it kept everything,
    unless `whole`: then the member names at least); `shape` holds its nested objects
    as decoded, `source` is the object itself when it is nested (its members then travel
    with it alone)."""
    members = access.members(raw)
    if members is None:
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
        elif (inner := field[1]) is not None and shape is not None and name in shape:
            entry = shape[name]
            found = (
                _collect_items(inner, entry, value, access)
                if field[2]
                else collect(inner, entry[1], value, access, entry[0])
            )
            if found is not None:
                nested[name] = found
    if not (extra or nulls or nested or whole):
        return None
    return Unkept(tuple(order), extra, frozenset(nulls), nested, source)


def _collect_items(
    item: StructNode, entries: list[tuple[Any, Shape | None]], raw: Any, access: RawAccess
) -> Items | None:
    raw_items = access.items(raw)
    if not entries or raw_items is None or len(raw_items) != len(entries):
        return None
    found = [
        None if obj is None else collect(item, shape, r, access, obj)
        for (obj, shape), r in zip(entries, raw_items, strict=True)
    ]
    if not any(found):
        return None
    return Items([obj for obj, _ in entries], found)


# --------------------------------------------------------------------------- matching


def match(current: Sequence[Any], items: Items) -> list[Unkept | None]:
    """What each item of `current` merges with: what the very same object was decoded
    with (identity), or None (a line the caller built or copied has nothing). An object
    listed twice merges once, at its first place."""
    by_id = {id(obj): j for j, obj in enumerate(items.originals) if obj is not None}
    out: list[Unkept | None] = []
    for obj in current:
        j = by_id.pop(id(obj), None)
        out.append(None if j is None else items.unkept[j])
    return out
