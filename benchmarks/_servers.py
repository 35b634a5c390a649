"""Servers the benchmarks talk to, each in its own process on 127.0.0.1.

`CannedServer` answers every ``GET /v2/invoices/<n>`` with the same prepared bytes (JSON
or XML by ``Accept``), so that the server costs next to nothing. `CannedPages` answers
list pages encoded before it starts, each after a fixed latency. `SandboxServer` runs the
package's `Sandbox` and, on request, reports the arrival times the sandbox recorded.
Both are context managers: leaving the block stops the process (terminated if it does
not stop within a few seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import re
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["HOST", "CannedPages", "CannedServer", "SandboxServer"]

HOST = "127.0.0.1"
_START_TIMEOUT = 120.0
_REPLY_TIMEOUT = 60.0


def _response(body: bytes, media: str) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\n"
        f"Content-Type: {media}; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"


class _Canned(asyncio.Protocol):
    """HTTP/1.1 keep-alive, pipelining-safe, answering from prepared responses."""

    def __init__(self, json_resp: bytes, xml_resp: bytes) -> None:
        self.json_resp = json_resp
        self.xml_resp = xml_resp
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        assert self.transport is not None
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end].lower()
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else len(head)])
            if len(buffer) < end + 4 + length:
                break
            buffer = buffer[end + 4 + length :]
            if not head.startswith(b"get /v2/invoices/"):
                self.transport.write(_NOT_FOUND)
            elif b"xml" in head[head.find(b"\r\naccept:") :]:
                self.transport.write(self.xml_resp)
            else:
                self.transport.write(self.json_resp)
        self.buffer = buffer


async def _wait_for_stop(conn: Connection, handler: Any = None) -> None:
    """Serve commands from the parent until ``stop`` (or the pipe closes)."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            command = await loop.run_in_executor(None, conn.recv)
        except (EOFError, OSError):
            return
        if command == "stop":
            return
        reply = handler(command) if handler is not None else None
        conn.send(reply)


async def _canned_main(conn: Connection, json_body: bytes, xml_body: bytes) -> None:
    loop = asyncio.get_running_loop()
    json_resp = _response(json_body, "application/json")
    xml_resp = _response(xml_body, "application/xml")
    server = await loop.create_server(
        lambda: _Canned(json_resp, xml_resp), HOST, 0, backlog=1024, reuse_address=True
    )
    try:
        port = server.sockets[0].getsockname()[1]
        conn.send(("ready", f"http://{HOST}:{port}/v2", ""))
        await _wait_for_stop(conn)
    finally:
        server.close()
        await server.wait_closed()


def _run_canned(conn: Connection, json_body: bytes, xml_body: bytes) -> None:
    asyncio.run(_canned_main(conn, json_body, xml_body))


#: ``GET /v2/n<count>/invoices?...page=<n>...``: page n of a list of `count` invoices
_PAGE_REQUEST = re.compile(rb"^get /v2/n(\d+)/invoices\?[^ ]*?\bpage=(\d+)")


class _Pages(asyncio.Protocol):
    """HTTP/1.1 keep-alive: each request answered from `pages` after `latency` seconds."""

    def __init__(self, pages: dict[tuple[int, int], bytes], latency: float) -> None:
        self.pages = pages
        self.latency = latency
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def _send(self, response: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(response)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        loop = asyncio.get_running_loop()
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head, buffer = buffer[:end].lower(), buffer[end + 4 :]  # GETs carry no body
            m = _PAGE_REQUEST.match(head)
            response = self.pages.get((int(m[1]), int(m[2]))) if m else None
            loop.call_later(self.latency, self._send, response or _NOT_FOUND)
        self.buffer = buffer


def _encode_pages(url: str, counts: tuple[int, ...], perpage: int) -> dict[tuple[int, int], bytes]:
    """Every page of a list of `count` invoices (numbered 1..count), for each count."""
    import msgspec

    from kashflow_async.codecs import get_codec
    from kashflow_async.models import Page, PageMeta

    from ._data import list_page

    codec = get_codec("json")
    template = list_page(perpage).data
    pages: dict[tuple[int, int], bytes] = {}
    for count in counts:
        last = -(-count // perpage)
        base = f"{url}/n{count}/invoices?perpage={perpage}&page="
        for n in range(1, last + 1):
            first = (n - 1) * perpage
            data = [
                msgspec.structs.replace(inv, number=first + i + 1, id=200_000 + first + i + 1)
                for i, inv in enumerate(template[: min(perpage, count - first)])
            ]
            meta = PageMeta(
                first_page_url=f"{base}1",
                last_page_url=f"{base}{last}",
                next_page_url=f"{base}{n + 1}" if n < last else None,
                previous_page_url=f"{base}{n - 1}" if n > 1 else None,
                total_records=count,
            )
            body = codec.encode(Page[Any](data=data, meta=meta))
            pages[count, n] = _response(body, codec.media_type)
    return pages


async def _pages_main(
    conn: Connection, counts: tuple[int, ...], perpage: int, latency: float
) -> None:
    loop = asyncio.get_running_loop()
    pages: dict[tuple[int, int], bytes] = {}
    server = await loop.create_server(
        lambda: _Pages(pages, latency), HOST, 0, backlog=1024, reuse_address=True
    )
    try:
        url = f"http://{HOST}:{server.sockets[0].getsockname()[1]}/v2"
        pages.update(_encode_pages(url, counts, perpage))
        conn.send(("ready", url, ""))
        await _wait_for_stop(conn)
    finally:
        server.close()
        await server.wait_closed()


def _run_pages(conn: Connection, counts: tuple[int, ...], perpage: int, latency: float) -> None:
    asyncio.run(_pages_main(conn, counts, perpage, latency))


async def _sandbox_main(conn: Connection, options: dict[str, Any], faults: dict[str, Any]) -> None:
    from kashflow_async.sandbox import Faults, Sandbox

    sandbox = Sandbox(faults=Faults(**faults), **options)

    def handle(command: Any) -> Any:
        name, arg = command
        if name == "times":
            return sandbox.stats.times(arg)
        if name == "requests":
            return dict(sandbox.stats.requests)
        if name == "reset":
            sandbox.stats.reset()
            return None
        if name == "tokens":  # a ready session token of each account beside the default
            return [account.token for account in list(sandbox.accounts)[1:]]
        if name == "rate_limited":
            return sandbox.stats.rate_limited
        raise ValueError(f"unknown command {name!r}")

    async with sandbox:
        conn.send(("ready", sandbox.url, sandbox.token))
        await _wait_for_stop(conn, handle)


def _run_sandbox(conn: Connection, options: dict[str, Any], faults: dict[str, Any]) -> None:
    asyncio.run(_sandbox_main(conn, options, faults))


Self = TypeVar("Self", bound="_ServerProcess")


class _ServerProcess:
    """A child process serving on 127.0.0.1, driven over a pipe."""

    target: Any = None

    def __init__(self, *args: Any) -> None:
        self._args = args
        self._conn: Connection | None = None
        self._proc: Any = None
        self.url = ""
        self.token = ""

    def __enter__(self: Self) -> Self:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=type(self).target, args=(child, *self._args), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        try:
            if not parent.poll(_START_TIMEOUT):
                raise RuntimeError(f"{type(self).__name__} did not start")
            _, self.url, self.token = parent.recv()
        except BaseException:
            self._stop()
            raise
        return self

    def command(self, name: str, arg: Any = None) -> Any:
        """Send a command to the child and return its reply."""
        assert self._conn is not None
        self._conn.send((name, arg))
        if not self._conn.poll(_REPLY_TIMEOUT):
            raise RuntimeError(f"{type(self).__name__} did not answer {name!r}")
        return self._conn.recv()

    def _stop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError, BrokenPipeError):
                conn.send("stop")
            conn.close()
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop()


class CannedServer(_ServerProcess):
    """Answers ``GET /v2/invoices/<n>`` with `json_body` or `xml_body` (by ``Accept``)."""

    target = _run_canned

    def __init__(self, json_body: bytes, xml_body: bytes) -> None:
        super().__init__(json_body, xml_body)


class CannedPages(_ServerProcess):
    """Lists of each of `counts` invoices, `perpage` a page, every page encoded before the
    server starts and answered after `latency` seconds. `base(count)` is the API root of
    the list of `count` invoices (``GET {base}/invoices?page=<n>&perpage=<perpage>``)."""

    target = _run_pages

    def __init__(self, counts: tuple[int, ...], perpage: int, latency: float) -> None:
        super().__init__(counts, perpage, latency)

    def base(self, count: int) -> str:
        """The base URL under which the list of `count` invoices lives."""
        return f"{self.url}/n{count}"


class SandboxServer(_ServerProcess):
    """The package's `Sandbox` with `options` (constructor keywords) and `faults`
    (`Faults` keywords)."""

    target = _run_sandbox

    def __init__(self, options: dict[str, Any], faults: dict[str, Any] | None = None) -> None:
        super().__init__(options, faults or {})

    def times(self, route: str | None = None) -> list[float]:
        """Arrival times (monotonic seconds) of the requests to `route` the sandbox saw."""
        return list(self.command("times", route))

    def reset(self) -> None:
        """Forget the requests counted so far."""
        self.command("reset")

    def tokens(self) -> list[str]:
        """A ready session token of each account beside the default one (multi-account)."""
        return list(self.command("tokens"))

    def rate_limited(self) -> int:
        """429 answers sent since the last `reset`."""
        return int(self.command("rate_limited"))
