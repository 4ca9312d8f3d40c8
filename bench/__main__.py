"""`make bench` / `python -m bench`: every bench/bench_*.py module's main(), in turn.

A module that fails prints its error and the next one still runs. Name modules on the command
line to run only those: `python -m bench api triage`.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from pathlib import Path


def modules(selected: list[str]) -> list[str]:
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if selected:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in selected}
        names = [n for n in names if n in wanted]
    return names


def main(argv: list[str]) -> int:
    failed = []
    for name in modules(argv):
        print(f"\n##### bench/{name}.py #####", flush=True)
        began = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            module.main()
        except Exception:  # keep going: one broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(name)
        print(f"##### {name}: {time.perf_counter() - began:.0f} s #####", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", flush=True)
    return 0  # benchmarks report; they never pass or fail


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
