"""Checking and regenerating the README (`check`, `update`); the shared servers."""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .readme import (
    README,
    Block,
    Console,
    Ran,
    mask,
    needs_api,
    needs_redis,
    parse,
    redis_process,
    render,
    run_python,
    sandbox_options,
    sandbox_process,
)

__all__ = ["Servers", "check", "compare", "redis_missing", "servers", "update"]


def redis_missing() -> str | None:
    """Why blocks that need Redis cannot run (None when they can)."""
    if shutil.which("redis-server"):
        return None
    return "redis-server is not installed" + (
        " (CI is set: it must be)" if os.environ.get("CI") else ""
    )


class Servers:
    """The sandbox (README options) and the redis-server the python blocks may need,
    started on first use and stopped at the end."""

    def __init__(self, options: list[str], folder: Path) -> None:
        self.options = options
        self.folder = folder
        self.stack = contextlib.ExitStack()
        self._api: dict[str, str] | None = None
        self._redis: str | None = None

    def env_for(self, block: Block) -> dict[str, str]:
        env: dict[str, str] = {}
        if needs_api(block):
            if self._api is None:
                self._api = self.stack.enter_context(sandbox_process(self.options, self.folder))
            env.update(self._api)
        if needs_redis(block):
            if self._redis is None:
                self._redis = self.stack.enter_context(redis_process(self.folder))
            env["REDIS_URL"] = self._redis
        return env

    def close(self) -> None:
        self.stack.close()


@contextlib.contextmanager
def servers(options: list[str]) -> Iterator[tuple[Servers, Path]]:
    with tempfile.TemporaryDirectory(prefix="kashflow-readme-") as tmp:
        shared = Servers(options, Path(tmp))
        try:
            yield shared, Path(tmp)
        finally:
            shared.close()


def _run_all(text: str) -> tuple[dict[int, Ran], Console, list[str]]:
    blocks = parse(text)
    options = sandbox_options(text)
    python: dict[int, Ran] = {}
    skipped: list[str] = []
    reason = redis_missing()
    with servers(options) as (shared, folder):
        for block in (b for b in blocks if b.lang == "python"):
            if needs_redis(block) and reason:
                if os.environ.get("CI"):
                    raise RuntimeError(f"{block.name}: {reason}")
                skipped.append(f"{block.name}: skipped: {reason}")
                continue
            ran = run_python(block, folder, shared.env_for(block))
            if ran.code != 0:
                raise RuntimeError(f"{block.name} failed (exit {ran.code}):\n{ran.errors}")
            python[block.start] = ran
    console = Console([b for b in blocks if b.lang == "console"])
    console.run(options)
    return python, console, skipped


def update() -> list[str]:
    """Run every block and command and write their outputs into the README; what was
    skipped."""
    text = README.read_text()
    python, console, skipped = _run_all(text)
    replace: dict[int, list[str]] = {}
    for block in parse(text):
        if block.start in python:
            out = python[block.start].output.rstrip("\n")
            shown = "\n".join(block.output.body) if block.output else ""
            if not compare(block.name, shown, out):
                continue  # unchanged but for volatile parts: keep the README's text
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
    current = README.read_text()  # written by others meanwhile? then run again
    if current != text:
        raise RuntimeError("README.md changed while the examples ran: run --update again")
    README.write_text(render(text, replace))
    return skipped


def check() -> list[str]:
    """Run everything; the differences from the README (masked), as unified diffs."""
    text = README.read_text()
    python, console, _ = _run_all(text)
    problems: list[str] = []
    for block in parse(text):
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
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), "README", "actual", lineterm="")
    return [f"{name}:\n" + "\n".join(lines)]
