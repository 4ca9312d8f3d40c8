"""The outbox: claims with a lease; a killed worker loses nothing and sends nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jiesu.core import outbox
from jiesu.core.db import make_engine
from jiesu.core.migrate import upgrade
from jiesu.core.outbox import OutboxMessage
from jiesu.core.settings import get_settings
from jiesu.notify.jobs import deliver_outbox
from jiesu.notify.models import Notification
from tests.factories import who
from tests.scratch_settings import own_database
from tests.test_notify import Gateway, factory  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[1]


def notify_user(session: Session, username: str) -> OutboxMessage:
    message_id = outbox.enqueue(session, "notify", {
        "kind": "urged", "order_id": None, "number": "20261102000001", "unit_id": None,
        "role": None, "user_id": who(session, username).user_id})
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    return message


def test_a_claim_whose_lease_ran_out_is_taken_again_and_the_late_worker_writes_nothing(
    session: Session, factory: Callable[[], Session], frozen: time_machine.Coordinates  # noqa: F811
) -> None:
    message = notify_user(session, "street")
    with factory() as worker_a:
        assert outbox.claim(worker_a, "worker-a") == [message.id]
        worker_a.commit()
    # worker-a dies here. After the lease, worker-b takes the message and delivers it.
    frozen.shift(timedelta(seconds=get_settings().outbox_lease_seconds + 1))
    assert deliver_outbox(factory, worker="worker-b") == 1
    # worker-a comes back to life and tries to finish: its claim is gone, nothing is written.
    assert outbox.deliver_one(factory, message.id, "worker-a") is False
    session.expire_all()
    rows = session.scalars(select(Notification).where(Notification.outbox_id == message.id))
    assert len(list(rows)) == 1
    assert session.get(OutboxMessage, message.id).status == "sent"  # type: ignore[union-attr]


def test_a_live_claim_is_not_taken_by_another_worker(
    session: Session, factory: Callable[[], Session], frozen: time_machine.Coordinates  # noqa: F811
) -> None:
    notify_user(session, "street")
    with factory() as worker_a:
        assert len(outbox.claim(worker_a, "worker-a")) == 1
        worker_a.commit()
    assert deliver_outbox(factory, worker="worker-b") == 0


def test_a_topic_without_a_handler_ends_dead(
    session: Session, factory: Callable[[], Session], frozen: time_machine.Coordinates,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "outbox_max_attempts", 2)
    message = session.get(OutboxMessage, outbox.enqueue(session, "no-such-topic", {}))
    assert message is not None
    deliver_outbox(factory)
    frozen.shift(timedelta(hours=1))
    deliver_outbox(factory)
    session.refresh(message)
    assert (message.status, message.attempts) == ("dead", 2)
    assert message.last_error and "no handler" in message.last_error


# --- a real worker process, killed mid-delivery ----------------------------------------------


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own: the worker subprocess must see committed rows."""
    with own_database(tmp_path, "jiesu_kill") as url:
        yield url


def _worker(url: str, gateway: Gateway) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JIESU_DATABASE_URL": url, "JIESU_WEBHOOK_URL": gateway.url,
           "JIESU_OUTBOX_LEASE_SECONDS": "2", "JIESU_MODE": "demo"}
    code = "from jiesu.worker import run_job; run_job('deliver_outbox')"
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_killing_the_worker_mid_delivery_loses_nothing_and_sends_nothing_twice(
    fresh_database: str,
) -> None:
    upgrade(fresh_database)
    engine = make_engine(fresh_database)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        ids = [outbox.enqueue(session, "webhook", {"text": f"短信 {n}"}) for n in range(5)]
        session.commit()
        keys = sorted(str(message_id) for message_id in ids)
    # The gateway takes the first message, then holds its answer while we kill the worker.
    with Gateway(delay=30) as gateway:
        first = _worker(fresh_database, gateway)
        assert gateway.first_arrived.wait(60), first.communicate()[0].decode()
        first.send_signal(signal.SIGKILL)
        first.wait()
        with sessions() as session:
            states = [m.status for m in session.scalars(select(OutboxMessage))]
        assert states == ["sending"] * 5  # claimed by the killed worker, none marked sent
        time.sleep(2.5)  # let the killed worker's lease run out
        second = _worker(fresh_database, gateway)
        output = second.communicate(timeout=120)[0].decode()
        assert second.returncode == 0, output
    with sessions() as session:
        messages = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    engine.dispose()
    assert {m.status for m in messages} == {"sent"}  # nothing lost
    assert sorted(gateway.accepted) == keys  # every message acted on exactly once
    interrupted = gateway.requests[0][0]
    assert gateway.dropped == [interrupted]  # only the killed delivery came again: dropped
    others = [key for key, _ in gateway.requests if key != interrupted]
    assert sorted(others) == [k for k in keys if k != interrupted]  # the rest posted once
