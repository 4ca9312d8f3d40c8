"""The agent's screen shows which words named the place and by which kind of match."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.test_web_rules import csrf, login


def test_agent_screen_shows_the_words_and_kind_of_place_match(client: TestClient) -> None:
    login(client, "agent")
    token = csrf(client, "/agent")
    answer = client.post("/agent/suggest", data={
        "text": "我住望京，但是久仙桥那边有人占道经营", "csrf_token": token})
    assert answer.status_code == 200, answer.text[:300]
    assert "酒仙桥街道" in answer.text
    assert "“久仙桥”→“酒仙桥”（同音字" in answer.text
    assert "“望京”（字面一致，住址，非事发地）" in answer.text
