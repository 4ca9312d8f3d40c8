"""Each screen in a real browser (Playwright + Debian's headless Chromium): every role logs in
and lands on its home; one order goes from intake to closed through the pages only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import logged_in_pages, shot

pytestmark = pytest.mark.browser

PHONE = "13611112222"
PNG = b"\x89PNG\r\n\x1a\n" + b"site photo" * 50
HOMES = {
    "agent": ("/agent", "受理来电"),
    "dispatcher": ("/dispatch", "派单队列"),
    "street": ("/unit", "我的工单"),
    "visitor": ("/visits", "回访队列"),
    "supervisor": ("/supervisor", "督办看板"),
    "admin": ("/admin", "单位"),
}


@pytest.fixture
def open_page(browser: Any, server: str) -> Iterator[Any]:
    yield from logged_in_pages(browser, server)


def no_traceback(page: Any) -> None:
    assert "Traceback" not in page.content()


def test_each_role_logs_in_and_lands_on_its_home(open_page: Any) -> None:
    for username, (path, heading) in HOMES.items():
        page = open_page(username)
        assert page.url.endswith(path), (username, page.url)
        assert heading in page.locator("h1").first.inner_text()
        no_traceback(page)
        page.context.close()


def test_order_from_intake_to_closed_through_the_pages(open_page: Any, server: str) -> None:
    # Agent: the caller's number, the request as told, live suggestions; send to dispatch.
    agent = open_page("agent")
    agent.get_by_label("来电号码").fill(PHONE)
    agent.get_by_label("称呼").fill("王女士")
    text = agent.locator("#text")
    text.click()
    text.press_sequentially("望京街道花家地西里三区门口垃圾堆放多日无人清理，气味很大", delay=5)
    agent.locator("#suggest dl.sg").wait_for()
    # The panel refreshed while typing and the text box kept the focus.
    assert agent.evaluate("document.activeElement.id") == "text"
    shot(agent, "intake")
    agent.get_by_role("button", name=re.compile("送派单")).click()
    agent.locator(".flash.ok").first.wait_for()
    link = agent.locator(".flash.ok a").first
    number = link.inner_text()
    order_id = int(link.get_attribute("href").rsplit("/", 1)[1])
    no_traceback(agent)

    # Dispatcher: the order is in the queue with its suggestion; correct the unit and send.
    dispatcher = open_page("dispatcher")
    row = dispatcher.locator(f"#row-{order_id}")
    row.wait_for()
    assert number in row.inner_text()
    shot(dispatcher, "dispatch")
    row.focus()
    dispatcher.keyboard.press("c")
    row.locator(f"#lead-{order_id}").fill("110105026")
    row.locator(f"#assist-{order_id}").fill("")
    row.get_by_role("button", name="按更正派单").click()
    dispatcher.locator(".flash.ok").wait_for()
    assert dispatcher.locator(f"#row-{order_id}").count() == 0

    # Street handler on a phone screen: sign, call the citizen, record contact, reply.
    street = open_page("street", width=360, height=740)
    card = street.locator("li.card", has_text=number)
    card.get_by_role("button", name="签收").click()
    street.locator(".flash.ok").wait_for()
    assert street.evaluate("document.documentElement.scrollWidth") <= 360
    shot(street, "handler")
    street.goto(f"/orders/{order_id}")
    street.get_by_role("button", name="显示号码并拨打").click()
    tel = street.locator("a.tel")
    tel.wait_for()
    assert tel.get_attribute("href") == f"tel:{PHONE}"
    # A photo of the site, uploaded from the order page, is listed with its download link.
    street.get_by_label(re.compile("上传附件")).set_input_files(
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}])
    street.locator("#attachments button[type=submit]").click()
    street.locator(".flash.ok").wait_for()
    link = street.locator("#attachments a", has_text="现场照片.png")
    assert link.get_attribute("href").startswith("/api/v1/attachments/")
    with street.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PNG
    street.locator("#act-contact summary").click()
    street.get_by_label("联系方式").select_option("phone")
    street.locator("#act-contact button[type=submit]").click()
    street.locator(".flash.ok").wait_for()
    street.locator("#act-reply summary").click()
    street.get_by_label("办理结果").select_option("solved")
    street.get_by_label("答复诉求人的内容").fill("已协调环卫清运，现场已清理干净。")
    street.locator("#act-reply button[type=submit]").click()
    street.locator(".flash.ok").wait_for()
    assert "待回访" in street.locator("h1").inner_text()
    shot(street, "order-handler")
    no_traceback(street)

    # Return visit: solved and satisfied closes the order.
    visitor = open_page("visitor")
    item = visitor.locator("li.card", has_text=number)
    item.get_by_label("已解决").check()
    item.get_by_label("满意", exact=True).check()
    shot(visitor, "visits")
    item.get_by_role("button", name="记录回访结果").click()
    assert "工单已办结" in visitor.locator(".flash.ok").inner_text()

    # Supervisor: the order is closed, with its whole history on the order page.
    supervisor = open_page("supervisor")
    supervisor.locator("#chart-hours canvas").wait_for()
    shot(supervisor, "supervisor")
    supervisor.goto(f"/orders/{order_id}")
    assert "已办结" in supervisor.locator("h1").inner_text()
    timeline = supervisor.locator("ol.timeline").inner_text()
    for step in ("受理", "派单", "签收", "上传附件", "联系诉求人", "答复", "回访办结"):
        assert step in timeline, step
    assert "tel:" not in supervisor.content()
    shot(supervisor, "order")


def test_form_post_without_csrf_token_is_refused(open_page: Any) -> None:
    page = open_page("agent")
    status, body = page.evaluate(
        """async () => {
            const r = await fetch('/agent/intake', {method: 'POST',
              headers: {'Content-Type': 'application/x-www-form-urlencoded'},
              body: 'type=complaint&text=' + encodeURIComponent('测试')});
            return [r.status, await r.text()];
        }"""
    )
    assert status == 403
    assert "安全令牌" in body


def test_pages_never_show_a_traceback(open_page: Any) -> None:
    page = open_page("dispatcher")
    for path in ("/orders/987654321", "/no-such-page", "/orders?offset=-5", "/admin"):
        page.goto(path)
        no_traceback(page)
        assert page.locator("main").inner_text().strip()
    page.goto("/dispatch")
    page.get_by_role("button", name="批量派单").click()
    page.locator(".flash.err").wait_for()
    no_traceback(page)


def test_intake_form_shows_field_errors_next_to_the_field(open_page: Any) -> None:
    page = open_page("agent")
    page.get_by_label("来电号码").fill("电话号码")
    page.get_by_role("button", name=re.compile("送派单")).click()
    assert page.locator("#text-err").inner_text() in ("必填", "不能为空")
    assert page.locator("#citizen_phone-err").inner_text() == "格式不正确"
    shot(page, "intake-errors")


def test_intake_works_at_200_percent_zoom(open_page: Any) -> None:
    # 200% zoom of a 1280 px window is a 640 CSS px viewport at twice the pixel density.
    page = open_page("agent", width=640, height=430)
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    page.keyboard.press("Alt+t")
    assert page.evaluate("document.activeElement.id") in ("text", "citizen_phone")
