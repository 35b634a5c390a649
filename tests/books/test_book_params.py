"""The argument rules of the books' resources: each checked, and put in wire form,
before anything is sent."""

from __future__ import annotations

import datetime as dt

import pytest

from kashflow_async import BankTransactionSortField, InvalidArgumentError, ProductSortField
from kashflow_async.resources._params import day, numbered
from kashflow_async.resources.bank import _TRANSACTION_FILTERS
from kashflow_async.resources.products import _FILTERS as PRODUCT_FILTERS
from kashflow_async.resources.products import product_code, product_key
from kashflow_async.resources.reference import url_date


def test_numbered_sends_the_position_of_a_name_in_any_case() -> None:
    check = numbered(ProductSortField)
    assert check("sortby", "ProductCode") == "0"
    assert check("sortby", "productname") == "1"
    assert check("sortby", ProductSortField.NOMINAL_CODE) == "2"
    with pytest.raises(InvalidArgumentError, match="sortby must be one of ProductCode"):
        check("sortby", "Price")
    assert numbered(ProductSortField, start=1)("sortby", "ProductCode") == "1"


def test_transaction_sort_columns_are_numbered_from_one() -> None:
    assert _TRANSACTION_FILTERS.build(sortby="Date") == {"sortcolumn": "1"}
    assert _TRANSACTION_FILTERS.build(sortby=BankTransactionSortField.NAME) == {"sortcolumn": "6"}


def test_product_filters_in_wire_form() -> None:
    built = PRODUCT_FILTERS.build(
        sortby="NominalCode", order="desc", name_starts_with="Mo", in_use_only=False
    )
    assert built == {
        "sortcolumn": "2",
        "order": "Desc",
        "filterbycharacter": "Mo",
        "filterbyinuseonly": "false",
    }


def test_day_is_an_iso_date_of_a_date_or_datetime() -> None:
    assert day("start_date", dt.date(2024, 1, 31)) == "2024-01-31"
    assert day("start_date", dt.datetime(2024, 1, 31, 23, 59)) == "2024-01-31"
    with pytest.raises(InvalidArgumentError, match=r"start_date must be a datetime\.date"):
        day("start_date", "2024-01-31")


def test_url_date_is_yyyymmdd() -> None:
    assert url_date("date", dt.date(2010, 6, 1)) == "20100601"
    with pytest.raises(InvalidArgumentError, match=r"date must be a datetime\.date"):
        url_date("date", "20100601")


def test_product_key_escapes_the_code_and_checks_the_nominal_code() -> None:
    assert product_key(4000, "510") == "/products/4000/510"
    assert product_key(4000, "A/B 1") == "/products/4000/A%2FB%201"
    with pytest.raises(InvalidArgumentError, match="nominal_code must be a positive"):
        product_key(0, "510")
    with pytest.raises(InvalidArgumentError, match="code must be a non-empty string"):
        product_key(4000, " ")


def test_product_code_is_text_or_a_whole_number() -> None:
    assert product_code("code", "510") == "510"
    assert product_code("code", 510) == "510"
    for bad in (True, -1, 5.0, None, ""):
        with pytest.raises(InvalidArgumentError, match="code must be a non-empty string"):
            product_code("code", bad)
