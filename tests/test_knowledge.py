"""Rules of the knowledge base: versions, review, validity, visibility, expiry, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from jiesu.core.outbox import OutboxMessage
from jiesu.knowledge import jobs, service
from jiesu.knowledge.schemas import ArticleCreate, ArticleUpdate
from tests.factories import unit, who
from tests.kb_support import at, content, draft, published, revise, snapshot, topics

pytestmark = pytest.mark.usefixtures("frozen")


def test_every_change_is_a_new_version_with_who_and_when(session: Session) -> None:
    first = published(session)
    second = revise(session, first.article_id, answer="新的答复口径：请拨打街道电话。")
    assert (first.number, second.number) == (1, 2)
    versions = service.versions_of(session, first.article_id)
    assert [v.number for v in versions] == [2, 1]
    assert versions[1].answer != versions[0].answer  # the old text is kept as it was
    events = service.events_of(session, first.article_id)
    assert [e.action for e in events] == ["save", "propose", "publish", "save"]
    assert events[-1].actor_id == who(session, "dept").user_id
    assert events[-1].at == clock.now()


def test_a_unit_draft_is_not_searchable_until_the_centre_publishes_it(session: Session) -> None:
    version = draft(session, topic="共享单车乱停放清理")
    assert "共享单车乱停放清理" not in topics(session, "共享单车乱停")
    service.propose(session, who(session, "dept"), version.id)
    assert "共享单车乱停放清理" not in topics(session, "共享单车乱停")
    service.publish(session, who(session, "supervisor"), version.id)
    assert topics(session, "共享单车乱停")[0] == "共享单车乱停放清理"


def test_only_the_centre_reviews(session: Session) -> None:
    version = draft(session, submit=True)
    for username in ("dept", "agent", "dispatcher"):
        with pytest.raises(NotAllowed):
            service.publish(session, who(session, username), version.id)
    assert service.publish(session, who(session, "admin"), version.id).status == "published"


def test_a_rejection_needs_a_reason_and_keeps_the_published_version(session: Session) -> None:
    first = published(session, topic="道路积水排除")
    proposal = revise(session, first.article_id, topic="道路积水排除", submit=True,
                      answer="错误的口径")
    with pytest.raises(InvalidInput) as refused:
        service.reject(session, who(session, "supervisor"), proposal.id, "  ")
    assert refused.value.code == "kb_reason_required"
    service.reject(session, who(session, "supervisor"), proposal.id, "口径与政策不符")
    assert proposal.status == "rejected"
    assert service.in_force(session, first.article_id) is first


def test_publishing_a_new_version_replaces_the_one_in_force(session: Session) -> None:
    first = published(session, topic="暖气不热报修")
    second = revise(session, first.article_id, topic="暖气不热报修", submit=True,
                    answer="请先联系供热单位报修热线。")
    service.publish(session, who(session, "supervisor"), second.id)
    assert first.status == "superseded" and first.ended_at == clock.now()
    assert service.in_force(session, first.article_id) is second
    hits = service.search(session, who(session, "agent"), "暖气不热").hits
    assert [h.doc.version_id for h in hits if h.doc.article_id == first.article_id] == [second.id]


def test_a_newer_pending_version_supersedes_the_older_draft(session: Session) -> None:
    first = draft(session)
    second = revise(session, first.article_id)
    assert first.status == "superseded" and second.status == "draft"


def test_a_unit_may_not_write_another_units_article(session: Session) -> None:
    version = draft(session)
    with pytest.raises(NotAllowed) as refused:
        revise(session, version.article_id, username="street")
    assert refused.value.code == "kb_not_owner"
    with pytest.raises(NotAllowed):
        service.create_article(session, who(session, "street"), ArticleCreate(
            **content(owner_unit_id=unit(session, "dept.chengguan").id)))


def test_a_scheduled_version_may_not_overlap_a_published_one(session: Session) -> None:
    first = published(session, topic="公园开放时间")
    before = snapshot(session)
    with pytest.raises(Conflict) as refused:
        revise(session, first.article_id, valid_from=clock.now() + timedelta(days=30))
    assert refused.value.code == "kb_version_overlap"
    assert snapshot(session) == before
    # Ending the current answer first makes room for the scheduled one.
    ends = clock.now() + timedelta(days=30)
    service.publish(session, who(session, "supervisor"), revise(
        session, first.article_id, topic="公园开放时间", valid_to=ends).id)
    later = revise(session, first.article_id, topic="公园开放时间（冬季）", valid_from=ends)
    service.publish(session, who(session, "supervisor"), later.id)
    assert topics(session, "公园开放时间")[0] == "公园开放时间"
    with time_machine.travel(ends + timedelta(hours=1), tick=False):
        assert topics(session, "公园开放时间")[0] == "公园开放时间（冬季）"


def test_an_expired_answer_vanishes_from_search(session: Session) -> None:
    version = published(session, topic="冬季供暖缴费", valid_to=clock.now() + timedelta(days=3))
    assert topics(session, "供暖缴费") == ["冬季供暖缴费"]
    with time_machine.travel(clock.now() + timedelta(days=3, seconds=1), tick=False):
        assert topics(session, "供暖缴费") == []
    later = clock.now() + timedelta(days=4)
    assert service.standing(session, version.article_id, later) == "expired"


def test_a_withdrawn_answer_vanishes_from_search_at_once(session: Session) -> None:
    version = published(session, topic="临时交通管制")
    assert topics(session, "交通管制") == ["临时交通管制"]
    service.withdraw(session, who(session, "supervisor"), version.article_id, "管制已解除")
    assert topics(session, "交通管制") == []
    assert version.status == "withdrawn"


def test_a_future_answer_appears_when_it_starts(session: Session) -> None:
    starts = clock.now() + timedelta(days=2)
    published(session, topic="新能源车牌摇号", valid_from=starts)
    assert topics(session, "车牌摇号") == []
    with time_machine.travel(starts, tick=False):
        assert topics(session, "车牌摇号") == ["新能源车牌摇号"]


def test_the_owning_unit_is_told_a_week_before_expiry_once(session: Session) -> None:
    version = published(session, topic="健康证办理", valid_to=clock.now() + timedelta(days=10))
    assert jobs.notify_expiring(session) == 0
    with time_machine.travel(clock.now() + timedelta(days=3, hours=1), tick=False):
        assert jobs.notify_expiring(session) == 1
        assert jobs.notify_expiring(session) == 0
    message = session.scalars(select(OutboxMessage).where(
        OutboxMessage.topic == "notify").order_by(OutboxMessage.id.desc())).first()
    assert message is not None
    assert message.payload["kind"] == "kb_expiring"
    assert message.payload["unit_id"] == unit(session, "dept.chengguan").id
    assert message.payload["version_id"] == version.id


def test_no_expiry_notice_when_a_successor_is_scheduled(session: Session) -> None:
    ends = clock.now() + timedelta(days=5)
    first = published(session, topic="医保年度缴费", valid_to=ends)
    later = revise(session, first.article_id, topic="医保年度缴费", valid_from=ends)
    service.publish(session, who(session, "supervisor"), later.id)
    assert jobs.notify_expiring(session) == 0


@pytest.mark.parametrize(("fields", "code"), [
    ({"answer": "   "}, "kb_answer_empty"),
    ({"topic": ""}, "kb_topic_empty"),
    ({"category": "不存在的分类"}, "kb_category_unknown"),
    ({"answer": "长" * 2_000_000}, "kb_article_too_large"),
    ({"valid_to": "2020-01-01T00:00:00+08:00"}, "kb_validity_invalid"),
])
def test_bad_input_is_refused_with_its_code_and_nothing_changes(
    session: Session, fields: dict[str, object], code: str
) -> None:
    before = snapshot(session)
    with pytest.raises(DomainError) as refused:
        draft(session, **fields)
    assert refused.value.code == code
    assert snapshot(session) == before


def test_a_categorys_path_and_any_level_are_known(session: Session) -> None:
    assert service.known_category("城乡建设")
    assert service.known_category("城乡建设/安全生产/安全隐患")
    assert not service.known_category("天气预报")


def test_the_suggested_category_boosts_its_answers(session: Session) -> None:
    published(session, topic="噪音扰民投诉", category="环境保护", questions=["晚上噪音太大"])
    published(session, topic="施工噪音夜间扰民", category="城乡建设", questions=["工地晚上噪音"])
    # Both answers match the question about as well: the category decides.
    first = topics(session, "晚上噪音", category="城乡建设")[0]
    assert first == "施工噪音夜间扰民"
    assert topics(session, "晚上噪音", category="环境保护")[0] == "噪音扰民投诉"


def test_a_misheard_word_finds_the_answer_by_its_sound(session: Session) -> None:
    published(session, topic="住房公积金提取条件", category="劳动和社会保障",
              questions=["公积金怎么取出来"])
    assert topics(session, "公鸡金能取吗")[:1] == ["住房公积金提取条件"]


def test_a_synonym_finds_the_canonical_word(session: Session) -> None:
    published(session, topic="物业费收费标准", questions=["物业费怎么收"])
    service.add_synonym(session, "物管费", "物业费")
    hits = service.search(session, who(session, "agent"), "物管费太贵").hits
    assert hits and hits[0].doc.topic == "物业费收费标准"
    assert "<mark>物业费</mark>" in hits[0].highlight.topic


def test_matching_words_are_highlighted_and_escaped(session: Session) -> None:
    published(session, topic="路灯<不亮>报修", questions=["路灯坏了找谁"])
    hit = service.search(session, who(session, "agent"), "路灯不亮").hits[0]
    assert hit.highlight.topic.startswith("<mark>路灯</mark>&lt;")


def test_a_search_that_finds_nothing_is_kept_for_the_centre(session: Session) -> None:
    published(session)
    service.search(session, who(session, "agent"), "量子")
    service.search(session, who(session, "agent"), "量子计算机补贴")  # the same typing, longer
    service.search(session, who(session, "dispatcher"), "量子计算机补贴")
    zero = service.zero_result_queries(session)
    assert [(z.query, z.searches) for z in zero] == [("量子计算机补贴", 2)]


def test_answers_are_ranked_by_use(session: Session) -> None:
    a = published(session, topic="户口迁入办理")
    b = published(session, topic="居住证办理")
    agent = who(session, "agent")
    for _ in range(3):
        service.record_use(session, agent, b.id)
    service.record_use(session, agent, a.id)
    ranked = service.top_articles(session)
    assert [(r.topic, r.uses) for r in ranked] == [("居住证办理", 3), ("户口迁入办理", 1)]


def test_a_version_not_in_force_cannot_be_used(session: Session) -> None:
    version = draft(session)
    with pytest.raises(Conflict) as refused:
        service.record_use(session, who(session, "agent"), version.id)
    assert refused.value.code == "kb_version_not_in_force"


def test_a_line_boost_puts_the_lines_answers_first(session: Session) -> None:
    from jiesu.knowledge import search as kb_search

    general = published(session, topic="核酸检测点查询", questions=["哪里可以做核酸"])
    special = published(session, topic="核酸检测结果查询", questions=["核酸结果在哪看"])
    assert general.id and special.id
    previous = kb_search.set_line_members(
        lambda s, line_id: {special.article_id} if line_id == 7 else ())
    try:
        assert topics(session, "核酸检测查询", line_id=7)[0] == "核酸检测结果查询"
        assert topics(session, "核酸检测查询")[0] == "核酸检测点查询"
    finally:
        kb_search.set_line_members(previous)


def test_a_schedule_with_no_timezone_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        service.check_content(ArticleUpdate(**content(valid_from="2027-01-01T00:00:00")))
    assert refused.value.code == "kb_validity_invalid"
    assert at("2027-01-01T00:00:00").tzinfo is not None
