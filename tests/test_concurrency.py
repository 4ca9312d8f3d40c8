"""Rule: two actions on one order at once — the second gets 409 Conflict, never a lost update.

These tests need real, committed transactions from separate connections, so they run on a
scratch database of their own (SQLite file or PostgreSQL database), not the rolled-back one.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jiesu.core.api import commit, get_session
from jiesu.core.db import make_engine
from jiesu.core.errors import Conflict, DomainError
from jiesu.core.migrate import upgrade
from jiesu.core.security import issue_token
from jiesu.orders.models import Order, OrderEvent
from tests.factories import WANGJING, dispatched, step, who
from tests.scratch_settings import own_database

Factory = sessionmaker[Session]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Factory]:
    from jiesu.demo import create_demo_users
    from jiesu.units.seed import load_units

    with own_database(tmp_path_factory.mktemp("conc"), "jiesu_conc") as url:
        upgrade(url)
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with factory.begin() as session:
            load_units(session)
            create_demo_users(session)
        try:
            yield factory
        finally:
            engine.dispose()


def _committed_order(factory: Factory) -> int:
    with factory.begin() as session:
        return dispatched(session, WANGJING).id


def _act(factory: Factory, user: str, order_id: int, action: str,
         before_commit: Callable[[], None] | None = None, **payload: Any) -> str:
    """One person's unit of work in its own session; returns "ok" or the error code."""
    with factory() as session:
        try:
            step(session, user, session.get(Order, order_id), action, **payload)  # type: ignore[arg-type]
            if before_commit:
                before_commit()
            commit(session)
        except DomainError as exc:
            session.rollback()
            return exc.code
    return "ok"


def _events(factory: Factory, order_id: int, action: str) -> int:
    with factory() as session:
        stmt = select(OrderEvent).where(OrderEvent.order_id == order_id,
                                        OrderEvent.action == action)
        return len(list(session.scalars(stmt)))


def test_two_sessions_with_the_same_version_one_wins_the_other_gets_version_conflict(
    scratch: Factory,
) -> None:
    order_id = _committed_order(scratch)
    with scratch() as session:
        version = session.get(Order, order_id).version  # type: ignore[union-attr]
    first_holds = threading.Event()
    release = threading.Event()

    def first() -> str:
        def hold() -> None:  # the first writer has its change in, not yet committed
            first_holds.set()
            release.wait(timeout=30)

        return _act(scratch, "street", order_id, "sign", before_commit=hold, version=version)

    def second() -> str:
        first_holds.wait(timeout=30)
        release.set()  # the second may now race the first's commit; either way it is stale
        return _act(scratch, "street2", order_id, "sign", version=version)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result(timeout=60) for f in (pool.submit(first), pool.submit(second))]
    assert results == ["ok", "version_conflict"]
    assert _events(scratch, order_id, "sign") == 1
    with scratch() as session:
        order = session.get(Order, order_id)
        assert order is not None and order.state == "signed" and order.version == version + 1


def test_two_sessions_without_a_version_never_lose_an_update(scratch: Factory) -> None:
    order_id = _committed_order(scratch)
    start = threading.Barrier(2)

    def sign(user: str) -> str:
        start.wait(timeout=30)
        return _act(scratch, user, order_id, "sign")

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(sign, ["street", "street2"]))
    # The row lock (PostgreSQL) or the write lock (SQLite) serialises them: the second sees
    # the order already signed and is refused; it never overwrites the first.
    assert results[0] == "ok" and results[1] in {"transition_not_allowed", "version_conflict"}
    assert _events(scratch, order_id, "sign") == 1


def test_a_stale_copy_of_the_order_cannot_overwrite_a_newer_one(scratch: Factory) -> None:
    order_id = _committed_order(scratch)
    with scratch() as stale:
        old = stale.get(Order, order_id)
        assert old is not None
        stale.commit()  # the copy outlives its read (on SQLite an open read holds the lock)
        assert _act(scratch, "street", order_id, "sign") == "ok"
        old.urge_count += 1  # written from a copy read before the sign was committed
        with pytest.raises(Conflict) as refused:
            commit(stale)
        assert refused.value.code == "version_conflict"
    with scratch() as session:
        order = session.get(Order, order_id)
        assert order is not None and order.state == "signed" and order.urge_count == 0


def test_two_http_clients_sending_the_same_stale_version_one_gets_409(scratch: Factory) -> None:
    from jiesu.app import create_app

    order_id = _committed_order(scratch)
    with scratch() as session:
        version = session.get(Order, order_id).version  # type: ignore[union-attr]
        tokens = {u: issue_token(who(session, u).user_id, 0) for u in ("street", "street2")}

    def scratch_session() -> Iterator[Session]:
        session = scratch()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    app = create_app()
    app.dependency_overrides[get_session] = scratch_session
    start = threading.Barrier(2)

    def note(user: str) -> tuple[int, str]:
        with TestClient(app) as http:
            start.wait(timeout=30)
            response = http.post(f"/api/v1/orders/{order_id}/sign", json={"version": version},
                                 headers={"Authorization": f"Bearer {tokens[user]}"})
        code = response.json()["error"]["code"] if response.status_code >= 400 else "ok"
        return response.status_code, code

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(note, ["street", "street2"]))
    assert results == [(200, "ok"), (409, "version_conflict")]
    assert _events(scratch, order_id, "sign") == 1


def test_a_request_that_waits_out_sqlites_write_lock_gets_503_not_500(scratch: Factory) -> None:
    from sqlalchemy import event

    from jiesu.app import create_app

    url = str(scratch.kw["bind"].url)
    if not url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no database-wide write lock")
    impatient = make_engine(url)

    @event.listens_for(impatient, "connect")
    def _short_timeout(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    quick = sessionmaker(bind=impatient)

    def quick_session() -> Iterator[Session]:
        with quick() as session:
            yield session

    app = create_app()
    app.dependency_overrides[get_session] = quick_session
    with scratch() as holder, TestClient(app) as http:
        holder.get(Order, _committed_order(scratch))  # BEGIN IMMEDIATE: holds the write lock
        token = issue_token(who(holder, "agent").user_id, 0)
        response = http.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
        holder.rollback()
    impatient.dispose()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_busy"
    assert response.headers["Retry-After"] == "1"


def test_two_intakes_racing_with_one_client_key_store_one_order_and_both_answer_with_it(
    scratch: Factory,
) -> None:
    """A client that retries before its first request finished (a timeout under load): the
    second request waits on the first one's key and then answers with its order, not a 500."""
    from tests.factories import new_order

    key = f"retry-{uuid.uuid4().hex[:8]}"
    first = scratch()
    order = new_order(first, client_key=key)  # written, not yet committed
    answers: list[tuple[int, bool]] = []

    def retry() -> None:
        from jiesu.orders import schemas as s
        from jiesu.orders import service

        with scratch() as session:
            data = s.OrderCreate(type="complaint", text="重试的同一诉求", client_key=key)
            again, created = service.intake(session, who(session, "agent"), data)
            session.commit()
            answers.append((again.id, created))

    thread = threading.Thread(target=retry)
    thread.start()
    thread.join(timeout=1.0)  # on PostgreSQL it waits on the first one's key
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert answers == [(order.id, False)]
    with scratch() as session:
        assert len(session.scalars(select(Order).where(Order.client_key == key)).all()) == 1
