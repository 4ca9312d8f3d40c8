"""The settle-on-the-call flow in a real browser: a supervisor opens a line, adds three
answers, sets the line's own deadlines and adds an agent; the agent types a question, sees
the line's answer and settles the call in one click; the line's dashboard counts it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import shot
from tests.web.test_browser import no_traceback, open_page

pytestmark = pytest.mark.browser
__all__ = ["open_page"]  # the fixture, shared with the other browser tests

ANSWERS = [
    ("核酸检测点查询", "附近哪里能做核酸\n核酸检测点在哪里",
     "全区便民核酸采样点名单及开放时间每日在区政府网站和“健康宝”小程序公布，凭身份证免费采样。"),
    ("健康码弹窗处理", "健康宝弹窗了怎么办\n健康码变黄了",
     "请先在健康宝小程序内点击“申诉”，按提示填写近14天行程，社区1个工作日内核实处理。"),
    ("疫苗接种预约", "在哪打疫苗\n新冠疫苗怎么预约",
     "可通过健康宝或社区卫生服务中心预约接种，60岁以上老人可持身份证到就近接种点直接接种。"),
]


def test_a_line_opened_by_a_supervisor_settles_a_call_in_one_click(open_page: Any) -> None:
    supervisor = open_page("supervisor")
    supervisor.goto("/lines")
    form = supervisor.locator("#new-line")
    form.get_by_label("名称").fill("疫情防控专线")
    form.get_by_label("编码").fill("epidemic-browser")
    form.get_by_label("专线号码").fill("12345-6")
    form.get_by_label("类别").fill("疾病预防控制")
    form.get_by_role("button", name="开通专线").click()
    supervisor.locator("#line-answers").wait_for()
    line_url = supervisor.url.split("?")[0]
    for topic, questions, answer in ANSWERS:
        new = supervisor.locator("#new-answer")
        new.get_by_label("主题").fill(topic)
        new.get_by_label("市民常见问法").fill(questions)
        new.get_by_label("统一答复口径").fill(answer)
        new.get_by_label("负责单位").select_option(label="市卫生健康委员会")
        new.get_by_role("button", name="发布并加入本线").click()
        supervisor.locator(".flash.ok").first.wait_for()
    assert supervisor.locator("#line-answers li").count() == 3
    # The line's own limits: respond within 2 hours, handle within 24.
    limits = supervisor.locator("#line-deadline-form")
    limits.get_by_label("紧急程度").select_option(value="any")
    for label, amount in (("签收·数量", "2"), ("首次联系·数量", "2"), ("答复·数量", "24")):
        limits.get_by_label(label).fill(amount)
    limits.get_by_label("说明").fill("2小时响应、24小时办结")
    limits.get_by_role("button", name="保存本线时限").click()
    supervisor.locator("#line-deadlines", has_text="2小时响应、24小时办结").wait_for()
    assert "24小时" in supervisor.locator("#line-deadlines table").inner_text()
    supervisor.get_by_label("加入坐席").select_option(label="坐席·王芳（agent）")
    supervisor.locator("#line-agents").get_by_role("button", name="加入").click()
    supervisor.locator("#line-agents", has_text="坐席·王芳").wait_for()
    no_traceback(supervisor)

    agent = open_page("agent")
    assert agent.locator("#line_id option:checked").inner_text().startswith("疫情防控专线")
    agent.get_by_label("来电号码").fill("13722223333")
    text = agent.locator("#text")
    text.click()
    text.press_sequentially("你好，请问我家附近哪里能做核酸", delay=5)
    first = agent.locator("#answers li.answer").first
    first.wait_for()
    assert "核酸检测点查询" in first.inner_text()
    assert agent.locator("#answers mark").count() > 0
    shot(agent, "intake-answers")
    first.get_by_role("button", name="按此答复办结").click()
    agent.locator(".flash.ok", has_text="已直接答复办结").wait_for()
    link = agent.locator(".flash.ok a").first
    order_id = int(link.get_attribute("href").rsplit("/", 1)[1])
    agent.goto(f"/orders/{order_id}")
    assert "已办结" in agent.content()
    no_traceback(agent)

    supervisor.goto(line_url)
    assert supervisor.locator("#fig-total").inner_text() == "1"
    assert re.match(r"100\.0%", supervisor.locator("#fig-fcr").inner_text())
    assert "核酸检测点查询" in supervisor.locator("#top-questions").inner_text()
    supervisor.locator("#chart-line-days canvas").wait_for()
    shot(supervisor, "line-dashboard")
