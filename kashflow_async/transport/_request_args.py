"""The checks of ``kf.request``'s arguments: which methods, paths and
query values are accepted, each checked before anything is sent.

A path is always below the base URL: it starts with ``/``, and holds no dot segment,
backslash, query, fragment or control character that could take the request
elsewhere (plain or percent-encoded).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..errors import InvalidArgumentError
from ..models._base import format_date

__all__ = ["METHODS", "check_method", "check_path", "query_params"]

#: The methods the API uses.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

_DOT_SEGMENT = re.compile(r"(?:^|/)(?:\.|%2e){1,2}(?:/|$)", re.IGNORECASE)
_ESCAPING = re.compile(r"[\\?#\x00-\x1f\x7f]|%(?:2f|5c|3f|23|00)", re.IGNORECASE)


def check_method(method: object) -> str:
    """`method` in upper case, if the API uses it; else `InvalidArgumentError`."""
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise InvalidArgumentError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    return method.upper()


def check_path(path: object) -> str:
    """`path` if it stays below the base URL (``/customers/SHA01``); else
    `InvalidArgumentError` saying why. The query goes in ``params=``, never in the path."""
    if not isinstance(path, str):
        raise InvalidArgumentError(f"path must be a string, not {type(path).__name__}")
    if not path.startswith("/") or path.startswith("//"):
        raise InvalidArgumentError(
            f"path must start with a single '/' below the base URL, not {path!r}"
        )
    if _DOT_SEGMENT.search(path):
        raise InvalidArgumentError(
            f"path {path!r} leaves the base URL ('.' or '..' segments are refused)"
        )
    found = _ESCAPING.search(path)
    if found is not None:
        what = found.group()
        hint = " (give the query as params=)" if what in ("?", "#") else ""
        raise InvalidArgumentError(f"path {path!r} holds {what!r}, which is refused{hint}")
    return path


def _query_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, Decimal)):
        return str(value)
    if isinstance(value, dt.date):
        return format_date(value)
    raise InvalidArgumentError(
        f"params[{name!r}]: a {type(value).__name__} is not a query value "
        "(str, int, Decimal, bool or date)"
    )


def query_params(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The query of `params` as text (None values left out; bools as ``true``/``false``,
    dates in the API's form). Raises `InvalidArgumentError` for anything else."""
    if params is None:
        return None
    if not isinstance(params, Mapping):
        raise InvalidArgumentError(
            f"params must be a mapping of names to values, not {type(params).__name__}"
        )
    query: dict[str, str] = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"params: names must be non-empty strings, not {name!r}")
        if value is not None:
            query[name] = _query_value(name, value)
    return query or None
