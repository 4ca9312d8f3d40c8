"""Demo data: real units, one user per role per sample unit, and orders in every state.

Orders are built from the real citizen messages in ../shared/data/messages/ and driven through
the same service calls a person would make, so each has a true event history.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.roles import Principal, Role
from jiesu.core.settings import DEMO_PASSWORD, get_settings
from jiesu.core.text import clean_spreadsheet_text, localise_masked
from jiesu.orders import schemas as s
from jiesu.orders import service
from jiesu.orders.models import NotAcceptedReason, Order, ReplyOutcome, RequestType, Satisfaction
from jiesu.orders.statemachine import Action
from jiesu.units import service as units
from jiesu.units.models import Unit, User
from jiesu.units.schemas import UserCreate


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    unit_code: str | None = None


# Sample units: 朝阳区, its 望京街道 and one of its communities, 海淀区八里庄街道,
# the city's urban management commission and the water company.
DEMO_USERS = [
    DemoUser("agent", "坐席·王芳", Role.agent),
    DemoUser("agent2", "坐席·李静", Role.agent),
    DemoUser("dispatcher", "派单·张伟", Role.dispatcher),
    DemoUser("visitor", "回访·刘洋", Role.visitor),
    DemoUser("supervisor", "督办·陈刚", Role.supervisor),
    DemoUser("admin", "管理员", Role.admin),
    DemoUser("district", "朝阳区·赵敏", Role.handler, "110105"),
    DemoUser("street", "望京街道·孙磊", Role.handler, "110105026"),
    DemoUser("street2", "望京街道·周婷", Role.handler, "110105026"),
    DemoUser("community", "花家地西里社区·吴霞", Role.handler, "110105026034"),
    DemoUser("haidian", "海淀八里庄街道·郑凯", Role.handler, "110108005"),
    DemoUser("dept", "市城市管理委·冯涛", Role.handler, "dept.chengguan"),
    DemoUser("utility", "自来水集团·何琳", Role.handler, "util.water"),
]


def create_demo_users(session: Session) -> int:
    added = 0
    for demo in DEMO_USERS:
        if session.scalars(select(User).where(User.username == demo.username)).first():
            continue
        unit_id = None
        if demo.unit_code:
            unit = units.unit_by_code(session, demo.unit_code)
            if unit is None:
                continue
            unit_id = unit.id
        units.create_user(
            session,
            UserCreate(
                username=demo.username,
                display_name=demo.display_name,
                role=demo.role,
                password=DEMO_PASSWORD,
                unit_id=unit_id,
            ),
            is_demo=True,
        )
        added += 1
    return added


def _principal(session: Session, username: str) -> Principal:
    user = session.scalars(select(User).where(User.username == username)).one()
    return units.principal_for(session, user)


def _messages(shared: Path) -> list[tuple[str, str, str]]:
    """(title, body, official reply) from the raw messages; A市 masks read as Beijing."""
    rows: list[tuple[str, str, str]] = []
    for name in ("replies.csv", "hot_issues.csv"):
        path = shared / "messages" / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                body = clean_spreadsheet_text(row.get("body", ""))
                if 20 <= len(body) <= 600:
                    rows.append((
                        clean_spreadsheet_text(row.get("title", "")),
                        body,
                        clean_spreadsheet_text(row.get("reply", "")),
                    ))
    return rows


def _localise(text: str, district: str, street: str = "") -> str:
    """The source messages' masked places (西地省, A市, A3区, K8县) read as the order's own
    district and street: 北京市朝阳区望京街道."""
    return localise_masked(text, district, street)


# Source place words that no Beijing order names (the message files come from another city):
# one a line in hotspots/data/demo_source_places.txt.
_SOURCE_PLACES = [
    w.strip() for w in (Path(__file__).parent / "hotspots" / "data" / "demo_source_places.txt")
    .read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")
]
# What still names another place after localising: a masked code, a street, town, township or
# county, a development zone, a word of the source city.
_FOREIGN = re.compile(
    r"[A-Z]\d*(?:市|区|县)|西地省|[\u4e00-\u9fa5]{2,4}(?:街道|镇|乡|县)|(?:新|开发|经开|高新)区"
    + ("|" + "|".join(map(re.escape, _SOURCE_PLACES)) if _SOURCE_PLACES else "")
)


class Texts:
    """The demo's texts, taken in turn: each order gets the next message that, localised to its
    district and street, names no other place: no masked code, no other street or town, and
    nothing the gazetteer places in another district or street."""

    def __init__(self, session: Session, messages: list[tuple[str, str, str]]) -> None:
        from jiesu.orders.suggest import engine_for

        self.messages = messages
        self.engine = engine_for(session)
        self.cursor = 0

    def next_for(self, district: Unit, street: Unit) -> tuple[str, str, str]:
        for _ in range(len(self.messages)):
            title, body, official = self.messages[self.cursor % len(self.messages)]
            self.cursor += 1
            local = (_localise(title, district.name), _localise(body, district.name, street.name),
                     _localise(official, district.name))
            if self.reads_as_own(local[0], local[1], district, street):
                return local
        raise ValueError("no demo message reads as this street's")

    def reads_as_own(self, title: str, body: str, district: Unit, street: Unit) -> bool:
        rest = f"{title}。{body}"
        for own in (street.name, district.name, "北京市"):
            rest = rest.replace(own, "，")
        if _FOREIGN.search(rest):
            return False
        place = self.engine.suggest(body, title, None, clock.now(), ()).place
        return place.district_code in (None, district.code) and place.street_code in (
            None, street.code)


# How many demo orders end in each state, and the steps that take them there.
PLAN: list[tuple[str, int]] = [
    ("received", 40),
    ("dispatched", 40),
    ("signed", 25),
    ("in_progress", 40),
    ("returned", 15),
    ("replied", 45),
    ("reopened", 10),
    ("merged", 5),
    ("answered", 25),
    ("not_accepted", 15),
    ("closed", 70),
    ("unreachable", 5),
]


def create_demo_orders(session: Session, shared: Path, *, seed: int = 12345) -> int:
    if session.scalar(select(func.count(Order.id))):
        return 0
    rng = random.Random(seed)
    messages = _messages(shared)
    if not messages:
        return 0
    rng.shuffle(messages)
    streets = list(session.scalars(select(Unit).where(Unit.kind == "street")))
    districts = {u.id: u for u in session.scalars(select(Unit).where(Unit.kind == "district"))}
    depts = list(session.scalars(select(Unit).where(Unit.kind.in_(["department", "utility"]))))
    wangjing = units.unit_by_code(session, "110105026")
    haidian = units.unit_by_code(session, "110108005")
    people = {d.username: _principal(session, d.username) for d in DEMO_USERS}
    now = clock.now()
    texts = Texts(session, messages)
    count = _last_year_seasons(session, rng, people, districts)
    for plan_state, n in PLAN:
        for _ in range(n):
            count += 1
            roll = rng.random()
            if wangjing and roll < 0.35:
                street = wangjing
            elif haidian and roll < 0.5:
                street = haidian
            else:
                street = rng.choice(streets)
            assert street is not None and street.parent_id is not None
            district = districts[street.parent_id]
            received = now - timedelta(days=rng.uniform(0.2, 25), minutes=rng.randint(0, 600))
            title, body, official = texts.next_for(district, street)
            _one_order(
                session, rng, people, plan_state, count, received, title, body, official,
                street, district, depts,
            )
    count += _ranked_month(session, rng, people, texts, count, streets, districts, depts)
    count += _developing_hot_spot(session, rng, people, count)
    session.flush()
    from jiesu.hotspots import service as hotspots

    hotspots.assign_pending(session, limit=10_000)  # every demo order into the clusters
    return count


# Last year's seasonal matters (heating in November, flooding in July, poplar fluff in April
# …): for each calendar month, a few neighbours of one estate calling about one matter, taken
# in, dispatched, replied and visited like any order. Each month lies 11 to 22 months back, so
# whatever day the demo is loaded, the proactive list (未诉先办: next month, a year earlier)
# has its matters, with their counts and lead units.
SEASONS_FILE = Path(__file__).parent / "hotspots" / "data" / "demo_seasons.csv"


def _last_year_seasons(
    session: Session, rng: random.Random, people: dict[str, Principal],
    districts: dict[int, Unit],
) -> int:
    with SEASONS_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    local = clock.local(clock.now())
    this_month = local.year * 12 + local.month - 1
    planned: list[tuple[datetime, dict[str, str], Unit, Unit]] = []
    for n, row in enumerate(rows):
        street, lead = units.unit_by_code(session, row["street_code"]), units.unit_by_code(
            session, row["lead"])
        if street is None or lead is None or street.parent_id is None:
            continue
        if _handler_for(people, lead) is None:
            continue
        month = int(row["month"])
        back = (this_month - (month - 1)) % 12  # months back to that calendar month: 0..11
        index = this_month - (back if back >= 11 else back + 12)
        first = local.replace(year=index // 12, month=index % 12 + 1, day=1, hour=8, minute=0,
                              second=0, microsecond=0)
        at = first + timedelta(days=3 + 4 * (n % 4) + rng.uniform(0, 3),
                               hours=rng.uniform(0, 11))
        planned.append((at, row, street, lead))
    planned.sort(key=lambda p: p[0])  # in time order: the hot-spots job sees them as they came
    for k, (at, row, street, lead) in enumerate(planned):
        assert street.parent_id is not None
        district = districts[street.parent_id]
        _one_order(session, rng, people, "closed", 90_000 + k, at.astimezone(clock.now().tzinfo),
                   row["title"], row["text"], "", street, district, [], lead_override=lead)
    return len(planned)


# A hot spot in the making: in the last day, neighbours of one estate in 望京街道 call about the
# same mixing plant (distinct callers, worded each their own way). With the default rule (5
# callers in 24 hours) the hot-spots job alerts the supervisor and the dispatchers.
HOT_SPOT_FILE = Path(__file__).parent / "hotspots" / "data" / "demo_hot_spot.csv"


def _hot_spot_texts() -> list[tuple[str, str]]:
    with HOT_SPOT_FILE.open(encoding="utf-8") as handle:
        return [(r["title"], r["text"]) for r in csv.DictReader(handle)]


def _developing_hot_spot(
    session: Session, rng: random.Random, people: dict[str, Principal], count: int
) -> int:
    wangjing = units.unit_by_code(session, "110105026")
    if wangjing is None or wangjing.parent_id is None:
        return 0
    district = session.get(Unit, wangjing.parent_id)
    assert district is not None
    now = clock.now()
    texts = _hot_spot_texts()
    for i, (title, text) in enumerate(texts):
        at = now - timedelta(hours=20 - i * 2.5, minutes=rng.randint(0, 40))
        agent = people["agent"] if i % 2 else people["agent2"]
        service.intake(session, agent, s.OrderCreate(
            client_key=f"demo-hot-{i}", type=RequestType.complaint, title=title, text=text,
            place_text=f"{district.name}{wangjing.name}望京西园四区",
            citizen_name=rng.choice(["张先生", "李女士", "王先生", "刘女士"]),
            citizen_phone=f"1391{i:03d}{rng.randint(1000, 9999)}",
            district_code=district.code, street_code=wangjing.code, received_at=at,
        ))
    return len(texts)


# Each unit with a demo handler gets this many orders dispatched, replied and visited in the
# current month, so the supervisor's ranking (minimum sample: RateRules.min_visited visited
# orders in the period) has units to rank; the rule itself is unchanged.
RANKED_PER_UNIT = 12
RANKED_UNITS = ("110105026", "110108005", "110105", "dept.chengguan", "util.water")


def _ranked_month(
    session: Session,
    rng: random.Random,
    people: dict[str, Principal],
    texts: Texts,
    count: int,
    streets: list[Unit],
    districts: dict[int, Unit],
    depts: list[Unit],
) -> int:
    now = clock.now()
    local = clock.local(now)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # Hours into the month for the orders to be received in (dispatched minutes later; later
    # steps never pass the present).
    span = max((local - month_start).total_seconds() / 3600 - 0.5, 0.1)
    added = 0
    for code in RANKED_UNITS:
        lead = units.unit_by_code(session, code)
        if lead is None or _handler_for(people, lead) is None:
            continue
        for _ in range(RANKED_PER_UNIT):
            added += 1
            if lead.kind == "street":
                street = lead
            elif lead.kind == "district":
                street = next((u for u in streets if u.parent_id == lead.id), rng.choice(streets))
            else:
                street = rng.choice(streets)
            assert street.parent_id is not None
            district = districts[street.parent_id]
            received = min(now, (month_start + timedelta(minutes=5, hours=rng.uniform(
                0, span * 0.6))).astimezone(now.tzinfo))
            title, body, official = texts.next_for(district, street)
            _one_order(
                session, rng, people, "closed", count + added, received, title, body,
                official, street, district, depts, lead_override=lead,
            )
    return added


def _one_order(
    session: Session,
    rng: random.Random,
    people: dict[str, Principal],
    plan: str,
    n: int,
    at: datetime,
    title: str,
    body: str,
    official: str,
    street: Unit,
    district: Unit,
    depts: list[Unit],
    *,
    lead_override: Unit | None = None,
) -> None:
    agent = people["agent"] if n % 2 else people["agent2"]
    types = [RequestType.complaint, RequestType.help, RequestType.suggestion, RequestType.report]
    rtype = RequestType.consultation if plan == "answered" else rng.choice(types)
    phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
    order, _ = service.intake(
        session,
        agent,
        s.OrderCreate(
            client_key=f"demo-{n}",
            type=rtype,
            title=title[:200],
            text=body,
            place_text=f"{district.name}{street.name}",
            citizen_name=rng.choice(["张先生", "李女士", "王先生", "刘女士", "陈先生", "赵女士"]),
            citizen_phone=phone,
            district_code=district.code,
            street_code=street.code,
            received_at=at,
        ),
    )
    step = at

    def do(who: str, action: Action, payload: s.ActionBase, minutes: float) -> None:
        nonlocal step
        step = step + timedelta(minutes=minutes)
        if step > clock.now():
            step = clock.now()
        service.act(session, people[who], order.id, action, payload, at=step)

    if plan == "received":
        return
    if plan == "answered":
        do(
            "agent",
            Action.answer_on_call,
            s.AnswerOnCall(answer="已按统一答复口径告知诉求人办理渠道和所需材料。"),
            4,
        )
        return
    if plan == "not_accepted":
        reason = rng.choice(list(NotAcceptedReason))
        do("agent", Action.not_accept, s.NotAccept(reason=reason), 3)
        return
    if plan == "merged":
        master = session.scalars(select(Order).where(Order.state == "dispatched")).first()
        if master is not None:
            do("dispatcher", Action.merge, s.Merge(master_order_id=master.id), 10)
        return
    # Orders that move past dispatch go to units with a demo handler, so each has work.
    acting = [u for u in depts if _handler_for(people, u)]
    if lead_override is not None:
        lead = lead_override
    elif plan == "dispatched":
        lead = street if rng.random() < 0.6 else rng.choice(depts)
    elif street.code in {"110105026", "110108005"} or rng.random() < 0.5:
        lead = street if _handler_for(people, street) else rng.choice(acting)
    else:
        lead = rng.choice(acting)
    do("dispatcher", Action.dispatch, s.Dispatch(lead_unit_id=lead.id), rng.uniform(3, 40))
    if plan == "dispatched":
        return
    handler = _handler_for(people, lead)
    if plan == "returned":
        if handler:
            do(
                handler,
                Action.return_order,
                s.Reason(reason="经核实，该诉求不属于本单位职责范围，建议改派区住建委。"),
                60,
            )
        return
    if handler is None:
        return
    do(handler, Action.sign, s.OptionalNote(), rng.uniform(10, 120))
    if plan == "signed":
        return
    do(
        handler,
        Action.contact,
        s.Contact(method="phone", note="已电话联系诉求人，了解具体情况。"),
        rng.uniform(30, 600),
    )
    if plan == "in_progress":
        return
    # The ranked month's orders are all visited ones (never judged apart): they fill the sample.
    weights = [80, 20, 0, 0] if lead_override is not None else [70, 12, 12, 6]
    outcome = rng.choices(list(ReplyOutcome), weights=weights)[0]
    reply_text = official or "经现场核实，已协调相关部门处理完毕，并向诉求人反馈。"
    do(
        handler,
        Action.reply,
        s.Reply(outcome=outcome, reply=reply_text[:10_000]),
        rng.uniform(600, 4000),
    )
    if plan == "replied":
        return
    if plan == "reopened":
        do(
            "visitor",
            Action.reopen,
            s.Reopen(
                reason="诉求人反映问题仍未解决",
                solved=False,
                satisfaction=Satisfaction.dissatisfied,
            ),
            300,
        )
        return
    if plan == "unreachable":
        for _ in range(get_settings().visit_max_attempts):
            do("visitor", Action.visit_attempt, s.Note(note="电话无人接听"), 120)
        do("visitor", Action.close_unreachable, s.OptionalNote(), 5)
        return
    satisfaction = rng.choices(list(Satisfaction), weights=[75, 18, 7])[0]
    do(
        "visitor",
        Action.close_visited,
        s.CloseVisited(solved=True, satisfaction=satisfaction),
        rng.uniform(200, 1500),
    )


def _handler_for(people: dict[str, Principal], lead: Unit) -> str | None:
    for name, principal in people.items():
        if principal.role is Role.handler and principal.unit_id == lead.id:
            return name
    # Units without a demo user: the centre's demo still needs their orders to move.
    return None


def load_demo(session: Session, shared: Path) -> list[str]:
    """Idempotent: users and orders already there are kept."""
    users = create_demo_users(session)
    session.flush()
    orders = create_demo_orders(session, shared)
    knowledge = load_demo_knowledge(session)
    return [f"演示用户：新增 {users} 个（密码 {DEMO_PASSWORD}）", f"演示工单：新增 {orders} 件",
            knowledge, load_demo_special_line(session)]


def load_demo_special_line(session: Session) -> str:
    """The seed's epidemic line (jiesu.lines.demo): 30 days of calls, through the services."""
    from jiesu.lines import demo as line_demo

    calls = get_settings().demo_line_calls
    if not calls:
        return "专线：未载入（JIESU_DEMO_LINE_CALLS=0）"
    result = line_demo.build(session, total=calls,
                             peak=max(1, round(calls * line_demo.PEAK / line_demo.TOTAL)))
    return "专线：疫情防控专线已存在" if result is None else result.lines()[0]


def load_demo_knowledge(session: Session) -> str:
    """The seed knowledge base (jiesu/knowledge/data), published by the demo admin."""
    from jiesu.knowledge.seed import load_seed
    from jiesu.units.service import principal_for

    admin = session.scalars(select(User).where(User.username == "admin")).first()
    if admin is None:
        return "知识库：未找到演示管理员，未载入"
    report = load_seed(session, principal_for(session, admin))
    return f"知识库：新增 {report.created} 条，已有 {report.unchanged} 条"
