"""Triage speed: classifier load and ms/message, places texts/s, suggest() p50/p99, and triage
at intake in a busy street (300 open orders as possible duplicates).

Usage: .venv/bin/python -m bench.bench_triage [N]   (needs a model: jiesu triage ensure-model;
`python -m bench triage` runs it with N = 2000)
Figures use CPU time (time.process_time) so a busy machine distorts them less; the database
server's own CPU is not in them. The intake figures use a scratch PostgreSQL database when one
answers (JIESU_BENCH_POSTGRES_URL), else a temporary SQLite file.
Prints figures only; never part of pass/fail.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from pathlib import Path

from jiesu.triage.places import build_gazetteer
from jiesu.triage.places_eval import EVAL_FILE, read_rows

REPO = Path(__file__).resolve().parents[1]


def raw_messages(limit: int) -> list[tuple[str, str]]:
    base = Path(os.environ.get("JIESU_SHARED_DATA", "../shared/data"))
    root = (
        base
        if base.is_absolute()
        else next((p for p in (Path.cwd() / base, REPO / base) if p.exists()), REPO / base)
    )
    out: list[tuple[str, str]] = []
    for name in ("hot_issues.csv", "replies.csv"):
        path = root / "messages" / name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                out += [(r["title"], r["body"]) for r in csv.DictReader(fh)]
    return out[:limit]


def call_snippets() -> list[str]:
    """The development set of agent-typed snippets (bench/call_snippets.py)."""
    path = Path(__file__).resolve().parent.parent / "jiesu" / "triage" / "data" / "calls_dev.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [r["text"] for r in csv.DictReader(fh)]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main(argv: list[str] | None = None) -> None:
    # `python -m bench triage` calls main() with its own argv in sys.argv: only a direct run
    # passes N.
    n = int(argv[0]) if argv else 2000
    messages = raw_messages(n)
    snippets = [r["text"] for r in read_rows(EVAL_FILE)]

    t0 = time.process_time()
    gaz = build_gazetteer()
    gaz.resolve("预热")
    print(f"gazetteer build+compile: {time.process_time() - t0:.2f} s ({len(gaz)} names)")
    bodies = [b for _, b in messages]
    for label, texts in (("eval snippets", snippets * 20), ("raw messages", bodies)):
        if not texts:
            continue
        t0 = time.process_time()
        for t in texts:
            gaz.resolve(t)
        dt = time.process_time() - t0
        avg = sum(map(len, texts)) / len(texts)
        print(f"places {label}: {len(texts) / dt:,.0f} texts/s (avg {avg:.0f} chars)")

    from jiesu.triage.classifier import ModelNotFound, load_current

    try:
        t0 = time.process_time()
        model = load_current(warm=False)
        t_model = time.process_time() - t0
        t0 = time.process_time()
        from jiesu.triage.text import warm_up

        warm_up()
        t_jieba = time.process_time() - t0
    except ModelNotFound:
        print("no category model: run `jiesu triage ensure-model` first")
        return
    print(f"model load: {t_model:.2f} s (+ jieba dictionary {t_jieba:.2f} s), {model.version}")
    times = []
    for title, body in messages:
        t0 = time.process_time()
        model.predict(body, title)
        times.append((time.process_time() - t0) * 1000)
    if times:
        avg = sum(len(b) + len(t) for t, b in messages) / len(messages)
        print(
            f"classifier: {statistics.mean(times):.2f} ms/message mean, p50 {pct(times, 0.5):.2f}, "
            f"p99 {pct(times, 0.99):.2f} (n={len(times)}, avg {avg:.0f} chars)"
        )
        short = [b[:120] for _, b in messages]
        t0 = time.process_time()
        for b in short:
            model.predict(b)
        ms = (time.process_time() - t0) * 1000 / len(short)
        print(f"classifier on 120-char texts: {ms:.2f} ms/message")

    from jiesu.triage.service import TriageEngine

    engine = TriageEngine(model, gaz)
    totals = []
    for title, body in messages:
        t0 = time.process_time()
        engine.suggest(body, title)
        totals.append((time.process_time() - t0) * 1000)
    if totals:
        p50, p99 = pct(totals, 0.5), pct(totals, 0.99)
        print(f"suggest(): p50 {p50:.2f} ms, p99 {p99:.2f} ms (n={len(totals)})")
        if times:  # the shipped classifier alone (against the plain SVM: bench_category.py)
            print(
                f"suggest() vs the classifier alone, same messages, same run: "
                f"p50 {p50:.2f} / {pct(times, 0.5):.2f} ms = x{p50 / pct(times, 0.5):.2f}, "
                f"p99 {p99:.2f} / {pct(times, 0.99):.2f} ms = x{p99 / pct(times, 0.99):.2f}"
            )
    snippets = call_snippets()
    if snippets:
        spent = []
        for text in snippets:
            t0 = time.process_time()
            engine.suggest(text)
            spent.append((time.process_time() - t0) * 1000)
        print(
            f"suggest() on agent-typed call snippets: p50 {pct(spent, 0.5):.2f} ms, "
            f"p99 {pct(spent, 0.99):.2f} ms (n={len(spent)})"
        )

    scoring_figures(messages)
    intake_figures(raw_messages(1_000))


def scoring_figures(messages: list[tuple[str, str]], pool: int = 300) -> None:
    """Duplicate scoring alone: one text against `pool` profiled texts, and profiling a text."""
    from jiesu.triage.duplicates import cosine_scores, profile

    texts = [f"{title}。{body}" for title, body in messages]
    if len(texts) < pool + 100:
        return
    t0 = time.process_time()
    profiles = [profile(t) for t in texts[:pool]]
    each = (time.process_time() - t0) * 1000 / pool
    grams = sum(p.size for p in profiles)
    times = []
    for text in texts[pool : pool + 100]:
        query = profile(text)
        t0 = time.process_time()
        cosine_scores(query, profiles)
        times.append((time.process_time() - t0) * 1000)
    print(f"duplicate scoring, one text against {pool} profiles ({grams:,} grams): {_ms(times)}; "
          f"profiling a text: {each:.3f} ms")


def _ms(values: list[float]) -> str:
    return f"p50 {pct(values, 0.5):.2f} ms, p99 {pct(values, 0.99):.2f} ms (n={len(values)})"


def intake_figures(messages: list[tuple[str, str]], pool: int = 300) -> None:
    """Triage at intake in one busy street: `pool`+100 orders taken in 望京街道 (the pool of
    open orders a new one is compared with is capped at 300), then the intake-style suggest()
    with its duplicate search, cold (no order's gram profile cached) and warm, and 200 more
    intakes timed one by one, with triage and without."""
    from bench.common import configure, postgres_available, prepare, scratch_database

    configure()
    from sqlalchemy import select

    from jiesu.core import clock
    from jiesu.core.settings import get_settings
    from jiesu.orders import duplicates, service, suggest
    from jiesu.orders import schemas as s
    from jiesu.units.models import User
    from jiesu.units.service import principal_for

    street, place = "110105026", "朝阳区望京街道"
    needed = pool + 100 + 200 + 100 + 100
    if len(messages) < needed:
        print(f"intake figures: need {needed} messages, have {len(messages)}; skipped")
        return
    kind = "postgres" if postgres_available() else "sqlite"
    texts = iter(messages)

    def order(title: str, body: str) -> s.OrderCreate:
        return s.OrderCreate(type="complaint", title=title[:200], text=body[:5_000],
                             place_text=place, district_code=street[:6], street_code=street)

    def set_triage(on: bool) -> None:
        os.environ["JIESU_TRIAGE_AT_INTAKE"] = "true" if on else "false"
        get_settings.cache_clear()

    with scratch_database(kind, "jiesu_bench_triage") as url:
        factory = prepare(url)
        with factory() as session:
            user = session.scalars(select(User).where(User.username == "agent")).one()
            agent = principal_for(session, user)

        def intake(n: int) -> list[float]:
            times = []
            for _ in range(n):
                title, body = next(texts)
                with factory.begin() as session:
                    t0 = time.process_time()
                    service.intake(session, agent, order(title, body))
                times.append((time.process_time() - t0) * 1000)
            return times

        set_triage(True)
        with factory() as session:  # load the model and gazetteer before timing anything
            suggest.suggest(session, "预热", None, place)
        intake(pool + 100)
        probes = [next(texts) for _ in range(100)]
        for label, cold, dups in (("no duplicate search", False, False),
                                  ("profiles cold", True, True), ("profiles warm", False, True)):
            times = []
            with factory() as session:
                for title, body in probes:
                    if cold:
                        duplicates.clear_profiles()
                    t0 = time.process_time()
                    suggest.suggest(session, body, title, place, with_duplicates=dups)
                    times.append((time.process_time() - t0) * 1000)
            print(f"intake-style suggest() with {pool} open orders in one street ({kind}, "
                  f"{label}): {_ms(times)}")
        times = []
        with factory() as session:
            now = clock.now()
            for title, body in probes:
                t0 = time.process_time()
                duplicates.find(session, f"{title}。{body}", street, now)
                times.append((time.process_time() - t0) * 1000)
        print(f"duplicate search alone (query + scoring), profiles warm ({kind}): {_ms(times)}")
        with_triage = intake(200)
        set_triage(False)
        without = intake(100)
        os.environ.pop("JIESU_TRIAGE_AT_INTAKE", None)
        get_settings.cache_clear()
        print(f"intake CPU per order, triage on, {pool} open orders in the street ({kind}): "
              f"mean {statistics.mean(with_triage):.2f} ms, {_ms(with_triage)}")
        print(f"intake CPU per order, triage off ({kind}): "
              f"mean {statistics.mean(without):.2f} ms, {_ms(without)}")


if __name__ == "__main__":
    main(sys.argv[1:])
