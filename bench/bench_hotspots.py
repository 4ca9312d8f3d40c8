"""Hot spots: the cost of adding one order to the clusters with 100,000 open orders.

The index holds 100,000 open orders spread over 5,000 estates in 300 streets (busy streets hold
many more than quiet ones: street weights fall as 1/rank^0.8), each about one of 40 matters
worded from a vocabulary of 4,000 words (made up, so that no text has to be segmented). The
index is built the way the worker rebuilds it from the tables (`restore`: each order into its
known cluster, one cluster per estate and matter), which takes seconds. Then new orders are
added one by one and timed: `add` alone (what the index costs), and `prepare` + `add` on real
texts in the busiest street (jieba and the place names included). Also the detector over the
public hot_issues.csv when it is there.

Then the intake hint (可能属于联办案件 N) per keystroke on a scratch SQLite database.

JIESU_BENCH_HOTSPOTS_ORDERS=N changes the size (default 100000); JIESU_BENCH_QUICK=1: 5,000.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from jiesu.hotspots.detector import ClusterIndex, Idf, Message, Prepared, prepare
from jiesu.hotspots.placenames import PlaceName

T0 = datetime(2026, 11, 1, 8, 0)
REAL = [
    "朝阳区望京街道望京西园四区旁边的搅拌站每天夜里施工，噪音很大，粉尘飘进家里。",
    "海淀区学院路街道石板房小区暖气不热，室温只有十五度，供暖不达标，老人受冻。",
    "丰台区方庄地区芳城园一区门口垃圾堆放多日无人清理，气味很大。",
    "西城区金融街街道丰盛社区楼下餐馆油烟直排，窗户都不敢开。",
]
ESTATES, STREETS, MATTERS = 5000, 300, 40


def _size() -> int:
    if os.environ.get("JIESU_BENCH_QUICK"):
        return 5_000
    return int(os.environ.get("JIESU_BENCH_HOTSPOTS_ORDERS", "100000"))


class World:
    """Estates in streets, matters as word sets: what the made-up orders are drawn from."""

    def __init__(self, rng: random.Random) -> None:
        self.vocab = [f"词{i}" for i in range(4000)]
        self.matters = [rng.sample(self.vocab, 12) for _ in range(MATTERS)]
        weights = [1 / (rank + 1) ** 0.8 for rank in range(STREETS)]
        self.street_of = rng.choices(range(STREETS), weights, k=ESTATES)

    @staticmethod
    def street(s: int) -> str:
        return f"1101{s:05d}"

    def order(self, i: int, rng: random.Random, at: datetime) -> tuple[tuple[int, int], Prepared]:
        estate = rng.randrange(ESTATES)
        m = rng.randrange(MATTERS)
        words = rng.sample(self.matters[m], 6) + rng.sample(self.vocab, 4)
        core = chr(0x4E00 + estate * 7 % 20000) + chr(0x4E00 + (estate * 13 + 5) % 20000) + "园"
        place = PlaceName(core + "小区", core)
        msg = Message(str(i), "", "", at, f"c{i}", area=self.street(self.street_of[estate]))
        return (estate, m), Prepared(msg, place, frozenset({place.core}), Counter(words))


def _ms(xs: list[float]) -> str:
    xs = sorted(xs)
    return (f"median {statistics.median(xs) * 1000:.3f} ms, p99 "
            f"{xs[int(len(xs) * 0.99) - 1] * 1000:.3f} ms")


def main() -> None:
    rng = random.Random(12)
    n = _size()
    world = World(rng)
    began = time.perf_counter()
    made = [world.order(i, rng, T0 + timedelta(seconds=25 * i)) for i in range(n)]
    idf = Idf.fit(list(item.terms) for _, item in made[:20_000])
    index = ClusterIndex(idf)
    ids: dict[tuple[int, int], int] = {}
    for key, item in made:
        index.restore(ids.setdefault(key, len(ids) + 1), item)
    per_street = Counter(item.message.area for _, item in made)
    busiest, most = per_street.most_common(1)[0]
    print(f"index: {n} open orders in {len(index.clusters)} clusters, {len(per_street)} "
          f"streets (busiest {most} orders), built in {time.perf_counter() - began:.1f} s")
    start = T0 + timedelta(seconds=25 * n)
    extra = [world.order(n + k, rng, start + timedelta(seconds=k))[1] for k in range(2000)]
    times, compared = [], []
    for item in extra:
        m = item.message
        compared.append(len(index._candidates(_vec(index, item), item.cores, m.area)))
        started = time.perf_counter()
        index.add(item)
        times.append(time.perf_counter() - started)
    print(f"add one order (index only), {n} open orders: {_ms(times)}, clusters compared "
          f"median {statistics.median(compared):.0f}, max {max(compared)}  (goal < 5 ms)")
    by_street: dict[str, list[int]] = {}
    for c in index.clusters.values():
        for area in c.areas:
            by_street.setdefault(area, []).append(c.id)
    scans = []
    for item in extra[:300]:  # what the inverted index saves: comparing with the whole street
        v = _vec(index, item)
        started = time.perf_counter()
        for cid in by_street.get(item.message.area, ()):
            index.clusters[cid].similarity(v)
        scans.append(time.perf_counter() - started)
    print(f"comparing with every cluster of the order's street instead (a scan): {_ms(scans)}; "
          f"index / scan median {statistics.median(times) / statistics.median(scans):.2f}")
    prepare(Message("warm", "", REAL[0], T0))  # jieba's dictionary
    times = []
    for k in range(400):
        text = REAL[k % len(REAL)]
        started = time.perf_counter()
        index.add(Message(f"real{k}", "", text, start + timedelta(seconds=5000 + k), f"r{k}",
                          area=busiest))
        times.append(time.perf_counter() - started)
    print(f"prepare + add one real order in the busiest street (jieba, place names, index): "
          f"{_ms(times)}")
    intake_hint(1_000 if os.environ.get("JIESU_BENCH_QUICK") else 5_000)
    data = Path(os.environ.get("JIESU_SHARED_DATA_DIR", Path(__file__).resolve().parents[2]
                               / "shared" / "data")) / "messages" / "hot_issues.csv"
    if data.exists() and not os.environ.get("JIESU_BENCH_QUICK"):
        from jiesu.hotspots.detector import cluster_messages
        from jiesu.hotspots.messages_file import read_messages

        messages = read_messages(data)
        started = time.process_time()
        found = cluster_messages(messages)
        print(f"detector over hot_issues.csv: {len(messages)} messages -> "
              f"{len(found.clusters)} clusters in {time.process_time() - started:.1f} s of CPU")


def intake_hint(orders: int) -> None:
    """What the agent's panel costs per keystroke to say "this may belong to case N": a scratch
    SQLite database with `orders` generated orders of the last 30 days clustered by the
    hot-spots job, one joint case (the demo's mixing plant by 望京西园四区), then
    `cases.case_at_intake` for a neighbour's new text: the first call (the web process builds
    the index of the case clusters and fits the IDF on the 500 newest orders) and the next."""
    import csv as csv_

    from sqlalchemy import select

    from bench.common import configure, scratch_database
    from bench.common import prepare as prepare_db
    from jiesu.core import clock
    from jiesu.generator import generate
    from jiesu.hotspots import cases, live, service
    from jiesu.orders import schemas as s
    from jiesu.orders import service as orders_service
    from jiesu.orders.models import RequestType
    from jiesu.units import service as units
    from jiesu.units.models import User

    configure()
    shared = Path(os.environ["JIESU_SHARED_DATA_DIR"])
    hot = Path(__file__).resolve().parents[1] / "jiesu" / "hotspots" / "data" / "demo_hot_spot.csv"
    with scratch_database("sqlite", "bench_hotspots_intake") as url:
        factory = prepare_db(url)
        with factory() as session:
            people = {u.username: units.principal_for(session, u)
                      for u in session.scalars(select(User))}
        now = clock.now()
        generate(factory, shared, orders, created_by_id=people["admin"].user_id, now=now,
                 days=30)
        with factory.begin() as session, hot.open(encoding="utf-8") as handle:
            for i, row in enumerate(csv_.DictReader(handle)):
                orders_service.intake(session, people["agent"], s.OrderCreate(
                    client_key=f"bench-hot-{i}", type=RequestType.complaint, title=row["title"],
                    text=row["text"], citizen_phone=f"1391{i:03d}5678",
                    district_code="110105", street_code="110105026",
                    received_at=now - timedelta(hours=10 - i)))
        with factory.begin() as session:
            started = time.perf_counter()
            placed = service.assign_pending(session, limit=orders + 100)
            assign_s = time.perf_counter() - started
        with factory.begin() as session:
            cluster_id = placed[-1].cluster_id
            lead = units.unit_by_code(session, "110105026")
            assert lead is not None
            cases.open_case(session, people["dispatcher"], cluster_id, lead_unit_id=lead.id,
                            assisting_unit_ids=[])
        text = "望京西园四区旁搅拌站今晚又在施工，噪音太大，粉尘很重。"
        live.forget()
        times = []
        with factory() as session:
            for _ in range(201):
                started = time.perf_counter()
                got = cases.case_at_intake(session, text=text, title=None,
                                           street_code="110105026", now=clock.now())
                times.append(time.perf_counter() - started)
                assert got is not None
        print(f"intake hint ({orders} generated orders + {len(placed) - orders} hot-spot orders "
              f"clustered by the job in {assign_s:.1f} s, one joint case): first call "
              f"{times[0] * 1000:.0f} ms (index of the case clusters, IDF), then per keystroke "
              f"{_ms(times[1:])}")


def _vec(index: ClusterIndex, item: Prepared) -> dict[str, float]:
    from jiesu.hotspots.detector import vector

    return vector(item.terms, index.idf)


if __name__ == "__main__":
    main()
