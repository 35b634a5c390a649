"""What users would write instead of kashflow-async: pydantic v2 models (JSON, and XML via
xmltodict), stdlib ``json`` + dataclasses, and a hand-written ElementTree walk.

Every rival models the same fields under the same wire names, with exact Decimals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import typing
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Optional

import msgspec
import pydantic
import xmltodict  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, model_validator

from kashflow_async.models import InvoiceStatus, wire_name

__all__ = [
    "DInvoice",
    "DPage",
    "PInvoice",
    "PPage",
    "XInvoice",
    "XPage",
    "canonical",
    "et_decode",
    "et_encode",
    "json_dc_decode",
    "json_dc_encode",
    "xmltodict_decode",
    "xmltodict_encode",
]

NS = "http://schemas.datacontract.org/2004/07/KashFlow.Api.Models"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# ----------------------------------------------------------------------------- pydantic


class _PModel(BaseModel):
    model_config = ConfigDict(alias_generator=wire_name, populate_by_name=True)


class PAddress(_PModel):
    """Address."""

    line1: Optional[str] = None
    line2: Optional[str] = None
    line3: Optional[str] = None
    line4: Optional[str] = None
    post_code: Optional[str] = None
    country_code: Optional[str] = None
    country_name: Optional[str] = None


class PCurrency(_PModel):
    """Currency."""

    id: Optional[int] = None
    code: Optional[str] = None
    name: Optional[str] = None
    symbol: Optional[str] = None
    exchange_rate: Optional[Decimal] = None
    display_symbol_on_right: Optional[bool] = None


class PInvoiceLine(_PModel):
    """Invoice line."""

    number: Optional[int] = None
    quantity: Optional[Decimal] = None
    description: Optional[str] = None
    rate: Optional[Decimal] = None
    home_currency_rate: Optional[Decimal] = None
    vat_level: Optional[Decimal] = None
    vat_amount: Optional[Decimal] = None
    home_currency_vat_amount: Optional[Decimal] = None
    vat_exempt: Optional[bool] = None
    nominal_code: Optional[int] = None
    product_code: Optional[str] = None
    product_name: Optional[str] = None
    tax_code: Optional[str] = None
    tax1_amount: Optional[Decimal] = None
    tax2_amount: Optional[Decimal] = None
    tax3_amount: Optional[Decimal] = None
    tax4_amount: Optional[Decimal] = None
    tax5_amount: Optional[Decimal] = None
    apply_tax1: Optional[bool] = None
    apply_tax2: Optional[bool] = None
    apply_tax3: Optional[bool] = None
    apply_tax4: Optional[bool] = None
    apply_tax5: Optional[bool] = None
    project_number: Optional[int] = None
    project_name: Optional[str] = None


class PPaymentLine(_PModel):
    """Payment line."""

    id: Optional[int] = None
    invoice_number: Optional[int] = None
    date: Optional[dt.datetime] = None
    note: Optional[str] = None
    method: Optional[int] = None
    amount: Optional[Decimal] = None
    account_id: Optional[int] = None
    permalink: Optional[str] = None
    bulk_id: Optional[int] = None


class PReminderLetter(_PModel):
    """Reminder letter."""

    number: Optional[int] = None
    is_sent: Optional[bool] = None
    sent_date: Optional[dt.datetime] = None


class PInvoice(_PModel):
    """Invoice."""

    id: Optional[int] = None
    number: Optional[int] = None
    customer_id: Optional[int] = None
    customer_code: Optional[str] = None
    customer_name: Optional[str] = None
    customer_reference: Optional[str] = None
    customer_discount: Optional[Decimal] = None
    discount: Optional[Decimal] = None
    issued_date: Optional[dt.datetime] = None
    due_date: Optional[dt.datetime] = None
    paid_date: Optional[dt.datetime] = None
    last_payment_date: Optional[dt.datetime] = None
    net_amount: Optional[Decimal] = None
    vat_amount: Optional[Decimal] = None
    gross_amount: Optional[Decimal] = None
    home_currency_gross_amount: Optional[Decimal] = None
    total_paid_amount: Optional[Decimal] = None
    exchange_rate: Optional[Decimal] = None
    vat_number: Optional[str] = None
    currency: Optional[PCurrency] = None
    address: Optional[PAddress] = None
    delivery_address: Optional[PAddress] = None
    use_custom_delivery_address: Optional[bool] = None
    update_customer_address: Optional[bool] = None
    update_customer_delivery_address: Optional[bool] = None
    line_items: Optional[list[PInvoiceLine]] = None
    payment_lines: Optional[list[PPaymentLine]] = None
    reminder_letters: Optional[list[PReminderLetter]] = None
    status: Optional[InvoiceStatus] = None
    overdue_days: Optional[int] = None
    suppress_number: Optional[bool] = None
    email_count: Optional[int] = None
    invoice_in_ec_member_state: Optional[bool] = None
    invoice_outside_ec_member_state: Optional[bool] = None
    automatic_credit_control_enabled: Optional[bool] = None
    is_wht_deduction_to_be_applied: Optional[bool] = None
    pay_online_payment_processor: Optional[int] = None
    previous_number: Optional[int] = None
    next_number: Optional[int] = None
    permalink: Optional[str] = None
    packing_slip_permalink: Optional[str] = None


class PPageMeta(_PModel):
    """Pagination metadata."""

    first_page_url: Optional[str] = None
    last_page_url: Optional[str] = None
    next_page_url: Optional[str] = None
    previous_page_url: Optional[str] = None
    total_records: int = 0


class PPage(_PModel):
    """A list page."""

    data: list[PInvoice] = pydantic.Field(default_factory=list, alias="Data")
    meta: PPageMeta = pydantic.Field(default_factory=PPageMeta, alias="MetaData")


# XML through xmltodict: lists arrive wrapped (``<LineItems><InvoiceLine>...``), an empty
# list as None; the subclasses unwrap them before validation.

_XML_LISTS = {
    "LineItems": "InvoiceLine",
    "PaymentLines": "PaymentLine",
    "ReminderLetters": "ReminderLetter",
    "Data": "Invoice",
}


def _force_list(path: Any, key: str, value: Any) -> bool:
    """A list item element (``<InvoiceLine>`` inside ``<LineItems>``) is always a list."""
    return bool(path) and _XML_LISTS.get(path[-1][0]) == key


def _unwrap(data: Any) -> Any:
    if isinstance(data, dict):
        for key, item in _XML_LISTS.items():
            if key in data:
                wrapped = data[key]
                data[key] = wrapped.get(item, []) if isinstance(wrapped, dict) else []
    return data


class XInvoice(PInvoice):
    """Invoice read from xmltodict output."""

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: Any) -> Any:
        return _unwrap(data)


class XPage(PPage):
    """List page read from xmltodict output."""

    data: list[XInvoice] = pydantic.Field(default_factory=list, alias="Data")  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: Any) -> Any:
        return _unwrap(data)


def xmltodict_decode(data: bytes, model: type[PPage] | type[PInvoice]) -> Any:
    """xmltodict + pydantic: parse into dicts, take the root's content, validate."""
    tree = xmltodict.parse(data, force_list=_force_list)
    return model.model_validate(next(iter(tree.values())))


def _wrap(data: Any) -> Any:
    if isinstance(data, dict):
        for key, item in _XML_LISTS.items():
            if key in data:
                data[key] = {item: [_wrap(v) for v in data[key]]} if data[key] else None
    return data


def xmltodict_encode(obj: PPage | PInvoice, root: str) -> bytes:
    """pydantic + xmltodict: dump by alias, re-wrap lists, unparse."""
    body = _wrap(obj.model_dump(mode="json", by_alias=True, exclude_none=True))
    body = {"@xmlns:i": XSI, "@xmlns": NS, **body}
    text: str = xmltodict.unparse({root: body}, encoding="utf-8")
    return text.encode("utf-8")


# ----------------------------------------------------------------------------- dataclasses


@dataclasses.dataclass
class DAddress:
    """Address."""

    line1: Optional[str] = None
    line2: Optional[str] = None
    line3: Optional[str] = None
    line4: Optional[str] = None
    post_code: Optional[str] = None
    country_code: Optional[str] = None
    country_name: Optional[str] = None


@dataclasses.dataclass
class DCurrency:
    """Currency."""

    id: Optional[int] = None
    code: Optional[str] = None
    name: Optional[str] = None
    symbol: Optional[str] = None
    exchange_rate: Optional[Decimal] = None
    display_symbol_on_right: Optional[bool] = None


@dataclasses.dataclass
class DInvoiceLine:
    """Invoice line."""

    number: Optional[int] = None
    quantity: Optional[Decimal] = None
    description: Optional[str] = None
    rate: Optional[Decimal] = None
    home_currency_rate: Optional[Decimal] = None
    vat_level: Optional[Decimal] = None
    vat_amount: Optional[Decimal] = None
    home_currency_vat_amount: Optional[Decimal] = None
    vat_exempt: Optional[bool] = None
    nominal_code: Optional[int] = None
    product_code: Optional[str] = None
    product_name: Optional[str] = None
    tax_code: Optional[str] = None
    tax1_amount: Optional[Decimal] = None
    tax2_amount: Optional[Decimal] = None
    tax3_amount: Optional[Decimal] = None
    tax4_amount: Optional[Decimal] = None
    tax5_amount: Optional[Decimal] = None
    apply_tax1: Optional[bool] = None
    apply_tax2: Optional[bool] = None
    apply_tax3: Optional[bool] = None
    apply_tax4: Optional[bool] = None
    apply_tax5: Optional[bool] = None
    project_number: Optional[int] = None
    project_name: Optional[str] = None


@dataclasses.dataclass
class DPaymentLine:
    """Payment line."""

    id: Optional[int] = None
    invoice_number: Optional[int] = None
    date: Optional[dt.datetime] = None
    note: Optional[str] = None
    method: Optional[int] = None
    amount: Optional[Decimal] = None
    account_id: Optional[int] = None
    permalink: Optional[str] = None
    bulk_id: Optional[int] = None


@dataclasses.dataclass
class DReminderLetter:
    """Reminder letter."""

    number: Optional[int] = None
    is_sent: Optional[bool] = None
    sent_date: Optional[dt.datetime] = None


@dataclasses.dataclass
class DInvoice:
    """Invoice."""

    id: Optional[int] = None
    number: Optional[int] = None
    customer_id: Optional[int] = None
    customer_code: Optional[str] = None
    customer_name: Optional[str] = None
    customer_reference: Optional[str] = None
    customer_discount: Optional[Decimal] = None
    discount: Optional[Decimal] = None
    issued_date: Optional[dt.datetime] = None
    due_date: Optional[dt.datetime] = None
    paid_date: Optional[dt.datetime] = None
    last_payment_date: Optional[dt.datetime] = None
    net_amount: Optional[Decimal] = None
    vat_amount: Optional[Decimal] = None
    gross_amount: Optional[Decimal] = None
    home_currency_gross_amount: Optional[Decimal] = None
    total_paid_amount: Optional[Decimal] = None
    exchange_rate: Optional[Decimal] = None
    vat_number: Optional[str] = None
    currency: Optional[DCurrency] = None
    address: Optional[DAddress] = None
    delivery_address: Optional[DAddress] = None
    use_custom_delivery_address: Optional[bool] = None
    update_customer_address: Optional[bool] = None
    update_customer_delivery_address: Optional[bool] = None
    line_items: Optional[list[DInvoiceLine]] = None
    payment_lines: Optional[list[DPaymentLine]] = None
    reminder_letters: Optional[list[DReminderLetter]] = None
    status: Optional[str] = None
    overdue_days: Optional[int] = None
    suppress_number: Optional[bool] = None
    email_count: Optional[int] = None
    invoice_in_ec_member_state: Optional[bool] = None
    invoice_outside_ec_member_state: Optional[bool] = None
    automatic_credit_control_enabled: Optional[bool] = None
    is_wht_deduction_to_be_applied: Optional[bool] = None
    pay_online_payment_processor: Optional[int] = None
    previous_number: Optional[int] = None
    next_number: Optional[int] = None
    permalink: Optional[str] = None
    packing_slip_permalink: Optional[str] = None


@dataclasses.dataclass
class DPageMeta:
    """Pagination metadata."""

    first_page_url: Optional[str] = None
    last_page_url: Optional[str] = None
    next_page_url: Optional[str] = None
    previous_page_url: Optional[str] = None
    total_records: int = 0


@dataclasses.dataclass
class DPage:
    """A list page."""

    data: list[DInvoice] = dataclasses.field(default_factory=list)
    meta: DPageMeta = dataclasses.field(default_factory=DPageMeta)


_PAGE_WIRE = {"data": "Data", "meta": "MetaData"}

# Field table of a dataclass: (wire name, attribute, kind, nested dataclass or None).
_Spec = tuple[tuple[str, str, str, Any], ...]
_SPECS: dict[type, _Spec] = {}


def _spec(cls: type) -> _Spec:
    """The field table of `cls`, read once from its type hints."""
    spec = _SPECS.get(cls)
    if spec is not None:
        return spec
    hints = typing.get_type_hints(cls)
    rows = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        inner = hint
        if typing.get_origin(hint) is typing.Union:
            inner = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(inner)
        wire = _PAGE_WIRE.get(f.name, wire_name(f.name)) if cls is DPage else wire_name(f.name)
        if origin is list:
            rows.append((wire, f.name, "list", typing.get_args(inner)[0]))
        elif dataclasses.is_dataclass(inner):
            rows.append((wire, f.name, "obj", inner))
        else:
            kind = {int: "int", str: "str", bool: "bool", Decimal: "dec", dt.datetime: "dt"}
            rows.append((wire, f.name, kind[inner], None))
    spec = _SPECS[cls] = tuple(rows)
    return spec


def _parse_dt(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _from_json(cls: type, data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for wire, attr, kind, sub in _spec(cls):
        value = data.get(wire)
        if value is None:
            continue
        if kind == "dt":
            value = _parse_dt(value)
        elif kind == "dec":
            value = value if isinstance(value, Decimal) else Decimal(value)
        elif kind == "obj":
            value = _from_json(sub, value)
        elif kind == "list":
            value = [_from_json(sub, v) for v in value]
        kwargs[attr] = value
    return cls(**kwargs)


def json_dc_decode(data: bytes, cls: type[DPage] | type[DInvoice]) -> Any:
    """stdlib json (Decimal for every non-integer number) + dataclasses."""
    return _from_json(cls, json.loads(data, parse_float=Decimal))


def _to_json(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for wire, attr, kind, _ in _spec(type(obj)):
        value = getattr(obj, attr)
        if value is None:
            continue
        if kind == "dt":
            value = value.isoformat(sep=" ")
        elif kind == "dec":
            value = str(value)
        elif kind == "obj":
            value = _to_json(value)
        elif kind == "list":
            value = [_to_json(v) for v in value]
        out[wire] = value
    return out


def json_dc_encode(obj: Any) -> bytes:
    """dataclasses + stdlib json (Decimals as strings: stdlib json cannot write them exactly)."""
    return json.dumps(_to_json(obj), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


_TEXT: dict[str, Callable[[str], Any]] = {
    "int": int,
    "str": str,
    "dec": Decimal,
    "dt": _parse_dt,
    "bool": lambda text: text == "true",
}
_BY_TAG: dict[type, dict[str, tuple[str, str, Any]]] = {}


def _by_tag(cls: type) -> dict[str, tuple[str, str, Any]]:
    table = _BY_TAG.get(cls)
    if table is None:
        table = _BY_TAG[cls] = {
            "{" + NS + "}" + wire: (attr, kind, sub) for wire, attr, kind, sub in _spec(cls)
        }
    return table


def _from_element(cls: type, element: ET.Element) -> Any:
    kwargs: dict[str, Any] = {}
    table = _by_tag(cls)
    for child in element:
        known = table.get(child.tag)
        if known is None:
            continue
        attr, kind, sub = known
        if kind == "obj":
            kwargs[attr] = _from_element(sub, child)
        elif kind == "list":
            kwargs[attr] = [_from_element(sub, item) for item in child]
        else:
            kwargs[attr] = _TEXT[kind](child.text or "")
    return cls(**kwargs)


def et_decode(data: bytes, cls: type[DPage] | type[DInvoice]) -> Any:
    """A hand-written xml.etree.ElementTree walk into the dataclasses."""
    return _from_element(cls, ET.fromstring(data))


def _to_element(parent: ET.Element, name: str, obj: Any) -> None:
    element = ET.SubElement(parent, name)
    for wire, attr, kind, sub in sorted(_spec(type(obj))):
        value = getattr(obj, attr)
        if value is None:
            continue
        if kind == "obj":
            _to_element(element, wire, value)
        elif kind == "list":
            wrapper = ET.SubElement(element, wire)
            for item in value:
                _to_element(wrapper, sub.__name__[1:], item)
        else:
            child = ET.SubElement(element, wire)
            if kind == "bool":
                child.text = "true" if value else "false"
            elif kind == "dt":
                child.text = value.isoformat(sep=" ")
            elif kind == "dec":
                child.text = format(value, "f")
            else:
                child.text = str(value)


def et_encode(obj: Any, root: str) -> bytes:
    """dataclasses to XML with a hand-written ElementTree build (DataContract order)."""
    holder = ET.Element("holder")
    _to_element(holder, root, obj)
    element = holder[0]
    element.set("xmlns:i", XSI)
    element.set("xmlns", NS)
    text: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return text


# ----------------------------------------------------------------------------- comparison


def canonical(obj: Any) -> Any:
    """A plain, type-tagged form of a decoded value, the same for every contender: fields
    by attribute name (None left out), typed leaves, lists."""
    if obj is None:
        return None
    if isinstance(obj, msgspec.Struct):
        names: Any = obj.__struct_fields__
    elif isinstance(obj, BaseModel):
        names = type(obj).model_fields
    elif dataclasses.is_dataclass(obj):
        names = [f.name for f in dataclasses.fields(obj)]
    elif isinstance(obj, list):
        return [canonical(v) for v in obj]
    elif isinstance(obj, bool):
        return ("bool", obj)
    elif isinstance(obj, int):
        return ("int", obj)
    elif isinstance(obj, Decimal):
        return ("dec", obj.normalize())
    elif isinstance(obj, dt.datetime):
        return ("dt", obj.replace(tzinfo=obj.tzinfo).isoformat())
    elif isinstance(obj, enum.Enum):
        return ("str", str(obj.value))
    elif isinstance(obj, str):
        return ("str", str(obj))
    else:
        raise TypeError(f"no canonical form for {type(obj).__name__}")
    out = {}
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            out[name] = canonical(value)
    return out
