"""Checking and regenerating a page's examples (`check`, `update`); the shared servers."""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .blocks import Block, mask, needs_api, needs_redis, page_name, parse, render, sandbox_options
from .execute import Console, Ran, redis_process, run_python, sandbox_process

__all__ = ["Servers", "check", "compare", "redis_missing", "servers", "update"]


def redis_missing() -> str | None:
    """Why blocks that need Redis cannot run (None when they can)."""
    if shutil.which("redis-server"):
        return None
    return "redis-server is not installed" + (
        " (CI is set: it must be)" if os.environ.get("CI") else ""
    )


class Servers:
    """The sandboxes (one per set of page options) and the redis-server the python blocks
    may need, started on first use and stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stack = contextlib.ExitStack()
        self._api: dict[tuple[str, ...], dict[str, str]] = {}
        self._redis: str | None = None

    def env_for(self, block: Block, options: list[str]) -> dict[str, str]:
        env: dict[str, str] = {}
        if needs_api(block):
            key = tuple(options)
            if key not in self._api:
                self._api[key] = self.stack.enter_context(sandbox_process(options, self.folder))
            env.update(self._api[key])
        if needs_redis(block):
            if self._redis is None:
                self._redis = self.stack.enter_context(redis_process(self.folder))
            env["REDIS_URL"] = self._redis
        return env

    def close(self) -> None:
        self.stack.close()


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    with tempfile.TemporaryDirectory(prefix="kashflow-docs-") as tmp:
        shared = Servers(Path(tmp))
        try:
            yield shared
        finally:
            shared.close()


def _run_all(path: Path) -> tuple[dict[int, Ran], Console, list[str]]:
    text = path.read_text()
    blocks = parse(text, page_name(path))
    options = sandbox_options(text)
    python: dict[int, Ran] = {}
    skipped: list[str] = []
    reason = redis_missing()
    with servers() as shared:
        for block in (b for b in blocks if b.lang == "python"):
            if needs_redis(block) and reason:
                if os.environ.get("CI"):
                    raise RuntimeError(f"{block.name}: {reason}")
                skipped.append(f"{block.name}: skipped: {reason}")
                continue
            ran = run_python(block, shared.folder, shared.env_for(block, options))
            if ran.code != 0:
                raise RuntimeError(f"{block.name} failed (exit {ran.code}):\n{ran.errors}")
            python[block.start] = ran
    console = Console([b for b in blocks if b.lang == "console"])
    console.run(options)
    return python, console, skipped


def update(path: Path) -> list[str]:
    """Run every block and command of the page at `path` and write their outputs into
    it; what was skipped."""
    text = path.read_text()
    python, console, skipped = _run_all(path)
    replace: dict[int, list[str]] = {}
    for block in parse(text, page_name(path)):
        if block.start in python:
            out = python[block.start].output.rstrip("\n")
            shown = "\n".join(block.output.body) if block.output else ""
            if not compare(block.name, shown, out):
                continue  # unchanged but for volatile parts: keep the page's text
            if block.output is not None and out:
                replace[block.output.start] = out.split("\n")
            elif out:
                replace[block.start] = out.split("\n")
            elif block.output is not None:
                replace[-block.start] = []
        elif block.start in console.bodies:
            body = console.bodies[block.start]
            if compare(block.name, "\n".join(block.body), "\n".join(body), console.folder):
                replace[block.start] = body
    if path.read_text() != text:  # written by others meanwhile? then run again
        raise RuntimeError(f"{page_name(path)} changed while the examples ran: update again")
    path.write_text(render(text, replace))
    return skipped


def check(path: Path) -> list[str]:
    """Run everything on the page at `path`; the differences from the page (masked), as
    unified diffs."""
    text = path.read_text()
    python, console, _ = _run_all(path)
    problems: list[str] = []
    for block in parse(text, page_name(path)):
        if block.start in python:
            shown = "\n".join(block.output.body) if block.output else ""
            problems += compare(block.name, shown, python[block.start].output)
        elif block.start in console.bodies:
            shown = "\n".join(block.body)
            problems += compare(
                block.name, shown, "\n".join(console.bodies[block.start]), console.folder
            )
    return problems


def compare(name: str, shown: str, actual: str, folder: str | None = None) -> list[str]:
    a, b = mask(shown, folder), mask(actual, folder)
    if a == b:
        return []
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), "page", "actual", lineterm="")
    return [f"{name}:\n" + "\n".join(lines)]
