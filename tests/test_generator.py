"""Rules of the synthetic-order generator (`jiesu demo generate --orders N`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from jiesu.core.clock import CHINA_TZ, local
from jiesu.generator import Generator, Places, generate, load_corpus, write_csv
from jiesu.orders import imports
from jiesu.orders.models import Order, OrderEvent
from tests.test_orders_import import admin_id, scratch, template  # noqa: F401  (fixtures)

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ)


@pytest.fixture(scope="module")
def orders(shared_dir: Path) -> list[dict[str, object]]:
    places = Places([(100 + i, f"1101050{i:02d}", "110105") for i in range(40)], [7, 8, 9])
    gen = Generator(load_corpus(shared_dir), places, created_by_id=1, now=NOW, seed=7)
    return [o.columns for batch in gen.batches(6_000, 2_000) for o in batch]


@pytest.fixture(scope="module")
def shared_dir() -> Path:
    import os

    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("JIESU_SHARED_DATA_DIR", root.parent / "shared" / "data"))


def _month_share(orders: list[dict[str, object]], category: str, month: int) -> float:
    inside = [o for o in orders if local(o["received_at"]).month == month]  # type: ignore[arg-type]
    return sum(1 for o in inside if o["category"] == category) / max(1, len(inside))


def test_wage_complaints_peak_before_the_spring_festival(orders: list[dict[str, object]]) -> None:
    wages = "劳动和社会保障"
    assert _month_share(orders, wages, 1) > 1.3 * _month_share(orders, wages, 7)


def test_noise_and_pollution_peak_in_summer(orders: list[dict[str, object]]) -> None:
    assert _month_share(orders, "环境保护", 7) > 1.5 * _month_share(orders, "环境保护", 1)


def test_calls_follow_the_day_more_at_ten_than_at_three(orders: list[dict[str, object]]) -> None:
    hours = Counter(local(o["received_at"]).hour for o in orders)  # type: ignore[arg-type]
    assert hours[10] > 10 * max(1, hours[3])


def test_old_orders_are_closed_and_recent_ones_still_open(orders: list[dict[str, object]]) -> None:
    def received(o: dict[str, object]) -> datetime:
        return o["received_at"]  # type: ignore[return-value]

    old = [o for o in orders if received(o) < NOW - timedelta(days=60)]
    today = [o for o in orders if received(o) > NOW - timedelta(hours=6)]
    assert sum(o["state"] == "closed" for o in old) / len(old) > 0.97
    # Only what the agent answered on the call is closed within hours.
    assert today and all(o["is_open"] or o["close_reason"] == "answered_on_call" for o in today)


def test_a_few_replies_run_past_their_deadline(orders: list[dict[str, object]]) -> None:
    replied = [o for o in orders if o["replied_at"]]
    late = sum(o["replied_at"] > o["reply_due_at"] for o in replied)  # type: ignore[operator]
    assert 0.005 < late / len(replied) < 0.15


def test_generated_orders_are_stored_with_a_history_that_ends_in_their_state(
    scratch: sessionmaker[Session], shared_dir: Path  # noqa: F811
) -> None:
    stored = generate(scratch, shared_dir, 400, created_by_id=admin_id(scratch), now=NOW,
                      batch=150)
    assert stored == 400
    with scratch() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 400
        last = select(OrderEvent.order_id, func.max(OrderEvent.seq).label("seq")).group_by(
            OrderEvent.order_id).subquery()
        ends = session.execute(
            select(Order.state, OrderEvent.to_state)
            .join(last, last.c.order_id == Order.id)
            .join(OrderEvent, (OrderEvent.order_id == Order.id) & (OrderEvent.seq == last.c.seq))
        ).all()
    assert len(ends) == 400 and all(state == to for state, to in ends)


def test_a_generated_csv_imports_without_a_single_error(
    scratch: sessionmaker[Session], shared_dir: Path, tmp_path: Path  # noqa: F811
) -> None:
    from jiesu.generator import load_places
    from jiesu.units.models import Unit

    with scratch() as session:
        places = load_places(session)
        codes = dict(session.execute(select(Unit.id, Unit.code)).tuples().all())
    gen = Generator(load_corpus(shared_dir), places, created_by_id=1, now=NOW, seed=3)
    path = tmp_path / "generated.csv"
    assert write_csv(path, gen, 300, codes) == 300
    report = imports.import_file(scratch, path, created_by_id=admin_id(scratch))
    assert (report.imported, report.errors) == (300, [])


def test_generated_texts_name_their_own_district_and_street(shared_dir: Path) -> None:
    """The source's masked places (A市, A3区, K8县) read as the order's own place."""
    import re

    places = Places([(100, "110105026", "110105")], [7], {"110105026": "望京街道",
                                                          "110105": "朝阳区"})
    gen = Generator(load_corpus(shared_dir), places, created_by_id=1, now=NOW, seed=3)
    made = [o.columns for batch in gen.batches(3_000, 3_000) for o in batch]
    masked = re.compile(r"[A-Z]\d*[市区县]|西地省")
    assert not [o["text"] for o in made if masked.search(f"{o['title']}。{o['text']}")]
    assert any("朝阳区望京街道" in str(o["text"]) for o in made)
