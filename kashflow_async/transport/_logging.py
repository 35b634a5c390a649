"""The ``kashflow_async`` logger, and ``KASHFLOW_LOG=debug|info`` to switch it on."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

__all__ = ["configure_from_env", "logger"]

logger = logging.getLogger("kashflow_async")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stderr handler `configure_from_env` installs (at most one)."""


def configure_from_env(environ: Mapping[str, str] | None = None) -> None:
    """Honour ``KASHFLOW_LOG``: ``debug`` or ``info`` sets the logger's level and adds one
    stderr handler; anything else leaves logging to the application."""
    value = (environ if environ is not None else os.environ).get("KASHFLOW_LOG", "")
    level = _LEVELS.get(value.strip().lower())
    if level is None:
        return
    logger.setLevel(level)
    if not any(isinstance(h, _EnvHandler) for h in logger.handlers):
        handler = _EnvHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
