"""Property: random undeclared members, put at random depths of a random invoice, survive
decode -> change -> encode, in both formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from kashflow_async import get_codec
from kashflow_async.codecs._schema import StructNode, describe
from kashflow_async.models import Invoice
from tests.support.models import models

RAW = msgspec.json.Decoder(float_hook=Decimal)
WRITE = msgspec.json.Encoder(decimal_format="number")

#: the members of an invoice that hold model objects, and whether they are lists
NESTED = {
    "Address": False,
    "DeliveryAddress": False,
    "Currency": False,
    "LineItems": True,
    "PaymentLines": True,
    "ReminderLetters": True,
}

#: member names no model declares (every declared wire name starts with a capital)
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6).map(
    lambda s: "zz" + s
)
JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.text(max_size=10),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(NAMES, inner, max_size=3)),
    max_leaves=6,
)
XML_TEXT = st.text(alphabet="abcdefghij 0123456789£&<", max_size=10)

Path = tuple[Any, ...]


def json_objects(tree: dict[str, Any]) -> list[tuple[Path, dict[str, Any]]]:
    """Every model object of an encoded invoice, with its path."""
    found: list[tuple[Path, dict[str, Any]]] = [((), tree)]
    for name, is_list in NESTED.items():
        value = tree.get(name)
        if is_list and isinstance(value, list):
            found += [((name, i), item) for i, item in enumerate(value) if item is not None]
        elif isinstance(value, dict):
            found.append(((name,), value))
    return found


def at(tree: Any, path: Path) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def local(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def xml_objects(root: Any) -> list[tuple[Path, Any]]:
    found: list[tuple[Path, Any]] = [((), root)]
    for element in root:
        name = local(element)
        if name in NESTED and len(element):
            if NESTED[name]:
                found += [((name, i), item) for i, item in enumerate(element)]
            else:
                found.append(((name,), element))
    return found


def xml_at(root: Any, path: Path) -> Any:
    element = root
    for step in path:
        if isinstance(step, int):
            element = list(element)[step]
        else:
            element = next(c for c in element if local(c) == step)
    return element


def shape(element: Any) -> Any:
    """An element's name, text and children, however it is serialised."""
    return (local(element), element.text or "", [shape(c) for c in element])


def declared_in_order(element: Any) -> None:
    names = [local(c) for c in element]
    assert names == sorted(names), names


@given(
    inv=models(Invoice),
    extras=st.lists(st.tuples(st.integers(min_value=0), NAMES, JSON_VALUES), max_size=6),
    reference=st.text(max_size=5),
)
def test_random_undeclared_members_survive_json(
    inv: Invoice, extras: list[tuple[int, str, Any]], reference: str
) -> None:
    codec = get_codec("json")
    tree = RAW.decode(codec.encode(inv))
    targets = json_objects(tree)
    placed: dict[tuple[Path, str], Any] = {}
    for index, name, value in extras:
        path, obj = targets[index % len(targets)]
        obj[name] = value
        placed[path, name] = value
    decoded = codec.decode(WRITE.encode(tree), Invoice)
    decoded.customer_reference = reference
    sent = RAW.decode(codec.encode(decoded))
    for (path, name), value in placed.items():
        assert at(sent, path)[name] == value, (path, name)
    assert sent.get("CustomerReference") == reference


@given(
    inv=models(Invoice),
    extras=st.lists(st.tuples(st.integers(min_value=0), NAMES, XML_TEXT, st.booleans())),
    reference=st.text(alphabet="abc", max_size=5),
)
def test_random_undeclared_members_survive_xml(
    inv: Invoice, extras: list[tuple[int, str, str, bool]], reference: str
) -> None:
    codec = get_codec("xml")
    root = etree.fromstring(codec.encode(inv))
    targets = xml_objects(root)
    ns = root.nsmap[None]
    if not len(root):  # a root with undeclared members alone is not an invoice
        etree.SubElement(root, f"{{{ns}}}Number").text = "7"
    placed: dict[tuple[Path, str], Any] = {}
    for index, name, text, nested in extras:
        path, element = targets[index % len(targets)]
        for old in [c for c in element if local(c) == name]:
            element.remove(old)
        added = etree.SubElement(element, f"{{{ns}}}{name}")
        if nested:  # an object with one member
            etree.SubElement(added, f"{{{ns}}}Inner").text = text
        else:
            added.text = text
        placed[path, name] = shape(added)
    decoded = codec.decode(etree.tostring(root), Invoice)
    decoded.customer_reference = reference
    sent = etree.fromstring(codec.encode(decoded))
    for (path, name), expected in placed.items():
        element = xml_at(sent, path)
        declared_in_order(element)
        assert [shape(c) for c in element if local(c) == name] == [expected], (path, name)


def test_property_names_are_undeclared() -> None:
    node = describe(Invoice)
    assert isinstance(node, StructNode)
    assert all(not f.wire.startswith("zz") for f in node.fields)
