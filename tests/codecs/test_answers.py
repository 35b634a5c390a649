"""Answers that are not KashFlow's, at the codec level: each rule of `codecs.answers`, the
refusals in both formats, the hollow check, and `codecs.compare`."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from kashflow_async import DecodeError, Invoice, InvoiceLine, get_codec
from kashflow_async.codecs.answers import (
    html_document,
    json_document,
    markup_document,
    xml_list_instead_of_object,
    xml_object_instead_of_list,
    xml_unrelated_object,
)
from kashflow_async.codecs.compare import first_difference, first_plain_difference
from kashflow_async.codecs.lossless import is_hollow
from kashflow_async.models import BulkPayment, Conversion, Credit, Page, Quote

XHTML = (
    b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
    b"<title>Down  for\nmaintenance</title></head><body><p>Back soon</p></body></html>"
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (XHTML, "an HTML document (title 'Down for maintenance')"),
        (b"\xef\xbb\xbf  <!doctype HTML><html><body>x</body></html>", "an HTML document"),
        (
            b"<!-- proxy --><html><head><title>502</title></head></html>",
            "an HTML document (title '502')",
        ),
        (b"<Invoice><Number>1</Number></Invoice>", None),
        (b'{"Number": 1}', None),
        (b"<htmlish/>", None),
    ],
)
def test_html_document(data: bytes, expected: str | None) -> None:
    assert html_document(data) == expected


def test_markup_and_json_documents() -> None:
    assert markup_document(b"  <Invoice/>") == "an XML document"
    assert markup_document(XHTML) == "an HTML document (title 'Down for maintenance')"
    assert markup_document(b'{"a": 1}') is None
    assert json_document(b' {"a": 1}') == "a JSON object"
    assert json_document(b"[1]") == "a JSON array"
    assert json_document(b"<a/>") is None


def root(text: bytes) -> etree._Element:
    return etree.fromstring(text)


def test_xml_list_instead_of_object() -> None:
    assert xml_list_instead_of_object(root(b"<A><I/><I/></A>")) == "a list of 2 <I> elements"
    assert xml_list_instead_of_object(root(b"<A><I/></A>")) == "a list of 1 <I> element"
    assert xml_list_instead_of_object(root(b"<A><I/><J/></A>")) is None
    assert xml_list_instead_of_object(root(b"<A/>")) is None


def test_xml_unrelated_object() -> None:
    assert xml_unrelated_object(root(XHTML), "Invoice") == "an HTML document"
    assert (
        xml_unrelated_object(root(b"<N><Msg>x</Msg><Code/></N>"), "Invoice")
        == "a <N> element whose children (<Msg>, <Code>) are none of Invoice's members"
    )


def test_xml_object_instead_of_list() -> None:
    fields = frozenset({"Id", "Amount"})
    assert (
        xml_object_instead_of_list(root(b"<C><Id>1</Id><Amount>2</Amount></C>"), fields)
        == "an object (<C> with members <Id>, <Amount>)"
    )
    assert (
        xml_object_instead_of_list(root(b"<C><Id>1</Id></C>"), fields)
        == "an object (<C> with member <Id>)"
    )
    assert xml_object_instead_of_list(root(b"<L><C><Id>1</Id></C><C/></L>"), fields) is None
    assert xml_object_instead_of_list(root(b"<L><int>1</int><int>2</int></L>"), None) is None
    assert xml_object_instead_of_list(root(XHTML), fields) == "an HTML document"


@pytest.mark.parametrize("model", [Invoice, Quote, BulkPayment, Page[Invoice]])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_html_page_is_refused_as_any_object(fmt: str, model: type) -> None:
    with pytest.raises(DecodeError, match="an HTML document") as caught:
        get_codec(fmt).decode(XHTML, model)
    assert "came instead" in caught.value.reason


@pytest.mark.parametrize("model", [list[Credit], list[Conversion], list[int]])
def test_an_xml_object_is_refused_where_a_list_is_due(model: type) -> None:
    with pytest.raises(DecodeError, match=r"expected a list, but an object"):
        get_codec("xml").decode(b"<X><Id>1</Id><QuoteNumber>2</QuoteNumber></X>", model)


def test_an_xml_list_is_refused_where_an_object_is_due() -> None:
    with pytest.raises(DecodeError, match=r"but a list of 2 <BulkPayment> elements came"):
        get_codec("xml").decode(
            b"<ArrayOfBulkPayment><BulkPayment><Number>1</Number></BulkPayment>"
            b"<BulkPayment/></ArrayOfBulkPayment>",
            BulkPayment,
        )


def test_json_names_what_came_instead() -> None:
    with pytest.raises(DecodeError, match=r"expected an object, but a list \(a JSON array\)"):
        get_codec("json").decode(b"[]", Quote)
    with pytest.raises(DecodeError, match=r"expected a list \(a JSON array\), but an object"):
        get_codec("json").decode(b"{}", list[Credit])
    with pytest.raises(DecodeError, match="an XML document came instead"):
        get_codec("json").decode(b"<Quote><Number>1</Number></Quote>", Quote)
    with pytest.raises(DecodeError, match="a JSON object came instead"):
        get_codec("xml").decode(b'{"Number": 1}', Quote)


def test_empty_objects_and_empty_lists_still_decode() -> None:
    assert get_codec("xml").decode(b"<Quote/>", Quote) == Quote()
    assert get_codec("xml").decode(b"<ArrayOfCredit/>", list[Credit]) == []
    one = b"<ArrayOfCredit><Credit><Id>1</Id></Credit></ArrayOfCredit>"
    assert get_codec("xml").decode(one, list[Credit]) == [Credit(id=1)]


@pytest.mark.parametrize(
    ("fmt", "body", "hollow"),
    [
        ("json", b'{"Message": "maintenance"}', True),
        ("json", b"{}", True),
        ("json", b'{"Number": 1, "Future": 2}', False),
        ("xml", b"<Invoice/>", True),
        ("xml", b"<Invoice><Number>1</Number><Future/></Invoice>", False),
    ],
)
def test_hollow_objects(fmt: str, body: bytes, hollow: bool) -> None:
    assert is_hollow(get_codec(fmt).decode(body, Invoice)) is hollow
    assert not is_hollow(Invoice())


def test_first_difference_walks_declared_members_in_order() -> None:
    was = Invoice(number=1, customer_reference="a", line_items=[InvoiceLine(rate=Decimal("1.0"))])
    assert first_difference(Invoice, was, was) is None
    now = Invoice(number=1, customer_reference="a", line_items=[InvoiceLine(rate=Decimal("1.00"))])
    assert first_difference(Invoice, was, now) is None  # one amount
    now.line_items = [InvoiceLine(rate=Decimal(2))]
    assert first_difference(Invoice, was, now) == ("LineItems[0].Rate", Decimal("1.0"), Decimal(2))
    now.line_items.append(InvoiceLine())
    assert first_difference(Invoice, was, now) == ("LineItems", "1 items", "2 items")
    now.customer_reference = None
    assert first_difference(Invoice, was, now) == ("CustomerReference", "a", None)
    assert first_difference(Invoice, Invoice(next_number=2), Invoice(next_number=3)) is None


def test_first_plain_difference() -> None:
    assert first_plain_difference({"a": 1, "b": [1, {"c": 2}]}, {"a": 1, "b": [1, {"c": 3}]}) == (
        "b[1].c",
        2,
        3,
    )
    assert first_plain_difference({"a": 1}, {"a": 1, "New": 2}) == ("New", None, 2)
    assert first_plain_difference({"NextNumber": 1}, {"NextNumber": 2}) is None
    assert first_plain_difference([1], [1, 2]) == ("$", [1], [1, 2])
