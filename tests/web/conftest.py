"""A real server for the browser tests: uvicorn in a subprocess on a free port, against its own
temporary SQLite database with the real units and the demo users (not the rolled-back test
database), and Debian's headless Chromium driven by Playwright.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
# Screenshots go to test-results/ (ignored); JIESU_UPDATE_SCREENSHOTS=1 refreshes the ones
# README shows, so a test run never leaves the work tree changed.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("JIESU_UPDATE_SCREENSHOTS") == "1"
    else ROOT / "test-results" / "screenshots"
)
PASSWORD = "jiesu-demo"

SETUP = """
from jiesu.core.db import session_scope
from jiesu.core.migrate import upgrade
from jiesu.core.settings import get_settings
from jiesu.demo import create_demo_users
from jiesu.units.seed import load_units
upgrade(get_settings().effective_database_url)
with session_scope() as session:
    load_units(session)
    create_demo_users(session)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


DEMO_SETUP = SETUP + """
from pathlib import Path
from jiesu.demo import create_demo_orders
with session_scope() as session:
    create_demo_orders(session, Path(get_settings().shared_data_dir))
"""


def _skip_unless_browser() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make browser installs it)")
    if os.environ.get("JIESU_TEST_POSTGRES_URL"):
        # The pages are the same on both databases (tests/web/test_web_rules.py runs on both);
        # the browser run, the slow one, runs once, on the SQLite pass.
        pytest.skip("browser tests run on the SQLite pass only")


def _serve(data: Path, setup: str) -> Iterator[str]:
    _skip_unless_browser()
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith("JIESU_") or k == "JIESU_SHARED_DATA_DIR"
    }
    env.update(
        JIESU_MODE="demo",
        JIESU_DATA_DIR=str(data),
        JIESU_DATABASE_URL=f"sqlite:///{data / 'web.db'}",
        # A replied order is due for its return visit at once (default: next working day).
        JIESU_VISIT_DELAY_WORKING_DAYS="0",
    )
    if "JIESU_SHARED_DATA_DIR" not in env:
        env["JIESU_SHARED_DATA_DIR"] = str(ROOT.parent / "shared" / "data")
    subprocess.run([sys.executable, "-c", setup], env=env, cwd=ROOT, check=True)
    port = _free_port()
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed after the server stops
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "jiesu.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError((data / "server.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
        # Every role's workflow completes and the server logs no error.
        logged = (data / "server.log").read_text(errors="replace")
        assert "Traceback" not in logged and "ERROR" not in logged, logged[-4000:]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("webserver"), SETUP)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with the demo orders (`jiesu init --demo`): every role's screen as a new user
    first sees it."""
    yield from _serve(tmp_path_factory.mktemp("demoserver"), DEMO_SETUP)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    _skip_unless_browser()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def logged_in_pages(browser: Any, base_url: str) -> Iterator[Any]:
    """The browser tests' page factory: make(username, width, height) opens a fresh context,
    logs that demo user in through the login form and returns the page; contexts close after."""
    contexts: list[Any] = []

    def make(username: str, width: int = 1280, height: int = 860) -> Any:
        viewport = {"width": width, "height": height}
        context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN",
                                      accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
