"""Lossless round trips at the codec level: the merge rules, in both formats."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from lxml import etree

from kashflow_async import get_codec
from kashflow_async.codecs.lossless import is_summary
from kashflow_async.models import (
    Address,
    Invoice,
    InvoiceLine,
    Page,
    PaymentLine,
    Quote,
    QuoteLine,
)

BODY = b"""{
    "Number": 2,
    "Shiny": {"Level": 3, "Tags": ["a", "b"]},
    "CustomerReference": "PO-0",
    "DueDate": null,
    "VATNumber": "GB1",
    "LineItems": [
        {"Number": 11, "Rate": 10.00, "Quantity": 1, "Colour": "red"},
        {"Number": 12, "Rate": 5, "Quantity": 2, "Colour": "blue"},
        {"Number": 13, "Rate": 1, "Quantity": 3}
    ],
    "PaymentLines": [{"Id": 7, "Amount": 5.00, "Reconciled": true}],
    "Address": {"Line1": "1 High St", "Line5": "Annex", "PostCode": null}
}"""

NS = "http://schemas.datacontract.org/2004/07/KashFlow.Api.Models"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_BODY = f"""<?xml version="1.0" encoding="utf-8"?>
<Invoice xmlns:i="{XSI}" xmlns="{NS}">
  <Address><Line1>1 High St</Line1><Line5>Annex</Line5><PostCode i:nil="true"/></Address>
  <CustomerReference>PO-0</CustomerReference>
  <DueDate i:nil="true"/>
  <LineItems>
    <InvoiceLine><Colour>red</Colour><Number>11</Number><Quantity>1</Quantity><Rate>10.00</Rate></InvoiceLine>
    <InvoiceLine><Colour>blue</Colour><Number>12</Number><Quantity>2</Quantity><Rate>5</Rate></InvoiceLine>
    <InvoiceLine><Number>13</Number><Quantity>3</Quantity><Rate>1</Rate></InvoiceLine>
  </LineItems>
  <Number>2</Number>
  <PaymentLines><PaymentLine><Amount>5.00</Amount><Id>7</Id><Reconciled>true</Reconciled></PaymentLine></PaymentLines>
  <Shiny><Level>3</Level><Tags><string>a</string><string>b</string></Tags></Shiny>
  <VATNumber>GB1</VATNumber>
</Invoice>""".encode()

RAW = msgspec.json.Decoder(float_hook=Decimal)


def sent_json(inv: Invoice) -> dict[str, Any]:
    out: dict[str, Any] = RAW.decode(get_codec("json").encode(inv))
    return out


def sent_xml(inv: Invoice) -> Any:
    return etree.fromstring(get_codec("xml").encode(inv))


def local(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def child(element: Any, name: str) -> Any:
    found = [c for c in element if local(c) == name]
    assert len(found) == 1, f"{name}: {len(found)} elements"
    return found[0]


def names(element: Any) -> list[str]:
    return [local(c) for c in element]


def test_json_unchanged_object_sends_back_everything_in_the_servers_order() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert sent_json(inv) == RAW.decode(BODY)
    assert list(sent_json(inv)) == list(RAW.decode(BODY))


def test_json_changed_field_is_the_only_difference() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    inv.customer_reference = "PO-1"
    expected = RAW.decode(BODY)
    expected["CustomerReference"] = "PO-1"
    assert sent_json(inv) == expected


def test_explicit_null_goes_back_only_while_the_field_is_left_none() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert inv.due_date is None  # the model stays plain
    assert sent_json(inv)["DueDate"] is None
    assert sent_json(inv)["Address"]["PostCode"] is None
    assert inv.address is not None
    inv.address.line1, inv.address.post_code = "2 Low St", "AB1 2CD"
    body = sent_json(inv)
    assert body["Address"] == {"Line1": "2 Low St", "Line5": "Annex", "PostCode": "AB1 2CD"}
    inv.address = Address(line1="3 New St")  # a built address has none of the old one's
    assert sent_json(inv)["Address"] == {"Line1": "3 New St"}


def test_field_cleared_by_the_caller_is_omitted() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    inv.vat_number = None
    assert "VATNumber" not in sent_json(inv)


def test_reordered_lines_keep_their_own_members() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert inv.line_items is not None
    inv.line_items.reverse()
    lines = sent_json(inv)["LineItems"]
    assert [ln["Number"] for ln in lines] == [13, 12, 11]
    assert [ln.get("Colour") for ln in lines] == [None, "blue", "red"]


def test_removed_and_added_lines() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert inv.line_items is not None
    del inv.line_items[0]
    inv.line_items.insert(0, InvoiceLine(description="new", rate=Decimal("2.50")))
    lines = sent_json(inv)["LineItems"]
    assert lines[0] == {"Description": "new", "Rate": Decimal("2.50")}  # only what it holds
    assert [ln.get("Colour") for ln in lines[1:]] == ["blue", None]


def test_keyless_lines_keep_their_own_members_when_deleted_edited_and_reordered() -> None:
    body = b'{"LineItems": [{"Rate": 1, "A": 1}, {"Rate": 2, "B": 2}, {"Rate": 3, "C": 3}]}'
    quote = get_codec("json").decode(body, Quote)
    assert quote.line_items is not None
    _, second, third = quote.line_items
    del quote.line_items[0]  # line A goes
    second.rate, third.rate = Decimal(20), Decimal(30)  # B and C are edited
    lines = RAW.decode(get_codec("json").encode(quote))["LineItems"]
    assert lines == [{"Rate": 20, "B": 2}, {"Rate": 30, "C": 3}]
    quote.line_items = [third, QuoteLine(rate=Decimal(4)), second]  # reordered, one new
    lines = RAW.decode(get_codec("json").encode(quote))["LineItems"]
    assert lines == [{"Rate": 30, "C": 3}, {"Rate": 4}, {"Rate": 20, "B": 2}]


def test_a_line_the_caller_builds_has_no_undeclared_members_even_with_a_known_number() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert inv.line_items is not None
    inv.line_items[0] = InvoiceLine(number=11, rate=Decimal(10))  # line 11, rebuilt
    inv.line_items[1] = msgspec.structs.replace(inv.line_items[1], rate=Decimal(6))
    lines = sent_json(inv)["LineItems"]
    assert lines[0] == {"Number": 11, "Rate": 10}
    assert "Colour" not in lines[1]


def test_a_line_listed_twice_carries_its_members_once() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert inv.line_items is not None
    inv.line_items.append(inv.line_items[0])
    lines = sent_json(inv)["LineItems"]
    assert [ln.get("Colour") for ln in lines] == ["red", "blue", None, None]


def test_payment_lines_match_by_id() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert inv.payment_lines is not None
    inv.payment_lines.insert(0, PaymentLine(amount=Decimal(1)))
    payments = sent_json(inv)["PaymentLines"]
    assert payments[0] == {"Amount": 1}
    assert payments[1]["Reconciled"] is True


def test_built_object_sends_only_what_it_holds() -> None:
    inv = Invoice(number=2, customer_reference="PO-1", line_items=[InvoiceLine(rate=Decimal(1))])
    assert sent_json(inv) == {"Number": 2, "CustomerReference": "PO-1", "LineItems": [{"Rate": 1}]}
    assert names(sent_xml(inv)) == ["CustomerReference", "LineItems", "Number"]


def test_xml_undeclared_members_in_ordinal_order_among_the_declared() -> None:
    inv = get_codec("xml").decode(XML_BODY, Invoice)
    inv.customer_reference = "PO-1"
    inv.customer_code = "ACME01"
    assert inv.line_items is not None
    inv.line_items.reverse()
    root = sent_xml(inv)
    assert names(root) == sorted(names(root))
    assert "Shiny" in names(root) and "CustomerCode" in names(root)
    assert child(child(root, "Shiny"), "Level").text == "3"
    assert [t.text for t in child(child(root, "Shiny"), "Tags")] == ["a", "b"]
    assert child(root, "DueDate").get(f"{{{XSI}}}nil") == "true"
    address = child(root, "Address")
    assert names(address) == ["Line1", "Line5", "PostCode"]
    assert child(address, "PostCode").get(f"{{{XSI}}}nil") == "true"
    lines = list(child(root, "LineItems"))
    assert [child(ln, "Number").text for ln in lines] == ["13", "12", "11"]
    assert [[c.text for c in ln if local(c) == "Colour"] for ln in lines] == [[], ["blue"], ["red"]]
    assert child(child(child(root, "PaymentLines"), "PaymentLine"), "Reconciled").text == "true"


def test_xml_changed_values_are_written_as_now() -> None:
    inv = get_codec("xml").decode(XML_BODY, Invoice)
    inv.address = None
    inv.vat_number = "GB2"
    root = sent_xml(inv)
    assert "Address" not in names(root)
    assert child(root, "VATNumber").text == "GB2"


def test_copies_keep_the_original_and_replace_does_not() -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert sent_json(copy.copy(inv))["Shiny"]["Level"] == 3
    assert "Shiny" not in sent_json(msgspec.structs.replace(inv, number=3))


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_deep_copies_keep_each_line_its_own_members(how: str) -> None:
    inv = get_codec("json").decode(BODY, Invoice)
    assert inv.line_items is not None
    inv.line_items.reverse()
    twin = copy.deepcopy(inv) if how == "deepcopy" else pickle.loads(pickle.dumps(inv))
    assert twin.line_items is not None and twin.line_items[0] is not inv.line_items[0]
    twin.line_items.insert(0, twin.line_items.pop())  # line 11 first again
    body = sent_json(twin)
    assert body["Shiny"]["Level"] == 3
    assert [(ln["Number"], ln.get("Colour")) for ln in body["LineItems"]] == [
        (11, "red"),
        (13, None),
        (12, "blue"),
    ]
    assert body["Address"]["Line5"] == "Annex"
    assert sent_json(inv)["LineItems"][0]["Number"] == 13  # the original is untouched


def test_page_items_are_summaries_and_whole_objects_are_not() -> None:
    codec = get_codec("json")
    page = codec.decode(b'{"Data": [{"Number": 1}, {"Number": 2}], "MetaData": {}}', Page[Invoice])
    assert all(is_summary(item) for item in page.data)
    assert not is_summary(codec.decode(b'{"Number": 1}', Invoice))
    assert not is_summary(Invoice(number=1))


@pytest.mark.parametrize(
    "how",
    [
        lambda s: msgspec.structs.replace(s, customer_reference="PO-2"),
        copy.copy,
        copy.deepcopy,
        lambda s: pickle.loads(pickle.dumps(s)),
    ],
    ids=["replace", "copy", "deepcopy", "pickle"],
)
def test_a_summary_stays_a_summary(how: Any) -> None:
    page = get_codec("json").decode(
        b'{"Data": [{"Number": 1, "CustomerCode": "C1"}], "MetaData": {"TotalRecords": 1}}',
        Page[Invoice],
    )
    twin = how(page.data[0])
    assert is_summary(twin)
    assert isinstance(twin, Invoice) and twin.number == 1
    assert repr(twin).startswith("Invoice(")


def test_other_format_keeps_nulls_and_translates_undeclared_members() -> None:
    from_json = get_codec("json").decode(BODY, Invoice)
    root = sent_xml(from_json)
    assert names(root) == sorted(names(root))
    assert child(root, "DueDate").get(f"{{{XSI}}}nil") == "true"
    shiny = child(root, "Shiny")
    assert [(local(c), c.text) for c in shiny] == [("Level", "3"), ("Tags", "a"), ("Tags", "b")]
    assert child(child(root, "Address"), "Line5").text == "Annex"
    line = child(root, "LineItems")[0]
    assert child(line, "Colour").text == "red"
    from_xml = get_codec("xml").decode(XML_BODY, Invoice)
    body = sent_json(from_xml)
    assert body["Shiny"] == {"Level": "3", "Tags": {"string": ["a", "b"]}}  # XML text: strings
    assert body["DueDate"] is None
    assert body["LineItems"][1]["Colour"] == "blue"


@pytest.mark.parametrize("wire_format", ["json", "xml"])
def test_utf8_bom_is_accepted(wire_format: str) -> None:
    codec = get_codec(wire_format)
    body = BODY if wire_format == "json" else XML_BODY
    inv = codec.decode(b"\xef\xbb\xbf" + body, Invoice)
    assert inv.number == 2
    assert codec.decode(codec.encode(inv), Invoice) == inv


def test_xml_repeated_undeclared_element_is_kept_whole() -> None:
    codec = get_codec("xml")
    inv = codec.decode(b"<Invoice><Tag>a</Tag><Number>1</Number><Tag>b</Tag></Invoice>", Invoice)
    root = sent_xml(inv)
    assert [(local(c), c.text) for c in root] == [("Number", "1"), ("Tag", "a"), ("Tag", "b")]


@pytest.mark.parametrize("wire_format", ["json", "xml"])
def test_undeclared_member_values_translate_to_and_from_json_like_values(wire_format: str) -> None:
    codec: Any = get_codec(wire_format)
    value = {"Source": "sandbox", "Level": "2", "Tags": ["a", "b"], "Gone": None}
    assert codec.plain(codec.member("Future", value)) == value
