"""Search as the agent types: BM25 (bm25s) over the knowledge base's tokens.

The index holds every published version (scheduled ones too); which of them a search may
return is decided per query from their validity windows, so an answer vanishes the moment it
expires without a rebuild. Scores are multiplied by boosts: the order's suggested category
(the same level-1 class, more for the same category) and, when a special line is given, the
line's own articles. Matching words come back wrapped in <mark> (the text HTML-escaped).

One index per process, rebuilt when the knowledge base changed: a write through the service
bumps this process's generation, and one cheap statement (event and synonym counts and
newest ids) tells whether another process changed it. Reads only; recording a search that
found nothing is the service's job.
"""

from __future__ import annotations

import html
import itertools
import re
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.knowledge import text
from jiesu.knowledge.models import (
    Article,
    ArticleEvent,
    ArticleVersion,
    Synonym,
    VersionStatus,
)
from jiesu.triage.taxonomy import top_level

CATEGORY_BOOST = 0.6  # same category as the order's suggested one (on top of the class)
CLASS_BOOST = 0.4  # same level-1 class
LINE_BOOST = 1.0  # an article of the line the call came in on
# A document must score at least this share of the IDF of the query's rarest known token:
# below it, a match is noise (one common sound pair).
MIN_SHARE = 0.3
MAX_DF_SHARE = 0.25  # query tokens found in more of the documents than this are left out
PRUNE_FROM = 1000  # … in an index of at least this many documents
K1, B = 2.0, 0.75  # tuned on eval.csv only (docs/knowledge.md)
MAX_QUERY = 200


@dataclass(frozen=True)
class Doc:
    version_id: int
    article_id: int
    code: str
    topic: str
    questions: tuple[str, ...]
    answer: str
    category: str
    tags: tuple[str, ...]
    owner_unit_id: int
    internal_note: str
    valid_from: datetime
    valid_to: datetime | None


def doc_text(doc: Doc) -> str:
    """What is indexed: the topic twice (it names the question), the question forms, tags,
    the category's own words, and the answer (what it says is what callers ask about)."""
    return "\n".join([doc.topic, doc.topic, *doc.questions, " ".join(doc.tags), doc.category,
                      doc.answer])


@dataclass
class Index:
    docs: list[Doc]
    synonyms: text.Synonyms
    vocab: dict[str, int]
    retriever: Any  # bm25s.BM25, None when the index is empty
    valid_from: np.ndarray[Any, np.dtype[np.float64]]
    valid_to: np.ndarray[Any, np.dtype[np.float64]]
    categories: np.ndarray[Any, np.dtype[np.int64]]
    classes: np.ndarray[Any, np.dtype[np.int64]]
    article_ids: np.ndarray[Any, np.dtype[np.int64]]
    idf: np.ndarray[Any, np.dtype[np.float64]]
    df_share: np.ndarray[Any, np.dtype[np.float64]]
    matrix: Any  # bm25s' precomputed scores as a token × document CSR matrix
    category_codes: dict[str, int] = field(default_factory=dict)
    class_codes: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.docs)


def build_index(docs: Sequence[Doc], synonyms: Mapping[str, str] | None = None) -> Index:
    syn = text.Synonyms(synonyms)
    return index_tokens(docs, [text.tokens(doc_text(doc), syn) for doc in docs], syn)


def index_tokens(docs: Sequence[Doc], doc_tokens: Sequence[Sequence[str]],
                 syn: text.Synonyms) -> Index:
    """The index of documents already cut into tokens (the benchmark feeds its own)."""
    import bm25s

    # The vocabulary first, then each document's ids through the dict's own lookup: both
    # passes run in C (one setdefault per token in Python took half of a large build).
    unique = dict.fromkeys(itertools.chain.from_iterable(doc_tokens))
    unique.setdefault("\x00")  # the token of a document with none
    vocab = {t: i for i, t in enumerate(unique)}
    empty = [vocab["\x00"]]
    corpus = [list(map(vocab.__getitem__, toks)) or empty for toks in doc_tokens]
    n = max(len(corpus), 1)
    df = np.zeros(len(vocab) + 1, dtype=np.float64)
    retriever = matrix = None
    if docs:
        from scipy.sparse import csr_matrix

        retriever = bm25s.BM25(k1=K1, b=B)
        retriever.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=vocab),
                        show_progress=False)
        # bm25s keeps each token's scores as one slice of `data` (CSC by token): the same
        # arrays are a token × document CSR matrix, and summing a query's rows is one pass
        # in C (bm25s' own numpy path adds each slice with np.add.at, ten times slower).
        sc = retriever.scores
        matrix = csr_matrix((sc["data"], sc["indices"], sc["indptr"]),
                            shape=(len(sc["indptr"]) - 1, sc["num_docs"]))
        # A token's row holds one entry per document that has it: its document frequency.
        rows = np.diff(np.asarray(sc["indptr"])).astype(np.float64)
        df[:min(len(df), len(rows))] = rows[:len(df)]
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    category_codes: dict[str, int] = {}
    class_codes: dict[str, int] = {}
    cats = [category_codes.setdefault(d.category, len(category_codes)) for d in docs]
    classes = [class_codes.setdefault(top_level(d.category), len(class_codes)) for d in docs]
    return Index(
        docs=list(docs), synonyms=syn, vocab=vocab, retriever=retriever,
        valid_from=np.array([d.valid_from.timestamp() for d in docs], dtype=np.float64),
        valid_to=np.array([d.valid_to.timestamp() if d.valid_to else np.inf for d in docs],
                          dtype=np.float64),
        categories=np.array(cats, dtype=np.int64), classes=np.array(classes, dtype=np.int64),
        article_ids=np.array([d.article_id for d in docs], dtype=np.int64), idf=idf,
        df_share=df / n, matrix=matrix,
        category_codes=category_codes, class_codes=class_codes,
    )


@dataclass(frozen=True)
class Highlight:
    topic: str
    question: str
    answer: str


NO_HIGHLIGHT = Highlight("", "", "")


@dataclass(frozen=True)
class Hit:
    doc: Doc
    score: float
    question: str  # the question form closest to the query
    highlight: Highlight


@dataclass(frozen=True)
class Ranked:
    query: str
    hits: list[Hit]
    took_ms: float


def rank(
    index: Index, query: str, *, category: str | None = None, line_articles:
    Collection[int] = (), line_boost: float = LINE_BOOST, limit: int = 5,
    now: datetime | None = None, highlight: bool = True,
) -> Ranked:
    """The `limit` best visible documents for `query`, with boosts; pure (no database)."""
    started = time.perf_counter()
    query = query.strip()[:MAX_QUERY]
    if not query or index.retriever is None:
        return Ranked(query, [], (time.perf_counter() - started) * 1000)
    analysis = text.analyse(query, index.synonyms)
    ids = sorted({index.vocab[t] for t in analysis.tokens if t in index.vocab})
    if not ids:
        return Ranked(query, [], (time.perf_counter() - started) * 1000)
    # In a large index, tokens in a quarter of the documents (a common sound pair) hardly
    # move the ranking and cost the most; a small one is read whole.
    rare = ids
    if len(index) >= PRUNE_FROM:
        rare = [i for i in ids if index.df_share[i] <= MAX_DF_SHARE] or ids
    scores = np.asarray(index.matrix[rare].sum(axis=0), dtype=np.float64).ravel()
    moment = (now or clock.now()).timestamp()
    visible = (index.valid_from <= moment) & (moment < index.valid_to)
    scores = np.where(visible, scores, 0.0)
    if category:
        cat = index.category_codes.get(category, -1)
        cls = index.class_codes.get(top_level(category), -1)
        scores = scores * (1.0 + CATEGORY_BOOST * (index.categories == cat)
                           + CLASS_BOOST * (index.classes == cls))
    if line_articles:
        members = np.isin(index.article_ids, np.fromiter(line_articles, dtype=np.int64))
        scores = scores * (1.0 + line_boost * members)
    floor = MIN_SHARE * float(index.idf[rare].max())
    candidates = np.flatnonzero(scores >= max(floor, 1e-9))
    if len(candidates) > limit:
        top = np.argpartition(-scores[candidates], limit - 1)[:limit]
        candidates = candidates[top]
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    if not highlight:
        plain = [Hit(index.docs[i], round(float(scores[i]), 4), "", NO_HIGHLIGHT) for i in order]
        return Ranked(query, plain, (time.perf_counter() - started) * 1000)
    marks = Marks(_marks(query, analysis, index.synonyms),
                  frozenset(p[1:] for p in analysis.pairs))
    hits = [_hit(index.docs[i], float(scores[i]), marks) for i in order]
    return Ranked(query, hits, (time.perf_counter() - started) * 1000)


# --- highlighting -------------------------------------------------------------------------


def _marks(query: str, analysis: text.Analysis,
           synonyms: text.Synonyms) -> re.Pattern[str] | None:
    """A pattern of the query's words and every word searched as the same canonical one."""
    typed = analysis.surface()
    canon = set(synonyms.canonical_of(query))
    canon |= {synonyms.table.get(w, w) for w in typed}
    found = sorted(set(typed) | canon | set(synonyms.same_as(canon)), key=len, reverse=True)
    if not found:
        return None
    return re.compile("|".join(re.escape(w) for w in found), re.IGNORECASE)


@dataclass(frozen=True)
class Marks:
    """What to mark in a text: the query's words (and synonyms), and any two neighbouring
    characters that sound like two neighbouring characters of the query (公积金 for 公鸡金)."""

    words: re.Pattern[str] | None
    pairs: frozenset[str]  # "gong_ji": the sound of two neighbouring characters

    def spans(self, value: str) -> bytearray:
        """1 for each character of `value` to mark."""
        marked = bytearray(len(value))
        lowered = value.lower()
        if self.words is not None:
            for m in self.words.finditer(lowered):
                marked[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        if self.pairs:
            where = _pair_positions(lowered)
            for key in self.pairs:
                for i in where.get(key, ()):
                    marked[i] = marked[i + 1] = 1
        return marked


@lru_cache(maxsize=8192)
def _pair_positions(value: str) -> dict[str, list[int]]:
    """Where each sound pair of neighbouring characters starts in a text (cached: the texts
    of the answers shown most often)."""
    where: dict[str, list[int]] = {}
    sound = text.sounds(value)
    for i, (a, b) in enumerate(itertools.pairwise(sound)):
        where.setdefault(f"{a}_{b}", []).append(i)
    return where


_RUN = re.compile(rb"\x01+")


def mark(value: str, marks: Marks) -> str:
    """`value` HTML-escaped, each run of matching characters wrapped in <mark>."""
    flags = bytes(marks.spans(value))
    out: list[str] = []
    last = 0
    for run in _RUN.finditer(flags):
        out.append(html.escape(value[last:run.start()]))
        out.append(f"<mark>{html.escape(value[run.start():run.end()])}</mark>")
        last = run.end()
    out.append(html.escape(value[last:]))
    return "".join(out)


def _hit(doc: Doc, score: float, marks: Marks) -> Hit:
    questions = doc.questions or (doc.topic,)
    best = max(questions, key=lambda q: marks.spans(q).count(1))
    return Hit(doc=doc, score=round(score, 4), question=best, highlight=Highlight(
        topic=mark(doc.topic, marks), question=mark(best, marks), answer=mark(doc.answer, marks)))


# --- the process's index over the database ------------------------------------------------

_lock = threading.Lock()
_generation = 0
_cache: dict[str, tuple[tuple[Any, ...], Index]] = {}
_line_members: Callable[[Session, int], Collection[int]] | None = None


def invalidate() -> None:
    """The service changed the knowledge base in this process: rebuild on the next search."""
    global _generation
    with _lock:
        _generation += 1


LineResolver = Callable[[Session, int], Collection[int]]


def set_line_members(resolver: LineResolver | None) -> LineResolver | None:
    """Special lines register how to read a line's article ids (their membership table);
    returns the resolver it replaces (a test puts it back)."""
    global _line_members
    previous, _line_members = _line_members, resolver
    return previous


def line_members(session: Session, line_id: int | None) -> Collection[int]:
    if line_id is None or _line_members is None:
        return ()
    return _line_members(session, line_id)


def _signature(session: Session) -> tuple[Any, ...]:
    row = session.execute(select(
        select(func.count(ArticleEvent.id)).scalar_subquery(),
        select(func.max(ArticleEvent.id)).scalar_subquery(),
        select(func.count(Synonym.id)).scalar_subquery(),
        select(func.max(Synonym.id)).scalar_subquery(),
    )).one()
    return (_generation, *row)


def synonyms(session: Session) -> dict[str, str]:
    return {w: c for w, c in session.execute(select(Synonym.word, Synonym.canonical))}


def load_docs(session: Session) -> list[Doc]:
    rows = session.execute(
        select(ArticleVersion, Article.code, Article.owner_unit_id)
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(ArticleVersion.status == VersionStatus.published)
        .order_by(ArticleVersion.id)
    )
    return [doc_from(v, code, owner) for v, code, owner in rows]


def doc_from(v: ArticleVersion, code: str, owner_unit_id: int) -> Doc:
    return Doc(
        version_id=v.id, article_id=v.article_id, code=code, topic=v.topic,
        questions=tuple(q.strip() for q in v.questions.splitlines() if q.strip()),
        answer=v.answer, category=v.category,
        tags=tuple(t.strip() for t in v.tags.split(",") if t.strip()),
        owner_unit_id=owner_unit_id, internal_note=v.internal_note,
        valid_from=clock.as_aware(v.valid_from),
        valid_to=clock.as_aware(v.valid_to) if v.valid_to else None,
    )


def index_for(session: Session) -> Index:
    """The index of what `session` sees, built again only when the knowledge base changed."""
    key = str(session.get_bind().engine.url)
    signature = _signature(session)
    cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        index = build_index(load_docs(session), synonyms(session))
        _cache[key] = (signature, index)
        return index


def search(
    session: Session, query: str, *, category: str | None = None, line_id: int | None = None,
    line_boost: float = LINE_BOOST, limit: int = 5, now: datetime | None = None,
) -> Ranked:
    """The agent's search: published answers valid now, best first, words highlighted."""
    index = index_for(session)
    return rank(index, query, category=category, line_articles=line_members(session, line_id),
                line_boost=line_boost, limit=limit, now=now)
