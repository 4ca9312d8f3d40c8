"""Rules of deferred triage (JIESU_TRIAGE_DEFERRED): intake stores the order without waiting
for the model; a worker adds the proposal after commit, as the system action `triage`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from jiesu.core.outbox import OutboxMessage
from jiesu.core.settings import get_settings
from jiesu.notify.jobs import deliver_outbox
from jiesu.orders import jobs  # noqa: F401  (registers the "triage" handler)
from jiesu.orders.models import Order, OrderEvent
from tests.factories import WANGJING, new_order, step, unit

GAS = "朝阳区望京街道花家地西里三区5号楼楼道里有很浓的燃气味，担心漏气。"


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "triage_at_intake", True)
    monkeypatch.setattr(get_settings(), "triage_deferred", True)


@pytest.fixture
def factory(connection: Connection) -> Callable[[], Session]:
    """Sessions for the delivering worker, inside the test's rolled-back transaction."""
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)


def events(session: Session, order: Order) -> list[str]:
    return list(session.scalars(select(OrderEvent.action).where(OrderEvent.order_id == order.id)
                                .order_by(OrderEvent.seq)))


def test_deferred_intake_stores_no_proposal_and_queues_one(
    session: Session, deferred: None
) -> None:
    order = new_order(session, text=GAS, street_code=None, district_code=None)
    assert order.suggestion is None and order.category is None
    queued = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "triage")).all()
    assert [m.payload["order_id"] for m in queued] == [order.id]


def test_the_worker_adds_the_proposal_as_an_event_and_fills_what_the_agent_left_open(
    session: Session, factory: Callable[[], Session], deferred: None
) -> None:
    order = new_order(session, text=GAS, street_code=None, district_code=None)
    assert deliver_outbox(factory) >= 1
    session.refresh(order)
    assert order.suggested_unit_code == "util.gas"
    assert order.street_code == WANGJING  # the agent gave no place
    assert order.urgency == "urgent"
    assert order.state == "received"
    assert events(session, order) == ["intake", "triage"]


def test_deferred_triage_keeps_what_the_agent_chose(
    session: Session, factory: Callable[[], Session], deferred: None
) -> None:
    order = new_order(session, text=GAS, urgency="ordinary", category="城乡建设")
    deliver_outbox(factory)
    session.refresh(order)
    assert order.suggestion is not None
    assert (order.urgency, order.category, order.street_code) == ("ordinary", "城乡建设", WANGJING)


def test_an_order_dispatched_before_its_triage_is_left_as_it_is(
    session: Session, factory: Callable[[], Session], deferred: None
) -> None:
    order = new_order(session, text=GAS)
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    deliver_outbox(factory)
    session.refresh(order)
    assert order.suggestion is None
    assert "triage" not in events(session, order)


def test_an_order_is_never_its_own_duplicate(
    session: Session, factory: Callable[[], Session], deferred: None
) -> None:
    first = new_order(session, text=GAS)
    second = new_order(session, text=GAS)
    deliver_outbox(factory)
    session.refresh(first)
    session.refresh(second)
    assert first.suggestion is not None and second.suggestion is not None
    assert first.id not in [d["order_id"] for d in first.suggestion["duplicates"]]
    assert first.id in [d["order_id"] for d in second.suggestion["duplicates"]]


def test_the_order_itself_takes_no_place_among_its_duplicates(
    session: Session, factory: Callable[[], Session], deferred: None
) -> None:
    orders = [new_order(session, text=GAS) for _ in range(7)]
    deliver_outbox(factory)
    for order in orders:
        session.refresh(order)
        assert order.suggestion is not None
        listed = [d["order_id"] for d in order.suggestion["duplicates"]]
        assert len(listed) == 5 and order.id not in listed  # the five closest others
