"""Load generation that leaves the CPU to the server being measured.

The server and its load generator share this machine's two cores, so every millisecond the
client spends is a millisecond the server does not get. A thread per client with a full HTTP
library costs about a millisecond of CPU per request and fights over the GIL; here N clients
are coroutines on one event loop, each with one keep-alive HTTP/1.1 connection, writing
requests it encoded itself and reading only the status line, Content-Length and body
(about 0.2 ms per request). The server's answers are still parsed as JSON when a step needs
them (the lifecycle reads the new order's id).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    """An answer with a 4xx/5xx status: counted as an error by the load loop."""


class Connection:
    """One keep-alive HTTP/1.1 connection; requests on it are sequential."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 host: str) -> None:
        self._reader, self._writer, self._host = reader, writer, host

    @classmethod
    async def open(cls, base: str) -> Connection:
        parts = urlsplit(base)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    def close(self) -> None:
        self._writer.close()

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                      json_body: Any = None) -> tuple[int, bytes]:
        body = b"" if json_body is None else json.dumps(json_body, ensure_ascii=False).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if json_body is not None:
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if not chunked:
            return status, await self._reader.readexactly(length)
        chunks = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            data = await self._reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(chunks)
            chunks.append(data[:-2])

    async def timed(self, latencies: list[float], method: str, path: str,
                    headers: dict[str, str] | None = None, json_body: Any = None) -> Any:
        """One request; its latency is appended; a 4xx/5xx raises HttpError."""
        began = time.perf_counter()
        status, body = await self.request(method, path, headers, json_body)
        latencies.append(time.perf_counter() - began)
        if status >= 400:
            raise HttpError(f"{method} {path} -> {status} {body[:200].decode(errors='replace')}")
        return json.loads(body) if body else None


Operation = Callable[[Connection, int, list[float]], Awaitable[None]]


@dataclass
class LoadResult:
    operations: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # per request, seconds
    errors: dict[str, int] = field(default_factory=dict)
    client_cpu_seconds: float = 0.0  # what the load generator itself spent while measuring

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0


async def _run(base: str, clients: int, seconds: float, operation: Operation,
               warmup: float) -> LoadResult:
    result = LoadResult(0, seconds)
    phase = {"measure": False, "stop": False}
    done = [0] * clients

    async def client(n: int) -> None:
        # Staggered connects: a burst of connects is accepted by whichever worker process
        # wakes first, and would pile every connection onto one of them.
        await asyncio.sleep(n * 0.05)
        conn = await Connection.open(base)
        i = 0
        try:
            while not phase["stop"]:
                latencies: list[float] = []
                error = None
                try:
                    await operation(conn, n * 1_000_000 + i, latencies)
                except HttpError as exc:
                    error = str(exc)[:160]
                i += 1
                done[n] += 1
                if phase["measure"]:
                    if error:
                        result.errors[error] = result.errors.get(error, 0) + 1
                    else:
                        result.operations += 1
                        result.latencies.extend(latencies)
        finally:
            conn.close()

    tasks = [asyncio.create_task(client(n)) for n in range(clients)]
    # Warm up until every client has finished two operations (each worker process loads its
    # models on its first requests), and for at least `warmup` seconds.
    await asyncio.sleep(warmup)
    limit = time.monotonic() + 180
    while min(done) < 2 and time.monotonic() < limit:
        if any(t.done() for t in tasks):
            break  # a client died: its exception is raised below
        await asyncio.sleep(0.2)
    phase["measure"] = True
    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.sleep(seconds)
    phase["measure"] = False
    result.seconds = time.perf_counter() - began
    result.client_cpu_seconds = time.process_time() - cpu
    phase["stop"] = True
    await asyncio.gather(*tasks)
    return result


def run_load(base: str, clients: int, seconds: float, operation: Operation,
             warmup: float = 2.0) -> LoadResult:
    """`clients` keep-alive connections repeat `operation` for `seconds` (after `warmup`);
    the operation appends each request's latency to the list it is given."""
    return asyncio.run(_run(base, clients, seconds, operation, warmup))
