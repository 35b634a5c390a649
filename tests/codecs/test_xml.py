"""The XML wire convention and hardened parsing."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from kashflow_async import (
    BulkPayment,
    BulkPaymentItem,
    Conversion,
    Credit,
    DecodeError,
    EncodeError,
    Invoice,
    InvoiceLine,
    Page,
    Quote,
    get_codec,
)
from kashflow_async.codecs import XMLCodec

xml = get_codec("xml")
NS = 'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'


def test_nil_and_missing_elements_decode_as_the_default() -> None:
    inv = xml.decode(
        f'<Invoice {NS}><Address i:nil="true"/><Number>7</Number><LineItems i:nil="true"/>'
        "</Invoice>".encode(),
        Invoice,
    )
    assert inv.address is None and inv.line_items is None and inv.customer_code is None
    assert inv.number == 7


def test_collections_one_item_empty_and_absent() -> None:
    one = xml.decode(
        b"<Invoice><LineItems><InvoiceLine><Number>1</Number></InvoiceLine></LineItems></Invoice>",
        Invoice,
    )
    assert one.line_items == [InvoiceLine(number=1)]
    empty = xml.decode(b"<Invoice><LineItems/></Invoice>", Invoice)
    assert empty.line_items == []
    spaced = xml.decode(b"<Invoice><LineItems>\n   </LineItems></Invoice>", Invoice)
    assert spaced.line_items == []
    assert xml.decode(b"<Invoice/>", Invoice).line_items is None


def test_bare_top_level_arrays() -> None:
    ints = xml.decode(
        b'<ArrayOfint xmlns="http://schemas.microsoft.com/2003/10/Serialization/Arrays">'
        b"<int>101</int><int>123</int></ArrayOfint>",
        list[int],
    )
    assert ints == [101, 123]
    credits = xml.decode(
        b"<ArrayOfCredit><Credit><Amount>46.0000</Amount><Type>CreditNote</Type></Credit>"
        b"</ArrayOfCredit>",
        list[Credit],
    )
    assert credits[0].amount == Decimal("46.0000")
    assert xml.decode(b"<ArrayOfConversion/>", list[Conversion]) == []


def test_pages_have_data_and_metadata() -> None:
    page = xml.decode(
        b"<PaginatedResultOfQuote><Data><Quote><Number>5</Number></Quote>"
        b"<Quote><Number>6</Number></Quote></Data><MetaData><TotalRecords>29</TotalRecords>"
        b"<NextPageUrl>http://h/quotes?page=2</NextPageUrl></MetaData></PaginatedResultOfQuote>",
        Page[Quote],
    )
    assert [q.number for q in page.data] == [5, 6]
    assert page.meta.total_records == 29
    assert page.meta.next_page_url == "http://h/quotes?page=2"


@pytest.mark.parametrize(
    "doc",
    [
        # another default namespace, prefixed elements, other root and item names
        b'<Whatever xmlns="urn:other"><Number>3</Number><LineItems><Anything><Number>1</Number>'
        b"</Anything></LineItems></Whatever>",
        b'<a:Invoice xmlns:a="urn:x"><a:LineItems><a:Line><a:Number>1</a:Number></a:Line>'
        b"</a:LineItems><a:Number>3</a:Number></a:Invoice>",
        # unknown elements anywhere, any order, with content
        b"<Invoice><Unknown><Deep><Deeper>1</Deeper></Deep></Unknown><LineItems><InvoiceLine>"
        b"<Mystery>x</Mystery><Number>1</Number></InvoiceLine></LineItems><Extra/>"
        b"<Number>3</Number></Invoice>",
        # a default namespace declared again inside, after a line break, after a PI
        b'<?xml version="1.0"?><?app x?><Invoice xmlns="urn:a"><LineItems xmlns="urn:b">'
        b'<InvoiceLine xmlns="urn:a"><Number>1</Number></InvoiceLine></LineItems>'
        b"<Number>3</Number></Invoice>",
        b'<Invoice\n  xmlns="urn:a"><Number>3</Number><LineItems><InvoiceLine><Number>1'
        b"</Number></InvoiceLine></LineItems></Invoice>",
    ],
)
def test_decoding_ignores_namespaces_names_and_unknown_elements(doc: bytes) -> None:
    inv = xml.decode(doc, Invoice)
    assert inv.number == 3
    assert inv.line_items == [InvoiceLine(number=1)]


def test_text_that_looks_like_a_namespace_declaration_is_kept() -> None:
    doc = (
        b'<Invoice xmlns="urn:a" a=">"><Number>3</Number>'
        b'<CustomerName> xmlns="urn:a" &gt; xmlns="urn:b"</CustomerName></Invoice>'
    )
    assert xml.decode(doc, Invoice).customer_name == ' xmlns="urn:a" > xmlns="urn:b"'


def test_syntax_errors_give_positions_in_the_document_as_received() -> None:
    doc = b'<Invoice xmlns="urn:a"><Number>3</Numbr></Invoice>'
    with pytest.raises(etree.XMLSyntaxError) as direct:
        etree.fromstring(doc)
    line, column = direct.value.position
    with pytest.raises(DecodeError) as caught:
        xml.decode(doc, Invoice)
    assert caught.value.path == f"line {line}, column {column}"


def test_encoding_orders_fields_ordinally_by_element_name() -> None:
    body = xml.encode(
        Invoice(
            vat_amount=Decimal(1),
            customer_code="C",
            number=2,
            net_amount=Decimal(3),
            vat_number="GB1",
            id=9,
        )
    ).decode()
    order = ["CustomerCode", "Id", "NetAmount", "Number", "VATAmount", "VATNumber"]
    positions = [body.index(f"<{name}>") for name in order]
    assert positions == sorted(positions)
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?><Invoice xmlns:i=')


def test_item_elements_are_named_by_type_and_arrays_by_item() -> None:
    bp = BulkPayment(payment_items=[BulkPaymentItem(object_number=1, amount=Decimal("2.50"))])
    assert (
        b"<PaymentItems><BulkPaymentItem><Amount>2.50</Amount><ObjectNumber>1</ObjectNumber>"
        b"</BulkPaymentItem></PaymentItems>" in xml.encode(bp)
    )
    assert b"<ArrayOfint " in xml.encode([101, 123]) and b"<int>123</int>" in xml.encode([101, 123])
    assert b"<ArrayOfCredit " in xml.encode([Credit(id=1)])
    assert b"<PaginatedResultOfQuote " in xml.encode(Page[Quote](data=[Quote(number=1)]))


def test_text_is_escaped_and_survives() -> None:
    text = "A & B <C> \"q\" 'a' \r\n\t  هذا هو نص اختبار £ "
    back = xml.decode(xml.encode(Invoice(customer_reference=text)), Invoice)
    assert back.customer_reference == text


def test_text_xml_cannot_carry_is_refused_on_encode() -> None:
    with pytest.raises(EncodeError, match="CustomerReference"):
        xml.encode(Invoice(customer_reference="bell\x07"))


def test_a_value_with_child_elements_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="Number"):
        xml.decode(b"<Invoice><Number><x>1</x></Number></Invoice>", Invoice)


def test_a_collection_holding_text_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="LineItems"):
        xml.decode(b"<Invoice><LineItems>oops</LineItems></Invoice>", Invoice)


# ------------------------------------------------------------------ hostile documents

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice><CustomerReference>&lol9;</CustomerReference></Invoice>"""


def quadratic_blowup() -> bytes:
    entity = "A" * 50_000
    refs = "&a;" * 50_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "{entity}">]>'
        f"<Invoice><CustomerReference>{refs}</CustomerReference></Invoice>"
    ).encode()


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(DecodeError, match="not allowed"):
        xml.decode(BILLION_LAUGHS, Invoice)


def test_quadratic_blowup_is_refused() -> None:
    with pytest.raises(DecodeError, match="not allowed"):
        xml.decode(quadratic_blowup(), Invoice)


def test_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<Invoice><CustomerReference>&x;</CustomerReference></Invoice>"
    ).encode()
    with pytest.raises(DecodeError) as info:
        xml.decode(doc, Invoice)
    assert "TOP-SECRET-CONTENT" not in str(info.value)
    # also with the declaration hidden from a byte scan (UTF-16): still no expansion
    utf16 = doc.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>')
    with pytest.raises(DecodeError) as info16:
        xml.decode(utf16.encode("utf-16"), Invoice)
    assert "TOP-SECRET-CONTENT" not in str(info16.value)


HITS: list[str] = []


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        HITS.append(self.path)
        body = b'<!ENTITY x "FETCHED">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_external_dtd_is_never_fetched() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/evil.dtd"
        docs = [
            f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url}">'
            "<Invoice><Number>1</Number></Invoice>",
            f'<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r SYSTEM "{url}">'
            "<Invoice><Number>1</Number></Invoice>",
        ]
        for i, doc in enumerate(docs):
            data = doc.encode("utf-16" if i else "utf-8")
            with pytest.raises(DecodeError, match=r"not allowed|network"):
                xml.decode(data, Invoice)
    finally:
        server.shutdown()
        server.server_close()
    assert HITS == []


@pytest.mark.parametrize("depth", [64, 256, 300])
def test_deep_nesting_is_refused(depth: int) -> None:
    doc = b"<Invoice>" + b"<a>" * depth + b"</a>" * depth + b"</Invoice>"
    with pytest.raises(DecodeError):
        xml.decode(doc, Invoice)


def test_a_huge_body_is_refused_before_parsing() -> None:
    body = (
        b"<Invoice><CustomerReference>"
        + b"x" * (100 * 1024 * 1024)
        + b"</CustomerReference></Invoice>"
    )
    with pytest.raises(DecodeError, match="exceeds"):
        xml.decode(body, Invoice)


def test_the_size_limit_is_configurable() -> None:
    small = XMLCodec(max_bytes=100)
    with pytest.raises(DecodeError, match="100-byte limit"):
        small.decode(
            b"<Invoice><CustomerReference>" + b"x" * 200 + b"</CustomerReference></Invoice>",
            Invoice,
        )
    assert small.decode(b"<Invoice><Number>1</Number></Invoice>", Invoice).number == 1


async def test_decoding_is_safe_from_several_threads() -> None:
    body = xml.encode(Page[Invoice](data=[Invoice(number=i, customer_code="C") for i in range(50)]))

    def work() -> int:
        return sum(len(xml.decode(body, Page[Invoice]).data) for _ in range(20))

    results = await asyncio.gather(*(asyncio.to_thread(work) for _ in range(4)))
    assert results == [1000] * 4
