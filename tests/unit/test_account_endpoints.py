"""Customers, suppliers, purchases and projects over mocked HTTP, in both wire formats:
URL (codes quoted), query, body sent, model returned; ``DELETE /customerlist``; the
project list's two shapes and one project's two paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from kashflow_async import (
    Customer,
    DecodeError,
    DeletionFailure,
    KashFlowClient,
    NotFoundError,
    Page,
    PageMeta,
    Project,
    Purchase,
    Supplier,
    get_codec,
)

from .helpers import BASE, MEDIA, calls, corpus, only_call, reply

CASES = [
    ("customers", "/customers", Customer, "customers.get.response", "PDRI91"),
    ("suppliers", "/suppliers", Supplier, "suppliers.get.response", "424201"),
    ("purchases", "/purchases", Purchase, "purchases.get.response", 2344375),
    ("projects", "/projects", Project, "projects.get.response", 4),
]
cases = pytest.mark.parametrize(("resource", "path", "model", "example", "key"), CASES)


@cases
async def test_get_update_delete_by_key(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient],
    resource: str, path: str, model: type[Any], example: str, key: Any,
) -> None:  # fmt: skip
    kf = make_client(wire_format=fmt)
    res = getattr(kf, resource)
    url = f"{BASE}{path}/{key}"
    mock.get(url, body=corpus(example, fmt), content_type=MEDIA[fmt])
    got = await res.get(key)
    assert type(got) is model
    assert got == get_codec("json").decode(corpus(example, "json"), model)
    mock.put(url, body=corpus(example, fmt), content_type=MEDIA[fmt])
    await res.update(key, got)
    mock.delete(url, status=204, body=b"")
    assert await res.delete(key) is None
    sent = [(m, str(u)) for m, u, _ in calls(mock)]
    assert sent == [("GET", url), ("PUT", url), ("DELETE", url)]
    put = calls(mock, "PUT")[0][2]["data"]
    assert get_codec(fmt).decode(put, model) == got


async def test_a_code_is_quoted_into_the_path(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client()
    mock.get(f"{BASE}/customers/A%20B%2F1", **reply("json", Customer(code="A B/1")))
    assert (await kf.customers.get("A B/1")).code == "A B/1"
    _, url, _ = only_call(mock)
    assert url.raw_path == "/v2/customers/A%20B%2F1"


async def test_customer_page_query(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    answer = Page(data=[Customer(code="A")], meta=PageMeta(total_records=1))
    mock.get(
        f"{BASE}/customers?page=2&perpage=5&sortby=OutstandingBalance&order=Desc"
        "&namestartswith=Jo&searchtext=smith&filterarchived=false",
        **reply(fmt, answer),
    )
    page = await kf.customers.page(
        2, perpage=5, sortby="outstandingbalance", order="desc", name_starts_with="Jo",
        search_text="smith", filter_archived=False,
    )  # fmt: skip
    assert [c.code for c in page.data] == ["A"]


async def test_purchase_page_query(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.get(
        f"{BASE}/purchases?sortby=SupplierName&filterby=Overdue&suppliercode=S1"
        "&projectnumber=3&type=Expense",
        **reply(fmt, Page(data=[Purchase(number=1)], meta=PageMeta(total_records=1))),
    )
    page = await kf.purchases.page(
        sortby="SupplierName", status="overdue", supplier_code="S1", project_number=3,
        purchase_type="expense",
    )  # fmt: skip
    assert [p.number for p in page.data] == [1]


async def test_delete_many_sends_the_codes_and_reads_the_failures(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    mock.delete(f"{BASE}/customerlist", status=204, body=b"")
    assert await kf.customers.delete_many(["A01", "B01"]) == []
    body = calls(mock, "DELETE")[0][2]["data"]
    assert get_codec(fmt).decode(body, list[str]) == ["A01", "B01"]
    failure = DeletionFailure(code="B01", reason="Customer has a GoCardless mandate.")
    mock.delete(f"{BASE}/customerlist", status=200, **reply(fmt, [failure]))
    assert await kf.customers.delete_many(["B01"]) == [failure]


@pytest.mark.parametrize("paged", [False, True])
async def test_project_list_is_an_array_or_a_page(
    fmt: str, paged: bool, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    projects = [Project(number=n, name=f"P{n}") for n in (1, 2, 3)]
    if paged:
        mock.get(
            f"{BASE}/projects?page=1&perpage=2",
            **reply(fmt, Page(data=projects[:2], meta=PageMeta(total_records=3))),
        )
        mock.get(
            f"{BASE}/projects?page=2&perpage=2",
            **reply(fmt, Page(data=projects[2:], meta=PageMeta(total_records=3))),
        )
    else:  # the whole list, however many pages were asked for: fetched once
        mock.get(f"{BASE}/projects?page=1&perpage=2", **reply(fmt, projects))
    got = [p.number async for p in kf.projects.list(perpage=2)]
    assert got == [1, 2, 3]
    assert len(calls(mock)) == (2 if paged else 1)


async def test_project_list_that_is_neither_is_a_decode_error(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    body = b"<html><body>Maintenance</body></html>" if fmt == "xml" else b'"maintenance"'
    mock.get(f"{BASE}/projects", body=body, content_type=MEDIA[fmt])
    with pytest.raises(DecodeError):
        await kf.projects.page()


async def test_one_project_falls_back_to_the_singular_path_and_keeps_it(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    error = {"Message": "No HTTP resource", "Error": "NotFound"}
    mock.get(f"{BASE}/projects/4", status=404, body=get_codec("json").encode(error),
             content_type="application/json")  # fmt: skip
    mock.get(f"{BASE}/project/4", body=corpus("projects.get.response", fmt),
             content_type=MEDIA[fmt])  # fmt: skip
    project = await kf.projects.get(4)
    assert project.name == "Dark Knight Project 1"
    mock.put(f"{BASE}/project/4", body=corpus("projects.get.response", fmt),
             content_type=MEDIA[fmt])  # fmt: skip
    await kf.projects.update(4, project)
    assert [(m, u.path) for m, u, _ in calls(mock)] == [
        ("GET", "/v2/projects/4"), ("GET", "/v2/project/4"), ("PUT", "/v2/project/4")
    ]  # fmt: skip
    mock.get(f"{BASE}/project/5", status=404, body=get_codec("json").encode(error),
             content_type="application/json")  # fmt: skip
    with pytest.raises(NotFoundError):
        await kf.projects.get(5)  # once the singular path works, no second try


async def test_hooks_see_the_documented_route_templates(
    mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    routes: list[str] = []
    kf = make_client(event_hooks={"request": [lambda event: routes.append(event.route)]})
    mock.get(f"{BASE}/customers/SHA01", **reply("json", Customer(code="SHA01")))
    mock.get(f"{BASE}/suppliers/S1", **reply("json", Supplier(code="S1")))
    mock.get(f"{BASE}/purchases/3", **reply("json", Purchase(number=3)))
    mock.delete(f"{BASE}/projects/4", status=204, body=b"")
    await kf.customers.get("SHA01")
    await kf.suppliers.get("S1")
    await kf.purchases.get(3)
    await kf.projects.delete(4)
    assert routes == [
        "/customers/{code}", "/suppliers/{code}", "/purchases/{number}", "/projects/{number}"
    ]  # fmt: skip


async def test_raw_twins_of_the_special_cases(
    fmt: str, mock: aioresponses, make_client: Callable[..., KashFlowClient]
) -> None:
    kf = make_client(wire_format=fmt)
    projects = [Project(number=1, name="P1")]
    mock.get(f"{BASE}/projects", **reply(fmt, projects))
    raw = await kf.projects.with_raw_response.page()
    assert raw.status == 200
    assert raw.parse().data == projects  # a bare array parses as its one page
    failure = DeletionFailure(code="X", reason="No such customer.")
    mock.delete(f"{BASE}/customerlist", status=200, **reply(fmt, [failure]))
    answer = await kf.customers.with_raw_response.delete_many(["X"])
    assert answer.status == 200 and answer.parse() == [failure]
