"""`jiesu demo special-line`: the seed's epidemic line (疫情防控专线) over 30 days.

A district centre opened a 7×24 line with its own number, agents and one agreed answer per
question; 8,300 calls in 30 days, 743 on the peak day, over 90% settled on the first call.
This builds that line through the same service functions the API and pages use: the line is
opened (lines.service) with its own deadline rules (2 h to respond, 24 h to handle), its
answers written and published (knowledge.service), and every call taken by one of its
agents (orders.service.intake), then settled on the call with an answer (lines.first_call),
sent to a unit (dispatch), or transferred (not accepted). The dashboard's figures are then
computed from those orders.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.roles import Principal
from jiesu.lines import first_call, service
from jiesu.lines import knowledge_link as kb
from jiesu.lines import schemas as ls
from jiesu.lines.models import Line
from jiesu.orders import schemas as os_
from jiesu.orders import service as orders
from jiesu.orders.deadline_rules_api import LineDeadlineRuleCreate
from jiesu.orders.models import NotAcceptedReason, RequestType
from jiesu.orders.statemachine import Action
from jiesu.units.models import User
from jiesu.units.service import principal_for, unit_by_code

CODE = "epidemic"
DAYS = 30
TOTAL = 8_300
PEAK = 743
SETTLED_SHARE = 0.92  # answered on the call with a standard answer
TRANSFERRED_SHARE = 0.02  # not accepted: transferred to 120 (the rest is dispatched)
CATEGORY = "疾病预防控制"

# (topic, the ways callers ask it, the agreed answer, how often it is asked)
ANSWERS: list[tuple[str, list[str], str, float]] = [
    ("核酸检测点查询",
     ["附近哪里能做核酸", "核酸检测点在哪里", "做核酸去哪儿", "哪里可以免费测核酸"],
     "全区便民核酸采样点名单及开放时间每日在区政府网站和“健康宝”小程序公布；常态化采样点"
     "7:00-21:00开放，凭身份证免费采样，结果一般24小时内可在健康宝查询。", 0.18),
    ("健康码弹窗处理",
     ["健康宝弹窗了怎么办", "健康码变黄了", "健康宝弹窗怎么解除", "码变了怎么办"],
     "健康宝弹窗请先在小程序内点击“申诉”，按提示填写近14天行程；如有核酸阴性结果可一并上传。"
     "社区（村）收到后1个工作日内核实处理，期间请减少外出。", 0.14),
    ("居家隔离期间生活物资",
     ["隔离在家买不到菜", "居家隔离怎么买东西", "隔离期间物资谁送", "封控了没吃的"],
     "居家隔离期间可通过社区保供群或定点商超线上下单，由社区工作人员和志愿者送到门口；"
     "老人、残疾人等困难家庭可直接联系社区登记，由社区代购代送。", 0.11),
    ("隔离期限与解除",
     ["隔离要多少天", "什么时候能解除隔离", "居家隔离几天", "隔离期满怎么办"],
     "密接人员按当前方案实行集中隔离或居家隔离，期满且核酸检测阴性后由社区出具解除隔离告知书；"
     "具体天数以区疫情防控指挥部最新通告为准。", 0.10),
    ("疫苗接种预约",
     ["在哪打疫苗", "新冠疫苗怎么预约", "加强针哪里打", "老人打疫苗要预约吗"],
     "新冠疫苗可通过“健康宝”或社区卫生服务中心预约接种，60岁以上老人可携带身份证到就近接种点"
     "直接接种，行动不便的可联系社区安排上门接种。", 0.09),
    ("进返京政策",
     ["外地回来要隔离吗", "返京需要什么手续", "进京要核酸吗", "出差回来怎么报备"],
     "进返京人员须持48小时内核酸阴性证明，抵京后3天内完成2次核酸检测，并向所在社区（单位）报备；"
     "中高风险地区旅居史人员按要求实施隔离。", 0.09),
    ("小区封控出入",
     ["小区封了能出去吗", "封控区能不能上班", "小区不让出门", "管控区出入规定"],
     "封控区实行“足不出户、上门服务”，管控区“人不出区、错峰取物”；确需外出就医等特殊情况，"
     "请联系社区开具出入证明，由专人陪同。", 0.08),
    ("就医绿色通道",
     ["隔离期间看病怎么办", "封控区病人去医院", "透析病人怎么就医", "孕妇产检怎么去"],
     "隔离、封控期间确需就医的，请联系社区登记，由社区协调定点医院绿色通道和转运车辆；"
     "急危重症请直接拨打120。", 0.06),
    ("核酸结果查询",
     ["核酸结果怎么查", "做完核酸多久出结果", "查不到核酸结果", "核酸报告哪里看"],
     "核酸结果可在“健康宝”小程序“核酸检测”栏查询，一般24小时内出结果；超过48小时仍未查到，"
     "请联系采样点所在社区卫生服务中心核实。", 0.06),
    ("复工复产报备",
     ["公司复工要报备吗", "企业开工需要什么材料", "店铺能开门了吗", "复工要做核酸吗"],
     "企业复工复产请通过区政务服务网“复工复产报备”提交防控方案和员工健康监测台账，"
     "街道审核通过后即可复工；餐饮、商超须落实扫码测温和定期核酸。", 0.05),
    ("发热门诊查询",
     ["发烧去哪个医院", "发热门诊在哪", "孩子发烧怎么看病", "哪里有发热门诊"],
     "全区发热门诊24小时开放，名单在区卫生健康委网站公布；发热患者请佩戴口罩就近前往，"
     "途中避免乘坐公共交通。", 0.04),
]
CALL_PREFIXES = ("", "您好，", "请问，", "我想问一下，", "麻烦问下，", "你好，我是小区居民，")


@dataclass(frozen=True)
class DemoResult:
    line_id: int
    calls: int
    settled: int
    dispatched: int
    transferred: int
    peak_day: str
    peak_calls: int

    def lines(self) -> list[str]:
        fcr = self.settled / max(1, self.calls - self.transferred)
        return [f"专线 #{self.line_id} {CODE}：来电 {self.calls} 件，一次办结 {self.settled} 件"
                f"（{fcr * 100:.1f}%），派单 {self.dispatched} 件，转120 {self.transferred} 件；"
                f"峰值日 {self.peak_day} {self.peak_calls} 件"]


def daily_counts(days: int = DAYS, total: int = TOTAL, peak: int = PEAK) -> list[int]:
    """A curve that rises to its peak on day 11 and eases off: `peak` on the peak day and
    `total` over the days (the baseline is searched so both hold)."""
    peak_day = min(11, days - 1)

    def curve(base: float) -> list[float]:
        return [base + math.exp(-((d - peak_day) / 5.5) ** 2) for d in range(days)]

    lo, hi = 0.0, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        shape = curve(mid)
        if sum(peak * v / shape[peak_day] for v in shape) < total:
            lo = mid
        else:
            hi = mid
    shape = curve(lo)
    counts = [max(1, round(peak * v / shape[peak_day])) for v in shape]
    counts[peak_day] = peak
    # The rounding remainder goes to the days furthest from the peak (never above it).
    diff, d = total - sum(counts), days - 1
    while diff and days > 1:
        if d != peak_day and 0 < counts[d] + (1 if diff > 0 else -1) < peak:
            counts[d] += 1 if diff > 0 else -1
            diff += -1 if diff > 0 else 1
        d = d - 1 if d > 0 else days - 1
    return counts


# Calls by hour of day on a 7×24 line: busy mornings and afternoons, a few at night.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 11, 8, 10, 12, 12, 11, 9, 7, 6, 5, 4, 2, 1]


def _people(session: Session, usernames: list[str]) -> dict[str, Principal]:
    users = session.scalars(select(User).where(User.username.in_(usernames)))
    return {u.username: principal_for(session, u) for u in users}


def build(session: Session, *, days: int = DAYS, total: int = TOTAL, peak: int = PEAK,
          seed: int = 2020, now: datetime | None = None) -> DemoResult | None:
    """Idempotent: a database that already has the line is left as it is (None)."""
    if session.scalars(select(Line.id).where(Line.code == CODE)).first() is not None:
        return None
    people = _people(session, ["supervisor", "dispatcher", "agent", "agent2"])
    if len(people) < 4:
        return None
    rng = random.Random(seed)
    now = now or clock.now()
    today = clock.local(now).date()
    first_day = today - timedelta(days=days - 1)
    start = datetime.combine(first_day, time(0), tzinfo=clock.CHINA_TZ)
    supervisor, dispatcher = people["supervisor"], people["dispatcher"]
    agents = [people["agent"], people["agent2"]]
    health = unit_by_code(session, "dept.weijian")
    line = service.create_line(session, supervisor, ls.LineCreate(
        code=CODE, name="疫情防控专线", number="12345-6", channel_tag="epidemic",
        description="区疫情防控指挥部设立的7×24小时咨询专线：统一答复口径，坐席当场答复。",
        starts_at=start, agent_ids=[a.user_id for a in agents],
        categories=[CATEGORY, "突发公共卫生事件处理"],
        # The line's own limits: respond (sign, first contact) within 2 h, handle in 24 h.
        deadline_rules=[LineDeadlineRuleCreate.model_validate({
            "urgency": "any", "sign": {"amount": 2, "span": "hours"},
            "contact": {"amount": 2, "span": "hours"},
            "reply": {"amount": 24, "span": "hours"}, "note": "2小时响应、24小时办结"})]))
    versions: list[int] = []
    for topic, questions, answer, _ in ANSWERS:
        version = kb.write_published(session, supervisor, topic=topic, questions=questions,
                                     answer=answer, category=CATEGORY,
                                     owner_unit_id=health.id if health else None)
        versions.append(version.id)
    service.add_articles(session, supervisor, line.id,
                         [kb.version(session, v).article_id for v in versions])
    weights = [w for *_, w in ANSWERS]
    counts = daily_counts(days, total, peak)
    settled = dispatched = transferred = 0
    number = 0
    for day, count in enumerate(counts):
        base = start + timedelta(days=day)
        for _ in range(count):
            number += 1
            at = base + timedelta(hours=rng.choices(range(24), HOUR_WEIGHTS)[0],
                                  minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
            if at >= now:
                at = now - timedelta(seconds=total - number + 1)
            pick = rng.choices(range(len(ANSWERS)), weights)[0]
            question = rng.choice(ANSWERS[pick][1])
            call = os_.OrderCreate(
                type=RequestType.consultation, text=f"{rng.choice(CALL_PREFIXES)}{question}？",
                citizen_phone=f"139{rng.randint(0, 99_999_999):08d}", category=CATEGORY,
                line_id=line.id, received_at=at)
            agent = agents[number % 2]
            roll = rng.random()
            if roll < SETTLED_SHARE:
                first_call.settle_on_call(session, agent, call, versions[pick], at=at)
                settled += 1
            elif roll < SETTLED_SHARE + TRANSFERRED_SHARE:
                order, _ = orders.intake(session, agent, call.model_copy(update={
                    "type": RequestType.help, "text": f"{question}，家里老人发烧喘不上气"}))
                orders.act(session, agent, order.id, Action.not_accept, os_.NotAccept(
                    reason=NotAcceptedReason.emergency_120, note="已转120"), at=at)
                transferred += 1
            else:
                order, _ = orders.intake(session, agent, call.model_copy(update={
                    "type": RequestType.help, "text": f"{question}，社区一直没人管，请派人处理"}))
                if health is not None:
                    orders.act(session, dispatcher, order.id, Action.dispatch,
                               os_.Dispatch(lead_unit_id=health.id),
                               at=at + timedelta(minutes=20))
                dispatched += 1
        session.flush()
    peak_index = max(range(days), key=lambda d: counts[d])
    return DemoResult(line_id=line.id, calls=sum(counts), settled=settled,
                      dispatched=dispatched, transferred=transferred,
                      peak_day=(first_day + timedelta(days=peak_index)).isoformat(),
                      peak_calls=counts[peak_index])
