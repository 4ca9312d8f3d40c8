"""Rule: who may do what, as a matrix of every API route × every role.

Agents and dispatchers see the centre's orders; a unit's handlers only orders dispatched to
their unit (a district also its streets' orders, read-only); supervisors see all; admin manages
units, users and the catalogue. The routes are read from the application, so a new route
without an entry here fails `test_every_api_route_has_a_matrix_entry`.

Each entry names the members of the cast (tests/rules_support.CAST) who succeed; everyone else
gets 401 (anonymous) or 403/404, with the error shape and none of the order's data.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.orders.models import Case, Order
from jiesu.orders.statemachine import TABLE, Action, State
from tests.conftest import auth_headers
from tests.factories import WANGJING, new_order, step, unit, who
from tests.rules_support import CAST, MASKED, action_payload, api_routes, assert_error_shape

MEMBERS = ["anonymous", *CAST]
ROLE_OF = {"agent": "agent", "dispatcher": "dispatcher", "lead_handler": "handler",
           "other_handler": "handler", "assist_handler": "handler", "district": "handler",
           "community": "handler", "visitor": "visitor", "supervisor": "supervisor",
           "admin": "admin"}
HANDLERS = frozenset(m for m, r in ROLE_OF.items() if r == "handler")
CENTRE = frozenset({"agent", "dispatcher", "visitor", "supervisor"})
EVERYONE = frozenset(CAST)
LINE_MANAGERS = frozenset({"supervisor", "admin"})
_counter = itertools.count(1)


@dataclass
class Call:
    method: str
    path: str
    body: Any = None
    params: dict[str, Any] | None = None
    secrets: list[str] = field(default_factory=list)  # must not appear in a refusal
    files: dict[str, Any] | None = None  # a multipart upload instead of a JSON body


Setup = Callable[[Session], Call]


@dataclass(frozen=True)
class Entry:
    allowed: frozenset[str]
    setup: Setup
    public: bool = False  # anonymous succeeds too
    changes: bool = False  # a successful call changes the setup: a fresh one per member
    # Members who are neither allowed nor simply refused, and the statuses they get.
    special: dict[str, frozenset[int]] = field(default_factory=dict)


def _order(session: Session, state: str, *, anonymous: bool = False,
           outcome: str = "solved") -> Order:
    """An order in `state`, led by 望京街道 with 市城市管理委 assisting."""
    n = next(_counter)
    order = new_order(session, text=f"矩阵工单{n}：望京街道花家地西里路灯不亮", anonymous=anonymous,
                      citizen_name=f"诉求人{n}")
    if state == "received":
        return order
    if state == "merged":
        master = new_order(session, text=f"主工单{n}")
        return step(session, "dispatcher", order, "merge", master_order_id=master.id)
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id,
         assisting_unit_ids=[unit(session, "dept.chengguan").id])
    chain = {"dispatched": [], "returned": [("return_order", {"reason": "不属于本街道"})],
             "signed": [("sign", {})],
             "in_progress": [("sign", {}), ("contact", {"method": "phone"})],
             "replied": [("sign", {}), ("contact", {"method": "phone"}),
                         ("reply", {"outcome": outcome, "reply": "已处理"})]}[state]
    for action, payload in chain:
        step(session, "street", order, action, **payload)
    return order


def _secrets(order: Order) -> list[str]:
    return [order.text, order.number or "", order.citizen_name, MASKED]


BUILDABLE = ("received", "dispatched", "signed", "in_progress", "returned", "replied", "merged")

# Where each action can be taken, and anything it needs beyond the state.
ACTION_STATE = {"answer_on_call": "received", "not_accept": "received", "dispatch": "received",
                "merge": "received", "split": "merged", "redispatch": "returned",
                "reject_return": "returned", "sign": "dispatched", "return_order": "dispatched",
                "assist_report": "dispatched", "pass_on": "dispatched", "urge": "dispatched",
                "supervise": "dispatched", "link_case": "dispatched", "praise": "dispatched",
                "contact": "signed", "note": "signed", "request_extension": "signed",
                "approve_extension": "signed", "refuse_extension": "signed",
                "reply": "in_progress"}


def _action_setup(action: Action) -> Setup:
    def setup(session: Session) -> Call:
        # The first state that _order can build, in lifecycle order (never TABLE's order:
        # an action allowed in several states must not depend on how the table was built).
        state = ACTION_STATE.get(action.value) or next(
            s for s in BUILDABLE if (State(s), action) in TABLE)
        order = _order(session, state, anonymous=action.value == "skip_visit",
                       outcome="not_solvable" if action.value == "close_explained" else "solved")
        if action.value in {"approve_extension", "refuse_extension"}:
            step(session, "street", order, "request_extension", reason="需协调", days=3)
        if action.value == "close_unreachable":
            for _ in range(3):
                step(session, "visitor", order, "visit_attempt", note="无人接听")
        body = action_payload(session, action.value)
        if action.value == "link_case":
            case = Case(title="联办", created_by_id=who(session, "dispatcher").user_id,
                        created_at=clock.now())
            session.add(case)
            session.flush()
            body["case_id"] = case.id
        if action.value == "unlink_case":
            case = Case(title="联办", created_by_id=who(session, "dispatcher").user_id,
                        created_at=clock.now())
            session.add(case)
            session.flush()
            step(session, "dispatcher", order, "link_case", case_id=case.id)
        if action.value == "skip_visit":
            body["reason"] = "anonymous"
        return Call("POST", f"/api/v1/orders/{order.id}/{action.value}", body,
                    secrets=_secrets(order))

    return setup


def _action_entry(action: Action) -> Entry:
    setup = _action_setup(action)
    state = ACTION_STATE.get(action.value) or next(
        s.value for (s, a) in TABLE if a is action and s is not State.closed)
    roles = TABLE[(State(state), action)].roles
    allowed = {m for m, r in ROLE_OF.items() if r in roles and r != "handler"}
    if "handler" in roles:
        allowed.add("assist_handler" if action is Action.assist_report else "lead_handler")
    return Entry(frozenset(allowed), setup, changes=True)


def _order_call(state: str, suffix: str = "") -> Setup:
    def setup(session: Session) -> Call:
        order = _order(session, state)
        return Call("GET", f"/api/v1/orders/{order.id}{suffix}", secrets=_secrets(order))

    return setup


def _fixed(method: str, path: str, body: Any = None, **params: Any) -> Setup:
    return lambda session: Call(method, path, body, params or None)


def _unique(method: str, path: str, make: Callable[[int], dict[str, Any]]) -> Setup:
    return lambda session: Call(method, path, make(next(_counter)))


def _catalogue_rule(method: str) -> Setup:
    def setup(session: Session) -> Call:
        from jiesu.units import service
        from jiesu.units.schemas import CatalogueRuleCreate

        rule = service.add_rule(session, CatalogueRuleCreate(
            position=900, name=f"规则{next(_counter)}", lead_unit_code="dept.chengguan"), None)
        body = {"position": 901, "name": "新版本", "lead_unit_code": "dept.chengguan"}
        return Call(method, f"/api/v1/catalogue/{rule.id}", body if method == "PUT" else None)

    return setup


def _user_call(suffix: str, body: dict[str, Any] | None = None) -> Setup:
    def setup(session: Session) -> Call:
        from jiesu.units import service
        from jiesu.units.schemas import UserCreate

        user = service.create_user(session, UserCreate.model_validate({
            "username": f"matrix.user{next(_counter)}", "display_name": "矩阵用户",
            "role": "agent", "password": "a-long-enough-password"}))
        return Call("POST", f"/api/v1/users/{user.id}{suffix}", body)

    return setup


def _deadline_rule(method: str, suffix: str = "") -> Setup:
    def setup(session: Session) -> Call:
        from jiesu.orders import deadline_rules
        from jiesu.orders.deadlines import DEFAULT_RULES

        row = deadline_rules.add_rule(session, urgency="ordinary",
                                      category=f"矩阵类别{next(_counter)}",
                                      limits=DEFAULT_RULES["ordinary"])
        limit = {"amount": 1, "span": "working_days"}
        body = {"sign": limit, "contact": limit, "reply": limit} if method == "PUT" else None
        return Call(method, f"/api/v1/deadline-rules/{row.id}{suffix}", body)

    return setup


PNG = b"\x89PNG\r\n\x1a\n" + b"matrix"


def _attachment_call(kind: str) -> Setup:
    """Upload to, list, or download from a dispatched order's attachments."""
    def setup(session: Session) -> Call:
        from jiesu.orders import attachments

        order = _order(session, "dispatched")
        if kind == "upload":
            return Call("POST", f"/api/v1/orders/{order.id}/attachments",
                        files={"file": ("现场.png", PNG, "image/png")}, secrets=_secrets(order))
        if kind == "list":
            return Call("GET", f"/api/v1/orders/{order.id}/attachments",
                        secrets=_secrets(order))
        row = attachments.add(session, who(session, "agent"), order.id,
                              attachments.Upload("矩阵附件.png", "image/png", io.BytesIO(PNG)))
        return Call("GET", f"/api/v1/attachments/{row.id}", secrets=["矩阵附件"])

    return setup


def _place_alias(method: str) -> Setup:
    def setup(session: Session) -> Call:
        from jiesu.units import place_aliases

        row = place_aliases.add_alias(session, alias=f"矩阵地标{next(_counter)}",
                                      district="朝阳区", street="望京街道")
        body = {"alias": f"矩阵地标{next(_counter)}", "district": "朝阳区"}
        return Call(method, f"/api/v1/place-aliases/{row.id}", body if method == "PUT" else None)

    return setup


_calendar_days = itertools.count()


def _calendar_day_text() -> str:
    """A fresh date of 2027 for each entry the matrix makes (one active entry per date)."""
    return (date(2027, 1, 1) + timedelta(days=next(_calendar_days))).isoformat()


def _calendar_day(method: str, suffix: str) -> Setup:
    def setup(session: Session) -> Call:
        from jiesu.calendar import service

        row = service.add_day(session, day=service.parse_day(_calendar_day_text()),
                              is_workday=False, name="矩阵假日")
        body = {"is_workday": True, "name": "矩阵调休"} if suffix == "/replace" else None
        return Call(method, f"/api/v1/calendar/days/{row.id}{suffix}", body)

    return setup


def _calendar_year(session: Session) -> Call:
    from jiesu.calendar import service

    service.add_day(session, day=service.parse_day(_calendar_day_text()), is_workday=False,
                    name="矩阵假日")
    return Call("POST", "/api/v1/calendar/years/2027/complete", {"source": "矩阵测试通知"})


def _replied_for(path: str, body: dict[str, Any]) -> Setup:
    def setup(session: Session) -> Call:
        order = _order(session, "replied")
        return Call("POST", path.format(order_id=order.id), body, secrets=_secrets(order))

    return setup


def _line_answer(session: Session) -> Any:
    """A published knowledge-base answer (jiesu.knowledge) for the line routes."""
    from jiesu.knowledge import service as kb
    from jiesu.knowledge.schemas import ArticleCreate

    version = kb.create_article(session, who(session, "supervisor"), ArticleCreate(
        topic=f"矩阵口径{next(_counter)}", questions=["核酸检测点在哪里"], answer="见区政府网站。",
        category="疾病预防控制", owner_unit_id=unit(session, "dept.chengguan").id))
    return kb.publish(session, who(session, "supervisor"), version.id)


def _line_call(method: str, suffix: str = "", body: Any = None) -> Setup:
    """A special line with the demo agent and one answer on it (jiesu.lines)."""
    def setup(session: Session) -> Call:
        from jiesu.lines import schemas as line_schemas
        from jiesu.lines import service as lines

        answer = _line_answer(session)
        line = lines.create_line(session, who(session, "supervisor"),
                                 line_schemas.LineCreate(code=f"matrix-{next(_counter)}",
                                                         name="矩阵专线", number="12345-9",
                                                         agent_ids=[who(session, "agent").user_id],
                                                         article_ids=[answer.article_id]))
        path = f"/api/v1/lines/{line.id}{suffix}".replace(
            "{agent_id}", str(who(session, "agent").user_id)).replace(
            "{article_id}", str(answer.article_id))
        call_body = body
        if body == "new_article":
            call_body = {"article_ids": [_line_answer(session).article_id]}
        return Call(method, path, call_body)

    return setup


LINE_LIMITS = {"sign": {"amount": 2, "span": "hours"}, "contact": {"amount": 2, "span": "hours"},
               "reply": {"amount": 24, "span": "hours"}}


def _line_rule_call(method: str, suffix: str = "", body: Any = None) -> Setup:
    """A special line with one deadline rule of its own (any urgency, 2 h / 2 h / 24 h)."""
    def setup(session: Session) -> Call:
        from jiesu.lines import schemas as line_schemas
        from jiesu.lines import service as lines

        line = lines.create_line(session, who(session, "supervisor"),
                                 line_schemas.LineCreate.model_validate({
                                     "code": f"matrix-{next(_counter)}", "name": "矩阵专线",
                                     "number": "12345-9",
                                     "deadline_rules": [{"urgency": "any", **LINE_LIMITS}]}))
        rule_id = lines.to_public(session, line).deadline_rules[0].id
        return Call(method, f"/api/v1/lines/{line.id}/deadline-rules" + suffix.replace(
            "{rule_id}", str(rule_id)), body)

    return setup


# Knowledge base: articles of 市城市管理委 (the assisting unit's handler "dept" owns them).
KB_CENTRE = frozenset({"supervisor", "admin"})
KB_OWNER = KB_CENTRE | {"assist_handler"}


def _kb_version(state: str) -> Any:
    from tests.kb_support import draft, published

    topic = f"矩阵答复{next(_counter)}"
    if state == "published":
        return lambda session: published(session, topic=topic)
    return lambda session: draft(session, topic=topic, submit=state == "proposed")


def _kb_article_call(method: str, suffix: str, body: Any = None, state: str = "published"
                     ) -> Setup:
    def setup(session: Session) -> Call:
        version = _kb_version(state)(session)
        return Call(method, f"/api/v1/kb/articles/{version.article_id}{suffix}", body,
                    secrets=[version.answer])

    return setup


def _settle_call(session: Session) -> Call:
    version = _line_answer(session)
    return Call("POST", "/api/v1/first-call", {
        "call": {"type": "consultation", "text": f"矩阵来电{next(_counter)}：核酸检测点在哪里"},
        "version_id": version.id})


def _kb_version_call(suffix: str, state: str, body: Any = None) -> Setup:
    def setup(session: Session) -> Call:
        version = _kb_version(state)(session)
        return Call("POST", f"/api/v1/kb/versions/{version.id}{suffix}", body)

    return setup


def _kb_new_article(session: Session) -> Call:
    from tests.kb_support import content

    body = content(topic=f"矩阵新条目{next(_counter)}",
                   owner_unit_id=unit(session, "dept.chengguan").id)
    return Call("POST", "/api/v1/kb/articles", body)


def _kb_use(session: Session) -> Call:
    version = _kb_version("published")(session)
    return Call("POST", "/api/v1/kb/uses", {"version_id": version.id})


def _kb_import(session: Session) -> Call:
    row = ("code,owner_unit_code,topic,questions,answer,category\n"
           "MATRIX-1,dept.chengguan,矩阵导入条目,怎么办|找谁,按规定办理,城乡建设\n")
    return Call("POST", "/api/v1/kb/import",
                files={"file": ("kb.csv", row.encode("utf-8"), "text/csv")})


KB_REVISION = {"topic": "矩阵新版本", "answer": "新的答复口径", "category": "城乡建设"}


def _open311_client(session: Session) -> Call:
    from jiesu.open311 import service
    from jiesu.open311.schemas import ApiClientCreate

    client, _ = service.issue_client(session, ApiClientCreate(name="矩阵应用"), None)
    return Call("POST", f"/api/v1/open311/clients/{client.id}/revoke")


LIMIT = {"amount": 2, "span": "working_days"}
MATRIX: dict[tuple[str, str], Entry] = {
    ("GET", "/healthz"): Entry(EVERYONE, _fixed("GET", "/healthz"), public=True),
    ("POST", "/api/v1/auth/token"): Entry(EVERYONE, _fixed(
        "POST", "/api/v1/auth/token", {"username": "agent", "password": "jiesu-demo"}),
        public=True),
    ("GET", "/api/v1/auth/me"): Entry(EVERYONE, _fixed("GET", "/api/v1/auth/me")),
    ("GET", "/api/v1/units"): Entry(EVERYONE, _fixed("GET", "/api/v1/units")),
    ("POST", "/api/v1/units"): Entry(frozenset({"admin"}), _unique(
        "POST", "/api/v1/units",
        lambda n: {"code": f"dept.matrix{n}", "name": f"矩阵局{n}", "kind": "department"})),
    ("GET", "/api/v1/users"): Entry(frozenset({"admin"}), _fixed("GET", "/api/v1/users")),
    ("POST", "/api/v1/users"): Entry(frozenset({"admin"}), _unique(
        "POST", "/api/v1/users",
        lambda n: {"username": f"matrix.{n}", "display_name": "新人", "role": "agent",
                   "password": "a-long-enough-password"})),
    ("POST", "/api/v1/users/{user_id}/deactivate"): Entry(
        frozenset({"admin"}), _user_call("/deactivate"), changes=True),
    ("POST", "/api/v1/users/{user_id}/activate"): Entry(
        frozenset({"admin"}), _user_call("/activate")),
    ("POST", "/api/v1/users/{user_id}/password"): Entry(
        frozenset({"admin"}), _user_call("/password", {"password": "another-long-password"}),
        changes=True),
    ("GET", "/api/v1/catalogue"): Entry(EVERYONE, _fixed("GET", "/api/v1/catalogue")),
    ("POST", "/api/v1/catalogue"): Entry(frozenset({"admin"}), _unique(
        "POST", "/api/v1/catalogue",
        lambda n: {"position": 900 + n, "name": f"规则{n}", "lead_unit_code": "dept.chengguan"})),
    ("PUT", "/api/v1/catalogue/{rule_id}"): Entry(
        frozenset({"admin"}), _catalogue_rule("PUT"), changes=True),
    ("DELETE", "/api/v1/catalogue/{rule_id}"): Entry(
        frozenset({"admin"}), _catalogue_rule("DELETE"), changes=True),
    ("POST", "/api/v1/orders"): Entry(frozenset({"agent"}), _unique(
        "POST", "/api/v1/orders",
        lambda n: {"type": "complaint", "text": f"矩阵受理{n}", "citizen_phone": "13812345678"})),
    ("GET", "/api/v1/orders"): Entry(EVERYONE, _fixed("GET", "/api/v1/orders")),
    # Each member exports what its own list shows (a unit its orders; admin none).
    ("GET", "/api/v1/orders/export"): Entry(
        EVERYONE, _fixed("GET", "/api/v1/orders/export", format="csv")),
    ("GET", "/api/v1/orders/overdue"): Entry(
        CENTRE | HANDLERS, _fixed("GET", "/api/v1/orders/overdue")),
    ("GET", "/api/v1/orders/{order_id}"): Entry(
        CENTRE | {"lead_handler", "assist_handler", "district"}, _order_call("dispatched")),
    ("GET", "/api/v1/orders/{order_id}/citizen"): Entry(
        frozenset({"lead_handler", "visitor"}), _order_call("dispatched", "/citizen")),
    ("POST", "/api/v1/cases"): Entry(frozenset({"dispatcher", "supervisor"}), _fixed(
        "POST", "/api/v1/cases", {"title": "联办", "order_ids": []})),
    ("GET", "/api/v1/cases/{case_id}"): Entry(CENTRE, lambda session: Call(
        "GET", f"/api/v1/cases/{_case(session)}")),
    ("GET", "/api/v1/hotspots"): Entry(
        frozenset({"dispatcher", "supervisor"}), _fixed("GET", "/api/v1/hotspots")),
    ("GET", "/api/v1/hotspots/rule"): Entry(
        frozenset({"dispatcher", "supervisor"}), _fixed("GET", "/api/v1/hotspots/rule")),
    ("PUT", "/api/v1/hotspots/rule"): Entry(frozenset({"supervisor", "admin"}), _fixed(
        "PUT", "/api/v1/hotspots/rule", {"min_callers": 5, "within_hours": 24})),
    ("GET", "/api/v1/hotspots/{cluster_id}"): Entry(
        frozenset({"dispatcher", "supervisor"}), lambda session: Call(
            "GET", f"/api/v1/hotspots/{_hotspot(session)}")),
    ("POST", "/api/v1/hotspots/{cluster_id}/case"): Entry(
        frozenset({"dispatcher", "supervisor"}), lambda session: Call(
            "POST", f"/api/v1/hotspots/{_hotspot(session)}/case",
            {"lead_unit_id": unit(session, WANGJING).id}), changes=True),
    ("GET", "/api/v1/hotspots/cases/{case_id}"): Entry(
        frozenset({"dispatcher", "supervisor", "lead_handler"}), lambda session: Call(
            "GET", f"/api/v1/hotspots/cases/{_hotspot_case(session)}")),
    ("POST", "/api/v1/hotspots/cases/{case_id}/dispatch"): Entry(
        frozenset({"dispatcher"}), lambda session: Call(
            "POST", f"/api/v1/hotspots/cases/{_hotspot_case(session)}/dispatch", {})),
    ("POST", "/api/v1/hotspots/cases/{case_id}/reply"): Entry(
        frozenset({"lead_handler"}), lambda session: Call(
            "POST", f"/api/v1/hotspots/cases/{_hotspot_case(session)}/reply",
            {"outcome": "solved", "reply": "已统一处理"}), changes=True),
    ("POST", "/api/v1/hotspots/cases/{case_id}/split"): Entry(
        frozenset({"dispatcher", "supervisor"}), lambda s: _hotspot_split(s), changes=True),
    ("POST", "/api/v1/hotspots/proposals/{order_id}/accept"): Entry(
        frozenset({"dispatcher", "supervisor"}), lambda s: _hotspot_proposal(s), changes=True),
    ("GET", "/api/v1/hotspots/report"): Entry(frozenset({"dispatcher", "supervisor"}), _fixed(
        "GET", "/api/v1/hotspots/report", month="2026-11")),
    ("POST", "/api/v1/hotspots/intake"): Entry(
        frozenset({"agent", "dispatcher", "supervisor"}), _fixed(
            "POST", "/api/v1/hotspots/intake", {"text": "望京西园四区旁搅拌站夜间施工噪音扰民"})),
    ("GET", "/api/v1/hotspots/proactive"): Entry(
        frozenset({"dispatcher", "supervisor"}), _fixed("GET", "/api/v1/hotspots/proactive")),
    ("GET", "/api/v1/praises/stats"): Entry(
        CENTRE | {"admin"}, _fixed("GET", "/api/v1/praises/stats")),
    ("POST", "/api/v1/triage"): Entry(frozenset({"agent", "dispatcher", "supervisor"}), _fixed(
        "POST", "/api/v1/triage", {"text": "望京街道花家地西里路灯不亮"})),
    ("GET", "/api/v1/triage/agreement"): Entry(
        frozenset({"dispatcher", "supervisor"}), _fixed("GET", "/api/v1/triage/agreement")),
    ("GET", "/api/v1/deadline-rules"): Entry(
        CENTRE | {"admin"}, _fixed("GET", "/api/v1/deadline-rules")),
    ("POST", "/api/v1/deadline-rules"): Entry(frozenset({"admin"}), _unique(
        "POST", "/api/v1/deadline-rules",
        lambda n: {"urgency": "ordinary", "category": f"矩阵{n}", "sign": LIMIT,
                   "contact": LIMIT, "reply": LIMIT})),
    ("GET", "/api/v1/deadline-rules/{rule_id}/history"): Entry(
        frozenset({"admin"}), _deadline_rule("GET", "/history")),
    ("PUT", "/api/v1/deadline-rules/{rule_id}"): Entry(
        frozenset({"admin"}), _deadline_rule("PUT"), changes=True),
    ("DELETE", "/api/v1/deadline-rules/{rule_id}"): Entry(
        frozenset({"admin"}), _deadline_rule("DELETE"), changes=True),
    ("GET", "/api/v1/calendar"): Entry(
        frozenset({"admin"}), _fixed("GET", "/api/v1/calendar", year=2027)),
    ("POST", "/api/v1/calendar/days"): Entry(frozenset({"admin"}), lambda session: Call(
        "POST", "/api/v1/calendar/days",
        {"day": _calendar_day_text(), "is_workday": False, "name": "矩阵假日"})),
    ("POST", "/api/v1/calendar/days/{day_id}/replace"): Entry(
        frozenset({"admin"}), _calendar_day("POST", "/replace"), changes=True),
    ("POST", "/api/v1/calendar/days/{day_id}/retire"): Entry(
        frozenset({"admin"}), _calendar_day("POST", "/retire"), changes=True),
    ("GET", "/api/v1/calendar/days/{day_id}/history"): Entry(
        frozenset({"admin"}), _calendar_day("GET", "/history")),
    ("POST", "/api/v1/calendar/years/{year}/complete"): Entry(
        frozenset({"admin"}), _calendar_year),
    ("GET", "/api/v1/inbox"): Entry(EVERYONE, _fixed("GET", "/api/v1/inbox")),
    ("POST", "/api/v1/inbox/read-all"): Entry(EVERYONE, _fixed("POST", "/api/v1/inbox/read-all")),
    # Nobody has notification 999999999: everyone signed in gets 404, which tells nothing.
    ("POST", "/api/v1/inbox/{notification_id}/read"): Entry(
        frozenset(), _fixed("POST", "/api/v1/inbox/999999999/read")),
    ("GET", "/api/v1/visits/queue"): Entry(
        frozenset({"visitor", "supervisor"}), _fixed("GET", "/api/v1/visits/queue")),
    ("POST", "/api/v1/visits/skip-due"): Entry(
        frozenset({"visitor", "supervisor"}), _fixed("POST", "/api/v1/visits/skip-due")),
    ("GET", "/api/v1/visits/reviews"): Entry(
        frozenset({"supervisor"}), _fixed("GET", "/api/v1/visits/reviews")),
    # No review is pending on a fresh order: the supervisor gets a 4xx of its own.
    ("POST", "/api/v1/visits/reviews/{order_id}"): Entry(
        frozenset(), _replied_for("/api/v1/visits/reviews/{order_id}",
                                  {"agree": True, "reason": "依法无法解决"}),
        special={"supervisor": frozenset({404, 409, 422})}),
    ("POST", "/api/v1/visits/{order_id}"): Entry(
        frozenset({"visitor"}), _replied_for("/api/v1/visits/{order_id}",
                                             {"reached": False, "note": "无人接听"}),
        changes=True),
    # Attachments: seen exactly as the order is; added by anyone the `attach` row names.
    ("POST", "/api/v1/orders/{order_id}/attachments"): Entry(
        frozenset({"agent", "dispatcher", "lead_handler", "visitor", "supervisor"}),
        _attachment_call("upload")),
    ("GET", "/api/v1/orders/{order_id}/attachments"): Entry(
        CENTRE | {"lead_handler", "assist_handler", "district"}, _attachment_call("list")),
    ("GET", "/api/v1/attachments/{attachment_id}"): Entry(
        CENTRE | {"lead_handler", "assist_handler", "district"}, _attachment_call("download")),
    ("GET", "/api/v1/place-aliases"): Entry(
        frozenset({"admin"}), _fixed("GET", "/api/v1/place-aliases")),
    ("POST", "/api/v1/place-aliases"): Entry(frozenset({"admin"}), _unique(
        "POST", "/api/v1/place-aliases",
        lambda n: {"alias": f"矩阵别名{n}", "district": "朝阳区", "street": "望京街道"})),
    ("PUT", "/api/v1/place-aliases/{alias_id}"): Entry(
        frozenset({"admin"}), _place_alias("PUT"), changes=True),
    ("DELETE", "/api/v1/place-aliases/{alias_id}"): Entry(
        frozenset({"admin"}), _place_alias("DELETE"), changes=True),
    ("GET", "/api/v1/open311/clients"): Entry(
        frozenset({"admin"}), _fixed("GET", "/api/v1/open311/clients")),
    ("POST", "/api/v1/open311/clients"): Entry(frozenset({"admin"}), _unique(
        "POST", "/api/v1/open311/clients", lambda n: {"name": f"矩阵应用{n}"})),
    ("POST", "/api/v1/open311/clients/{client_id}/revoke"): Entry(
        frozenset({"admin"}), _open311_client, changes=True),
    ("GET", "/api/v1/reports/rates"): Entry(
        (CENTRE - {"agent"}) | HANDLERS | {"admin"},
        _fixed("GET", "/api/v1/reports/rates", period="2026-10")),
    ("GET", "/api/v1/lines"): Entry(CENTRE | {"admin"}, _fixed("GET", "/api/v1/lines")),
    ("POST", "/api/v1/lines"): Entry(LINE_MANAGERS, _unique(
        "POST", "/api/v1/lines",
        lambda n: {"code": f"matrix-new-{n}", "name": "矩阵专线", "channel_tag": "matrix"}),
        changes=True),
    ("GET", "/api/v1/lines/{line_id}"): Entry(CENTRE | {"admin"}, _line_call("GET")),
    ("PUT", "/api/v1/lines/{line_id}"): Entry(
        LINE_MANAGERS, _line_call("PUT", body={"name": "改名专线"})),
    ("POST", "/api/v1/lines/{line_id}/close"): Entry(
        LINE_MANAGERS, _line_call("POST", "/close", {"note": "结束"}), changes=True),
    ("POST", "/api/v1/lines/{line_id}/agents"): Entry(LINE_MANAGERS, lambda session: _line_call(
        "POST", "/agents", {"user_ids": [who(session, "agent2").user_id]})(session)),
    ("DELETE", "/api/v1/lines/{line_id}/agents/{user_id}"): Entry(
        LINE_MANAGERS, _line_call("DELETE", "/agents/{agent_id}"), changes=True),
    ("POST", "/api/v1/lines/{line_id}/articles"): Entry(
        LINE_MANAGERS, _line_call("POST", "/articles", "new_article")),
    ("DELETE", "/api/v1/lines/{line_id}/articles/{article_id}"): Entry(
        LINE_MANAGERS, _line_call("DELETE", "/articles/{article_id}"), changes=True),
    ("GET", "/api/v1/lines/{line_id}/dashboard"): Entry(
        frozenset({"dispatcher", "supervisor", "admin"}), _line_call("GET", "/dashboard")),
    ("GET", "/api/v1/lines/{line_id}/deadline-rules"): Entry(
        CENTRE | {"admin"}, _line_rule_call("GET")),
    ("POST", "/api/v1/lines/{line_id}/deadline-rules"): Entry(
        LINE_MANAGERS, _line_rule_call("POST", "", {"urgency": "emergency", **LINE_LIMITS}),
        changes=True),
    ("PUT", "/api/v1/lines/{line_id}/deadline-rules/{rule_id}"): Entry(
        LINE_MANAGERS, _line_rule_call("PUT", "/{rule_id}", LINE_LIMITS), changes=True),
    ("DELETE", "/api/v1/lines/{line_id}/deadline-rules/{rule_id}"): Entry(
        LINE_MANAGERS, _line_rule_call("DELETE", "/{rule_id}"), changes=True),
    ("GET", "/api/v1/lines/{line_id}/deadline-rules/{rule_id}/history"): Entry(
        LINE_MANAGERS, _line_rule_call("GET", "/{rule_id}/history")),
    ("POST", "/api/v1/first-call"): Entry(frozenset({"agent"}), _settle_call, changes=True),
    ("GET", "/api/v1/kb/search"): Entry(EVERYONE, _fixed("GET", "/api/v1/kb/search", q="垃圾")),
    ("GET", "/api/v1/public/kb/search"): Entry(
        EVERYONE, _fixed("GET", "/api/v1/public/kb/search", q="垃圾"), public=True),
    ("GET", "/api/v1/kb/articles"): Entry(KB_CENTRE | HANDLERS,
                                         _fixed("GET", "/api/v1/kb/articles")),
    ("POST", "/api/v1/kb/articles"): Entry(KB_OWNER, _kb_new_article),
    ("GET", "/api/v1/kb/articles/{article_id}"): Entry(KB_OWNER, _kb_article_call("GET", "")),
    ("GET", "/api/v1/kb/articles/{article_id}/history"): Entry(
        KB_OWNER, _kb_article_call("GET", "/history")),
    ("POST", "/api/v1/kb/articles/{article_id}/versions"): Entry(
        KB_OWNER, _kb_article_call("POST", "/versions", KB_REVISION), changes=True),
    ("POST", "/api/v1/kb/articles/{article_id}/withdraw"): Entry(
        KB_CENTRE, _kb_article_call("POST", "/withdraw", {"note": "政策调整"}), changes=True),
    ("POST", "/api/v1/kb/versions/{version_id}/propose"): Entry(
        KB_OWNER, _kb_version_call("/propose", "draft"), changes=True),
    ("POST", "/api/v1/kb/versions/{version_id}/publish"): Entry(
        KB_CENTRE, _kb_version_call("/publish", "proposed", {}), changes=True),
    ("POST", "/api/v1/kb/versions/{version_id}/reject"): Entry(
        KB_CENTRE, _kb_version_call("/reject", "proposed", {"note": "口径不准确"}),
        changes=True),
    ("GET", "/api/v1/kb/review"): Entry(KB_CENTRE, _fixed("GET", "/api/v1/kb/review")),
    ("POST", "/api/v1/kb/uses"): Entry(frozenset({"agent", "dispatcher", "supervisor"}),
                                      _kb_use),
    ("GET", "/api/v1/kb/top"): Entry(KB_CENTRE, _fixed("GET", "/api/v1/kb/top")),
    ("GET", "/api/v1/kb/zero-results"): Entry(KB_CENTRE,
                                             _fixed("GET", "/api/v1/kb/zero-results")),
    ("GET", "/api/v1/kb/synonyms"): Entry(KB_CENTRE, _fixed("GET", "/api/v1/kb/synonyms")),
    ("POST", "/api/v1/kb/synonyms"): Entry(frozenset({"admin"}), _unique(
        "POST", "/api/v1/kb/synonyms", lambda n: {"word": f"矩阵词{n}", "canonical": "物业费"})),
    ("GET", "/api/v1/kb/export"): Entry(KB_CENTRE, _fixed("GET", "/api/v1/kb/export")),
    ("POST", "/api/v1/kb/import"): Entry(KB_CENTRE, _kb_import),
}
for _action in Action:
    if any(a is _action for (_, a) in TABLE):
        MATRIX.setdefault(("POST", f"/api/v1/orders/{{order_id}}/{_action.value}"),
                          _action_entry(_action))


def _hotspot(session: Session) -> int:
    from jiesu.hotspots import live, service

    live.forget()
    # A new estate each time: each setup gets a cluster of its own (one may become a case).
    new_order(session, text=f"朝阳区望京街道矩阵{next(_counter)}号家园旁搅拌站夜间施工噪音扰民")
    return service.assign_pending(session)[-1].cluster_id


def _hotspot_case(session: Session) -> int:
    from jiesu.hotspots import cases

    cluster_id = _hotspot(session)
    return cases.open_case(session, who(session, "dispatcher"), cluster_id,
                           lead_unit_id=unit(session, WANGJING).id,
                           assisting_unit_ids=[]).case_id


def _hotspot_split(session: Session) -> Call:
    from jiesu.hotspots import cases

    case_id = _hotspot_case(session)
    order_id = cases.case_orders(session, case_id)[-1].id
    return Call("POST", f"/api/v1/hotspots/cases/{case_id}/split",
                {"order_id": order_id, "reason": "误并"})


def _hotspot_proposal(session: Session) -> Call:
    from jiesu.hotspots import service

    case_id = _hotspot_case(session)
    from jiesu.hotspots.models import HotspotCluster, JointCase

    cluster = session.get(HotspotCluster, session.get(JointCase, case_id).cluster_id)
    later = new_order(session, text=f"{cluster.title}，今晚又开始了")
    service.assign_pending(session)
    return Call("POST", f"/api/v1/hotspots/proposals/{later.id}/accept")


def _case(session: Session) -> int:
    case = Case(title="联办", created_by_id=who(session, "dispatcher").user_id,
                created_at=clock.now())
    session.add(case)
    session.flush()
    return case.id


def _routes(client: TestClient) -> list[tuple[str, str]]:
    # The JSON API and the health check; the HTML pages are matched by the web tests.
    return [(m, p) for m, p in api_routes(client.app)  # type: ignore[arg-type]
            if p.startswith("/api/") or p == "/healthz"]


def test_every_api_route_has_a_matrix_entry(client: TestClient) -> None:
    missing = [route for route in _routes(client) if route not in MATRIX]
    assert not missing, f"add these routes to tests/test_authz_matrix.py MATRIX: {missing}"


def _send(client: TestClient, call: Call, headers: dict[str, str]) -> Any:
    if call.files is not None:
        return client.request(call.method, call.path, files=call.files, params=call.params,
                              headers=headers)
    return client.request(call.method, call.path, json=call.body, params=call.params,
                          headers=headers)


def test_every_route_answers_every_role_as_the_matrix_says(
    client: TestClient, session: Session
) -> None:
    headers = {m: auth_headers(session, CAST[m]) for m in CAST}
    headers["anonymous"] = {}
    failures = []
    for route in _routes(client):
        entry = MATRIX.get(route)
        if entry is None:
            continue  # reported by the test above
        shared = entry.setup(session)
        for member in MEMBERS:
            allowed = entry.public or member in entry.allowed
            call = entry.setup(session) if allowed and entry.changes else shared
            response = _send(client, call, headers[member])
            status = response.status_code
            if allowed:
                ok = 200 <= status < 300
            elif member in entry.special:
                ok = status in entry.special[member]
            else:
                ok = status == 401 if member == "anonymous" else status in (403, 404)
            if ok and not allowed:
                assert_error_shape(response.json())
                leaked = [s for s in call.secrets if s and s in response.text]
                ok = not leaked
            if not ok:
                failures.append(f"{route} as {member}: {status} {response.text[:160]}")
    assert not failures, "\n".join(failures)


def test_a_unit_sees_only_its_own_orders_in_lists(client: TestClient, session: Session) -> None:
    order = _order(session, "dispatched")
    visible = {"agent", "dispatcher", "visitor", "supervisor", "lead_handler", "assist_handler",
               "district"}
    for member, username in CAST.items():
        listed = client.get("/api/v1/orders", params={"limit": 200, "text": order.text},
                            headers=auth_headers(session, username))
        assert listed.status_code == 200, (member, listed.text)
        ids = {row["id"] for row in listed.json()["data"]}
        assert (order.id in ids) == (member in visible), member
        if member not in visible:
            assert order.text not in listed.text and listed.json()["count"] == 0


def test_the_district_reads_its_streets_orders_but_cannot_act_on_them(
    client: TestClient, session: Session
) -> None:
    order = _order(session, "dispatched")
    headers = auth_headers(session, "district")
    assert client.get(f"/api/v1/orders/{order.id}", headers=headers).status_code == 200
    for action in ("sign", "return_order", "pass_on", "assist_report"):
        body = action_payload(session, action)
        refused = client.post(f"/api/v1/orders/{order.id}/{action}", json=body, headers=headers)
        assert refused.status_code == 403, (action, refused.text)
