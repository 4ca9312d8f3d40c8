"""The admin deadline-rules page edits the versioned table through orders.deadline_rules:
add, replace (a new version, the old one kept), retire, history; bad input shown by the field;
and what the page saves is what the next dispatch uses."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.orders import deadline_rules
from jiesu.orders.deadline_rules import DeadlineRuleRow
from jiesu.orders.deadlines import DEFAULT_RULES
from jiesu.orders.models import OrderEvent
from tests.factories import dispatched
from tests.web.test_web_rules import csrf, login


def limits(sign: tuple[str, str], contact: tuple[str, str], reply: tuple[str, str],
           **extra: str) -> dict[str, Any]:
    form = {"sign_amount": sign[0], "sign_span": sign[1], "contact_amount": contact[0],
            "contact_span": contact[1], "reply_amount": reply[0], "reply_span": reply[1]}
    return {**form, **extra}


def active(session: Session, urgency: str, category: str | None) -> list[DeadlineRuleRow]:
    session.expire_all()
    return [r for r in deadline_rules.active_rules(session)
            if r.urgency == urgency and r.category == category]


def test_admin_adds_a_rule_from_the_page_and_the_next_dispatch_uses_it(
    client: TestClient, session: Session
) -> None:
    login(client, "admin")
    token = csrf(client, "/admin/deadlines")
    form = limits(("2", "hours"), ("8", "hours"), ("3", "working_days"), urgency="ordinary",
                  category="市容环卫", note="环卫类从快", csrf_token=token)
    answer = client.post("/admin/deadlines", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:800]
    [row] = active(session, "ordinary", "市容环卫")
    assert (row.sign_amount, row.contact_amount, row.reply_amount) == (2, 8, 3)
    assert row.created_by_id is not None
    page = client.get("/admin/deadlines").text
    assert "市容环卫" in page and "3个工作日" in page
    order = dispatched(session, category="市容环卫")
    event = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                     OrderEvent.action == "dispatch")).one()
    assert event.payload["deadlines"]["rule_id"] == row.id
    assert event.payload["deadlines"]["limits"]["reply"] == "3个工作日"


def test_replacing_a_rule_keeps_the_old_version_in_its_history(
    client: TestClient, session: Session
) -> None:
    old = deadline_rules.add_rule(session, urgency="urgent", category="供水",
                                  limits=DEFAULT_RULES["urgent"], note="第一版")
    login(client, "admin")
    token = csrf(client, f"/admin/deadlines/{old.id}")
    answer = client.post(f"/admin/deadlines/{old.id}", follow_redirects=False, data=limits(
        ("1", "hours"), ("6", "hours"), ("12", "hours"), note="第二版", csrf_token=token))
    assert answer.status_code == 303, answer.text[:800]
    [new] = active(session, "urgent", "供水")
    assert new.id != old.id and new.supersedes_id == old.id and new.reply_amount == 12
    assert session.get(DeadlineRuleRow, old.id).retired_at is not None  # type: ignore[union-attr]
    history = client.get(answer.headers["location"]).text
    assert history.count('class="version"') == 2
    assert history.index("第二版") < history.index("第一版")  # newest first
    # The retired version shows its history but offers no edit form.
    retired_page = client.get(f"/admin/deadlines/{old.id}").text
    assert "已停用" in retired_page and "保存为新版本" not in retired_page


def test_retiring_a_rule_falls_back_and_lists_it_as_retired(
    client: TestClient, session: Session
) -> None:
    row = deadline_rules.add_rule(session, urgency="complex", category="拆违",
                                  limits=DEFAULT_RULES["complex"])
    login(client, "admin")
    token = csrf(client, "/admin/deadlines")
    answer = client.post(f"/admin/deadlines/{row.id}/retire", data={"csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert active(session, "complex", "拆违") == []
    page = client.get("/admin/deadlines").text
    assert "已停用或已修改的规则" in page and f'href="/admin/deadlines/{row.id}"' in page


def test_bad_limits_are_shown_next_to_the_field_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    before = session.scalars(select(DeadlineRuleRow.id)).all()
    login(client, "admin")
    token = csrf(client, "/admin/deadlines")
    form = limits(("0", "hours"), ("abc", "hours"), ("3", "fortnights"), urgency="ordinary",
                  category="坏输入", csrf_token=token)
    answer = client.post("/admin/deadlines", data=form)
    assert answer.status_code == 422
    for field in ("sign_amount", "contact_amount", "reply_span"):
        assert f'id="{field}-err"' in answer.text, field
    assert "不能小于 1" in answer.text
    assert session.scalars(select(DeadlineRuleRow.id)).all() == before


def test_a_second_active_rule_for_the_same_urgency_and_category_is_refused(
    client: TestClient, session: Session
) -> None:
    deadline_rules.add_rule(session, urgency="ordinary", category="噪音",
                            limits=DEFAULT_RULES["ordinary"])
    login(client, "admin")
    token = csrf(client, "/admin/deadlines")
    form = limits(("1", "hours"), ("1", "hours"), ("1", "working_days"), urgency="ordinary",
                  category="噪音", csrf_token=token)
    answer = client.post("/admin/deadlines", data=form)
    assert answer.status_code == 409
    assert "已有生效的时限规则" in answer.text
    assert len(active(session, "ordinary", "噪音")) == 1


def test_only_the_admin_may_use_the_deadline_page(client: TestClient, session: Session) -> None:
    row = deadline_rules.add_rule(session, urgency="ordinary", category="权限",
                                  limits=DEFAULT_RULES["ordinary"])
    login(client, "supervisor")
    assert client.get("/admin/deadlines").status_code == 403
    token = csrf(client, "/supervisor")
    answer = client.post(f"/admin/deadlines/{row.id}/retire", data={"csrf_token": token})
    assert answer.status_code == 403
    assert active(session, "ordinary", "权限") != []
