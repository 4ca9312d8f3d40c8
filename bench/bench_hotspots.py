"""Hot spots: the cost of adding one order to the clusters with 100,000 open orders.

The index is filled with 100,000 orders spread over 5,000 estates in 300 streets, each about
one of 40 matters worded from a vocabulary of 4,000 words (made up, so that filling takes
seconds instead of segmenting 100,000 texts). Then new orders are added one by one and timed:
`add` alone (what the index costs), and `prepare` + `add` on real texts (jieba and the place
names included). Also the detector over the public hot_issues.csv when it is there.

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


def _size() -> int:
    if os.environ.get("JIESU_BENCH_QUICK"):
        return 5_000
    return int(os.environ.get("JIESU_BENCH_HOTSPOTS_ORDERS", "100000"))


def _synthetic(n: int, rng: random.Random) -> list[Prepared]:
    vocab = [f"词{i}" for i in range(4000)]
    matters = [rng.sample(vocab, 12) for _ in range(40)]
    out: list[Prepared] = []
    for i in range(n):
        estate = rng.randrange(5000)
        street = f"1101{estate % 300:05d}"
        matter = matters[rng.randrange(len(matters))]
        words = rng.sample(matter, 6) + rng.sample(vocab, 4)
        core = chr(0x4E00 + estate * 7 % 20000) + chr(0x4E00 + (estate * 13 + 5) % 20000) + "园"
        place = PlaceName(core + "小区", core)
        msg = Message(str(i), "", "", T0 + timedelta(seconds=25 * i), f"c{i}", area=street)
        out.append(Prepared(msg, place, frozenset({place.core}), Counter(words)))
    return out


def _ms(xs: list[float]) -> str:
    xs = sorted(xs)
    return (f"median {statistics.median(xs) * 1000:.3f} ms, p99 "
            f"{xs[int(len(xs) * 0.99) - 1] * 1000:.3f} ms")


def main() -> None:
    rng = random.Random(12)
    n = _size()
    began = time.perf_counter()
    items = _synthetic(n, rng)
    idf = Idf.fit(list(i.terms) for i in items[:20_000])
    index = ClusterIndex(idf)
    for item in items:
        index.add(item)
    print(f"index: {n} orders in {len(index.clusters)} clusters, filled in "
          f"{time.perf_counter() - began:.1f} s")
    extra = _synthetic(2000, random.Random(99))
    times = []
    for k, item in enumerate(extra):
        msg = item.message
        moved = Message(f"new{k}", "", "", T0 + timedelta(seconds=25 * n + k), f"n{k}",
                        area=msg.area)
        started = time.perf_counter()
        index.add(Prepared(moved, item.place, item.cores, item.terms))
        times.append(time.perf_counter() - started)
    print(f"add one order (index only), {n} open orders: {_ms(times)}  (goal < 5 ms)")
    prepare(Message("warm", "", REAL[0], T0))  # jieba's dictionary
    times = []
    for k in range(400):
        text = REAL[k % len(REAL)]
        started = time.perf_counter()
        index.add(Message(f"real{k}", "", text, T0 + timedelta(seconds=25 * n + 5000 + k),
                          f"r{k}", area="110105026"))
        times.append(time.perf_counter() - started)
    print(f"prepare + add one real order (jieba, place names, index): {_ms(times)}")
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


if __name__ == "__main__":
    main()
