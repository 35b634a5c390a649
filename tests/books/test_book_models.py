"""Models of the books: nominal codes, products, bank accounts and transactions, VAT
rates, metadata. Both spellings decode, the documented one is sent; dates with or without
an offset and the 1900/1970 placeholders decode; money is exact; undeclared members come
back."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from kashflow_async import (
    AccountVatRate,
    AdvancedSettings,
    BankAccount,
    BankTransaction,
    Country,
    DecodeError,
    EncodeError,
    Metadata,
    Nominal,
    PaymentType,
    PayrollProvisioningStatus,
    Product,
    VatRate,
    get_codec,
)
from kashflow_async.codecs.shapes import items_or_page, list_or_empty_object
from kashflow_async.models._spellings import fold_spellings

FORMATS = ["json", "xml"]
D = Decimal


def _xml(root: str, members: dict[str, Any]) -> bytes:
    """A small XML object: one element per member (a dict is a nested object)."""

    def write(name: str, value: Any) -> str:
        if isinstance(value, dict):
            return f"<{name}>" + "".join(write(k, v) for k, v in value.items()) + f"</{name}>"
        if isinstance(value, bool):
            value = "true" if value else "false"
        return f"<{name}>{value}</{name}>"

    return write(root, members).encode()


def _body(fmt: str, root: str, members: dict[str, Any]) -> bytes:
    return json.dumps(members).encode() if fmt == "json" else _xml(root, members)


def _sent(fmt: str, data: bytes) -> set[str]:
    """The member names of an encoded object."""
    if fmt == "json":
        return set(json.loads(data))
    return {etree.QName(child).localname for child in etree.fromstring(data)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_paid_out_decodes_into_money_out_and_money_out_is_sent(fmt: str) -> None:
    codec = get_codec(fmt)
    t = codec.decode(_body(fmt, "BankTransaction", {"Id": 7, "PaidOut": "12.50"}), BankTransaction)
    assert t.money_out == D("12.50")
    sent = _sent(fmt, codec.encode(t))
    assert "MoneyOut" in sent
    assert "PaidOut" not in sent


@pytest.mark.parametrize("fmt", FORMATS)
def test_documented_spelling_wins_when_both_come(fmt: str) -> None:
    body = _body(fmt, "BankTransaction", {"MoneyOut": "3.00", "PaidOut": "4.00"})
    t = get_codec(fmt).decode(body, BankTransaction)
    assert t.money_out == D("3.00")


@pytest.mark.parametrize("fmt", FORMATS)
def test_purchase_payment_type_is_the_receipt_payment_type(fmt: str) -> None:
    codec = get_codec(fmt)
    body = _body(
        fmt, "BankAccount", {"Id": 1, "DefaultPurchasePaymentType": {"Id": 2, "Name": "BACS"}}
    )
    account = codec.decode(body, BankAccount)
    assert account.default_receipt_payment_type == PaymentType(id=2, name="BACS")
    sent = _sent(fmt, codec.encode(account))
    assert "DefaultReceiptPaymentType" in sent
    assert "DefaultPurchasePaymentType" not in sent


@pytest.mark.parametrize("fmt", FORMATS)
def test_product_other_spellings_decode_into_the_documented_fields(fmt: str) -> None:
    codec = get_codec(fmt)
    members = {"Code": "510", "WholesalePrice": "8.0000", "AutoFill": True,
               "ManagesStock": True, "WarnAt": "5"}  # fmt: skip
    product = codec.decode(_body(fmt, "Product", members), Product)
    assert product.wholesale_price == D("8.0000")
    assert product.auto_fill_line_item is True
    assert product.manage_stock_level is True
    assert product.stock_warning_quantity == D(5)
    assert _sent(fmt, codec.encode(product)) == {
        "Code", "WholeSalePrice", "AutoFillLineItem", "ManageStockLevel", "StockWarningQuantity",
    }  # fmt: skip


def test_a_built_object_with_the_other_spelling_sends_the_documented_one() -> None:
    t = BankTransaction(_paid_out=D("1.10"))
    assert t.money_out == D("1.10")
    assert json.loads(get_codec("json").encode(t)) == {"MoneyOut": 1.10}


def test_fold_spellings_leaves_a_documented_value_alone() -> None:
    t = BankTransaction(money_out=D(1))
    t._paid_out = D(2)
    fold_spellings(t, BankTransaction._spellings)
    assert (t.money_out, t._paid_out) == (D(1), None)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("value", "expected"), [("1", True), ("0", False), ("true", True)])
def test_reconciled_decodes_from_a_number_or_a_boolean(
    fmt: str, value: str, expected: bool
) -> None:
    if fmt == "json":
        body = b'{"Reconciled": ' + value.encode() + b"}"
    else:
        body = _xml("BankTransaction", {"Reconciled": value})
    assert get_codec(fmt).decode(body, BankTransaction).reconciled is expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_codes_sent_as_numbers_or_strings_decode_as_text(fmt: str) -> None:
    members = {"SupplierCode": 424201, "ReconciledId": 12, "BFSTransactionId": "x1"}
    if fmt == "xml":
        members = {k: str(v) for k, v in members.items()}
    t = get_codec(fmt).decode(_body(fmt, "BankTransaction", members), BankTransaction)
    assert (t.supplier_code, t.reconciled_id, t.bfs_transaction_id) == ("424201", "12", "x1")


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_with_and_without_offset_and_placeholders_decode(fmt: str) -> None:
    codec = get_codec(fmt)
    account = codec.decode(
        _body(fmt, "BankAccount", {
            "StartingDate": "1970-01-01 12:00:00",
            "ReconcileDate": "2017-05-02",
            "TransactionLockDate": "2017-05-02",
            "LastTransactionImportDate": "1900-01-01 12:00:00 +05:30",
        }),
        BankAccount,
    )  # fmt: skip
    assert account.starting_date == dt.datetime(1970, 1, 1, 12)
    assert account.reconcile_date == dt.date(2017, 5, 2)
    assert not isinstance(account.reconcile_date, dt.datetime)
    imported = account.last_transaction_import_date
    assert isinstance(imported, dt.datetime)
    assert imported.utcoffset() == dt.timedelta(hours=5, minutes=30)
    again = codec.decode(codec.encode(account), BankAccount)
    assert again == account
    assert json.loads(get_codec("json").encode(account))["ReconcileDate"] == "2017-05-02"


@pytest.mark.parametrize("fmt", FORMATS)
def test_undeclared_members_come_back(fmt: str) -> None:
    codec = get_codec(fmt)
    nominal = codec.decode(
        _body(fmt, "Nominal", {"Code": 4000, "Name": "Sales", "Future": "x"}), Nominal
    )
    nominal.name = "Sales A"
    again = _sent(fmt, codec.encode(nominal))
    assert again == {"Code", "Name", "Future"}


def test_money_is_exact_and_floats_are_refused() -> None:
    codec = get_codec("json")
    product = codec.decode(b'{"Price": 24.99, "VATRate": 20.0000}', Product)
    assert product.price == D("24.99")
    assert product.vat_rate == D("20.0000")
    product.price = 24.99  # type: ignore[assignment]
    with pytest.raises(EncodeError, match="Price"):
        codec.encode(product)


@pytest.mark.parametrize("fmt", FORMATS)
def test_metadata_status_is_text_comparable_with_its_enum(fmt: str) -> None:
    body = _body(fmt, "Metadata", {"PayrollProvisioningStatus": "Queued", "TotalNominalCount": 15})
    meta = get_codec(fmt).decode(body, Metadata)
    assert meta.payroll_provisioning_status == PayrollProvisioningStatus.QUEUED
    assert meta.total_nominal_count == 15
    unknown = get_codec(fmt).decode(
        _body(fmt, "Metadata", {"PayrollProvisioningStatus": "Provisioned"}), Metadata
    )
    assert unknown.payroll_provisioning_status == "Provisioned"


# ----------------------------------------------------------------------------- shapes

NOMINALS = items_or_page(Nominal)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_list_decodes_from_a_bare_array_or_a_paged_body(fmt: str) -> None:
    codec = get_codec(fmt)
    items = [Nominal(code=4000, name="Sales"), Nominal(code=5000, name="Materials")]
    from kashflow_async import Page, PageMeta

    bare = codec.decode(codec.encode(items), NOMINALS)
    paged = codec.decode(codec.encode(Page(data=items, meta=PageMeta(total_records=2))), NOMINALS)
    assert [n.code for n in bare] == [n.code for n in paged] == [4000, 5000]


@pytest.mark.parametrize("fmt", FORMATS)
def test_items_of_a_bare_array_are_summaries(fmt: str) -> None:
    from kashflow_async.codecs.lossless import is_summary

    codec = get_codec(fmt)
    found = codec.decode(codec.encode([Nominal(code=4000, name="Sales")]), NOMINALS)
    assert is_summary(found[0])


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("json", b'{"Message": "no", "Error": "x"}'),
        ("json", b"42"),
        ("xml", b"<html><body><p>Service unavailable</p></body></html>"),
    ],
)
def test_a_body_of_neither_shape_is_a_decode_error(fmt: str, body: bytes) -> None:
    with pytest.raises(DecodeError):
        get_codec(fmt).decode(body, NOMINALS)


def test_vat_rates_empty_object_is_an_empty_list() -> None:
    shape = list_or_empty_object(VatRate)
    assert get_codec("json").decode(b"{}", shape) == []
    assert get_codec("xml").decode(b"<ArrayOfCountryVatRate/>", shape) == []


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("json", b'{"CountryCode": "GB"}'),
        ("json", b"[{}]"),
        ("xml", b"<html><body><p>Service unavailable</p></body></html>"),
        ("xml", b"<a><b>1</b></a>"),
    ],
)
def test_vat_rates_of_another_shape_are_a_decode_error(fmt: str, body: bytes) -> None:
    with pytest.raises(DecodeError):
        get_codec(fmt).decode(body, list_or_empty_object(VatRate))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_nominal_list_item_carries_its_default_product(fmt: str) -> None:
    members = {
        "Code": 4000,
        "Name": "Sales",
        "DefaultProduct": {"Code": "510", "Name": "Mobile", "Price": "10.00", "InUse": True},
    }
    nominal = get_codec(fmt).decode(_body(fmt, "Nominal", members), Nominal)
    assert nominal.default_product == Product(
        code="510", name="Mobile", price=D("10.00"), in_use=True
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_advanced_settings_decode_a_numeric_auto_calculate_vat(fmt: str) -> None:
    members = {
        "AutoCalculateVAT": 1,
        "DefaultVATRate": "20.0000",
        "TransactionLockDate": "2017-05-02",
    }
    settings = get_codec(fmt).decode(_body(fmt, "AdvancedSettings", members), AdvancedSettings)
    assert settings.auto_calculate_vat is True
    assert settings.default_vat_rate == D("20.0000")
    assert settings.transaction_lock_date == dt.date(2017, 5, 2)


@pytest.mark.parametrize("fmt", FORMATS)
def test_country_and_account_vat_rate_wire_names(fmt: str) -> None:
    codec = get_codec(fmt)
    country = codec.decode(_body(fmt, "Country", {"Id": 3, "Code": "FR", "IsEU": True}), Country)
    assert (country.id, country.code, country.is_eu) == (3, "FR", True)
    body = _body(fmt, "VatRate", {"VATId": 2, "VATRate": "5.0000", "VATText": "5%"})
    rate = codec.decode(body, AccountVatRate)
    assert (rate.vat_id, rate.vat_rate, rate.vat_text) == (2, D("5.0000"), "5%")
    assert _sent(fmt, codec.encode(rate)) == {"VATId", "VATRate", "VATText"}
