"""``GET /users``: the account's users, a family the client does not model.

The sandbox serves it so that `KashFlowClient.request` has an unmodelled endpoint to be
shown and tested on. The shape is the one public clients observed against the live API:
a bare array of users (``Number``, ``FullName``, ``Username``, ``Email``, ``RoleNumber``,
``RoleName``, ``UserAccountDisabled``, ``LastLogin``, ``NoOfLogins``); a password or
memorable word is never returned. In XML the array is an ``ArrayOfUser`` root with one
``User`` element per user.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..codecs import get_codec
from ..codecs.plain import encode_body
from .http import account_of, answer_format

__all__ = ["user_routes"]


def users_of(username: str, logins: int) -> list[dict[str, Any]]:
    """The users of an account whose login is `username`: its administrator, who has
    logged in `logins` times."""
    return [
        {
            "Number": 1,
            "FullName": "Account Administrator",
            "Username": username,
            "Email": username if "@" in username else f"{username}@example.com",
            "RoleNumber": 6,
            "RoleName": "Full Access",
            "UserAccountDisabled": False,
            "LastLogin": "Never" if not logins else "Today",
            "NoOfLogins": logins,
        }
    ]


async def list_users(request: web.Request) -> web.Response:
    """``GET /users``: a bare array (JSON) or ``ArrayOfUser`` (XML)."""
    account = account_of(request)
    if account is None:  # pragma: no cover - the middleware authenticates first
        raise RuntimeError("no account serves this request")
    users = users_of(account.config.username, account.stats.logins)
    codec = get_codec(answer_format(request))
    body: Any = users if codec.name == "json" else {"ArrayOfUser": {"User": users}}
    return web.Response(body=encode_body(codec, body), content_type=codec.media_type)


def user_routes(prefix: str) -> list[web.RouteDef]:
    """The routes of this module under `prefix`."""
    return [web.get(prefix + "/users", list_users, allow_head=False)]
