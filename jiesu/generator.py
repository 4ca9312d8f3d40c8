"""Realistic synthetic orders at any volume (`jiesu demo generate --orders N`), for benchmarks.

Drawn from the shared data and from what a Beijing-style centre sees:
- texts and their level-1 categories from the labelled messages (messages/train.csv), the
  units' replies from messages/replies.csv (A市 masks read as Beijing, A3区 as the order's own
  district and street);
- places: Beijing's streets (the units table), a few busy ones and a long tail (Zipf-like);
- seasons: each category's volume by month (`SEASONS`: heating and wage arrears in winter,
  noise and water in summer, school places in spring and at the start of term), and calls
  by hour of the day (`HOURS`);
- lifecycles: each order walks intake → dispatch → sign → contact → reply → visit → close with
  drawn delays; it stops where `now` stops it, so recent orders are open and a few are late.

Rows are stored with bulk.write (COPY on PostgreSQL) in batches, each with its history as
events, or written as a CSV in the import's own columns (`--csv`), for `jiesu orders import`.
The same seed gives the same orders.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.clock import CHINA_TZ, local
from jiesu.core.text import clean_spreadsheet_text, localise_masked
from jiesu.orders import bulk
from jiesu.orders.import_history import history
from jiesu.orders.statemachine import OPEN_STATES, State
from jiesu.units.models import Unit

# Volume by month (Jan..Dec) per level-1 category: rules as data, 1.0 = an average month.
SEASONS: dict[str, tuple[float, ...]] = {
    "城乡建设": (1.4, 1.2, 1.1, 0.9, 0.9, 1.0, 1.1, 1.0, 0.9, 0.9, 1.3, 1.5),  # heating
    "劳动和社会保障": (1.6, 1.4, 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.4),  # wages
    "教育文体": (0.8, 1.0, 1.3, 1.2, 1.1, 1.0, 0.9, 1.4, 1.3, 0.8, 0.7, 0.7),  # places, term
    "商贸旅游": (1.1, 1.2, 0.9, 0.9, 1.0, 1.2, 1.0, 1.0, 0.9, 1.3, 1.2, 1.1),  # holidays, 618
    "环境保护": (0.7, 0.7, 0.9, 1.0, 1.2, 1.4, 1.5, 1.4, 1.1, 0.9, 0.7, 0.7),  # noise
    "卫生计生": (1.3, 1.2, 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.3),  # flu season
    "交通运输": (1.0, 1.1, 1.0, 1.0, 1.0, 0.9, 1.1, 1.1, 1.0, 1.1, 0.9, 0.9),
}
# Calls by hour of the day (00..23), Beijing time: a morning and an afternoon peak.
HOURS = (1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 3, 7, 10, 10, 8, 6, 7, 9, 9, 8, 7, 6, 6, 5, 4, 3, 2)
CHANNELS = (("phone", 70), ("web", 10), ("app", 9), ("mini_program", 8), ("email", 1),
            ("media", 1), ("open311", 1))
TYPES = (("complaint", 45), ("help", 28), ("consultation", 12), ("report", 8),
         ("suggestion", 6), ("praise", 1))
SATISFACTION = (("satisfied", 80), ("basically", 14), ("dissatisfied", 6))
OUTCOMES = (("solved", 78), ("partly_solved", 8), ("explained", 11), ("not_solvable", 3))


def _weighted(pairs: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    names = [p[0] for p in pairs]
    total = 0.0
    cumulative = []
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return names, cumulative


@dataclass
class Pick:
    """A fast weighted choice (cumulative weights, one bisect per draw)."""

    names: list[Any]
    cumulative: list[float]

    @classmethod
    def of(cls, pairs: Any) -> Pick:
        names, cumulative = _weighted(tuple(pairs))
        return cls(names, cumulative)

    def __call__(self, rng: random.Random) -> Any:
        return self.names[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class Corpus:
    texts: dict[str, list[tuple[str, str]]]  # level-1 category → (title, text)
    replies: list[str]


def _localise(text: str) -> str:
    return clean_spreadsheet_text(text.replace("西地省", "北京市").replace("A市", "北京市"))


def load_corpus(shared: Path, *, per_category: int = 2_000) -> Corpus:
    texts: dict[str, list[tuple[str, str]]] = {}
    train = shared / "messages" / "train.csv"
    if train.exists():
        with train.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                label = row.get("label", "")
                bucket = texts.setdefault(label, [])
                if label and len(bucket) < per_category:
                    body = _localise("".join(row.get("text_segmented", "").split()))[:400]
                    if len(body) >= 10:
                        bucket.append((_localise(row.get("title", ""))[:60], body))
    replies: list[str] = []
    path = shared / "messages" / "replies.csv"
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for row in itertools.islice(csv.DictReader(handle), 3_000):
                reply = _localise(row.get("reply", ""))
                if 10 <= len(reply) <= 600:
                    replies.append(reply)
    if not texts:
        texts = {"城乡建设": [("小区垃圾无人清理", "小区门口垃圾堆放多日无人清理，气味很大。")]}
    return Corpus(texts, replies or ["经现场核实，已协调相关部门处理完毕，并向诉求人反馈。"])


@dataclass(frozen=True)
class Places:
    streets: list[tuple[int, str, str]]  # (unit id, street code, district code)
    departments: list[int]
    names: dict[str, str] = field(default_factory=dict)  # street / district code → name


def load_places(session: Session) -> Places:
    units = list(session.execute(select(Unit.id, Unit.code, Unit.kind, Unit.parent_id,
                                        Unit.name)))
    code_of = {u.id: u.code for u in units}
    streets = [(u.id, u.code, code_of[u.parent_id]) for u in units
               if u.kind == "street" and u.parent_id in code_of]
    departments = [u.id for u in units if u.kind in ("department", "utility")]
    names = {u.code: u.name for u in units if u.kind in ("street", "district")}
    return Places(streets, departments, names)


class Generator:
    """Orders received between `start` and `now`, drawn in time order."""

    def __init__(self, corpus: Corpus, places: Places, *, created_by_id: int, now: datetime,
                 days: int = 365, seed: int = 12345) -> None:
        self.rng = random.Random(seed)
        self.corpus, self.places = corpus, places
        self.created_by_id, self.now = created_by_id, now
        self.start = now - timedelta(days=days)
        self.days = days
        categories = [c for c in corpus.texts if corpus.texts[c]]
        # A day's weight: its month for each category, by the category's share of the texts.
        share = {c: len(corpus.texts[c]) for c in categories}
        self.day_weights = Pick.of(
            (d, sum(share[c] * SEASONS.get(c, (1.0,) * 12)[
                local(self.start + timedelta(days=d + 1)).month - 1] for c in categories))
            for d in range(days))
        self.month_category = {
            m: Pick.of((c, share[c] * SEASONS.get(c, (1.0,) * 12)[m - 1]) for c in categories)
            for m in range(1, 13)}
        self.hour = Pick.of(enumerate(HOURS))
        self.channel, self.type = Pick.of(CHANNELS), Pick.of(TYPES)
        self.satisfaction, self.outcome = Pick.of(SATISFACTION), Pick.of(OUTCOMES)
        # A few busy streets and a long tail.
        self.street = Pick.of((s, 1.0 / (rank + 10) ** 0.9)
                              for rank, s in enumerate(self.rng.sample(places.streets,
                                                                       len(places.streets))))
        self.frequent = [f"13{self.rng.randint(100_000_000, 999_999_999)}" for _ in range(500)]

    def times(self, n: int) -> list[datetime]:
        """n received times up to now, sorted: a live centre writes them in time order."""
        rng = self.rng
        first_day = local(self.now).replace(hour=0, minute=0, second=0, microsecond=0) - (
            timedelta(days=self.days - 1))
        out: list[datetime] = []
        while len(out) < n:
            at = first_day + timedelta(days=self.day_weights(rng), hours=self.hour(rng),
                                       seconds=rng.random() * 3600)
            if at < self.now:  # today's later hours have not happened yet
                out.append(at)
        out.sort()
        return out

    def order(self, n: int, received: datetime) -> bulk.BulkOrder:
        rng = self.rng
        month = received.astimezone(CHINA_TZ).month
        category = self.month_category[month](rng)
        title, text = rng.choice(self.corpus.texts[category])
        unit_id, street, district = self.street(rng)
        # The masked places (A3区, K8县) read as the order's own district and street.
        dname, sname = self.places.names.get(district, ""), self.places.names.get(street, "")
        title, text = localise_masked(title, dname), localise_masked(text, dname, sname)
        kind = self.type(rng)
        anonymous = rng.random() < 0.03
        phone = None if anonymous else (
            rng.choice(self.frequent) if rng.random() < 0.08
            else f"1{rng.choice('3578')}{rng.randint(100_000_000, 999_999_999)}")
        columns: dict[str, Any] = {
            "channel": self.channel(rng), "type": kind, "title": title or text[:40],
            "text": text, "place_text": "", "district_code": district, "street_code": street,
            "category": category, "citizen_phone": phone, "anonymous": anonymous,
            "created_by_id": self.created_by_id, "received_at": received,
            "client_key": None, "signed_at": None, "contacted_at": None, "replied_at": None,
            "closed_at": None, "dispatched_at": None, "lead_unit_id": None,
            "reply_outcome": None, "reply_text": None, "visit_satisfaction": None,
            "visit_solved": None, "close_reason": None, "return_count": 0,
        }
        state = self._lifecycle(columns, kind, unit_id)
        columns["state"] = state.value
        columns["is_open"] = state in OPEN_STATES
        columns["updated_at"] = max(t for t in (received, columns["dispatched_at"],
                                                columns["signed_at"], columns["contacted_at"],
                                                columns["replied_at"], columns["closed_at"])
                                    if t is not None)
        return bulk.BulkOrder(columns, history(columns, state, {"seed_row": n},
                                               mark="generated"))

    def _lifecycle(self, c: dict[str, Any], kind: str, street_unit: int) -> State:
        rng, now = self.rng, self.now
        at = c["received_at"]
        roll = rng.random()
        if kind == "consultation" and roll < 0.6:  # answered on the call
            closed = at + timedelta(minutes=rng.uniform(3, 15))
            if closed < now:
                c.update(closed_at=closed, close_reason="answered_on_call",
                         answer=rng.choice(self.corpus.replies))
                return State.closed
            return State.received
        dispatched = at + timedelta(minutes=rng.uniform(5, 90))
        if dispatched >= now:
            return State.received
        lead = street_unit if rng.random() < 0.65 else rng.choice(self.places.departments)
        c.update(dispatched_at=dispatched, lead_unit_id=lead, dispatch_count=1,
                 sign_due_at=dispatched + timedelta(hours=4),
                 contact_due_at=dispatched + timedelta(hours=24),
                 reply_due_at=dispatched + timedelta(days=7))
        c["overall_due_at"] = c["reply_due_at"]
        if rng.random() < 0.04:  # sent back once, sent again
            c["return_count"] = 1
            c["dispatch_count"] = 2
        signed = dispatched + timedelta(hours=rng.expovariate(1 / 1.5))
        if signed >= now:
            return State.dispatched
        c["signed_at"] = signed
        contacted = signed + timedelta(hours=rng.expovariate(1 / 6))
        if contacted >= now:
            return State.signed
        c["contacted_at"] = contacted
        # Most replies within the week; a tail runs late (the overdue ones).
        replied = contacted + timedelta(days=min(rng.lognormvariate(1.0, 0.6), 30))
        if replied >= now:
            return State.in_progress
        c.update(replied_at=replied, reply_outcome=self.outcome(rng),
                 reply_text=rng.choice(self.corpus.replies))
        visited = replied + timedelta(hours=rng.uniform(4, 72))
        if visited >= now:
            return State.replied
        c["closed_at"] = visited
        roll = rng.random()
        if roll < 0.05:
            c["close_reason"] = "unreachable"
        elif roll < 0.13 or c["anonymous"]:
            c["close_reason"] = "visit_skipped"
        else:
            c.update(close_reason="visited", visit_satisfaction=self.satisfaction(rng),
                     visit_solved=rng.random() < 0.92)
        return State.closed

    def batches(self, n: int, size: int) -> Iterator[list[bulk.BulkOrder]]:
        done = 0
        while done < n:
            chunk = min(size, n - done)
            times = self.times(chunk)
            yield [self.order(done + i, t) for i, t in enumerate(times)]
            done += chunk


def generate(session_factory: Callable[[], Session], shared: Path, n: int, *,
             created_by_id: int, now: datetime, seed: int = 12345, days: int = 365,
             batch: int = 10_000, progress: Callable[[int], None] | None = None) -> int:
    """Store n orders with their events, one committed batch at a time; returns n."""
    with session_factory() as session:
        places = load_places(session)
    gen = Generator(load_corpus(shared), places, created_by_id=created_by_id, now=now,
                    days=days, seed=seed)
    stored = 0
    # Each batch's times are drawn over the whole year: batches interleave in time, like
    # a year of several centres' data loaded one after another.
    for orders in gen.batches(n, batch):
        with session_factory() as session:
            bulk.write(session, orders)
            session.commit()
        stored += len(orders)
        if progress:
            progress(len(orders))
    return stored


CSV_HEADER = ("工单编号", "受理时间", "诉求内容", "标题", "来电号码", "诉求类型", "渠道", "区",
              "街道", "类别", "承办单位", "状态", "派单时间", "签收时间", "联系时间", "答复时间",
              "办结时间", "答复期限", "答复结果", "答复内容", "回访结果", "是否解决")


def _fmt(value: datetime | None) -> str:
    return "" if value is None else f"{local(value):%Y-%m-%d %H:%M:%S}"


def write_csv(path: Path, gen: Generator, n: int, unit_codes: dict[int, str], *,
              batch: int = 10_000, progress: Callable[[int], None] | None = None) -> int:
    """The same orders as an import file (`jiesu orders import`), in its Chinese columns."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(CSV_HEADER)
        for orders in gen.batches(n, batch):
            for o in orders:
                c = o.columns
                out.writerow((
                    f"GEN{written + 1:09d}", _fmt(c["received_at"]), c["text"], c["title"],
                    c["citizen_phone"] or "", c["type"], c["channel"], c["district_code"],
                    c["street_code"], c["category"],
                    unit_codes.get(c["lead_unit_id"], "") if c["lead_unit_id"] else "",
                    c["state"], _fmt(c["dispatched_at"]), _fmt(c["signed_at"]),
                    _fmt(c["contacted_at"]), _fmt(c["replied_at"]), _fmt(c["closed_at"]),
                    _fmt(c.get("reply_due_at")), c["reply_outcome"] or "", c["reply_text"] or "",
                    c["visit_satisfaction"] or "",
                    "" if c["visit_solved"] is None else ("是" if c["visit_solved"] else "否"),
                ))
                written += 1
            if progress:
                progress(len(orders))
    return written
