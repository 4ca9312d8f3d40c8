"""Rules of an imported order's history (decision 0022): one `import` event carrying the
source system's steps, opened back into exactly the events the per-step form stored, so every
report and page gives the same answers as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.insights.periods import parse_period
from jiesu.insights.rates import compute_rates
from jiesu.orders import bulk, imports, service, suggest
from jiesu.orders.import_history import history
from jiesu.orders.import_rows import layout_for
from jiesu.orders.models import Order
from jiesu.orders.statemachine import ACTION_LABELS, Action, State
from jiesu.units.models import User
from jiesu.web.dispatch import return_reasons
from tests.conftest import auth_headers
from tests.test_orders_import import HEADER, row
from tests.web.test_web_rules import login

OPEN = {"答复时间": "", "答复内容": "", "回访结果": "", "办结时间": ""}
NO_UNIT = {**OPEN, "承办单位": "", "派单时间": ""}
# One row in each state an import may bring, and each way a closed order ends.
ROWS = [
    row(1), row(2, 回访结果="不满意"), row(3, 回访结果="基本满意"),
    row(4, 回访结果=""),  # closed without a visit
    row(5, **NO_UNIT, 状态="已办结"),  # answered on the call
    row(6, 状态="待回访", 回访结果="", 办结时间=""),
    row(7, 状态="重办", 回访结果="", 办结时间=""),
    row(8, **OPEN, 状态="已退单"), row(9, **OPEN, 状态="办理中"), row(10, **OPEN, 状态="已签收"),
    row(11, **OPEN, 状态="待签收"), row(12, **NO_UNIT, 状态="待派单"),
]


def _checker(session: Session, with_deadlines: bool) -> imports.Checker:
    layout, errors = layout_for(HEADER)
    assert layout is not None and not errors
    admin = session.scalars(select(User.id).where(User.username == "admin")).one()
    return imports.Checker(layout, imports.load_places(session), admin, "old.csv",
                           imports.load_deadlines(session) if with_deadlines else None)


def _per_step(session: Session) -> list[list[bulk.BulkEvent]]:
    """Each row's history as the per-step import stored it, one event a step (the columns
    before an open order's deadlines are set, as that import read them)."""
    checker = _checker(session, with_deadlines=False)
    out = []
    for line, values in enumerate(ROWS, start=2):
        order, errors = checker.check(line, values)
        assert order is not None, errors
        origin = {"file": "old.csv", "line": line, "source_number": values[0]}
        out.append(history(order.columns, State(order.columns["state"]), origin,
                           mark="imported"))
    return out


def _imported(session: Session) -> list[bulk.BulkOrder]:
    checker = _checker(session, with_deadlines=True)
    orders = []
    for line, values in enumerate(ROWS, start=2):
        order, errors = checker.check(line, values)
        assert order is not None, errors
        orders.append(order)
    return orders


def _projection(event: Any) -> tuple[Any, ...]:
    return (event.action, event.from_state, event.to_state, event.at, event.payload)


def test_an_imported_orders_timeline_is_its_steps_one_event_each_as_the_old_import_stored(
    session: Session,
) -> None:
    ids = bulk.write(session, _imported(session))
    for order_id, old in zip(ids, _per_step(session), strict=True):
        stored = service.events_of(session, order_id)
        timeline = service.timeline_of(session, order_id)
        assert [_projection(e) for e in timeline] == [_projection(e) for e in old]
        assert [e.seq for e in timeline] == list(range(1, len(old) + 1))
        assert {(e.actor_id, e.actor_role, e.unit_id) for e in timeline} == {(None, "import",
                                                                            None)}
        # Stored: the import event, and a returned order's return as its own event.
        assert [e.action for e in stored] == (["import", "return_order"] if old[-1].action
                                              == "return_order" else ["import"])
        assert stored[-1].to_state == old[-1].to_state


@contextmanager
def _stored(session: Session, orders: list[bulk.BulkOrder]) -> Iterator[list[int]]:
    """`orders` written inside a savepoint that is rolled back after the block."""
    savepoint = session.begin_nested()
    try:
        yield bulk.write(session, orders)
    finally:
        savepoint.rollback()


def _answers(session: Session, ids: list[int]) -> dict[str, Any]:
    """What the reports and the dispatcher's queue say about the imported orders."""
    out: dict[str, Any] = {}
    for month in ("2025-03", "2025-04"):
        for group in ("unit", "district", "category"):
            report = compute_rates(session, parse_period(month), group=group).as_dict()
            report.pop("generated_at")
            out[f"{month} {group}"] = report
    orders = list(session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id)))
    out["returns"] = {ids.index(k): v for k, v in return_reasons(session, orders).items()}
    out["returned units"] = [suggest.returned_unit_ids(session, i) for i in ids]
    return out


def test_rates_and_the_return_queue_over_imported_orders_equal_those_of_the_old_import(
    session: Session,
) -> None:
    imported = _imported(session)
    with _stored(session, imported) as ids:
        now = _answers(session, ids)
    old_way = [bulk.BulkOrder(o.columns, events)
               for o, events in zip(imported, _per_step(session), strict=True)]
    with _stored(session, old_way) as ids:
        before = _answers(session, ids)
    assert now == before
    assert sum(r["received"] for r in now["2025-03 unit"]["rows"]) == 9  # not vacuous
    assert list(now["returns"]) == [ROWS.index(row(8, **OPEN, 状态="已退单"))]


def test_the_order_page_and_the_api_show_an_imported_orders_steps(
    client: TestClient, session: Session
) -> None:
    ids = bulk.write(session, _imported(session))
    session.flush()
    closed = ids[0]
    labels = ["受理", *(ACTION_LABELS[Action(a)] for a in ("dispatch", "reply", "close_visited"))]
    login(client, "supervisor")
    page = client.get(f"/orders/{closed}").text
    timeline = page[page.index('id="timeline"'):]
    places = [timeline.index(f"<b>{label}</b>") for label in labels]
    assert places == sorted(places, reverse=True)  # newest first
    detail = client.get(f"/api/v1/orders/{closed}", headers=auth_headers(session, "supervisor"))
    assert detail.status_code == 200, detail.text
    assert [e["action"] for e in detail.json()["events"]] == [
        "intake", "dispatch", "reply", "close_visited"]
    assert detail.json()["events"][0]["payload"]["import"]["file"] == "old.csv"
