"""Each role's screen with the demo data, as a new user first meets it (issue 14), in Debian's
headless Chromium at 1280 px and 360 px. Each test is one thing that got in the way."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.conftest import logged_in_pages, shot

pytestmark = pytest.mark.browser
PHONE_WIDTH, PHONE_HEIGHT = 360, 740


@pytest.fixture
def login(browser: Any, demo_server: str) -> Iterator[Any]:
    yield from logged_in_pages(browser, demo_server)


def fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_supervisor_dashboard_reads_on_a_phone(login: Any) -> None:
    page = login("supervisor", PHONE_WIDTH, PHONE_HEIGHT)
    page.locator("#chart-states canvas").wait_for()
    fits(page, PHONE_WIDTH)
    # The ranking keeps each unit's name on one line (its table scrolls inside its card).
    cells = page.locator("table.ranking td.unit a")
    assert cells.count() > 0
    for i in range(min(cells.count(), 5)):
        box = cells.nth(i).bounding_box()
        assert box is not None and box["height"] < 30, cells.nth(i).inner_text()
    # The donut's state names sit in a legend, never cut.
    option = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-states'))"
                           ".getOption()")
    assert option["legend"] and option["series"][0]["label"]["show"] is False
    shot(page, "supervisor-phone")


def test_demo_month_ranks_units(login: Any) -> None:
    page = login("supervisor")
    page.locator("#chart-rates canvas").wait_for()
    shot(page, "supervisor")  # README: the dashboard with the demo month
    ranks = page.locator("#ranking tbody tr td:first-child").all_inner_texts()
    assert sum(1 for r in ranks if r.strip().isdigit()) >= 3, ranks
    assert "回访不少于 10 件" in page.locator("#ranking").locator("..").inner_text()


def test_overdue_chart_labels_every_unit(login: Any) -> None:
    page = login("supervisor")
    page.locator("#chart-overdue canvas").wait_for()
    axis = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-overdue'))"
                         ".getOption().yAxis[0]")
    assert axis["axisLabel"]["interval"] == 0
    assert len(axis["data"]) >= 2


def test_every_list_page_exports_what_it_shows(login: Any) -> None:
    page = login("supervisor")
    for selector in ("#overdue-export", "#rates-export"):
        hrefs = page.locator(f"{selector} a.button").evaluate_all("a => a.map(x => x.href)")
        assert any("format=xlsx" in h for h in hrefs) and any("format=csv" in h for h in hrefs)
        for href in hrefs:
            response = page.request.get(href)
            assert response.status == 200, href
    page.goto("/orders?state=closed")
    count = int(re.search(r"共 (\d+) 件", page.locator("h1").inner_text()).group(1))
    csv_href = page.locator(".exports a", has_text="CSV").get_attribute("href")
    body = page.request.get(csv_href).text()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == count
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", r["来电号码"]) for r in rows if r["来电号码"])
    visitor = login("visitor")
    assert visitor.locator(".exports a", has_text="Excel").count() == 1


def test_order_search_keeps_every_filter_in_the_url(login: Any) -> None:
    page = login("supervisor")
    page.goto("/orders")
    page.get_by_label("区", exact=True).select_option(label="朝阳区")
    page.wait_for_url(re.compile(r"district_code=110105"))
    page.get_by_label("街道乡镇").select_option(label="望京街道")
    page.get_by_label("受理日期从").fill("2020-01-01")
    page.get_by_label("类型").select_option("complaint")
    page.get_by_label("紧急程度").select_option("ordinary")
    page.get_by_label("来电号码").fill("13")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    query = parse_qs(urlparse(page.url).query)
    assert query["district_code"] == ["110105"] and query["street_code"] == ["110105026"]
    assert query["type"] == ["complaint"] and query["received_from"] == ["2020-01-01"]
    page.reload()
    assert page.get_by_label("街道乡镇").input_value() == "110105026"
    export = page.locator(".exports a", has_text="CSV").get_attribute("href")
    assert "street_code=110105026" in export and "type=complaint" in export
    for place in page.locator("table.list tbody td:nth-child(4)").all_inner_texts():
        assert "望京街道" in place and not re.search(r"\d{6}", place)


def test_unit_chooser_shows_the_path_and_refuses_an_unknown_unit(login: Any) -> None:
    page = login("dispatcher")
    field = page.locator("#bulk_lead")
    field.fill("望京")
    option = page.locator("#bulk_lead-picker [role=option]").first
    option.wait_for()
    assert "朝阳区 › 望京街道" in option.inner_text()
    option.click()
    assert field.input_value() == "望京街道（110105026）"
    field.fill("没有这个单位")
    before = page.url
    page.get_by_role("button", name="批量派单").click()
    error = page.locator("#bulk_lead-pick-err")
    error.wait_for()
    assert "请从列表中选择" in error.inner_text()
    assert page.url == before and page.locator("#bulk-result").count() == 0


def test_bulk_dispatch_says_how_many_and_to_whom(login: Any) -> None:
    page = login("dispatcher")
    boxes = page.locator("li.qrow:not(:has(.returned)) input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("#bulk_lead").fill("望京街道（110105026）")
    page.get_by_role("button", name="批量派单").click()
    result = page.locator("#bulk-result")
    result.wait_for()
    assert "已批量派单 2 件至 望京街道" in result.inner_text()


def test_returned_order_is_not_proposed_to_the_unit_that_returned_it(login: Any) -> None:
    page = login("dispatcher")
    rows = page.locator("li.qrow:has(.returned)")
    assert rows.count() > 0
    for i in range(rows.count()):
        row = rows.nth(i)
        returned_by = row.locator(".returned").inner_text().removeprefix("退单：").split(" — ")[0]
        proposed = row.locator(".qsg b").nth(1).inner_text() if row.locator(
            ".qsg b").count() > 1 else ""
        assert proposed != returned_by, row.inner_text()
        if row.locator(".why").count():
            assert "已退单" in row.locator(".why").inner_text()
    assert "_x000D_" not in page.content()
    shot(page, "dispatch")  # README: the queue with the demo data


def test_handler_on_a_phone_reaches_the_actions_and_reads_place_names(login: Any) -> None:
    page = login("street", PHONE_WIDTH, PHONE_HEIGHT)
    fits(page, PHONE_WIDTH)
    # The list: soonest deadline first by default; filter and sort kept in the URL.
    assert page.get_by_label("排序").input_value() == "due"
    page.get_by_label("紧急").select_option("ordinary")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"urgency=ordinary"))
    assert page.locator("p.place").count() > 0
    assert "望京街道" in page.locator("p.place").first.inner_text()
    call = page.get_by_role("button", name="拨打诉求人").first
    call.click()
    tel = page.locator("a.tel").first
    tel.wait_for()
    assert re.fullmatch(r"tel:1\d{10}", tel.get_attribute("href") or "")
    # The order page: what it allows now is in reach without scrolling, the long text folded.
    page.locator("li.card:has(button:text('拨打诉求人')) a.button", has_text="办理").first.click()
    page.wait_for_load_state()
    actions = page.locator("#actions").bounding_box()
    assert actions is not None and actions["y"] < PHONE_HEIGHT
    assert "朝阳区 望京街道" in page.locator("#place").inner_text()
    assert not re.search(r"\b1101\d{5}\b", page.locator("#place").inner_text())
    fits(page, PHONE_WIDTH)
    shot(page, "order-phone")


def test_visit_card_shows_the_complaint_and_links_the_timeline(login: Any) -> None:
    page = login("visitor")
    card = page.locator("ul.cards li.card").first
    shot(page, "visits")  # README: the visit queue with the demo data
    said = card.locator(".said")
    assert "诉求人原诉求" in said.inner_text() and "单位答复" in said.inner_text()
    card.get_by_role("link", name="查看办理记录").click()
    page.wait_for_url(re.compile(r"/orders/\d+#timeline"))
    assert page.locator("#timeline li").count() >= 3


def test_file_control_speaks_chinese(login: Any) -> None:
    page = login("street")
    page.locator("li.card:has(button:text('拨打诉求人')) a.button", has_text="办理").first.click()
    page.wait_for_load_state()
    control = page.locator(".file")
    assert "选择文件" in control.inner_text() and "未选择文件" in control.inner_text()
    native = page.locator("#attach-file")
    assert native.evaluate("n => getComputedStyle(n).opacity") == "0"
    native.set_input_files(files=[{"name": "现场.png", "mimeType": "image/png",
                                   "buffer": b"\x89PNG\r\n\x1a\nxx"}])
    assert page.locator("#attach-file-name").inner_text() == "现场.png"


def test_inbox_bell_is_drawn_without_an_emoji_font(login: Any) -> None:
    page = login("street")
    icon = page.locator("#bell svg.icon")
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 12 and box["height"] >= 12
    assert "🔔" not in page.locator("#bell").inner_text()
