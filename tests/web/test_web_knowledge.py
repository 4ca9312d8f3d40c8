"""Knowledge-base pages: a unit drafts and proposes, the centre reviews and publishes, the agent
finds it highlighted while typing; the history page says who did what; bad input is shown."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.kb_support import draft, published, snapshot
from tests.web.test_web_rules import csrf, login


def test_a_unit_writes_an_answer_and_the_centre_publishes_it_from_the_pages(
    client: TestClient, session: Session
) -> None:
    login(client, "dept")
    token = csrf(client, "/kb/new")
    saved = client.post("/kb/new", data={
        "topic": "门前三包责任", "questions": "门口垃圾谁管\n商户门前卫生", "category": "城乡建设",
        "answer": "沿街单位负责门前市容环境卫生，可向街道城管科反映。", "submit": "1",
        "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:600]
    article_page = saved.headers["location"].split("?")[0]
    client.cookies.clear()
    login(client, "supervisor")
    queue = client.get("/kb/review")
    assert "门前三包责任" in queue.text
    version_id = queue.text.split('id="review-')[1].split('"')[0]
    token = csrf(client, "/kb/review")
    done = client.post(f"/kb/versions/{version_id}/publish?back=review",
                       data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    history = client.get(article_page)
    assert "审核发布" in history.text and "提交审核" in history.text
    client.cookies.clear()
    login(client, "agent")
    found = client.get("/kb/search", params={"q": "门前卫生"}, headers={"HX-Request": "true"})
    assert "<mark>门前</mark>" in found.text and "沿街单位负责" in found.text


def test_an_empty_answer_is_shown_next_to_its_field_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    login(client, "dept")
    before = snapshot(session)
    token = csrf(client, "/kb/new")
    refused = client.post("/kb/new", data={"topic": "空答复", "answer": " ",
                                           "category": "城乡建设", "csrf_token": token})
    assert refused.status_code == 422
    assert "答复口径不能为空" in refused.text and "kb_answer_empty" in refused.text
    assert snapshot(session) == before


def test_an_agent_cannot_open_the_edit_pages_and_a_unit_sees_only_its_own(
    client: TestClient, session: Session
) -> None:
    version = draft(session, topic="本单位草稿")
    login(client, "agent")
    assert client.get("/kb").status_code == 403
    client.cookies.clear()
    login(client, "street")
    assert "本单位草稿" not in client.get("/kb").text
    assert client.get(f"/kb/{version.article_id}").status_code == 404
    client.cookies.clear()
    login(client, "dept")
    assert "本单位草稿" in client.get("/kb").text


def test_the_centre_lists_zero_result_searches_and_the_most_used_answers(
    client: TestClient, session: Session
) -> None:
    published(session, topic="门前三包责任")
    login(client, "agent")
    client.get("/kb/search", params={"q": "无人机禁飞区"})
    client.cookies.clear()
    login(client, "supervisor")
    page = client.get("/kb/insights")
    assert "无人机禁飞区" in page.text
