"""Rule: the knowledge index is kept current without a rebuild, and a rebuild never makes a
search wait. The BM25 matrix is bm25s' own scoring (computed for all pairs at once); a change
(new version, withdrawal, new article) reaches search at once through an overlay scored with
the base's statistics; synonyms or a large overlay rebuild it in a background thread while
the old snapshot answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import pytest
import time_machine
from sqlalchemy.orm import Session

from jiesu.knowledge import evaluation, seed, service, text
from jiesu.knowledge import search as kb_search
from tests.factories import who
from tests.kb_support import published, revise

pytestmark = pytest.mark.usefixtures("frozen")


def test_the_matrix_is_bm25s_own_scores() -> None:
    docs = evaluation.docs_from_csv(Path(seed.SEED_ARTICLES))[:60]
    index = kb_search.build_index(docs)
    corpus = [[index.vocab[t] for t in text.tokens(kb_search.doc_text(d))] for d in docs]
    reference = bm25s.BM25(k1=kb_search.K1, b=kb_search.B)
    reference.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=index.vocab),
                    show_progress=False)
    for token in ("~gong_ji", "公积金", "^户口", "入学"):
        i = index.vocab.get(token)
        if i is None:
            continue
        ours = index.matrix[[i]].toarray().ravel()
        theirs = np.zeros(len(docs))
        for d in range(len(docs)):
            theirs[d] = reference.get_scores([i])[d]
        assert np.allclose(ours, theirs, atol=1e-5), token


def _topics(index: kb_search.Index, query: str) -> list[str]:
    return [h.doc.topic for h in kb_search.rank(index, query, highlight=False).hits]


def test_a_change_reaches_search_through_the_overlay_and_the_old_snapshot_stays() -> None:
    docs = evaluation.docs_from_csv(Path(seed.SEED_ARTICLES))
    base = kb_search.build_index(docs)
    target = docs[0]
    withdrawn = docs[1]
    changed = kb_search.Doc(**{**target.__dict__, "version_id": 9001,
                               "topic": "共享单车乱停放清理", "questions": ("单车乱停谁管",)})
    new = kb_search.Doc(**{**target.__dict__, "version_id": 9002, "article_id": 9002,
                           "code": "KB-NEW", "topic": "冬季供暖温度不达标",
                           "questions": ("暖气不热怎么办",), "answer": "供暖温度不低于18度。"})
    after = kb_search.apply_changes(base, {target.article_id, withdrawn.article_id, 9002},
                                    [changed, new])
    assert after.n_base == base.n_base and after.overlay == 2 and len(after) == len(docs)
    assert _topics(after, "单车乱停")[0] == "共享单车乱停放清理"
    assert _topics(after, "暖气不热")[0] == "冬季供暖温度不达标"
    for index, topic in ((after, withdrawn.topic), (after, target.topic)):
        assert topic not in _topics(index, topic)
    # The snapshot a running search holds is never changed.
    assert _topics(base, withdrawn.topic)[0] == withdrawn.topic
    # What the overlay ranks is what a rebuild of the same documents ranks first.
    rebuilt = kb_search.build_index([d for d in docs[2:]] + [changed, new])
    for query in ("单车乱停", "暖气不热", docs[5].topic, docs[40].questions[0]):
        assert _topics(after, query)[:1] == _topics(rebuilt, query)[:1], query


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch, session: Session) -> Iterator[None]:
    """Every index counts as large (overlay and background rebuilds), the rebuild reading
    through the test's own connection; the process's cache is left as it was."""
    monkeypatch.setattr(kb_search, "BACKGROUND_FROM", 0)
    monkeypatch.setattr(kb_search, "open_session",
                        lambda engine: Session(bind=session.connection()))
    saved = dict(kb_search._cache)
    kb_search._cache.clear()
    yield
    kb_search._cache.clear()
    kb_search._cache.update(saved)


def _entry(session: Session) -> Any:
    return kb_search._cache[str(session.get_bind().engine.url)]


def _found(session: Session, query: str) -> list[str]:
    return [h.doc.topic for h in service.search(session, who(session, "agent"), query).hits]


@pytest.mark.usefixtures("large")
def test_publishing_and_withdrawing_reach_search_at_once_without_a_rebuild(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    first = published(session, topic="临时交通管制", questions=["路封了怎么走"])
    assert _found(session, "交通管制") == ["临时交通管制"]
    published(session, topic="冬季供暖温度不达标", questions=["暖气不热怎么办"])
    revise(session, first.article_id, topic="临时交通管制（延长）")
    assert _found(session, "暖气不热")[0] == "冬季供暖温度不达标"
    service.withdraw(session, who(session, "supervisor"), first.article_id, "管制已解除")
    assert _found(session, "交通管制") == []
    entry = _entry(session)
    assert entry.rebuilds == 0 and entry.rebuilding is None and entry.index.overlay >= 1


@pytest.mark.usefixtures("large")
def test_a_synonym_rebuilds_in_the_background_while_the_old_index_answers(
    session: Session, frozen: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch
) -> None:
    published(session, topic="物业费收费标准", questions=["物业费怎么收"])
    assert _found(session, "物业费") == ["物业费收费标准"]
    started: list[Any] = []
    real = kb_search._rebuild_in_background

    def hold(key: str, engine: Any, entry: Any) -> None:
        started.append((key, engine, entry))  # started by hand below, after the search

    monkeypatch.setattr(kb_search, "_rebuild_in_background", hold)
    service.add_synonym(session, "物管费", "物业费")
    # The search does not wait: it is answered by the index it had.
    assert _found(session, "物管费太贵") == []
    assert len(started) == 1
    real(*started[0])
    kb_search.wait_for_rebuild(session, timeout=60)
    assert _found(session, "物管费太贵") == ["物业费收费标准"]
    assert _entry(session).rebuilds == 1


@pytest.mark.usefixtures("large")
def test_a_large_overlay_is_folded_into_a_new_base_in_the_background(
    session: Session, frozen: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kb_search, "REBUILD_MIN", 2)
    started: list[Any] = []
    real = kb_search._rebuild_in_background
    monkeypatch.setattr(kb_search, "_rebuild_in_background",
                        lambda key, engine, entry: started.append((key, engine, entry)))
    published(session, topic="垃圾分类桶站设置")
    _found(session, "垃圾分类")
    for n in range(3):
        published(session, topic=f"第{n}号公园开放时间", questions=[f"公园{n}几点开门"])
        # Found at once, whether or not a rebuild has been asked for.
        assert f"第{n}号公园开放时间" in _found(session, f"公园{n}几点开门")
    assert started and _entry(session).index.overlay >= 2
    real(*started[0])
    kb_search.wait_for_rebuild(session, timeout=60)
    entry = _entry(session)
    assert entry.rebuilds == 1 and entry.index.overlay == 0 and entry.index.n_base == 4
    assert "第2号公园开放时间" in _found(session, "公园2几点开门")


def test_the_server_reads_the_index_while_it_starts() -> None:
    """`jiesu.main` starts `warm_up` in a thread: the served database's index is read before
    the first agent searches (the test database's committed answers: the seed's)."""
    from jiesu.core.db import get_engine

    key = str(get_engine().url)
    saved = dict(kb_search._cache)
    kb_search._cache.pop(key, None)
    try:
        kb_search.warm_up()
        assert key in kb_search._cache
        assert kb_search._cache[key].rebuilds == 0
    finally:
        kb_search._cache.clear()
        kb_search._cache.update(saved)
