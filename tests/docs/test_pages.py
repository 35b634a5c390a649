"""The README and every page under docs/ run as written: every python block (and test
module), and every ``$`` line of a page's console blocks against one sandbox, with the
outputs the page shows (volatile parts masked). A changed output fails until
``python -m tests.docs --update PAGE`` regenerates it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .blocks import Block, needs_redis, page_name, pages, parse, sandbox_options
from .execute import Console, run_python
from .pages import Servers, compare, redis_missing, servers

PAGES = {page_name(path): path for path in pages()}
TEXTS = {name: path.read_text() for name, path in PAGES.items()}
BLOCKS = {name: parse(text, name) for name, text in TEXTS.items()}
PYTHON = [b for blocks in BLOCKS.values() for b in blocks if b.lang == "python"]
CONSOLE = [name for name, blocks in BLOCKS.items() if any(b.lang == "console" for b in blocks)]
HINT = "\nThe page's output differs: run python -m tests.docs --update PAGE (and review the diff)."


@pytest.fixture(scope="module")
def shared() -> Iterator[Servers]:
    with servers() as started:
        yield started


@pytest.mark.parametrize("block", PYTHON, ids=[b.name for b in PYTHON])
def test_python_block(block: Block, shared: Servers) -> None:
    reason = redis_missing() if needs_redis(block) else None
    if reason and os.environ.get("CI"):
        pytest.fail(f"{block.name} needs Redis: {reason}")
    if reason:
        pytest.skip(f"needs Redis: {reason}")
    options = sandbox_options(TEXTS[block.page])
    ran = run_python(block, shared.folder, shared.env_for(block, options))
    assert ran.code == 0, f"{block.name} failed:\n{ran.errors}"
    shown = "\n".join(block.output.body) if block.output else ""
    problems = compare(block.name, shown, ran.output)
    assert not problems, "\n".join(problems) + HINT


@pytest.mark.parametrize("page", CONSOLE)
def test_console_commands(page: str) -> None:
    console = Console([b for b in BLOCKS[page] if b.lang == "console"])
    console.run(sandbox_options(TEXTS[page]))
    problems = [
        problem
        for block in console.blocks
        for problem in compare(
            block.name, "\n".join(block.body), "\n".join(console.bodies[block.start]),
            console.folder,
        )
    ]  # fmt: skip
    assert not problems, "\n\n".join(problems) + HINT


@pytest.mark.parametrize("page", list(PAGES))
def test_output_blocks_follow_the_convention(page: str) -> None:
    python = [b for b in BLOCKS[page] if b.lang == "python"]
    for block in BLOCKS[page]:
        if block.lang == "text":
            assert any(p.output is block for p in python), (
                f"{block.name}: a text block is the output of the python block above it, "
                "introduced by <!-- output of the block above -->"
            )
