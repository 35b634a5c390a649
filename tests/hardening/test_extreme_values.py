"""Property: extreme numbers (and dates) sent to every sandbox endpoint, in JSON and XML
bodies, paths and queries, never get a 500. A value the server's .NET types cannot hold
gets a 400 with a KashFlow-shaped body; nothing is numbered from a huge number.

The sandbox runs on 127.0.0.1 in a thread of its own for the module; requests go out
through a plain aiohttp session (the client would refuse such values before sending:
`tests/codecs/test_ranges.py`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from kashflow_async.sandbox import Sandbox

from .support import sandbox_thread

INT32_MAX = 2**31 - 1

#: numbers at and beyond the edges of .NET decimal and int, as wire text
EDGES = [
    "1e400",
    "-1e400",
    "1E-400",
    "99999999999999999999999999999999",
    "79228162514264337593543950335",  # the largest decimal
    "79228162514264337593543950336",  # one beyond it
    "-79228162514264337593543950335",
    "7e28",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "1.00000000000000000000000000000000001",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999999",
    "NaN",
    "Infinity",
    "-0",
    "0",
    "1",
    "-1",
]
NUMBERS = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
ORDINARY = st.sampled_from(["1", "2", "3", "10.50", "0", "20"])
DATES = st.sampled_from(
    ["9999-12-31 23:59:59", "0001-01-01 00:00:00", "9999-12-31", "2024-02-29 12:00:00 +14:00"]
)


class Slot:
    """A place in a body template that the property fills."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


N = Slot("number")
D = Slot("date")

LINE = {"Number": 0, "Quantity": N, "Rate": N, "VATLevel": N, "VATAmount": N, "ProjectNumber": N}
DOCUMENT = {
    "Number": N,
    "CustomerCode": "@customer",
    "IssuedDate": D,
    "DueDate": D,
    "Discount": N,
    "Currency": {"Code": "EUR", "ExchangeRate": N},
    "LineItems": [LINE, {"Quantity": N, "Rate": N, "Description": "x"}],
}
INVOICE = {
    **DOCUMENT,
    "PaymentLines": [{"Amount": N, "Date": D, "Method": N, "AccountId": N}],
}
BULK = {
    "Number": N,
    "Date": D,
    "AccountId": N,
    "Method": N,
    "PaymentItems": [{"ObjectNumber": N, "Amount": N}, {"ObjectNumber": 1, "Amount": N}],
}
CREDITS = [{"Id": N, "Amount": N, "Type": "CreditNote", "Date": D}]
ADDRESS = {"Line1": N, "PostCode": N}


@dataclass(frozen=True)
class Endpoint:
    """One sandbox route: method, path (``{n}`` a number slot), body template, item
    element names for XML lists, query parameters (values may be slots)."""

    name: str
    method: str
    path: str
    body: Any = None
    items: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, Any], ...] = ()


ENDPOINTS = [
    Endpoint("login", "POST", "/sessiontoken", {"UserName": N, "Password": N}),
    Endpoint(
        "verify",
        "PUT",
        "/sessiontoken",
        {"TemporaryToken": N, "MemorableWordList": [{"Position": N, "Value": N}]},
        (("MemorableWordList", "MemorableWordPosition"),),
    ),
    Endpoint("logout", "DELETE", "/sessiontoken/{n}"),
    Endpoint(
        "invoices page",
        "GET",
        "/invoices",
        query=(("page", N), ("perpage", N), ("projectnumber", N)),
    ),
    Endpoint("invoice get", "GET", "/invoices/{n}"),
    Endpoint(
        "invoice create",
        "POST",
        "/invoices",
        INVOICE,
        (("LineItems", "InvoiceLine"), ("PaymentLines", "PaymentLine")),
    ),
    Endpoint(
        "invoice update",
        "PUT",
        "/invoices/{n}",
        INVOICE,
        (("LineItems", "InvoiceLine"), ("PaymentLines", "PaymentLine")),
    ),
    Endpoint("invoice delete", "DELETE", "/invoices/{n}"),
    Endpoint(
        "invoice address",
        "PUT",
        "/invoices/address",
        ADDRESS,
        query=(("customercode", "@customer"),),
    ),
    Endpoint("quotes page", "GET", "/quotes", query=(("page", N), ("perpage", N))),
    Endpoint("quote get", "GET", "/quotes/{n}"),
    Endpoint("quote create", "POST", "/quotes", DOCUMENT, (("LineItems", "QuoteLine"),)),
    Endpoint("quote update", "PUT", "/quotes/{n}", DOCUMENT, (("LineItems", "QuoteLine"),)),
    Endpoint("quote delete", "DELETE", "/quotes/{n}"),
    *(
        endpoint
        for kind in ("invoices", "purchases")
        for endpoint in (
            Endpoint(f"{kind} bulk get", "GET", f"/{kind}/bulk/payments/{{n}}"),
            Endpoint(
                f"{kind} bulk create",
                "POST",
                f"/{kind}/bulk/payments",
                BULK,
                (("PaymentItems", "BulkPaymentItem"),),
            ),
            Endpoint(
                f"{kind} bulk update",
                "PUT",
                f"/{kind}/bulk/payments/{{n}}",
                BULK,
                (("PaymentItems", "BulkPaymentItem"),),
            ),
            Endpoint(f"{kind} bulk delete", "DELETE", f"/{kind}/bulk/payments/{{n}}"),
        )
    ),
    Endpoint("credits", "GET", "/internal/invoices/{n}/credits"),
    Endpoint(
        "apply credits", "POST", "/internal/invoices/{n}/credits", CREDITS, (("$", "Credit"),)
    ),
    Endpoint(
        "convert quotes",
        "POST",
        "/internal/invoices",
        [N, N, 1],
        (("$", "int"),),
        query=(("convertfrom", "quote"), ("retainafterconversion", "true")),
    ),
]


class Filler:
    """Fills the slots of a template, in order, from drawn values."""

    def __init__(self, numbers: list[str], dates: list[str], customer: str) -> None:
        self.numbers = iter(numbers)
        self.dates = iter(dates)
        self.customer = customer

    def value(self, leaf: Any) -> Any:
        if leaf is N:
            return next(self.numbers, "1")
        if leaf is D:
            return next(self.dates, "2024-01-01")
        if leaf == "@customer":
            return self.customer
        return leaf


def as_json(template: Any, fill: Filler) -> bytes:
    """JSON text with each slot's text put in raw (numbers as written, dates quoted)."""
    if isinstance(template, dict):
        members = (f"{json.dumps(k)}: {as_json(v, fill).decode()}" for k, v in template.items())
        return ("{" + ", ".join(members) + "}").encode()
    if isinstance(template, list):
        return ("[" + ", ".join(as_json(v, fill).decode() for v in template) + "]").encode()
    value = fill.value(template)
    if template is N:
        return str(value).encode()
    return json.dumps(value).encode()


def as_xml(template: Any, fill: Filler, items: dict[str, str]) -> bytes:
    root = etree.Element("Root")
    _xml_into(root, "$", template, fill, items)
    return etree.tostring(root)


def _xml_into(parent: Any, name: str, template: Any, fill: Filler, items: dict[str, str]) -> None:
    if isinstance(template, dict):
        for key in sorted(template):
            child = etree.SubElement(parent, key)
            _xml_into(child, key, template[key], fill, items)
    elif isinstance(template, list):
        for value in template:
            child = etree.SubElement(parent, items.get(name, "Item"))
            _xml_into(child, "", value, fill, items)
    else:
        parent.text = str(fill.value(template))


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(seed=5, invoices=30, quotes=10, customers=4, purchases=6)
    with sandbox_thread(sandbox):
        customer = sandbox.state.invoices.copy_of(1).customer_code or ""
        yield sandbox, customer


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_extreme_values_never_get_a_500(served: tuple[Sandbox, str], endpoint: Endpoint) -> None:
    sb, customer = served
    loop = asyncio.new_event_loop()
    session = loop.run_until_complete(_session())
    statuses: dict[int, int] = {}

    async def send(fmt: str, numbers: list[str], dates: list[str], path_number: str) -> None:
        fill = Filler(numbers, dates, customer)
        media = "application/json" if fmt == "json" else "application/xml"
        headers = {"Authorization": f"KfToken {sb.token}", "Accept": media}
        data = None
        if endpoint.body is not None:
            data = (
                as_json(endpoint.body, fill)
                if fmt == "json"
                else as_xml(endpoint.body, fill, dict(endpoint.items))
            )
            headers["Content-Type"] = media
        query = {k: str(fill.value(v)) for k, v in endpoint.query}
        path = endpoint.path.replace("{n}", path_number)
        async with session.request(
            endpoint.method, sb.url + path, params=query, data=data, headers=headers
        ) as resp:
            body = await resp.read()
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
            assert resp.status < 500, (resp.status, body[:300], data)
            if resp.status == 400:
                if fmt == "json":
                    error = json.loads(body)
                    assert error["Error"] and error["Message"], body
                else:
                    names = {etree.QName(c).localname for c in etree.fromstring(body)}
                    assert {"Error", "Message"} <= names, body

    @settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(
        fmt=st.sampled_from(["json", "xml"]),
        numbers=st.lists(ORDINARY, min_size=12, max_size=12),
        extremes=st.lists(st.tuples(st.integers(0, 11), NUMBERS), min_size=1, max_size=3),
        dates=st.lists(DATES, min_size=4, max_size=4),
        path_number=st.one_of(
            st.sampled_from(["1", "2", "2147483648"]), NUMBERS.filter(lambda t: t.isdigit())
        ),
    )
    def check(
        fmt: str,
        numbers: list[str],
        extremes: list[tuple[int, str]],
        dates: list[str],
        path_number: str,
    ) -> None:
        for at, value in extremes:  # a few slots extreme, the rest ordinary
            numbers[at] = value
        loop.run_until_complete(asyncio.wait_for(send(fmt, numbers, dates, path_number), 30))

    try:
        check()
    finally:
        loop.run_until_complete(session.close())
        loop.close()
    assert sum(statuses.values()) > 0
    numbers = sb.state.invoices.numbers()
    assert not numbers or numbers[-1] <= INT32_MAX  # never numbered from a huge number


async def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


# ---------------------------------------------------------------------------- the cases


def xml_invoice(number: str, quantity: str, customer: str) -> bytes:
    return (
        f"<Invoice><CustomerCode>{customer}</CustomerCode><LineItems><InvoiceLine>"
        f"<Quantity>{quantity}</Quantity><Rate>2</Rate></InvoiceLine></LineItems>"
        f"<Number>{number}</Number></Invoice>"
    ).encode()


def json_invoice(number: str, quantity: str, customer: str) -> bytes:
    return (
        f'{{"Number": {number}, "CustomerCode": "{customer}", '
        f'"LineItems": [{{"Quantity": {quantity}, "Rate": 2}}]}}'
    ).encode()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("number", "quantity", "why"),
    [
        ("0", "1e400", "$.LineItems[0].Quantity: 1E+400 is beyond the API's decimal range"),
        ("0", "9" * 32, "$.LineItems[0].Quantity: " + "9" * 32 + " is beyond"),
        ("0", "7e28", "beyond the range of a decimal"),  # held, but 2 x 7e28 is not
        ("99999999999999999999", "1", "$.Number: 99999999999999999999 is beyond"),
    ],
)
def test_huge_numbers_get_400_and_never_number_new_invoices(
    served: tuple[Sandbox, str], fmt: str, number: str, quantity: str, why: str
) -> None:
    sb, customer = served
    media = f"application/{fmt}"
    make = json_invoice if fmt == "json" else xml_invoice

    async def post(body: bytes) -> tuple[int, bytes]:
        headers = {"Authorization": f"KfToken {sb.token}", "Accept": media, "Content-Type": media}
        async with (
            aiohttp.ClientSession() as session,
            session.post(sb.url + "/invoices", data=body, headers=headers) as resp,
        ):
            return resp.status, await resp.read()

    status, body = asyncio.run(post(make(number, quantity, customer)))
    assert status == 400, body
    assert why in body.decode()
    assert (b'"Error":"BadRequest"' in body) if fmt == "json" else (b"<Error>BadRequest" in body)
    status, body = asyncio.run(post(make("0", "1", customer)))
    assert status == 201
    assert sb.state.invoices.numbers()[-1] <= INT32_MAX


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_highest_number_and_the_last_day_get_400_not_500(fmt: str) -> None:
    """Found by the fuzz profile: an invoice numbered 2147483647 left the next automatic
    number beyond 32 bits, and a due date computed past 9999-12-31 overflowed."""
    media = f"application/{fmt}"
    make = json_invoice if fmt == "json" else xml_invoice

    async def run() -> list[tuple[int, bytes]]:
        async with Sandbox(seed=2, invoices=3, quotes=1, customers=2, purchases=1) as sb:
            customer = sb.state.invoices.copy_of(1).customer_code or ""
            headers = {"Authorization": f"KfToken {sb.token}", "Accept": media}
            headers["Content-Type"] = media
            late = (
                f'{{"Number": 5000, "CustomerCode": "{customer}", '
                '"IssuedDate": "9999-12-31 12:00:00", '
                '"LineItems": [{"Quantity": 1, "Rate": 1}]}'
            ).encode()
            if fmt == "xml":
                late = (
                    f"<Invoice><CustomerCode>{customer}</CustomerCode><Number>5000</Number>"
                    "<IssuedDate>9999-12-31 12:00:00</IssuedDate><LineItems><InvoiceLine>"
                    "<Quantity>1</Quantity><Rate>1</Rate></InvoiceLine></LineItems></Invoice>"
                ).encode()
            out = []
            async with aiohttp.ClientSession() as session:
                for body in (make(str(INT32_MAX), "1", customer), make("0", "1", customer), late):
                    async with session.post(sb.url + "/invoices", data=body, headers=headers) as r:
                        out.append((r.status, await r.read()))
            return out

    (top, _), (after, after_body), (late, late_body) = asyncio.run(run())
    assert top == 201
    assert after == 400 and b"No invoice number is left after 2147483647" in after_body
    assert late == 400 and b"beyond 9999-12-31" in late_body
