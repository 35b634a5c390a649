"""What every model shares: the wire naming rule, the base Struct and the wire value types."""

from __future__ import annotations

import copy
import datetime as _dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec

__all__ = [
    "Code",
    "Model",
    "Respelled",
    "TopLevel",
    "WireDate",
    "WireDateTime",
    "format_date",
    "is_summary",
    "parse_date",
    "summary_class",
    "wire_name",
]

#: Words the API spells in capitals inside a name (``VATAmount``, ``InvoiceInECMemberState``).
ACRONYMS: dict[str, str] = {"vat": "VAT", "ec": "EC"}


def wire_name(field: str) -> str:
    """The documented wire name of a snake_case attribute: ``home_currency_vat_amount`` ->
    ``HomeCurrencyVATAmount``; ``tax1_amount`` -> ``Tax1Amount``."""
    return "".join(ACRONYMS.get(part, part[:1].upper() + part[1:]) for part in field.split("_"))


class Model(
    msgspec.Struct,
    rename=wire_name,
    omit_defaults=True,
    kw_only=True,
    repr_omit_defaults=True,
):
    """Base of every API object: snake_case attributes, documented wire names.

    Fields left at their default (``None``) are not sent. Wire keys the model does not
    declare are not attributes; a `TopLevel` object decoded from the server keeps them
    for the way back.
    """

    #: the field that identifies an item of a list across a read and a write (a line's
    #: ``number``); None when the model has none
    _identity_field: ClassVar[str | None] = None


class TopLevel(Model, dict=True):
    """An object the API reads and replaces whole (invoice, quote, bulk payment).

    One decoded from the server remembers the body it came from, so sending it back sends
    what the models do not declare as well (see `kashflow_async.codecs.lossless`).
    `copy.copy`, `copy.deepcopy` and pickling keep that memory; `msgspec.structs.replace`
    does not (the result is like a built object: it sends only what it holds). An item
    of a list page is a summary (`is_summary`), and stays one through all four.
    """

    #: the member that names the object in its URL (``patch`` refuses to change it)
    _key_field: ClassVar[str] = "number"
    #: members the API needs on a whole object (``patch`` refuses to set them to None)
    _required_fields: ClassVar[tuple[str, ...]] = ("number",)

    def __copy__(self) -> Any:
        new = msgspec.structs.replace(self)
        new.__dict__.update(self.__dict__)
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        values = {f: copy.deepcopy(getattr(self, f), memo) for f in self.__struct_fields__}
        new = type(self)(**values)
        counterpart = _counterparts(memo)
        for name, kept in self.__dict__.items():
            copied = getattr(kept, "copied", None)
            new.__dict__[name] = kept if copied is None else copied(counterpart)
        return new

    def __reduce__(self) -> Any:
        values = {f: getattr(self, f) for f in self.__struct_fields__}
        # what the object remembers goes too when it knows how to (`copied`): pickle
        # keeps its references to the nested objects the same objects
        kept = {k: v.copied(_same) for k, v in self.__dict__.items() if hasattr(v, "copied")}
        cls = type(self)
        base = cls.__mro__[1] if is_summary(self) else cls
        return (_restored, (base, values, kept, is_summary(self)))


def _same(obj: Any) -> Any:
    return obj


def _counterparts(memo: dict[int, Any]) -> Any:
    """`object -> its deep copy` in one `copy.deepcopy` call (itself if not copied)."""
    return lambda obj: memo.get(id(obj), obj)


def _restored(
    cls: type[TopLevel], values: dict[str, Any], kept: dict[str, Any], summary: bool
) -> Any:
    """An unpickled top-level object (`TopLevel.__reduce__`)."""
    obj = cls(**values)
    obj.__dict__.update(kept)
    if summary:
        obj.__class__ = summary_class(cls)
    return obj


_SUMMARIES: dict[type, type] = {}


def summary_class(cls: type[TopLevel]) -> type[TopLevel]:
    """The summary twin of a top-level model: the class of the items of a list page.

    It is a subclass with the same name, fields and wire form, marked so that `update`
    refuses it (`is_summary`); being the object's class, the mark survives
    `msgspec.structs.replace`, `copy`, `deepcopy` and pickling.
    """
    if getattr(cls, "_kf_summary", False):
        return cls
    found = _SUMMARIES.get(cls)
    if found is None:
        namespace = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": f"A {cls.__name__} from a list page: a summary, without lines.",
            "_kf_summary": True,
        }
        meta: Any = type(cls)
        found = _SUMMARIES[cls] = meta(cls.__name__, (cls,), namespace)
    return found


def is_summary(obj: Any) -> bool:
    """Whether `obj` is an item of a decoded list page (a summary, not the whole object)."""
    return bool(getattr(type(obj), "_kf_summary", False))


class Respelled:
    """Mixin of a model whose sources spell some members two ways (``VatNumber`` and
    ``VATNumber``): each other spelling is a field of its own, named in `_spellings` as
    ``(other attribute, documented attribute)``. Both decode; after decoding (or building)
    the value is moved to the documented field, so the documented spelling is what is
    sent back."""

    __slots__ = ()

    _spellings: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __post_init__(self) -> None:
        for other, documented in self._spellings:
            value = getattr(self, other)
            if value is not None:
                if getattr(self, documented) is None:
                    setattr(self, documented, value)
                setattr(self, other, None)


if TYPE_CHECKING:
    WireDateTime = _dt.datetime
    WireDate = _dt.date
    Code = str
else:

    class WireDate(_dt.date):
        """A date as the API sends it (``2013-10-24``); also the base of `WireDateTime`."""

        __slots__ = ()

    class WireDateTime(_dt.datetime, WireDate):
        """A timestamp as the API sends it (``2012-10-09 12:00:00 +05:30``)."""

        __slots__ = ()

    class Code(str):
        """A code the pages send as a string or as a number (``"510"`` or ``510``)."""

        __slots__ = ()


#: parsed values by text, one cache per kind (they are immutable, and pages repeat dates)
_TIMESTAMPS: dict[str, Any] = {}
_DATES: dict[str, Any] = {}
_CACHE_MAX = 8192


def parse_date(text: str, date_only_ok: bool) -> WireDateTime | WireDate:
    """Parse every date form the pages use.

    ``2012-06-28 12:00:00``, ``2012-10-09 12:00:00 +05:30`` (space before the offset),
    ``2012-06-28T12:00:00``, ``...Z``, and ``2013-10-24``. A date alone gives a `WireDate`
    when `date_only_ok`, else midnight. Raises `ValueError` for anything else.
    """
    cache = _DATES if date_only_ok else _TIMESTAMPS
    cached = cache.get(text)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    value: WireDateTime | WireDate
    if len(text) == 10:
        day = _dt.date.fromisoformat(text)
        if date_only_ok:
            value = WireDate(day.year, day.month, day.day)
        else:
            value = WireDateTime(day.year, day.month, day.day)
    else:
        iso = text
        if len(iso) > 20 and iso[19] == " " and iso[20] in "+-":
            iso = iso[:19] + iso[20:]
        if iso.endswith(("Z", "z")):
            iso = iso[:-1] + "+00:00"
        if len(iso) < 19 or iso[10] not in " Tt":
            raise ValueError(f"not a date or timestamp: {text!r}")
        value = WireDateTime.fromisoformat(iso)
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[text] = value
    return value


def format_date(value: _dt.date) -> str:
    """The pages' own text form: ``YYYY-MM-DD HH:MM:SS`` (+ `` +HH:MM`` when aware), or
    ``YYYY-MM-DD`` for a date alone. A non-zero microsecond is kept (``.ffffff``)."""
    if not isinstance(value, _dt.datetime):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    offset = value.utcoffset()
    if offset is None:
        return text
    seconds = int(offset.total_seconds())
    if seconds % 60:
        raise ValueError(f"UTC offset {offset} is not a whole number of minutes")
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{text} {sign}{hours:02d}:{minutes:02d}"


def as_wire_date(value: _dt.date) -> WireDateTime | WireDate:
    """The same instant as a wire value (plain datetimes set by users are converted)."""
    if isinstance(value, WireDate):
        return value
    if isinstance(value, _dt.datetime):
        return WireDateTime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
    return WireDate(value.year, value.month, value.day)


def decode_hook(type_: type, obj: Any) -> Any:
    """msgspec `dec_hook` for the wire value types (shared by both codecs)."""
    if type_ is WireDateTime:
        if obj.__class__ is str:
            cached = _TIMESTAMPS.get(obj)
            return cached if cached is not None else parse_date(obj, False)
        raise ValueError(f"expected a date string, got {type(obj).__name__}")
    if type_ is Code:
        if isinstance(obj, str):
            return Code(obj)
        if isinstance(obj, int) and not isinstance(obj, bool):
            return Code(str(obj))
        if isinstance(obj, (float, Decimal)) and obj == int(obj):
            return Code(str(int(obj)))
        raise ValueError(f"expected a code (string or whole number), got {obj!r}")
    if type_ is WireDate:
        if isinstance(obj, str):
            return parse_date(obj, True)
        raise ValueError(f"expected a date string, got {type(obj).__name__}")
    raise NotImplementedError(f"no decoder for {type_!r}")
