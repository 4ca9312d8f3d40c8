"""Follow one Open311 request through jiesu with the PyPI client `georeport`, unchanged.

After `make run` (demo data, server on 127.0.0.1:8000) and
`KEY=$(.venv/bin/jiesu open311 issue 示例应用 | tail -1)`:

    .venv/bin/python examples/open311_georeport.py $KEY     # JIESU_URL for another server

It lists the services, posts a request (a form, as GeoReport v2 says: `georeport` has no POST
call), then plays the demo dispatcher and the demo street (望京街道) over jiesu's own API to
dispatch and reply, and reads the request's status again with `georeport`.
"""

from __future__ import annotations

import os
import sys

import httpx
import requests
from georeport import GeoReport

BASE = os.environ.get("JIESU_URL", "http://127.0.0.1:8000")
DEMO_PASSWORD = "jiesu-demo"


def login(username: str) -> dict[str, str]:
    answer = httpx.post(f"{BASE}/api/v1/auth/token",
                        json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def main(api_key: str) -> None:
    client = GeoReport(f"{BASE}/open311/v2", api_key=api_key)
    services = client.get_service_list()
    print(f"{len(services)} services, e.g. {services[0]['group']} › {services[0]['service_name']}")
    service = next(s for s in services if s["service_name"] == "城市建设和市政管理")
    posted = requests.post(f"{BASE}/open311/v2/requests.json", timeout=60, data={
        "api_key": api_key, "service_code": service["service_code"],
        "attribute[subcategory]": "城市公共设施", "address_string": "朝阳区望京街道花家地西里三区",
        "description": "花家地西里三区门口路灯不亮已经一周。", "phone": "13812345678"})
    posted.raise_for_status()
    number = posted.json()[0]["service_request_id"]
    print("posted:", number, client.get_service_request(number)["status_notes"])

    dispatcher, street = login("dispatcher"), login("street")
    order = httpx.get(f"{BASE}/api/v1/orders", params={"text": "花家地西里三区门口路灯"},
                      headers=dispatcher, timeout=30).json()["data"][0]
    units = httpx.get(f"{BASE}/api/v1/units", params={"q": "望京街道"}, headers=dispatcher,
                      timeout=30).json()["data"]
    lead = next(u for u in units if u["code"] == "110105026")
    for headers, action, body in (
        (dispatcher, "dispatch", {"lead_unit_id": lead["id"]}),
        (street, "sign", {}),
        (street, "contact", {"method": "phone"}),
        (street, "reply", {"outcome": "solved", "reply": "路灯已于今日修复。"}),
    ):
        httpx.post(f"{BASE}/api/v1/orders/{order['id']}/{action}", json=body, headers=headers,
                   timeout=60).raise_for_status()
    after = client.get_service_request(number)
    print("after the street replied:", after["status"], after["status_notes"],
          after["agency_responsible"])


if __name__ == "__main__":
    main(sys.argv[1])
