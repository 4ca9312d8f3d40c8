"""Search as the agent types: BM25 (bm25s) over the knowledge base's tokens.

The index holds every published version (scheduled ones too); which of them a search may
return is decided per query from their validity windows, so an answer vanishes the moment it
expires without a rebuild. Scores are multiplied by boosts: the order's suggested category
(the same level-1 class, more for the same category) and, when a special line is given, the
line's own articles. Matching words come back wrapped in <mark> (the text HTML-escaped).

One index per process, kept current without a rebuild: one cheap statement (event and
synonym counts and newest ids) tells whether anyone changed the knowledge base; the events
since the index was read name the articles changed, and their published versions replace
theirs in a new snapshot (an overlay scored with the base's statistics). A full rebuild
(synonyms changed, a large overlay) runs in a background thread in a large knowledge base,
the old snapshot answering meanwhile. Reads only; recording a search that found nothing is
the service's job.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache, partial
from typing import Any, TypeVar

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

T = TypeVar("T")
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


Vector = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class Index:
    """One immutable snapshot of the searchable documents: a base built in one go and an
    overlay of the documents changed since, scored with the base's statistics.

    A change never edits a snapshot: `apply_changes` returns a new one (a search already
    running keeps the one it started with), so swapping the process's index is one
    assignment. The base is the first `n_base` documents; `alive` hides the documents of an
    article changed since (its current versions are in the overlay)."""

    docs: list[Doc]
    synonyms: text.Synonyms
    vocab: dict[str, int]  # the base's tokens (never changed after the build)
    matrix: Any  # the base's BM25 scores as a token × document CSR matrix
    n_base: int
    avgdl: float  # the base's mean document length (the overlay is scored with it)
    idf: Vector  # per token id (base, then overlay-only tokens)
    df_share: Vector
    valid_from: Vector
    valid_to: Vector
    categories: np.ndarray[Any, np.dtype[np.int64]]
    classes: np.ndarray[Any, np.dtype[np.int64]]
    article_ids: np.ndarray[Any, np.dtype[np.int64]]
    alive: np.ndarray[Any, np.dtype[np.bool_]]
    category_codes: dict[str, int] = field(default_factory=dict)
    class_codes: dict[str, int] = field(default_factory=dict)
    # The overlay: tokens only it has, its documents' tokens, its token × document matrix.
    extra_vocab: dict[str, int] = field(default_factory=dict)
    extra_tokens: tuple[tuple[str, ...], ...] = ()
    extra: Any = None

    def __len__(self) -> int:
        return int(self.alive.sum())

    @property
    def overlay(self) -> int:
        return len(self.docs) - self.n_base

    def token_id(self, token: str) -> int | None:
        found = self.vocab.get(token)
        return found if found is not None else self.extra_vocab.get(token)


def _yielding(items: Iterable[T], every: int = 64) -> Iterator[T]:
    """`items`, handing the interpreter to other threads every `every` items: a rebuild in
    a background thread is pure Python for long stretches, and the agents' searches in the
    request threads must not queue behind it for the GIL's full switch interval each time."""
    for n, item in enumerate(items):
        if n % every == 0:
            time.sleep(0)
        yield item


def build_index(docs: Sequence[Doc], synonyms: Mapping[str, str] | None = None) -> Index:
    syn = text.Synonyms(synonyms)
    return index_tokens(docs, [text.tokens(doc_text(doc), syn) for doc in _yielding(docs)],
                        syn)


def _idf(df: Vector, n: int) -> Vector:
    """bm25s' Lucene IDF (bm25s.scoring._score_idf_lucene), for every token at once."""
    return np.log(1.0 + (n - df + 0.5) / (df + 0.5))


def bm25_scores(corpus: Sequence[Sequence[int]], n_tokens: int, *, idf: Vector | None = None,
                avgdl: float | None = None) -> tuple[Any, Vector, float]:
    """The token × document matrix of BM25 scores (bm25s' Lucene variant, its own
    term-frequency component `bm25s.scoring._score_tfc_lucene`), computed for every
    (token, document) pair at once: bm25s' own index builds it one document at a time in
    Python, 418 s at 100,000 articles. With `idf` and `avgdl` given (the base's), the
    documents are scored as if they were in the base: the overlay's scores add up with it.
    Returns (matrix, document frequency per token id, mean document length)."""
    from bm25s.scoring import _score_tfc_lucene
    from scipy.sparse import csr_matrix

    lengths = np.fromiter((len(d) for d in corpus), dtype=np.int64, count=len(corpus))
    n_docs = len(corpus)
    flat = np.fromiter(itertools.chain.from_iterable(corpus), dtype=np.int64,
                       count=int(lengths.sum()))
    owner = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    # One key per (token, document): sorted, its runs are the term frequencies, grouped by
    # token as the CSR rows want them.
    keys, tf = np.unique(flat * max(n_docs, 1) + owner, return_counts=True)
    token, doc = np.divmod(keys, max(n_docs, 1))
    df = np.bincount(token, minlength=n_tokens).astype(np.float64)
    mean = float(lengths.mean()) if n_docs else 1.0
    weights = idf if idf is not None else _idf(df, n_docs)
    tfc = _score_tfc_lucene(tf.astype(np.float32), lengths[doc].astype(np.float32),
                            avgdl or mean, K1, B)
    scores = (weights[token] * tfc).astype(np.float32)
    indptr = np.zeros(n_tokens + 1, dtype=np.int64)
    np.cumsum(np.bincount(token, minlength=n_tokens), out=indptr[1:])
    matrix = csr_matrix((scores, doc.astype(np.int32), indptr), shape=(n_tokens, n_docs))
    return matrix, df, mean


def index_tokens(docs: Sequence[Doc], doc_tokens: Sequence[Sequence[str]],
                 syn: text.Synonyms) -> Index:
    """The index of documents already cut into tokens (the benchmark feeds its own)."""
    # The vocabulary first, then each document's ids through the dict's own lookup: both
    # passes run in C (one setdefault per token in Python took half of a large build).
    unique = dict.fromkeys(itertools.chain.from_iterable(_yielding(doc_tokens)))
    unique.setdefault("\x00")  # the token of a document with none
    vocab = {t: i for i, t in enumerate(unique)}
    empty = [vocab["\x00"]]
    corpus = [list(map(vocab.__getitem__, toks)) or empty for toks in _yielding(doc_tokens)]
    n = max(len(corpus), 1)
    matrix, df, avgdl = bm25_scores(corpus, len(vocab))
    category_codes: dict[str, int] = {}
    class_codes: dict[str, int] = {}
    arrays = _doc_arrays(docs, category_codes, class_codes)
    return Index(
        docs=list(docs), synonyms=syn, vocab=vocab, matrix=matrix, n_base=len(docs),
        avgdl=avgdl, idf=_idf(df, n), df_share=df / n, **arrays,
        alive=np.ones(len(docs), dtype=np.bool_),
        category_codes=category_codes, class_codes=class_codes,
    )


def _doc_arrays(docs: Sequence[Doc], category_codes: dict[str, int],
                class_codes: dict[str, int]) -> dict[str, Any]:
    """The per-document arrays a search filters and boosts on (codes added as met)."""
    cats = [category_codes.setdefault(d.category, len(category_codes)) for d in docs]
    classes = [class_codes.setdefault(top_level(d.category), len(class_codes)) for d in docs]
    return {
        "valid_from": np.array([d.valid_from.timestamp() for d in docs], dtype=np.float64),
        "valid_to": np.array([d.valid_to.timestamp() if d.valid_to else np.inf for d in docs],
                             dtype=np.float64),
        "categories": np.array(cats, dtype=np.int64),
        "classes": np.array(classes, dtype=np.int64),
        "article_ids": np.array([d.article_id for d in docs], dtype=np.int64),
    }


def apply_changes(index: Index, articles: Collection[int], current: Sequence[Doc]) -> Index:
    """A new snapshot where the documents of `articles` are replaced by `current` (their
    published versions now; none for an article withdrawn). Pure: costs the cutting of the
    new documents and a rebuild of the small overlay, never of the base.

    The overlay's documents are scored with the base's IDF and mean length, so their scores
    add up with the base's; tokens the base never had get an IDF as if they were new to it.
    """
    touched = np.fromiter(articles, dtype=np.int64, count=len(articles))
    alive = index.alive & ~np.isin(index.article_ids, touched)
    new_tokens = tuple(tuple(text.tokens(doc_text(d), index.synonyms)) for d in current)
    extra_tokens = index.extra_tokens + new_tokens
    extra_vocab = dict(index.extra_vocab)
    base_size = len(index.vocab)
    for token in itertools.chain.from_iterable(new_tokens):
        if token not in index.vocab and token not in extra_vocab:
            extra_vocab[token] = base_size + len(extra_vocab)
    corpus = [[index.vocab[t] if t in index.vocab else extra_vocab[t] for t in toks]
              or [index.vocab["\x00"]] for toks in extra_tokens]
    n_tokens = base_size + len(extra_vocab)
    # Tokens new to the base: their IDF over the base and the overlay together.
    n = max(index.n_base + len(extra_tokens), 1)
    extra_df = np.zeros(len(extra_vocab), dtype=np.float64)
    if corpus:
        counted = np.bincount(
            np.fromiter((i - base_size for toks in corpus for i in set(toks) if i >= base_size),
                        dtype=np.int64), minlength=len(extra_vocab))
        extra_df = counted.astype(np.float64)
    idf = np.concatenate([index.idf[:base_size], _idf(extra_df, n)])
    df_share = np.concatenate([index.df_share[:base_size], extra_df / n])
    # An empty base has no mean length to share: the overlay's own stands in.
    extra, _, _ = bm25_scores(corpus, n_tokens, idf=idf,
                              avgdl=index.avgdl if index.n_base else None)
    category_codes, class_codes = dict(index.category_codes), dict(index.class_codes)
    arrays = _doc_arrays(current, category_codes, class_codes)
    joined = {name: np.concatenate([getattr(index, name), value])
              for name, value in arrays.items()}
    return replace(
        index, docs=index.docs + list(current), valid_from=joined["valid_from"],
        valid_to=joined["valid_to"], categories=joined["categories"],
        classes=joined["classes"], article_ids=joined["article_ids"],
        alive=np.concatenate([alive, np.ones(len(current), dtype=np.bool_)]),
        idf=idf, df_share=df_share, category_codes=category_codes, class_codes=class_codes,
        extra_vocab=extra_vocab, extra_tokens=extra_tokens, extra=extra,
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


def _scores(
    index: Index, analysis: text.Analysis, *, category: str | None,
    line_articles: Collection[int], line_boost: float, moment: float,
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], float] | None:
    """Every document's score for one question (0 for those not visible now) and the floor
    a score must reach; None when no token of the question is in the index."""
    ids = sorted({i for i in map(index.token_id, analysis.tokens) if i is not None})
    if not ids:
        return None
    # In a large index, tokens in a quarter of the documents (a common sound pair) hardly
    # move the ranking and cost the most; a small one is read whole.
    rare = ids
    if index.n_base >= PRUNE_FROM:
        rare = [i for i in ids if index.df_share[i] <= MAX_DF_SHARE] or ids
    base_rows = [i for i in rare if i < len(index.vocab)]
    scores = np.asarray(index.matrix[base_rows].sum(axis=0), dtype=np.float64).ravel()
    if index.extra is not None:
        extra = np.asarray(index.extra[rare].sum(axis=0), dtype=np.float64).ravel()
        scores = np.concatenate([scores, extra])
    visible = index.alive & (index.valid_from <= moment) & (moment < index.valid_to)
    scores = np.where(visible, scores, 0.0)
    if category:
        cat = index.category_codes.get(category, -1)
        cls = index.class_codes.get(top_level(category), -1)
        scores = scores * (1.0 + CATEGORY_BOOST * (index.categories == cat)
                           + CLASS_BOOST * (index.classes == cls))
    if line_articles:
        members = np.isin(index.article_ids, np.fromiter(line_articles, dtype=np.int64))
        scores = scores * (1.0 + line_boost * members)
    return scores, MIN_SHARE * float(index.idf[rare].max())


def _best(scores: np.ndarray[Any, np.dtype[np.float64]], floor: float,
          limit: int) -> list[int]:
    candidates = np.flatnonzero(scores >= max(floor, 1e-9))
    if len(candidates) > limit:
        top = np.argpartition(-scores[candidates], limit - 1)[:limit]
        candidates = candidates[top]
    return [int(i) for i in candidates[np.argsort(-scores[candidates], kind="stable")]]


def rank(
    index: Index, query: str, *, category: str | None = None, line_articles:
    Collection[int] = (), line_boost: float = LINE_BOOST, limit: int = 5,
    now: datetime | None = None, highlight: bool = True,
) -> Ranked:
    """The `limit` best visible documents for `query`, with boosts; pure (no database).

    A caller who asks several things in one breath (…，还有个事，…) gets each question's
    best answers in turn: the questions are ranked apart and their lists interleaved, so a
    short second question is not drowned by a long first one."""
    started = time.perf_counter()
    query = query.strip()[:MAX_QUERY]
    if not query or not index.docs:
        return Ranked(query, [], (time.perf_counter() - started) * 1000)
    moment = (now or clock.now()).timestamp()
    score = partial(_scores, index, category=category, line_articles=line_articles,
                    line_boost=line_boost, moment=moment)
    analysis = text.analyse(query, index.synonyms)
    whole = score(analysis)
    if whole is None:
        return Ranked(query, [], (time.perf_counter() - started) * 1000)
    scores, floor = whole
    order = _best(scores, floor, limit)
    parts = text.questions_in(query)
    if len(parts) > 1:
        lists = [order]
        for part in parts:
            found = score(text.analyse(part, index.synonyms))
            if found is not None:
                lists.append(_best(*found, limit))
        order = list(dict.fromkeys(i for group in itertools.zip_longest(*lists)
                                   for i in group if i is not None))[:limit]
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
#
# One index per database per process, kept current without a rebuild: the knowledge base's
# events (append-only, one per change of a version's status) say which articles changed
# since the index was read; their published versions replace theirs in a new snapshot
# (`apply_changes`, milliseconds). A full rebuild is needed only when the synonyms changed
# (every document's tokens do), when the overlay has grown past a share of the base, or when
# the database no longer has events the index saw (another database, a rollback); in a large
# knowledge base it runs in a background thread and the old snapshot (kept current through
# the events while it can be) answers every search until the new one is ready. An agent's
# search never waits for it.

# Rebuild when the overlay holds this share of the base's documents: every change scores
# the whole overlay again, which must stay a matter of milliseconds.
REBUILD_SHARE = 0.02
REBUILD_MIN = 200  # … and at least this many
# Documents: a smaller index is read whole again on every change (exact statistics; the 200
# seed answers take about a second), a larger one is kept current by the overlay.
BACKGROUND_FROM = 500


@dataclass(frozen=True)
class Watermark:
    """What an index has read: the events up to `event_id` (`events` of them) and the
    synonyms (`synonyms` rows, newest `synonym_id`)."""

    events: int
    event_id: int
    synonyms: int
    synonym_id: int


@dataclass
class _Entry:
    index: Index
    seen: Watermark
    generation: int  # this process's writes counted when the entry was brought up to date
    rebuilding: threading.Thread | None = None
    rebuilds: int = 0


_lock = threading.Lock()
_generation = 0
_cache: dict[str, _Entry] = {}
_line_members: Callable[[Session, int], Collection[int]] | None = None


def invalidate() -> None:
    """The service changed the knowledge base in this process: a small index is read again
    on the next search even if the counts look the same (a rolled-back write may have left
    the same number of events), a large one reads the events."""
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


def _watermark(session: Session) -> Watermark:
    row = session.execute(select(
        select(func.count(ArticleEvent.id)).scalar_subquery(),
        select(func.max(ArticleEvent.id)).scalar_subquery(),
        select(func.count(Synonym.id)).scalar_subquery(),
        select(func.max(Synonym.id)).scalar_subquery(),
    )).one()
    return Watermark(*(int(v or 0) for v in row))


def synonyms(session: Session) -> dict[str, str]:
    return {w: c for w, c in session.execute(select(Synonym.word, Synonym.canonical))}


def load_docs(session: Session, article_ids: Collection[int] | None = None) -> list[Doc]:
    """The published versions (of these articles, or all)."""
    stmt = (select(ArticleVersion, Article.code, Article.owner_unit_id)
            .join(Article, Article.id == ArticleVersion.article_id)
            .where(ArticleVersion.status == VersionStatus.published)
            .order_by(ArticleVersion.id))
    if article_ids is not None:
        stmt = stmt.where(ArticleVersion.article_id.in_(list(article_ids)))
    return [doc_from(v, code, owner) for v, code, owner in session.execute(stmt)]


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


def _read(session: Session) -> tuple[Index, Watermark]:
    """A whole index of what `session` sees (the watermark read first: a change committed
    while the documents are read is applied again from the events, which is harmless)."""
    seen = _watermark(session)
    return build_index(load_docs(session), synonyms(session)), seen


def _changed_articles(session: Session, after: int) -> tuple[set[int], int]:
    rows = session.execute(select(ArticleEvent.article_id).where(ArticleEvent.id > after)).all()
    return {r[0] for r in rows}, len(rows)


def _catch_up(session: Session, entry: _Entry, now: Watermark) -> bool:
    """Bring the entry's index up to `now` through the events; False when it cannot be
    (the database lost events the index saw: only a rebuild tells the truth)."""
    seen = entry.seen
    if now.event_id < seen.event_id or now.events < seen.events:
        return False
    if now.event_id > seen.event_id:
        touched, count = _changed_articles(session, seen.event_id)
        if seen.events + count != now.events:
            return False
        entry.index = apply_changes(entry.index, touched, load_docs(session, touched))
    entry.seen = replace(now, synonyms=seen.synonyms, synonym_id=seen.synonym_id)
    return True


def _needs_rebuild(entry: _Entry, now: Watermark) -> bool:
    index = entry.index
    grown = index.overlay >= max(REBUILD_MIN, REBUILD_SHARE * index.n_base)
    synonyms_changed = (now.synonyms, now.synonym_id) != (entry.seen.synonyms,
                                                          entry.seen.synonym_id)
    return grown or synonyms_changed


def _lower_priority() -> None:
    """The rebuild thread yields the CPU to the request threads (Linux: a thread's own nice
    value); elsewhere it runs at the process's priority."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _own_session(engine: Any) -> Session:
    return Session(engine)


# How the background rebuild opens its own session (a test hands it its connection's).
open_session: Callable[[Any], Session] = _own_session


def _rebuild_in_background(key: str, engine: Any, entry: _Entry) -> None:
    def run() -> None:
        _lower_priority()
        try:
            with open_session(engine) as session:
                index, seen = _read(session)
            with _lock:
                if _cache.get(key) is entry:
                    # The next search catches the new index up from its watermark.
                    entry.index, entry.seen = index, seen
                    entry.rebuilds += 1
        finally:
            entry.rebuilding = None

    entry.rebuilding = threading.Thread(target=run, name="kb-index-rebuild", daemon=True)
    entry.rebuilding.start()


def index_for(session: Session) -> Index:
    """The index of what `session` sees: read whole once per process, then kept current
    from the knowledge base's events; rebuilt in the background when it must be. While one
    thread brings a large index up to date, the others search the snapshot they have."""
    engine = session.get_bind().engine
    key = str(engine.url)
    now = _watermark(session)
    entry = _cache.get(key)
    if entry is not None and entry.seen == now and entry.generation == _generation:
        return entry.index
    if entry is not None and entry.index.n_base >= BACKGROUND_FROM:
        if not _lock.acquire(blocking=False):
            return entry.index
    else:
        _lock.acquire()
    try:
        return _refresh(session, key, engine, now)
    finally:
        _lock.release()


def _refresh(session: Session, key: str, engine: Any, now: Watermark) -> Index:
    entry = _cache.get(key)
    generation = _generation
    if entry is None:
        index, seen = _read(session)
        _cache[key] = _Entry(index, seen, generation)
        return index
    if entry.seen == now and entry.generation == generation:
        return entry.index
    entry.generation = generation
    if entry.index.n_base < BACKGROUND_FROM:
        # A small index is read whole again (exact statistics, well under a second).
        entry.index, entry.seen = _read(session)
        entry.rebuilds += 1
        return entry.index
    current = _catch_up(session, entry, now)
    if (not current or _needs_rebuild(entry, now)) and entry.rebuilding is None:
        _rebuild_in_background(key, engine, entry)
    return entry.index


def warm_up() -> None:
    """Read the served database's index while the server starts (`jiesu.main`), so the
    first agent's search does not build it: at 100,000 articles that is half a minute of
    CPU. A search arriving meanwhile waits for this read, never starts a second one."""
    from jiesu.core.db import session_scope

    try:
        with session_scope() as session:
            index_for(session)
    except Exception:  # a failed warm-up leaves the first search to read the index
        logging.getLogger(__name__).exception("knowledge index warm-up failed")


def wait_for_rebuild(session: Session, timeout: float | None = None) -> None:
    """Block until a background rebuild of `session`'s index is done (tests, the CLI)."""
    entry = _cache.get(str(session.get_bind().engine.url))
    thread = entry.rebuilding if entry is not None else None
    if thread is not None:
        thread.join(timeout)


def search(
    session: Session, query: str, *, category: str | None = None, line_id: int | None = None,
    line_boost: float = LINE_BOOST, limit: int = 5, now: datetime | None = None,
) -> Ranked:
    """The agent's search: published answers valid now, best first, words highlighted."""
    index = index_for(session)
    return rank(index, query, category=category, line_articles=line_members(session, line_id),
                line_boost=line_boost, limit=limit, now=now)
