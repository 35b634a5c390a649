"""The Redis keys of a namespace: all under one hash tag, so Redis Cluster keeps them in
one slot and accepts scripts that touch several of them."""

from __future__ import annotations

from ..errors import InvalidArgumentError

__all__ = ["Keys"]


class Keys:
    """``kashflow:{<namespace>}:<name>`` for each key a namespace uses."""

    __slots__ = ("heartbeats", "leases", "login_lock", "paused", "rate", "released", "token")

    def __init__(self, namespace: str) -> None:
        if not isinstance(namespace, str) or not namespace:
            raise InvalidArgumentError(f"namespace must be a non-empty string, not {namespace!r}")
        if "{" in namespace or "}" in namespace:
            raise InvalidArgumentError(
                f"namespace must not contain '{{' or '}}' (it becomes a hash tag): {namespace!r}"
            )
        prefix = f"kashflow:{{{namespace}}}:"
        #: the GCRA theoretical arrival time (µs of Redis time)
        self.rate = prefix + "rate"
        #: paused until (µs of Redis time), set by a 429
        self.paused = prefix + "paused"
        #: sorted set of in-flight leases, scored by expiry (µs of Redis time)
        self.leases = prefix + "leases"
        #: sorted set of lease ids released before their admit ran, scored by expiry
        self.released = prefix + "released"
        #: sorted set of the live coordinators (processes) of the namespace, by expiry
        self.heartbeats = prefix + "heartbeats"
        #: the shared session token, sealed with a key only its own credentials derive
        self.token = prefix + "token"
        #: held by the one client that is logging in
        self.login_lock = prefix + "login"
