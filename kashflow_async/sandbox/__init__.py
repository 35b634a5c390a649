"""The local KashFlow sandbox server: every endpoint of the API, in JSON and XML, from
in-memory state with the documented rules, plus seeded fault injection."""

from .faults import FaultRule, Faults, Stats
from .server import Sandbox
from .state import State

__all__ = ["FaultRule", "Faults", "Sandbox", "State", "Stats"]
