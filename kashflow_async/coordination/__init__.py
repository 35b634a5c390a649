"""Many processes, one account: limits, 429 pauses and the session shared through Redis.
Needs the extra ``kashflow-async[redis]``; redis-py is imported only when a
`RedisCoordinator` is made."""

from ..errors import CoordinationError
from .accounts import Coordination
from .base import Coordinator
from .coordinator import RedisCoordinator

__all__ = ["Coordination", "CoordinationError", "Coordinator", "RedisCoordinator"]
