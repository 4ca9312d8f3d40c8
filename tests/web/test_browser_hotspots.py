"""A hot spot in a real browser: five neighbours call about one mixing plant, the supervisor
sees the alert and the cluster, the dispatcher makes it a joint case, the month's 每月一题
shows it. Screenshots go to docs/screenshots/ (README)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, ROOT, logged_in_pages, shot

pytestmark = pytest.mark.browser

TEXTS = [
    "朝阳区望京街道望京西园四区东侧新建的搅拌站每天夜里十一点后还在作业，罐车进出轰鸣，噪音很大。",
    "望京西园四区附近的混凝土搅拌站粉尘很大，阳台晾的衣服全是灰，晚上还有噪音。",
    "投诉望京西园四区周边搅拌站，凌晨两点还在施工，噪音扰民，已经持续一周了。",
    "我是望京西园四区居民，楼下搅拌站的罐车整夜进出，噪音太大，老人睡不着，请尽快处理。",
    "望京西园四区旁的搅拌站没有降尘措施，粉尘飘进小区，晚上施工噪音也很大。",
]


@pytest.fixture
def page_as(browser: Any, server: str) -> Iterator[Any]:
    yield from logged_in_pages(browser, server)


def _server_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = Path(tmp_path_factory.getbasetemp()) / "webserver0" / "web.db"
    assert db.exists(), db
    return f"sqlite:///{db}"


def _run_job(url: str) -> None:
    """The worker's hotspots job and the inbox delivery, as `jiesu worker` would run them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIESU_")}
    env.update(JIESU_MODE="demo", JIESU_DATABASE_URL=url)
    code = ("from jiesu.worker import run_job; run_job('hotspots'); run_job('deliver_outbox')")
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def test_hot_spot_alert_cluster_joint_case_and_report(
    page_as: Any, server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import httpx

    token = httpx.post(f"{server}/api/v1/auth/token", timeout=120,
                       json={"username": "agent", "password": PASSWORD}).json()["access_token"]
    for i, text in enumerate(TEXTS):
        r = httpx.post(f"{server}/api/v1/orders", headers={"Authorization": f"Bearer {token}"},
                       json={"type": "complaint", "text": text, "citizen_phone": f"1391000{i:04d}",
                             "district_code": "110105", "street_code": "110105026"},
                       timeout=120)
        assert r.status_code == 201, r.text
    _run_job(_server_database(tmp_path_factory))

    supervisor = page_as("supervisor")
    supervisor.goto("/inbox")
    assert "热点预警" in supervisor.content()
    supervisor.goto("/hotspots")
    supervisor.locator("#hotspots a").first.click()
    supervisor.wait_for_selector("#chart-trend canvas")
    assert "望京西园" in supervisor.content() and "望京街道" in supervisor.content()
    shot(supervisor, "hotspot")

    dispatcher = page_as("dispatcher")
    dispatcher.goto(supervisor.url)
    dispatcher.get_by_label("主办单位").fill("110105026")
    dispatcher.get_by_label("协办单位（逗号分隔）").fill("dept.chengguan")
    dispatcher.get_by_role("button", name="成立联办案件").click()
    dispatcher.wait_for_load_state()
    assert "已成立联办案件" in dispatcher.content()

    # A neighbour calls later: while the agent types, the panel proposes the joint case.
    agent = page_as("agent")
    agent.goto("/agent")
    agent.locator("#text").fill("望京西园四区旁搅拌站今晚又在施工，噪音太大，粉尘很重。")
    agent.wait_for_selector("#case-hint")
    assert "可能属于联办案件" in agent.locator("#case-hint").inner_text()
    shot(agent, "intake-case-hint")

    supervisor.goto("/hotspots/report")
    supervisor.wait_for_selector("#chart-report canvas")
    assert "望京西园" in supervisor.locator("#report-problems").inner_text()
    shot(supervisor, "hotspots-report")
