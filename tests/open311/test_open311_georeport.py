"""Rule: a GeoReport v2 client that knows nothing of jiesu — the `georeport` package from PyPI,
unchanged — lists the services, reads a service definition and follows a request from posting
to the street's reply, against a real server (uvicorn on loopback, a database of its own), in
JSON and in XML. The package has no call for POST: the request is posted as the specification
says, a form with the api key, by `requests` (the package's own HTTP library).

The server and the commands run in subprocesses, each with a time limit."""

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
import requests
from georeport import GeoReport

from tests.scratch_settings import own_database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-enough-password"
START_LIMIT_S = 300
CALL_LIMIT_S = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The set-up commands, run as `jiesu ...` would run them, in one interpreter (one start-up).
SETUP = """
import sys
from jiesu.cli import app
for args in ([
    ["init"],
    ["users", "create", "o311.dispatcher", "dispatcher", "--display-name", "派单员",
     "--password", sys.argv[1]],
    ["users", "create", "o311.street", "handler", "--display-name", "望京街道经办人",
     "--password", sys.argv[1], "--unit-code", "110105026"],
    ["open311", "issue", "城市随手拍"],
]):
    app(args, standalone_mode=False)
"""


def _set_up(env: dict[str, str]) -> str:
    """Returns the api key `jiesu open311 issue` printed (its last line)."""
    done = subprocess.run([sys.executable, "-c", SETUP, PASSWORD], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def server_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the server's own, of the kind the suite runs on."""
    with own_database(tmp_path_factory.mktemp("open311-db"), "jiesu_o311") as url:
        yield url


@pytest.fixture(scope="module")
def server(server_database: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("open311-server")
    env = {**os.environ, "JIESU_DATABASE_URL": server_database,
           "JIESU_DATA_DIR": str(folder), "JIESU_MODE": "demo", "COLUMNS": "200"}
    api_key = _set_up(env)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "jiesu.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: on a loaded 2-core machine the triage warm-up alone can take a minute.
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else b""
            try:
                health = httpx.get(f"{base}/healthz", timeout=2).json()
                if health["triage"] != "loading":
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"the server did not start in {START_LIMIT_S} s"
            time.sleep(0.5)
        yield {"base": base, "api_key": api_key}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _token(base: str, username: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/token",
                        json={"username": username, "password": PASSWORD}, timeout=CALL_LIMIT_S)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _act(base: str, headers: dict[str, str], order_id: int, action: str, **body: Any) -> None:
    done = httpx.post(f"{base}/api/v1/orders/{order_id}/{action}", json=body, headers=headers,
                      timeout=CALL_LIMIT_S)
    assert done.status_code == 200, (action, done.text)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_follows_a_request_to_the_streets_reply(
    server: dict[str, str], fmt: str
) -> None:
    base = server["base"]
    client = GeoReport(f"{base}/open311/v2", api_key=server["api_key"], output_format=fmt)
    services = client.get_service_list()
    service = next(s for s in services if s["service_name"] == "城市建设和市政管理")
    assert service["group"] == "城乡建设" and len(services) > 100
    definition = client.get_service_definition(service["service_code"])
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    assert {a["code"] for a in attributes} == {"subcategory", "request_type"}

    posted = requests.post(f"{base}/open311/v2/requests.{fmt}", timeout=CALL_LIMIT_S, data={
        "api_key": client.api_key, "service_code": service["service_code"],
        "attribute[subcategory]": "城市公共设施",
        "address_string": "朝阳区望京街道花家地西里三区", "first_name": "先生",
        "last_name": "张", "phone": "13812345678",
        "description": f"花家地西里三区门口路灯不亮（{fmt}）。"})
    assert posted.status_code == 201, posted.text
    if fmt == "json":
        number = posted.json()[0]["service_request_id"]
    else:
        number = posted.text.split("<service_request_id>")[1].split("<")[0]

    first = client.get_service_request(number)
    assert first["status"] == "open" and first["service_code"] == service["service_code"]
    assert "13812345678" not in str(first)

    dispatcher, street = _token(base, "o311.dispatcher"), _token(base, "o311.street")
    found = httpx.get(f"{base}/api/v1/orders", params={"text": f"（{fmt}）"}, headers=dispatcher,
                      timeout=CALL_LIMIT_S).json()["data"]
    (order,) = found
    units = httpx.get(f"{base}/api/v1/units", params={"q": "望京街道", "limit": 5},
                      headers=dispatcher, timeout=CALL_LIMIT_S).json()["data"]
    lead = next(u for u in units if u["code"] == "110105026")
    _act(base, dispatcher, order["id"], "dispatch", lead_unit_id=lead["id"])
    _act(base, street, order["id"], "sign")
    _act(base, street, order["id"], "contact", method="phone")
    _act(base, street, order["id"], "reply", outcome="solved", reply="路灯已于今日修复。")

    replied = client.get_service_request(number)
    assert replied["status"] == "open"  # until the return visit closes it
    assert replied["status_notes"] == "路灯已于今日修复。"
    assert replied["agency_responsible"] == lead["name"]
    listed = client.get_service_requests(service_request_id=number)
    if fmt == "xml":
        listed = [listed]  # xmltodict: a single <request> is one mapping
    assert [r["service_request_id"] for r in listed] == [number]
