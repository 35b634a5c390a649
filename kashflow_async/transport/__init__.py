"""The request path: session, authentication, retries and limits (no resource knowledge)."""

from .auth import SessionAuth
from .limits import Limits, PauseGate
from .retry import RetryPolicy
from .transport import DEFAULT_MAX_RESPONSE_BYTES, USER_AGENT, Transport

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "USER_AGENT",
    "Limits",
    "PauseGate",
    "RetryPolicy",
    "SessionAuth",
    "Transport",
]
