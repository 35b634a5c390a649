"""Running the README.

Conventions (README.md's Development section says the same):

- Every ```python block is a whole program (``asyncio.run(main())``) that starts its own
  `Sandbox`; it runs as a script in a subprocess, in a temporary folder. A block that
  reads ``KASHFLOW_BASE_URL``/``KASHFLOW_TOKEN`` gets a sandbox started with the README's
  options; one that reads ``REDIS_URL`` gets a redis-server on a free loopback port.
- What a python block prints goes in a ```text block right after it, introduced by the
  line `OUTPUT_MARKER`; a block that prints nothing has none.
- Every ``$`` line of the ```console blocks runs in README order, in one temporary
  folder, against ONE sandbox started with the options the README names in
  ``(`kashflow sandbox ...`)``. ``kashflow`` lines run the command; ``kashflow
  sandbox`` runs until its banner is out, then gets Ctrl-C (shown as ``^C``); ``export``
  lines are shown, not run (the runner sets the variables); other lines run in bash.
  Each command's output (stdout and stderr) follows its line, then ``[exit N]``.
- Outputs are compared with the volatile parts masked: dates, times, durations, rates,
  tokens, ports and the temporary folder (`mask`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import threads

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
#: The line that introduces the output of the python block above it.
OUTPUT_MARKER = "<!-- output of the block above -->"
#: Seconds a block or a command may run.
TIMEOUT = 120.0
#: The terminal width commands see (tables and help are laid out for it).
COLUMNS = "100"

_SANDBOX = re.compile(r"\(`kashflow sandbox ([^`]*)`\)")
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
    """A fenced block: its language, the indexes of its fence lines, its body."""

    lang: str
    start: int
    end: int
    body: list[str]
    heading: str
    #: the ```text block of a python block's output, if it has one
    output: Block | None = None

    @property
    def source(self) -> str:
        return "\n".join(self.body) + "\n"

    @property
    def name(self) -> str:
        """``line 69 (Use)``: where the block is."""
        return f"line {self.start + 1} ({self.heading})"


def parse(text: str) -> list[Block]:
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
            blocks.append(Block(line[3:].strip(), i, end, lines[i + 1 : end], heading))
            i = end
        i += 1
    for before, after in itertools.pairwise(blocks):
        between = [x for x in lines[before.end + 1 : after.start] if x.strip()]
        if before.lang == "python" and after.lang == "text" and between == [OUTPUT_MARKER]:
            before.output = after
    return blocks


def sandbox_options(text: str) -> list[str]:
    """The options of the one sandbox the console blocks run against."""
    match = _SANDBOX.search(text)
    if match is None:
        raise ValueError("README names no sandbox: (`kashflow sandbox OPTIONS`)")
    return shlex.split(match.group(1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "kashflow_async.cli", *args]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KASHFLOW_")}
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return {**env, "COLUMNS": COLUMNS, "PYTHONUNBUFFERED": "1", "PYTHONPATH": pythonpath,
            "NO_COLOR": "1", "TTY_COMPATIBLE": "0", **extra}  # fmt: skip


@contextlib.contextmanager
def sandbox_process(options: list[str], cwd: Path) -> Iterator[dict[str, str]]:
    """The README's sandbox (`options`) in its own process."""
    with threads.sandbox_process(*options, cwd=cwd, env=_env()) as env:
        yield env


@contextlib.contextmanager
def redis_process(cwd: Path) -> Iterator[str]:
    """A redis-server on a free loopback port (no persistence); yields its URL."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(cwd)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Ready to accept connections" in line:
                break
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def needs_redis(block: Block) -> bool:
    return "REDIS_URL" in block.source


def needs_api(block: Block) -> bool:
    return "KASHFLOW_BASE_URL" in block.source or "KASHFLOW_TOKEN" in block.source


@dataclass
class Ran:
    """What a block or a command printed, and its exit status."""

    output: str
    code: int
    errors: str = ""


def run_python(block: Block, cwd: Path, env: dict[str, str]) -> Ran:
    """Run `block` as a script; its stdout (stderr kept apart, for failures)."""
    script = cwd / f"block_{block.start + 1}.py"
    script.write_text(block.source)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=cwd, env=_env(**env), capture_output=True,
        text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    return Ran(done.stdout, done.returncode, done.stderr)


def _command(line: str, cwd: Path, env: dict[str, str]) -> Ran:
    argv = shlex.split(line)
    if argv[0] == "kashflow" and argv[1:2] == ["sandbox"]:
        return _until_ctrl_c(argv[1:], cwd)
    if argv[0] == "kashflow":
        return _kashflow(argv[1:], cwd, env)
    done = subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=_env(**env), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    return Ran(done.stdout, done.returncode)


def _kashflow(args: list[str], cwd: Path, env: dict[str, str]) -> Ran:
    """``kashflow ARGS`` in this process (as the installed script would run it, without
    an interpreter's start-up per line), in `cwd`, stdout and stderr in order."""
    from typer.testing import CliRunner

    from kashflow_async.cli.app import app

    variables = {**{k: None for k in os.environ if k.startswith("KASHFLOW_")}, **env}
    variables |= {"COLUMNS": COLUMNS, "NO_COLOR": "1", "TTY_COMPATIBLE": "0"}
    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args, env=variables, prog_name="kashflow")
    finally:
        os.chdir(before)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.output, result.exit_code)


def _until_ctrl_c(args: list[str], cwd: Path) -> Ran:
    """``kashflow sandbox ...`` (on a free port): its banner, then Ctrl-C."""
    if "--port" in args:
        at = args.index("--port")
        args = [*args[:at], *args[at + 2 :]]
    proc = subprocess.Popen(
        _cli(*args, "--port", "0"), cwd=cwd, env=_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    banner = []
    for line in proc.stdout:
        banner.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    return Ran("".join(banner) + "^C" + rest, proc.returncode)


@dataclass
class Console:
    """The console blocks' commands, run in order; `bodies` holds each block's new body."""

    blocks: list[Block]
    bodies: dict[int, list[str]] = field(default_factory=dict)

    def run(self, options: list[str]) -> None:
        with tempfile.TemporaryDirectory(prefix="kashflow-readme-") as tmp:
            folder = Path(tmp)
            with sandbox_process(options, folder) as env:
                for block in self.blocks:
                    self.bodies[block.start] = self._run_block(block, folder, env)
            self.folder = tmp

    def _run_block(self, block: Block, cwd: Path, env: dict[str, str]) -> list[str]:
        body: list[str] = []
        for line in block.body:
            if not line.startswith("$ "):
                continue
            command = line[2:]
            body.append(line)
            if command.startswith("export "):
                continue
            ran = _command(command, cwd, env)
            body.extend(ran.output.rstrip("\n").split("\n") if ran.output.strip() else [])
            body.append(f"[exit {ran.code}]")
        return body


def commands(block: Block) -> list[str]:
    return [line for line in block.body if line.startswith("$ ")]


def expected_outputs(block: Block) -> list[list[str]]:
    """The README's output of each command of `block`."""
    outputs: list[list[str]] = []
    for line in block.body:
        if line.startswith("$ "):
            outputs.append([])
        elif outputs:
            outputs[-1].append(line)
    return outputs


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
