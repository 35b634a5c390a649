"""The README runs as written: every python block, and every ``$`` line of the console
blocks against one sandbox, with the outputs the README shows (volatile parts masked).
A changed output fails until ``python -m tests.docs --update`` regenerates the README."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .readme import README, Block, Console, needs_redis, parse, run_python, sandbox_options
from .runner import Servers, compare, redis_missing, servers

TEXT = README.read_text()
BLOCKS = parse(TEXT)
PYTHON = [b for b in BLOCKS if b.lang == "python"]
HINT = "\nThe README's output differs: run python -m tests.docs --update (and review the diff)."


@pytest.fixture(scope="module")
def shared() -> Iterator[Servers]:
    with servers(sandbox_options(TEXT)) as (started, _):
        yield started


@pytest.mark.parametrize("block", PYTHON, ids=[b.name for b in PYTHON])
def test_python_block(block: Block, shared: Servers) -> None:
    reason = redis_missing() if needs_redis(block) else None
    if reason and os.environ.get("CI"):
        pytest.fail(f"{block.name} needs Redis: {reason}")
    if reason:
        pytest.skip(f"needs Redis: {reason}")
    ran = run_python(block, shared.folder, shared.env_for(block))
    assert ran.code == 0, f"{block.name} failed:\n{ran.errors}"
    shown = "\n".join(block.output.body) if block.output else ""
    problems = compare(block.name, shown, ran.output)
    assert not problems, "\n".join(problems) + HINT


def test_console_commands() -> None:
    console = Console([b for b in BLOCKS if b.lang == "console"])
    console.run(sandbox_options(TEXT))
    problems = [
        problem
        for block in console.blocks
        for problem in compare(
            block.name, "\n".join(block.body), "\n".join(console.bodies[block.start]),
            console.folder,
        )
    ]  # fmt: skip
    assert not problems, "\n\n".join(problems) + HINT


def test_output_blocks_follow_the_convention() -> None:
    for block in BLOCKS:
        if block.lang == "text":
            assert any(p.output is block for p in PYTHON), (
                f"{block.name}: a text block is the output of the python block above it, "
                "introduced by <!-- output of the block above -->"
            )
