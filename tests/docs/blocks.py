"""The documentation's examples: which pages hold them, their fenced blocks, and how an
output is compared (masked) and written back.

Conventions (the Development page of the docs says the same), for README.md and every
page under docs/:

- Every ```python block is a whole program (``asyncio.run(main())``) that starts its own
  `Sandbox`; it runs as a script in a subprocess, in a temporary folder. A block that
  reads ``KASHFLOW_BASE_URL``/``KASHFLOW_TOKEN`` gets a sandbox started with the page's
  options; one that reads ``REDIS_URL`` gets a redis-server on a free loopback port.
- A ```python block titled like a test module (```` ```python title="test_x.py" ````)
  is a pytest file: it runs under ``python -m pytest -q`` in a folder of its own.
- What a python block prints goes in a ```text block right after it, introduced by the
  line `OUTPUT_MARKER`; a block that prints nothing has none.
- Every ``$`` line of a page's ```console blocks runs in page order, in one temporary
  folder, against ONE sandbox started with the options the page names in
  ``(`kashflow sandbox ...`)`` (none named: the defaults). ``kashflow`` lines run the
  command; ``kashflow sandbox`` runs until its banner is out, then gets Ctrl-C (shown as
  ``^C``); ``export`` lines are shown, not run (the runner sets the variables); other
  lines run in bash. Each command's output (stdout and stderr) follows its line, then
  ``[exit N]``.
- Outputs are compared with the volatile parts masked: dates, times, durations, rates,
  tokens, ports and the temporary folder (`mask`).
"""

from __future__ import annotations

import itertools
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
#: The line that introduces the output of the python block above it.
OUTPUT_MARKER = "<!-- output of the block above -->"

_SANDBOX = re.compile(r"\(`kashflow sandbox ([^`]*)`\)")
_TITLE = re.compile(r'title="([^"]*)"')
_VOLATILE = [
    (re.compile(r"\b[0-9a-f]{40}\b"), "<token>"),
    (re.compile(r"\b[0-9a-f]{8}\.\.\."), "<token>"),
    (re.compile(r"(127\.0\.0\.1|localhost):\d+"), r"\1:<port>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?"), "<date>"),
    (re.compile(r"\b\d+:\d{2}:\d{2}\b"), "<time>"),
    (re.compile(r"-:--:--"), "<time>"),
    (re.compile(r"\b[\d,]+(\.\d+)?/s\b"), "<rate>"),
    (re.compile(r"\b\d+\.\d+ ?(s|ms|µs)\b"), "<duration>"),
    (re.compile(r"req_[0-9a-f]+"), "<request-id>"),
]


def pages() -> list[Path]:
    """Every page whose examples run: the README, then docs/**/*.md in name order."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def page_name(path: Path) -> str:
    """``README.md``, ``docs/guide/errors.md``: a page as the repository names it."""
    return path.relative_to(ROOT).as_posix()


def mask(text: str, folder: str | None = None) -> str:
    """`text` with the volatile parts replaced, runs of spaces and rule characters
    collapsed (a masked value may change a column's width), and trailing space gone."""
    if folder:
        text = text.replace(folder, "<tmp>")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"([─━═┄]){2,}", r"\1", text)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


@dataclass
class Block:
    """A fenced block: its language, title, the indexes of its fence lines, its body."""

    lang: str
    start: int
    end: int
    body: list[str]
    heading: str
    title: str = ""
    #: the page the block is on (for names)
    page: str = "README.md"
    #: the ```text block of a python block's output, if it has one
    output: Block | None = None

    @property
    def source(self) -> str:
        return "\n".join(self.body) + "\n"

    @property
    def is_test_module(self) -> bool:
        """A python block titled ``test_*.py``: a pytest file."""
        return self.lang == "python" and Path(self.title).name.startswith("test_")

    @property
    def name(self) -> str:
        """``README.md line 69 (Use)``: where the block is."""
        return f"{self.page} line {self.start + 1} ({self.heading})"


def parse(text: str, page: str = "README.md") -> list[Block]:
    """The fenced blocks of `text`, python blocks linked to their output blocks."""
    lines = text.split("\n")
    blocks: list[Block] = []
    heading = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.startswith("```") and len(line) > 3:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            info = line[3:].strip()
            title = _TITLE.search(info)
            block = Block(info.split()[0], i, end, lines[i + 1 : end], heading, page=page)
            block.title = title.group(1) if title else ""
            blocks.append(block)
            i = end
        i += 1
    for before, after in itertools.pairwise(blocks):
        between = [x for x in lines[before.end + 1 : after.start] if x.strip()]
        if before.lang == "python" and after.lang == "text" and between == [OUTPUT_MARKER]:
            before.output = after
    return blocks


def sandbox_options(text: str) -> list[str]:
    """The options of the one sandbox a page's console blocks (and the python blocks
    that read ``KASHFLOW_BASE_URL``) run against; none named: the defaults."""
    match = _SANDBOX.search(text)
    return shlex.split(match.group(1)) if match else []


def needs_redis(block: Block) -> bool:
    return "REDIS_URL" in block.source


def needs_api(block: Block) -> bool:
    return "KASHFLOW_BASE_URL" in block.source or "KASHFLOW_TOKEN" in block.source


def commands(block: Block) -> list[str]:
    return [line for line in block.body if line.startswith("$ ")]


def render(text: str, replace: dict[int, list[str]]) -> str:
    """`text` with the bodies of the blocks starting at the given lines replaced (a
    python block's output block added or removed as needed: key ``-start`` = remove)."""
    lines = text.split("\n")
    blocks = {b.start: b for b in parse(text)}
    for start in sorted(replace, key=abs, reverse=True):
        if start < 0:  # remove the output block of the python block at -start
            out = blocks[-start].output
            assert out is not None
            first = blocks[-start].end + 1
            del lines[first : out.end + 1]
            continue
        block = blocks[start]
        if block.lang == "python":  # add an output block after it
            text_block = ["", OUTPUT_MARKER, "", "```text", *replace[start], "```"]
            lines[block.end + 1 : block.end + 1] = text_block
        else:
            lines[block.start + 1 : block.end] = replace[start]
    return "\n".join(lines)
