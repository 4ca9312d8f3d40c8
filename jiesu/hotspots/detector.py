"""The hot-spot detector: messages about one matter at one place within a time window.

Pure: no database, no clock. A `ClusterIndex` takes messages one at a time (the order of
arrival) and puts each into the best cluster or a new one, so the same code clusters a message
file in one pass and new orders at intake, one by one.

- Text: jieba tokens of title (counted twice) and body, stop words, digits, masked codes (A3区)
  and the message's own place names left out, weighted by TF-IDF (scikit-learn's IDF, fitted
  on the file or the open orders). A message joins a cluster when its cosine to the cluster's
  centroid reaches a threshold.
- Place: the estate or landmark name of the message (placenames.py) or, for orders, the
  gazetteer's community/street. Two different known places never share a cluster; a shared
  place lowers the text threshold, no place on one side raises it. So one estate with two
  matters is two clusters (their matter words differ), and one matter at two estates too.
- Time: a message joins only a cluster whose last message is at most `window_days` before it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jiesu.hotspots._data import words as _words
from jiesu.hotspots.placenames import PlaceName, main_place, names_in, same_core

_MASKED = re.compile(r"^[A-Z]\d*[市区县]?$|^[A-Za-z0-9]+$")
_CJK = re.compile(r"[\u4e00-\u9fa5]")
_FILLER = _words("filler_words.txt")


@dataclass(frozen=True)
class Message:
    """One message or order as the detector sees it."""

    id: str
    title: str
    body: str
    created_at: datetime
    caller: str = ""  # user id, or the order's masked-phone key: distinct callers are counted
    likes: int = 0
    place: PlaceName | None = None  # None: found in the text
    area: str = ""  # the gazetteer's street/community code for orders, "" for web messages


@dataclass(frozen=True)
class Params:
    window_days: float = 365.0
    same_place: float = 0.18  # cosine to join a cluster at the same estate or landmark
    no_place: float = 0.42  # when the message or the cluster has no place name
    merge_same_place: float = 0.16  # centroid cosine for two clusters at one place to merge
    merge_no_place: float = 0.55
    top_terms: int = 60  # terms kept in a centroid
    index_terms: int = 6  # a cluster is found through its best terms
    posting_limit: int = 400  # clusters remembered per term / place (newest)


_CODE_PLACE = re.compile(r"[A-Z]\d*[市区县]")


def tokens(text: str) -> list[str]:
    """jieba words of the text, masked place codes (A市, A7县) taken out first so that
    A市经开区 gives 经开区, not 市经 + 开区."""
    from jiesu.triage.text import _tokenizer, stopwords

    tok = _tokenizer()
    stop = stopwords()
    words: list[str] = tok.lcut(_CODE_PLACE.sub("，", text), HMM=True)  # type: ignore[attr-defined]
    return [
        w
        for w in words
        if len(w) >= 2 and _CJK.search(w) and w not in stop and w not in _FILLER
        and not _MASKED.match(w)
    ]


BODY_CHARS = 300  # a complaint says what and where first; the rest is history and pleading


@dataclass(frozen=True)
class Prepared:
    """What the index needs of a message: its place, the cores of every place its title names,
    and its matter terms."""

    message: Message
    place: PlaceName | None
    cores: frozenset[str]
    terms: Counter[str]


def prepare(msg: Message) -> Prepared:
    body = (msg.body or "")[:BODY_CHARS]
    place = msg.place if msg.place is not None else main_place(msg.title, body)
    title_names = names_in(msg.title)
    cores = {p.core for p in title_names}
    if place is not None:
        cores.add(place.core)
    return Prepared(msg, place, frozenset(cores), terms_of(msg.title, body, place))


def terms_of(title: str, body: str, place: PlaceName | None) -> Counter[str]:
    """Matter terms: title words twice, body words once, the message's place names out."""
    places = [p.name for p in names_in(title)] + [p.name for p in names_in(body)]
    if place is not None:
        places.append(place.name)
    counts: Counter[str] = Counter()
    for weight, text in ((2, title), (1, body[:BODY_CHARS])):
        for w in tokens(text):
            if any(w in p for p in places):
                continue
            counts[w] += weight
            if len(w) >= 3:  # 暖气片 also counts as 暖气, 搅拌站 and 搅拌厂 as 搅拌
                for i in range(len(w) - 1):
                    counts[w[i : i + 2]] += 1
    return counts


class Idf:
    """Inverse document frequencies (scikit-learn's smoothed formula), unknown terms get the
    highest."""

    def __init__(self, table: Mapping[str, float]) -> None:
        self.table = dict(table)
        self.unknown = max(self.table.values(), default=1.0)

    @classmethod
    def fit(cls, documents: Iterable[Iterable[str]]) -> Idf:
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = [list(d) for d in documents]
        if not any(docs):
            return cls({})
        vec = TfidfVectorizer(analyzer=lambda d: d, smooth_idf=True, sublinear_tf=True)
        vec.fit(docs)
        return cls(dict(zip(vec.get_feature_names_out(), vec.idf_.tolist(), strict=True)))

    def __call__(self, term: str) -> float:
        return self.table.get(term, self.unknown)


def vector(counts: Mapping[str, int], idf: Idf) -> dict[str, float]:
    """Sublinear tf × idf, L2-normalised."""
    v = {t: (1.0 + math.log(c)) * idf(t) for t, c in counts.items() if c > 0}
    norm = math.sqrt(sum(x * x for x in v.values()))
    return {t: x / norm for t, x in v.items()} if norm else {}


@dataclass
class Cluster:
    id: int
    members: list[Message] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)  # sum of member vectors, pruned
    norm: float = 0.0
    places: Counter[str] = field(default_factory=Counter)  # place name -> members
    cores: Counter[str] = field(default_factory=Counter)
    areas: Counter[str] = field(default_factory=Counter)
    first_at: datetime | None = None
    last_at: datetime | None = None

    @property
    def core(self) -> str | None:
        return self.cores.most_common(1)[0][0] if self.cores else None

    @property
    def place(self) -> str | None:
        return self.places.most_common(1)[0][0] if self.places else None

    def similarity(self, v: Mapping[str, float]) -> float:
        if not self.norm:
            return 0.0
        c = self.centroid
        return sum(x * c.get(t, 0.0) for t, x in v.items()) / self.norm

    def terms(self, n: int) -> list[str]:
        return [t for t, _ in sorted(self.centroid.items(), key=lambda kv: -kv[1])[:n]]


@dataclass(frozen=True)
class Assignment:
    cluster_id: int
    similarity: float
    new: bool


class ClusterIndex:
    """Clusters that grow as messages arrive; `add` costs a few candidate comparisons."""

    def __init__(self, idf: Idf, params: Params | None = None) -> None:
        self.idf = idf
        self.params = params or Params()
        self.clusters: dict[int, Cluster] = {}
        # Postings: key -> cluster ids, newest last, at most `posting_limit` (insertion-ordered
        # dicts: a cluster that grows moves to the end, the oldest falls off).
        self._by_term: dict[str, dict[int, None]] = {}
        self._by_free_term: dict[str, dict[int, None]] = {}  # clusters without a place name
        self._by_place: dict[str, dict[int, None]] = {}
        # Orders: the same, within one street ("street|term", "street|place").
        self._by_area_term: dict[str, dict[int, None]] = {}
        self._by_area_place: dict[str, dict[int, None]] = {}
        self._next = 1

    def _post(self, table: dict[str, dict[int, None]], key: str, cid: int) -> None:
        q = table.get(key)
        if q is None:
            q = table[key] = {}
        q.pop(cid, None)
        q[cid] = None
        if len(q) > self.params.posting_limit:
            del q[next(iter(q))]

    def _candidates(self, v: Mapping[str, float], cores: frozenset[str], area: str) -> set[int]:
        """Clusters that could take the message, found through inverted indexes (never a scan):
        with a street (orders), the clusters of that street at its place (the name's first two
        characters) or sharing one of its best words; without a street (message files), those
        at its place or sharing one of its best words (any cluster for a message without a
        place, place-free ones otherwise)."""
        found: set[int] = set()
        best = sorted(v.items(), key=lambda kv: -kv[1])[: self.params.index_terms]
        if area:
            for core in cores:
                found.update(self._by_area_place.get(f"{area}|{core[:2]}", ()))
            for t, _ in best:
                found.update(self._by_area_term.get(f"{area}|{t}", ()))
            return found
        for core in cores:
            found.update(self._by_place.get(core[:2], ()))
        table = self._by_free_term if cores else self._by_term
        for t, _ in best:
            found.update(table.get(t, ()))
        return found

    def _threshold(self, cluster: Cluster, item: Prepared) -> float | None:
        """The cosine needed to join, or None where the places differ."""
        p = self.params
        area = item.message.area
        if area and cluster.areas and area not in cluster.areas:
            return None  # two orders in different streets never share a cluster
        if item.cores and cluster.cores:
            same = any(same_core(a, b) for a in item.cores for b in cluster.cores)
            return p.same_place if same else None
        return p.no_place

    def restore(self, cluster_id: int, msg: Message | Prepared) -> None:
        """Put a message back into a known cluster (rebuilding the index from storage)."""
        item = msg if isinstance(msg, Prepared) else prepare(msg)
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            cluster = self.clusters[cluster_id] = Cluster(cluster_id)
            self._next = max(self._next, cluster_id + 1)
        self._join(cluster, item, vector(item.terms, self.idf))

    def remove(self, cluster_id: int, message_id: str) -> None:
        """Take a message out of a cluster (an order split out): its vector leaves the
        centroid."""
        c = self.clusters.get(cluster_id)
        if c is None:
            return
        kept = [m for m in c.members if m.id != message_id]
        if len(kept) == len(c.members):
            return
        del self.clusters[cluster_id]
        for m in kept:
            self.restore(cluster_id, m)

    def peek(self, msg: Message | Prepared) -> Assignment | None:
        """The cluster a message would join, without joining it."""
        item = msg if isinstance(msg, Prepared) else prepare(msg)
        v = vector(item.terms, self.idf)
        best = self._best(item, v)
        return None if best is None else Assignment(best[1].id, round(best[0], 4), False)

    def _best(self, item: Prepared, v: Mapping[str, float]) -> tuple[float, Cluster] | None:
        msg = item.message
        best: tuple[float, Cluster] | None = None
        for cid in self._candidates(v, item.cores, msg.area):
            c = self.clusters[cid]
            assert c.first_at is not None and c.last_at is not None
            window = self.params.window_days * 86400
            if ((msg.created_at - c.last_at).total_seconds() > window
                    or (c.first_at - msg.created_at).total_seconds() > window):
                continue  # outside the window on either side (an old order taken in late)
            need = self._threshold(c, item)
            if need is None:
                continue
            s = c.similarity(v)
            if s >= need and (best is None or s > best[0]):
                best = (s, c)
        return best

    def add(
        self, msg: Message | Prepared, new_id: Callable[[], int] | None = None
    ) -> Assignment:
        """Join the best cluster or start one (`new_id` names it; default: the next number)."""
        item = msg if isinstance(msg, Prepared) else prepare(msg)
        v = vector(item.terms, self.idf)
        best = self._best(item, v)
        if best is None:
            cid = new_id() if new_id is not None else self._next
            cluster = Cluster(cid)
            self.clusters[cluster.id] = cluster
            self._next = max(self._next, cid) + 1
            sim, new = 1.0, True
        else:
            sim, cluster = best
            new = False
        self._join(cluster, item, v)
        return Assignment(cluster.id, round(sim, 4), new)

    def _join(self, c: Cluster, item: Prepared, v: Mapping[str, float]) -> None:
        msg, place = item.message, item.place
        c.members.append(msg)
        for t, x in v.items():
            c.centroid[t] = c.centroid.get(t, 0.0) + x
        if len(c.centroid) > self.params.top_terms * 2:
            kept = sorted(c.centroid.items(), key=lambda kv: -kv[1])[: self.params.top_terms]
            c.centroid = dict(kept)
        c.norm = math.sqrt(sum(x * x for x in c.centroid.values()))
        if place is not None:
            c.places[place.name] += 1
        for core in item.cores:
            c.cores[core] += 1
        if msg.area:
            c.areas[msg.area] += 1
        self._post_cluster(c, item.cores, [msg.area] if msg.area else [])
        if c.first_at is None or msg.created_at < c.first_at:
            c.first_at = msg.created_at
        if c.last_at is None or msg.created_at > c.last_at:
            c.last_at = msg.created_at


    def _compatible(self, a: Cluster, b: Cluster) -> float | None:
        p = self.params
        assert a.first_at and a.last_at and b.first_at and b.last_at
        gap = max(a.first_at, b.first_at) - min(a.last_at, b.last_at)
        if gap.total_seconds() > p.window_days * 86400:
            return None
        if a.cores and b.cores:
            same = any(same_core(x, y) for x in a.cores for y in b.cores)
            return p.merge_same_place if same else None
        if a.areas and b.areas and not set(a.areas) & set(b.areas):
            return None
        return p.merge_no_place

    def merge(self) -> dict[int, int]:
        """Join clusters that one pass left apart (the first messages of a matter worded
        differently): the older cluster takes the younger. Returns {merged: survivor}."""
        merged: dict[int, int] = {}
        changed = True
        while changed:
            changed = False
            for cid in sorted(self.clusters):
                a = self.clusters.get(cid)
                if a is None or not a.norm:
                    continue
                unit = {t: x / a.norm for t, x in a.centroid.items()}
                best: tuple[float, Cluster] | None = None
                for oid in self._candidates(unit, frozenset(a.cores), ""):
                    b = self.clusters.get(oid)
                    if b is None or b.id <= a.id:
                        continue
                    need = self._compatible(a, b)
                    if need is None:
                        continue
                    s = b.similarity(unit)
                    if s >= need and (best is None or s > best[0]):
                        best = (s, b)
                if best is not None:
                    self._absorb(a, best[1])
                    merged[best[1].id] = a.id
                    changed = True
        return {k: _root(merged, v) for k, v in merged.items()}

    def _absorb(self, a: Cluster, b: Cluster) -> None:
        a.members.extend(b.members)
        a.members.sort(key=lambda m: (m.created_at, m.id))
        for t, x in b.centroid.items():
            a.centroid[t] = a.centroid.get(t, 0.0) + x
        if len(a.centroid) > self.params.top_terms * 2:
            kept = sorted(a.centroid.items(), key=lambda kv: -kv[1])[: self.params.top_terms]
            a.centroid = dict(kept)
        a.norm = math.sqrt(sum(x * x for x in a.centroid.values()))
        a.places.update(b.places)
        a.cores.update(b.cores)
        a.areas.update(b.areas)
        assert a.first_at and a.last_at and b.first_at and b.last_at
        a.first_at, a.last_at = min(a.first_at, b.first_at), max(a.last_at, b.last_at)
        del self.clusters[b.id]
        for table in (self._by_term, self._by_free_term, self._by_place, self._by_area_term,
                      self._by_area_place):
            for q in table.values():
                q.pop(b.id, None)
        self._post_cluster(a, frozenset(a.cores), list(a.areas))

    def _post_cluster(self, c: Cluster, cores: Iterable[str], areas: Sequence[str]) -> None:
        """File the cluster under its place and best words (per street for orders)."""
        best = c.terms(self.params.index_terms)
        for area in areas:
            for core in cores:
                self._post(self._by_area_place, f"{area}|{core[:2]}", c.id)
            for t in best:
                self._post(self._by_area_term, f"{area}|{t}", c.id)
        if not areas:
            for core in cores:
                self._post(self._by_place, core[:2], c.id)
            for t in best:
                self._post(self._by_term, t, c.id)
                if not c.cores:
                    self._post(self._by_free_term, t, c.id)


def _root(merged: Mapping[int, int], cid: int) -> int:
    while cid in merged:
        cid = merged[cid]
    return cid


def cluster_messages(messages: Sequence[Message], params: Params | None = None) -> ClusterIndex:
    """One pass over a message file in time order."""
    ordered = sorted(messages, key=lambda m: (m.created_at, m.id))
    items = [prepare(m) for m in ordered]
    index = ClusterIndex(Idf.fit(list(i.terms) for i in items), params)
    for item in items:
        index.add(item)
    index.merge()
    return index
