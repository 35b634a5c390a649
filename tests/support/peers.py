"""Peers the client meets in the field, each a real process on 127.0.0.1: a server that
accepts connections and never answers, and an HTTP forwarding proxy that logs every
request it carries.

Run as a script (``python peers.py silent|proxy``) the module serves one of them and
prints ``PORT <n>`` first, then (the proxy) one ``VIA <METHOD> <absolute URL>`` line per
request it forwards. `silent_server()` and `forward_proxy()` start and stop them.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Peer", "forward_proxy", "silent_server"]

HOST = "127.0.0.1"
#: Seconds a peer may take to start, or to stop after SIGTERM.
START_TIMEOUT = 20.0
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "content-encoding",
}


class Peer:
    """A running peer process: its URL, and (once stopped) what it printed."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self.lines: list[str] = []

    def stop(self) -> list[str]:
        """Stop the process (bounded in time); every line it printed after ``PORT``."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            out, _ = self.process.communicate(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        self.lines = out.splitlines()
        return self.lines


@contextlib.contextmanager
def _peer(kind: str) -> Iterator[Peer]:
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__)), kind],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # the peer prints its port once listening
        if not first.startswith("PORT "):
            raise RuntimeError(f"{kind} peer did not start: {first!r}")
        peer = Peer(process, int(first.split()[1]))
        yield peer
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=START_TIMEOUT)  # reaps it and closes its pipe


def silent_server() -> contextlib.AbstractContextManager[Peer]:
    """A process that accepts connections, reads what comes and never answers."""
    return _peer("silent")


def forward_proxy() -> contextlib.AbstractContextManager[Peer]:
    """An HTTP forwarding proxy process (absolute-form requests, keep-alive); after
    `Peer.stop()`, `Peer.lines` holds one ``VIA <METHOD> <URL>`` per request."""
    return _peer("proxy")


# ------------------------------------------------------------------------ the processes


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while await reader.read(65536):
            pass
    writer.close()


async def _forward(
    session: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    import aiohttp

    assert isinstance(session, aiohttp.ClientSession)
    try:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            request_line, *header_lines = head.split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers: dict[str, str] = {}
            for line in header_lines:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip()] = value.strip()
            length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), 0))
            body = await reader.readexactly(length) if length else b""
            print(f"VIA {method} {target}", flush=True)
            forwarded = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
            async with session.request(
                method, target, headers=forwarded, data=body or None, allow_redirects=False
            ) as resp:
                data = await resp.read()
                lines = [f"HTTP/1.1 {resp.status} {resp.reason}"]
                lines += [
                    f"{k}: {v}" for k, v in resp.headers.items() if k.lower() not in _HOP_BY_HOP
                ]
                lines.append(f"Content-Length: {len(data)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve(kind: str) -> None:
    import functools

    import aiohttp

    async with aiohttp.ClientSession() as session:
        handler = _silent if kind == "silent" else functools.partial(_forward, session)
        server = await asyncio.start_server(handler, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(_serve(sys.argv[1]))
