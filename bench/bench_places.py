"""Place resolution on every snippet set, false streets on other-city messages, and its cost.

    .venv/bin/python -m bench.bench_places            # all sets + 1,500 hot_issues messages

The shared messages come from another city (A市, 西地省): any Beijing street found in them is
wrong, so the share given a *confident* street (and the share by sound alone) measures false
matches. Timing is CPU time per text (``time.process_time``), p50 over the development snippets.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

from jiesu.triage.places import default_gazetteer
from jiesu.triage.places_eval import evaluate_places, read_rows

DATA = Path(__file__).resolve().parent.parent / "jiesu" / "triage" / "data"
SETS = (
    "calls_dev", "calls_dev_big", "calls_dev_styled", "calls_blind", "calls_blind2",
    "calls_blind3", "calls_blind4", "calls_blind5", "calls_blind6", "calls_dev7", "calls_dev7b",
    "calls_dev7c", "calls_dev7d", "calls_dev7e", "calls_dev7f",
    "calls_dev7g", "calls_dev7h", "calls_dev7i", "calls_dev7j",
    "calls_dev7k", "calls_dev7l", "calls_dev7s", "calls_blind7", "calls_blind8",
    "places_eval", "places_eval_blind",
)


def other_city(limit: int = 1500) -> list[str]:
    base = Path(os.environ.get("JIESU_SHARED_DATA_DIR", "../shared/data"))
    path = base / "messages" / "hot_issues.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [f"{r['title']}。{r['body']}" for r in csv.DictReader(fh)][:limit]


def main(argv: list[str]) -> None:
    names = argv or list(SETS)
    gaz = default_gazetteer()
    gaz.resolve("预热望经")  # build both scanners before timing
    print(f"load: {os.getloadavg()[0]:.1f}")
    for name in names:
        path = DATA / f"{name}.csv"
        if not path.exists():
            continue
        rep = evaluate_places(read_rows(path), gaz)
        kinds = " ".join(
            f"{k} {v['street_accuracy']:.1%}" for k, v in rep.per_kind.items()
        ) if name.startswith("calls") else ""
        print(f"{name:18s} n={rep.n:5d} street {rep.street_accuracy:6.1%} "
              f"sure_wrong {rep.confident_wrong:5.1%} to_person {rep.to_person:5.1%}  {kinds}")
    msgs = other_city()
    if msgs:
        sure = by_sound = 0
        for m in msgs:
            p = gaz.resolve(m)
            if p.street and not p.needs_person:
                sure += 1
                if all(e.how in ("homophone", "near_sound") for e in p.evidence
                       if e.role not in ("negated", "origin")):
                    by_sound += 1
        print(f"other-city messages n={len(msgs)}: confident street {sure / len(msgs):.1%}, "
              f"by sound alone {by_sound / len(msgs):.1%}")
    texts = [r["text"] for r in read_rows(DATA / "calls_dev_big.csv")]
    costs = []
    for t in texts:
        t0 = time.process_time()
        gaz.resolve(t)
        costs.append(time.process_time() - t0)
    costs.sort()
    print(f"resolve() CPU per snippet: p50 {costs[len(costs) // 2] * 1000:.3f} ms, "
          f"p99 {costs[int(len(costs) * 0.99)] * 1000:.3f} ms (n={len(costs)})")
    long_costs = []
    for m in msgs[:500]:
        t0 = time.process_time()
        gaz.resolve(m)
        long_costs.append(time.process_time() - t0)
    if long_costs:
        long_costs.sort()
        print(f"resolve() CPU per message: p50 {long_costs[len(long_costs) // 2] * 1000:.3f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
