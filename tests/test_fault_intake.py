"""Nothing lost, nothing twice: intake from several clients while the server and the worker are
killed with SIGKILL and restarted, ten times each (PostgreSQL, loopback only, bounded).

Each client sends every request with an Idempotency-Key and, when the connection drops or the
server answers 5xx, sends the same request again with the same key until it gets a 2xx. The
server runs with deferred triage, so every intake also writes an outbox message that the
worker delivers after commit (the `triage` system action). Afterwards: every key that got a
2xx names exactly one stored order, with its intake event, the id the client was told; every
order has exactly one outbox message, sent, and exactly one `triage` event.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from jiesu.core.db import make_engine
from jiesu.core.migrate import upgrade
from jiesu.core.outbox import OutboxMessage
from jiesu.core.security import issue_token
from jiesu.orders.models import Order, OrderEvent
from tests.test_outbox import fresh_database  # noqa: F401  (the fixture)

pytestmark = pytest.mark.postgres_only
ROOT = Path(__file__).resolve().parents[1]
KILLS = 10
CLIENTS = 4
SECRET = "fault-test-secret-0123456789abcdef0123456789"


@pytest.fixture
def pg_url(fresh_database: str) -> Iterator[str]:  # noqa: F811
    if not os.environ.get("JIESU_TEST_POSTGRES_URL"):
        pytest.skip("the fault test runs on PostgreSQL (several processes, one database)")
    yield fresh_database


class Zygote:
    """tests/fault_zygote.py: a warm parent that forks a fresh server or worker on request."""

    def __init__(self, role: str, env: dict[str, str], *args: str,
                 pass_fds: tuple[int, ...] = ()) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fault_zygote", role, *args], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=pass_fds)
        self.child: int | None = None

    def ready(self) -> None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().strip()
        assert line == "ready", f"the {self.proc.args} parent said {line!r}"

    def spawn(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(b"spawn\n")
        self.proc.stdin.flush()
        self.child = int(self.proc.stdout.readline())

    def kill_child(self) -> None:
        if self.child is None:
            return
        os.kill(self.child, signal.SIGKILL)
        while True:  # reaped by the parent (SIGCHLD ignored) once it is gone
            try:
                os.kill(self.child, 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)
        self.child = None

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.kill_child()
        self.proc.kill()
        self.proc.wait()


class Processes:
    """The server and the worker: children of warm parents, killed with SIGKILL, replaced."""

    def __init__(self, url: str) -> None:
        env = {**os.environ, "JIESU_DATABASE_URL": url, "JIESU_MODE": "demo",
               "JIESU_SECRET_KEY": SECRET, "JIESU_TRIAGE_AT_INTAKE": "true",
               "JIESU_TRIAGE_DEFERRED": "true", "JIESU_OUTBOX_LEASE_SECONDS": "2",
               "JIESU_OUTBOX_BACKOFF_SECONDS": "0.2", "JIESU_OUTBOX_MAX_ATTEMPTS": "50"}
        # One listening socket for every server child in turn: a request sent while no child
        # runs waits in the backlog; one in flight when a child is killed is lost to it.
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        fd = self.sock.fileno()
        self.server = Zygote("server", env, str(fd), pass_fds=(fd,))
        self.worker = Zygote("worker", env)
        self.server.ready()
        self.worker.ready()

    def start_server(self) -> None:
        self.server.spawn()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError("the server child did not answer in 30 s")

    def stop(self) -> None:
        self.server.stop()
        self.worker.stop()
        self.sock.close()


class Client(threading.Thread):
    """Sends intakes one after another; retries each with its key until a 2xx comes back."""

    def __init__(self, number: int, base: str, headers: dict[str, str],
                 stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.number, self.base, self.headers, self.halt = number, base, headers, stop
        self.answered: dict[str, int] = {}  # key → order id in the 2xx answer
        self.retries = 0

    def run(self) -> None:
        with httpx.Client(timeout=5) as http:
            n = 0
            while not self.halt.is_set():
                key = f"fault-{self.number}-{n}"
                body = {"type": "complaint", "channel": "app", "citizen_phone": "13812345678",
                        "text": f"望京街道花家地西里三区门口垃圾堆放多日无人清理（{key}）"}
                while True:
                    try:
                        response = http.post(f"{self.base}/api/v1/orders", json=body,
                                             headers={**self.headers, "Idempotency-Key": key})
                        if response.status_code < 300:
                            self.answered[key] = int(response.json()["id"])
                            break
                        assert response.status_code >= 500, response.text
                    except httpx.HTTPError:
                        pass
                    self.retries += 1
                    if self.halt.is_set() and key not in self.answered:
                        return  # stopped between a send and its answer: never acknowledged
                    time.sleep(0.05)
                n += 1


def _agent_headers(url: str) -> dict[str, str]:
    """An agent to take the calls, and the visitor the return-visit job acts as."""
    from jiesu.core.roles import Role
    from jiesu.units import service as units
    from jiesu.units.schemas import UserCreate

    engine = make_engine(url)
    with sessionmaker(bind=engine).begin() as session:
        for name, role in (("agent", Role.agent), ("visitor", Role.visitor)):
            user = units.create_user(session, UserCreate(
                username=name, display_name=name, role=role,
                password="fault-test-password-1"))
            if role is Role.agent:
                token = issue_token(user.id, user.token_version)
    engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def test_killing_server_and_worker_ten_times_loses_no_acknowledged_order_and_repeats_none(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIESU_SECRET_KEY", SECRET)
    from jiesu.core.settings import get_settings

    get_settings.cache_clear()
    upgrade(pg_url)
    headers = _agent_headers(pg_url)
    started = time.monotonic()
    procs = Processes(pg_url)
    halt = threading.Event()
    clients = [Client(i, procs.base, headers, halt) for i in range(CLIENTS)]
    warm = time.monotonic() - started
    try:
        procs.start_server()
        procs.worker.spawn()
        for client in clients:
            client.start()
        for _ in range(KILLS):
            time.sleep(0.8)
            procs.server.kill_child()  # mid-request for some client, surely
            procs.worker.kill_child()
            procs.worker.spawn()
            procs.start_server()
        time.sleep(1.0)
        halt.set()
        for client in clients:
            client.join(timeout=30)
        loop = time.monotonic() - started - warm
        engine = make_engine(pg_url)
        sessions = sessionmaker(bind=engine)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:  # the last worker delivers what is left
            with sessions() as session:
                left = session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.status != "sent"))
            if not left:
                break
            time.sleep(0.3)
    finally:
        halt.set()
        procs.stop()
    with sessions() as session:
        stored = dict(session.execute(select(Order.client_key, Order.id)).tuples().all())
        intakes = dict(session.execute(
            select(OrderEvent.order_id, func.count()).where(OrderEvent.action == "intake")
            .group_by(OrderEvent.order_id)).tuples().all())
        triaged = dict(session.execute(
            select(OrderEvent.order_id, func.count()).where(OrderEvent.action == "triage")
            .group_by(OrderEvent.order_id)).tuples().all())
        messages = session.execute(select(OutboxMessage.payload, OutboxMessage.status)
                                   .where(OutboxMessage.topic == "triage")).all()
        orders = session.scalar(select(func.count()).select_from(Order))
    engine.dispose()
    answered = {k: v for c in clients for k, v in c.answered.items()}
    per_order: dict[int, int] = {}
    for payload, _status in messages:
        per_order[int(payload["order_id"])] = per_order.get(int(payload["order_id"]), 0) + 1
    print(f"\nfault test: {KILLS} server and {KILLS} worker kills in {loop:.0f} s (parents "
          f"warm in {warm:.0f} s, total {time.monotonic() - started:.0f} s); {CLIENTS} clients; "
          f"{len(answered)} intakes "
          f"acknowledged (2xx) after {sum(c.retries for c in clients)} retries; {orders} orders "
          f"stored; {sum(intakes.values())} intake events; {len(messages)} outbox messages, "
          f"{sum(1 for _, s in messages if s == 'sent')} sent; "
          f"{sum(triaged.values())} triage events")
    assert len(answered) >= KILLS * CLIENTS  # the load really ran through the kills
    for key, order_id in answered.items():  # every acknowledged order is stored, as told
        assert stored.get(key) == order_id, key
    assert orders == len(stored)  # none twice: one order per key (a retry found the first)
    assert set(intakes) == set(stored.values()) and set(intakes.values()) == {1}
    assert per_order == {order_id: 1 for order_id in stored.values()}  # one message each
    assert {status for _, status in messages} == {"sent"}  # all delivered after the restarts
    assert triaged == {order_id: 1 for order_id in stored.values()}  # delivered exactly once
