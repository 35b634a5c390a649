"""Any endpoint, modelled or not, through the client's one request path (``kf.request``).

The call gets everything a resource method gets: the session token and re-login,
retries (a POST only when it provably never arrived, or on 429 and 503), the client's
limits and coordinator, event hooks, tracing, ``with_options`` and the raw twin
(``kf.with_raw_response.request``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, get_origin

from ..codecs.plain import encode_body
from ..errors import InvalidArgumentError
from ..transport import Transport
from ..transport._body import PLAIN
from ..transport._request_args import check_method, check_path, query_params
from ._modes import Mode, Raw, _Moded, endpoint

__all__ = ["AnyEndpoint"]


def _check_cast_to(cast_to: Any) -> Any:
    """The response type for `cast_to`: `PLAIN` for None; a type or a generic alias
    (``list[Customer]``, ``Page[Customer]``) as is; else `InvalidArgumentError`."""
    if cast_to is None:
        return PLAIN
    if isinstance(cast_to, type) or get_origin(cast_to) is not None:
        return cast_to
    raise InvalidArgumentError(
        f"cast_to must be a model type (or list[...] of one), or None, not {cast_to!r}"
    )


class AnyEndpoint(_Moded[Mode]):
    """Requests to any path below the base URL (``kf.request``)."""

    __slots__ = ("_raw", "_transport")

    if TYPE_CHECKING:
        #: This object with `request` answering a `RawResponse`.
        with_raw_response: AnyEndpoint[Raw]

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._raw: Any = None

    @endpoint
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        cast_to: Any = None,
    ) -> Any:
        """Send `method` `path` (below the base URL) and answer `cast_to` (a model type,
        or None: plain Python data). See `KashFlowClient.request`."""
        method = check_method(method)
        path = check_path(path)
        query = query_params(params)
        response_type = _check_cast_to(cast_to)
        transport = self._transport
        data = None if body is None else encode_body(transport.codec, body)
        return await transport.request(
            method, path, response_type, params=query, body=body, data=data
        )
