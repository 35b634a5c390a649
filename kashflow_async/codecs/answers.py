"""Answers that are not KashFlow's: what came instead of the object or list a call expects.

A maintenance page, a proxy's error page or another service's document can arrive with
HTTP 200. Decoded leniently, it would become an object with every field None, and an
update would then send that back over the real one. These rules recognise such bodies
and say what they are, for a `DecodeError`; element and root names stay free (only the
shape and the members decide). They run on the failure path or on the root only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = [
    "html_document",
    "json_document",
    "markup_document",
    "xml_list_instead_of_object",
    "xml_object_instead_of_list",
    "xml_unrelated_object",
]

_XHTML_NS = "http://www.w3.org/1999/xhtml"
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>/])",
    re.I | re.S,
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.I | re.S)


def html_document(data: bytes | bytearray | memoryview) -> str | None:
    """``an HTML document (title '...')`` if `data` is an (X)HTML page, else None."""
    head = bytes(data[:4096])
    if not _HTML_START.match(head):
        return None
    title = _TITLE.search(bytes(data[:65536]))
    if title is None:
        return "an HTML document"
    text = " ".join(title.group(1).decode("utf-8", "replace").split())[:60]
    return f"an HTML document (title {text!r})"


def markup_document(data: bytes | bytearray | memoryview) -> str | None:
    """What came if `data`, due as JSON, is markup: an HTML page or an XML document."""
    found = html_document(data)
    if found is None and bytes(data[:64]).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        found = "an XML document"
    return found


def json_document(data: bytes | bytearray | memoryview) -> str | None:
    """What came if `data`, due as XML, is JSON: ``a JSON object`` or ``a JSON array``."""
    start = bytes(data[:64]).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return {b"{": "a JSON object", b"[": "a JSON array"}.get(start)


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]


def _names(elements: Sequence[Any]) -> list[str]:
    return [_local(e.tag) for e in elements if isinstance(e.tag, str)]


def _is_html_root(root: Any) -> bool:
    tag = str(root.tag)
    return _local(tag).lower() == "html" or tag.startswith("{" + _XHTML_NS + "}")


def xml_list_instead_of_object(root: Any) -> str | None:
    """What came, if `root` (read as an object, no child a member) holds a list: one
    element name repeated."""
    names = _names(list(root))
    if names and len(set(names)) == 1:
        return f"a list of {len(names)} <{names[0]}> element{'s' if len(names) > 1 else ''}"
    return None


def xml_unrelated_object(root: Any, model: str) -> str:
    """What came instead of a `model` object: a root none of whose children is one of
    its members (an HTML page, a list, another object)."""
    if _is_html_root(root):
        return "an HTML document"
    listed = xml_list_instead_of_object(root)
    if listed is not None:
        return listed
    names = _names(list(root))
    shown = ", ".join(f"<{n}>" for n in dict.fromkeys(names) if n)
    if len(names) > 5:
        shown = ", ".join(f"<{n}>" for n in list(dict.fromkeys(names))[:5]) + ", ..."
    return f"a <{_local(root.tag)}> element whose children ({shown}) are none of {model}'s members"


def xml_object_instead_of_list(root: Any, item_fields: frozenset[str] | None) -> str | None:
    """What came instead of a list, if `root` holds an object: children of several names,
    or (for a list of objects, whose members are `item_fields`) a member holding text."""
    if _is_html_root(root):
        return "an HTML document"
    children = [c for c in root if isinstance(c.tag, str)]
    names = _names(children)
    if len(set(names)) > 1:
        shown = ", ".join(f"<{n}>" for n in list(dict.fromkeys(names))[:5])
        return f"an object (<{_local(root.tag)}> with members {shown})"
    if item_fields is not None:
        for child in children:
            if not len(child) and _local(child.tag) in item_fields and (child.text or "").strip():
                return f"an object (<{_local(root.tag)}> with member <{_local(child.tag)}>)"
    return None
