"""Benchmark 1: decode and encode of a list page and of a full invoice, against the rivals
and against the floors: msgspec's untyped JSON decode with exact Decimals, and lxml's
parse plus one pass over every element."""

from __future__ import annotations

import gc
import random
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import msgspec
import pydantic
from lxml import etree

from kashflow_async.codecs import get_codec
from kashflow_async.codecs.xml_codec import hardened_parser
from kashflow_async.models import Invoice, Page

from . import _rivals as rv
from ._data import Documents
from ._stats import calibrate, fmt, paired_ratio, summarize, table, time_batch

__all__ = ["CONTENDERS", "FLOORS", "render", "render_floors", "run", "targets"]

#: contender names, in table order; the first is the reference of every ratio
CONTENDERS = (
    "kashflow-async JSON",
    "kashflow-async XML",
    "pydantic v2 JSON",
    "stdlib json + dataclasses",
    "xmltodict + pydantic",
    "ElementTree walk",
)
#: decode floors: what any decoder of these bytes must at least do (values not comparable)
JSON_FLOOR = "msgspec untyped, Decimal floats (JSON floor)"
XML_FLOOR = "lxml parse + one pass over every element (XML floor)"
FLOORS = (JSON_FLOOR, XML_FLOOR)
#: goal: decode time at most this multiple of the floor
FLOOR_GOAL = 1.15
CASES = ("page", "invoice")
OPS = ("decode", "encode")


def _decoders(docs: Documents) -> dict[tuple[str, str], Callable[[], Any]]:
    js, xml = get_codec("json"), get_codec("xml")
    page_t: Any = Page[Invoice]
    out: dict[tuple[str, str], Callable[[], Any]] = {}
    cases: Any = (
        ("page", docs.page_json, docs.page_xml, page_t, rv.PPage, rv.XPage, rv.DPage),
        (
            "invoice",
            docs.invoice_json,
            docs.invoice_xml,
            Invoice,
            rv.PInvoice,
            rv.XInvoice,
            rv.DInvoice,
        ),
    )
    for case, jdata, xdata, kf_t, p_t, x_t, d_t in cases:
        out["kashflow-async JSON", case] = partial(js.decode, jdata, kf_t)
        out["kashflow-async XML", case] = partial(xml.decode, xdata, kf_t)
        out["pydantic v2 JSON", case] = partial(p_t.model_validate_json, jdata)
        out["stdlib json + dataclasses", case] = partial(rv.json_dc_decode, jdata, d_t)
        out["xmltodict + pydantic", case] = partial(rv.xmltodict_decode, xdata, x_t)
        out["ElementTree walk", case] = partial(rv.et_decode, xdata, d_t)
    return out


_UNTYPED = msgspec.json.Decoder(float_hook=Decimal)
#: the XML codec's own parser settings (hardened: no entities, DTDs or network)
_PARSER = hardened_parser()


def _lxml_pass(data: bytes) -> int:
    """Parse, then read every element's tag and text once."""
    n = 0
    for el in etree.fromstring(data, _PARSER).iter():
        el.tag  # noqa: B018
        el.text  # noqa: B018
        n += 1
    return n


def _floors(docs: Documents) -> dict[tuple[str, str], Callable[[], Any]]:
    out: dict[tuple[str, str], Callable[[], Any]] = {}
    for case, jdata, xdata in (
        ("page", docs.page_json, docs.page_xml),
        ("invoice", docs.invoice_json, docs.invoice_xml),
    ):
        out[JSON_FLOOR, case] = partial(_UNTYPED.decode, jdata)
        out[XML_FLOOR, case] = partial(_lxml_pass, xdata)
    return out


def _pydantic_json(obj: pydantic.BaseModel) -> bytes:
    return obj.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")


def _encoders(docs: Documents) -> dict[tuple[str, str], Callable[[], bytes]]:
    js, xml = get_codec("json"), get_codec("xml")
    out: dict[tuple[str, str], Callable[[], bytes]] = {}
    cases: Any = (
        ("page", docs.page, rv.PPage, rv.DPage, "PaginatedResultOfInvoice"),
        ("invoice", docs.invoice, rv.PInvoice, rv.DInvoice, "Invoice"),
    )
    for case, value, p_t, d_t, root in cases:
        p_obj = p_t.model_validate_json(js.encode(value))
        d_obj = rv.json_dc_decode(js.encode(value), d_t)
        out["kashflow-async JSON", case] = partial(js.encode, value)
        out["kashflow-async XML", case] = partial(xml.encode, value)
        out["pydantic v2 JSON", case] = partial(_pydantic_json, p_obj)
        out["stdlib json + dataclasses", case] = partial(rv.json_dc_encode, d_obj)
        out["xmltodict + pydantic", case] = partial(rv.xmltodict_encode, p_obj, root)
        out["ElementTree walk", case] = partial(rv.et_encode, d_obj, root)
    return out


_XML_CONTENDERS = {"kashflow-async XML", "xmltodict + pydantic", "ElementTree walk"}


def check(docs: Documents) -> None:
    """Every contender decodes to the same values, and its encoding decodes back to them."""
    js, xml = get_codec("json"), get_codec("xml")
    expected = {"page": rv.canonical(docs.page), "invoice": rv.canonical(docs.invoice)}
    types: dict[str, Any] = {"page": Page[Invoice], "invoice": Invoice}
    for (name, case), fn in _decoders(docs).items():
        got = rv.canonical(fn())
        if got != expected[case]:
            raise AssertionError(f"{name} decodes the {case} to different values")
    for (name, case), enc in _encoders(docs).items():
        codec = xml if name in _XML_CONTENDERS else js
        back = rv.canonical(codec.decode(enc(), types[case]))
        if back != expected[case]:
            raise AssertionError(f"{name} encodes the {case} to different values")


def run(*, rounds: int, batch_s: float, seed: int = 0) -> dict[str, Any]:
    """Time every (contender, case, op) in `rounds` interleaved rounds (order shuffled per
    round); µs per document."""
    docs = Documents()
    check(docs)
    fns: dict[tuple[str, str, str], Callable[[], Any]] = {}
    for (name, case), fn in (_decoders(docs) | _floors(docs)).items():
        fns[name, case, "decode"] = fn
    for (name, case), fn in _encoders(docs).items():
        fns[name, case, "encode"] = fn
    numbers = {key: calibrate(fn, batch_s) for key, fn in fns.items()}
    samples: dict[tuple[str, str, str], list[float]] = {key: [] for key in fns}
    order = list(fns)
    rng = random.Random(seed)
    for _ in range(rounds):
        rng.shuffle(order)
        gc.collect()
        for key in order:
            samples[key].append(time_batch(fns[key], numbers[key]) * 1e6)
    results: dict[str, Any] = {
        "documents": {
            "page": {
                "invoices": len(docs.page.data),
                "json_bytes": len(docs.page_json),
                "xml_bytes": len(docs.page_xml),
            },
            "invoice": {
                "lines": len(docs.invoice.line_items or []),
                "json_bytes": len(docs.invoice_json),
                "xml_bytes": len(docs.invoice_xml),
            },
        },
        "rounds": rounds,
        "us": {},
    }
    for (name, case, op), values in samples.items():
        results["us"].setdefault(op, {}).setdefault(case, {})[name] = {
            **summarize(values).as_dict(),
            "calls_per_round": numbers[name, case, op],
        }
    return results


def ratio(results: dict[str, Any], op: str, case: str, name: str, ref: str) -> float:
    """How many times faster `name` is than `ref` (median over the rounds of ref ÷ name)."""
    us = results["us"][op][case]
    return paired_ratio(us[ref], us[name])


def render(results: dict[str, Any]) -> str:
    """Markdown tables: µs per document, spread, ratio to kashflow-async JSON."""
    docs = results["documents"]
    parts = [
        f"Documents: a list page of {docs['page']['invoices']} invoice summaries "
        f"({docs['page']['json_bytes']:,} B JSON, {docs['page']['xml_bytes']:,} B XML) and "
        f"one invoice of {docs['invoice']['lines']} lines "
        f"({docs['invoice']['json_bytes']:,} B JSON, {docs['invoice']['xml_bytes']:,} B XML). "
        f"{results['rounds']} interleaved rounds (order shuffled each round); GC off inside "
        "a batch. Every contender was first checked to decode to the same values (and its "
        "encoding to decode back to them). ×ref = time of kashflow-async JSON ÷ time of the "
        "contender in the same round, median over the rounds (below 1: slower).",
    ]
    ref = CONTENDERS[0]
    for op in OPS:
        header = ["contender"]
        for case in CASES:
            label = "page" if case == "page" else "invoice"
            header += [f"{label} µs (median)", f"{label} IQR", f"{label} ×ref"]
        rows = []
        for name in CONTENDERS + (FLOORS if op == "decode" else ()):
            row = [name]
            for case in CASES:
                s = results["us"][op][case][name]
                row += [
                    fmt(s["median"]),
                    f"{fmt(s['p25'])}–{fmt(s['p75'])}",
                    f"{ratio(results, op, case, name, ref):.2f}",
                ]
            rows.append(row)
        parts.append(f"**{op.capitalize()}**\n\n" + table(header, rows))
    parts.append(render_floors(results))
    return "\n\n".join(parts)


#: (our decoder, its floor, the user's alternative) per format
_AGAINST = (
    ("JSON", "kashflow-async JSON", JSON_FLOOR, "pydantic v2 JSON"),
    ("XML", "kashflow-async XML", XML_FLOOR, "xmltodict + pydantic"),
)


def floor_ratio(results: dict[str, Any], case: str, name: str, floor: str) -> float:
    """Decode time of `name` over that of `floor` (1.00: at the floor)."""
    us = results["us"]["decode"][case]
    return paired_ratio(us[name], us[floor])  # median of name ÷ floor over the rounds


def render_floors(results: dict[str, Any]) -> str:
    """Markdown: our decoders against their floors and the user's alternatives."""
    rows = []
    for fmt_, name, floor, alternative in _AGAINST:
        for case in CASES:
            us = results["us"]["decode"][case]
            rows.append(
                [
                    f"{fmt_} {case}",
                    fmt(us[name]["median"]),
                    fmt(us[floor]["median"]),
                    f"{floor_ratio(results, case, name, floor):.2f}",
                    f"{ratio(results, 'decode', case, name, alternative):.1f}",
                ]
            )
    header = ["decode", "ours µs", "floor µs", "ours ÷ floor", "× faster than the alternative"]
    return (
        f"**Decode against the floors** (goal: at most {FLOOR_GOAL:.2f}× the floor). JSON "
        "floor: `msgspec.json.Decoder(float_hook=Decimal)`, an untyped decode of the same "
        "bytes with exact Decimals, no types checked; XML floor: lxml's parse with the "
        "codec's hardened parser settings plus reading `.tag` and `.text` of every "
        "element. The user's alternatives: pydantic v2 (JSON), xmltodict + pydantic "
        "(XML).\n\n" + table(header, rows)
    )


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for the codec targets."""
    out = []
    for fmt_, name, floor, _ in _AGAINST:
        for case in CASES:
            r = floor_ratio(results, case, name, floor)
            out.append(
                (
                    f"{fmt_} decode ≤{FLOOR_GOAL:.2f}× its floor ({case})",
                    f"{r:.2f}×",
                    r <= FLOOR_GOAL,
                )
            )
    for case in CASES:
        j = ratio(results, "decode", case, "kashflow-async JSON", "pydantic v2 JSON")
        out.append(
            (f"JSON decode ≥5× pydantic v2 ({case})", f"{j:.1f}×", j >= 5.0),
        )
        x = ratio(results, "decode", case, "kashflow-async XML", "xmltodict + pydantic")
        out.append((f"XML decode ≥5× xmltodict + pydantic ({case})", f"{x:.1f}×", x >= 5.0))
        e = ratio(results, "decode", case, "kashflow-async XML", "ElementTree walk")
        out.append(
            (f"XML decode no slower than the ElementTree walk ({case})", f"{e:.2f}×", e >= 1.0)
        )
    return out
