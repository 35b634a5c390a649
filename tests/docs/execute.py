"""Running the documentation's examples: a python block as a script (or a pytest file),
a console block's commands against one sandbox, and the servers they need."""

from __future__ import annotations

import contextlib
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

from .blocks import ROOT, Block

#: Seconds a block or a command may run.
TIMEOUT = 120.0
#: The terminal width commands see (tables and help are laid out for it).
COLUMNS = "100"


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
    """The page's sandbox (`options`) in its own process."""
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


@dataclass
class Ran:
    """What a block or a command printed, and its exit status."""

    output: str
    code: int
    errors: str = ""


def run_python(block: Block, cwd: Path, env: dict[str, str]) -> Ran:
    """Run `block` as a script (a test module under pytest, in a folder of its own); its
    stdout (stderr kept apart, for failures)."""
    if block.is_test_module:
        folder = Path(tempfile.mkdtemp(prefix="block_", dir=cwd))
        (folder / Path(block.title).name).write_text(block.source)
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", "."]
        argv += ["-o", "console_output_style=classic"]
        argv.append(Path(block.title).name)
    else:
        folder = cwd
        script = cwd / f"block_{block.start + 1}.py"
        script.write_text(block.source)
        argv = [sys.executable, str(script)]
    done = subprocess.run(
        argv, cwd=folder, env=_env(**env), capture_output=True, text=True, timeout=TIMEOUT,
        check=False,
    )  # fmt: skip
    output = done.stdout
    if block.is_test_module:
        output = output.replace(str(folder), "<tmp>")
        if done.returncode != 0:  # pytest writes its failures to stdout
            return Ran(output, done.returncode, output + done.stderr)
    return Ran(output, done.returncode, done.stderr)


def _command(line: str, cwd: Path, env: dict[str, str]) -> Ran:
    argv = shlex.split(line)
    if argv[0] == "kashflow" and argv[1:2] == ["sandbox"]:
        return until_ctrl_c(argv[1:], cwd)
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


def until_ctrl_c(args: list[str], cwd: Path) -> Ran:
    """``kashflow sandbox ...``: its banner, then Ctrl-C. It runs on a free port; the
    banner shows the port the command asked for (``--port 8080``), as the reader's own
    run would."""
    asked = None
    if "--port" in args:
        at = args.index("--port")
        asked = args[at + 1]
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
    output = "".join(banner) + "^C" + rest
    served = re.search(r"127\.0\.0\.1:(\d+)", output)
    if asked not in (None, "0") and served is not None:
        output = re.sub(rf"127\.0\.0\.1:{served.group(1)}\b", f"127.0.0.1:{asked}", output)
    return Ran(output, proc.returncode)


@dataclass
class Console:
    """A page's console blocks' commands, run in order; `bodies` holds each block's new
    body."""

    blocks: list[Block]
    bodies: dict[int, list[str]] = field(default_factory=dict)
    folder: str = ""

    def run(self, options: list[str]) -> None:
        if not self.blocks:
            return
        with tempfile.TemporaryDirectory(prefix="kashflow-docs-") as tmp:
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
