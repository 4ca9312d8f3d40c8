"""What every benchmark shares: scratch databases, a real server in a subprocess,
percentiles, and one way to print a figure against a target (load generation: bench/load.py).

Benchmarks print; they never pass or fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("JIESU_BENCH_POSTGRES_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BENCH_SECRET = "bench-secret-not-for-production-0123456789abcdef"


def configure() -> None:
    """Settings for the bench process and the servers it starts (demo mode, a fixed secret)."""
    os.environ["JIESU_MODE"] = "demo"
    os.environ["JIESU_SECRET_KEY"] = BENCH_SECRET
    os.environ.setdefault("JIESU_SHARED_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    from jiesu.core.settings import get_settings

    get_settings.cache_clear()


def postgres_available() -> bool:
    try:
        engine = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # any failure to connect means "skip PostgreSQL"
        return False


@contextmanager
def scratch_database(kind: str, name: str) -> Iterator[str]:
    """A fresh, empty database: a temporary SQLite file, or a PostgreSQL database dropped after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
            yield f"sqlite:///{Path(tmp) / f'{name}.db'}"
        return
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_BASE.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str) -> sessionmaker[Session]:
    """Schema (Alembic), Beijing's units and the demo users; returns a session factory."""
    from jiesu.core.db import make_engine
    from jiesu.core.migrate import upgrade
    from jiesu.demo import create_demo_users
    from jiesu.units.seed import load_units

    upgrade(url)
    factory = sessionmaker(bind=make_engine(url), expire_on_commit=False)
    with factory.begin() as session:
        load_units(session)
        create_demo_users(session)
    return factory


def tokens(factory: sessionmaker[Session], *usernames: str) -> dict[str, dict[str, str]]:
    """Bearer headers per user, signed the way the server reads them."""
    from jiesu.core.security import issue_token
    from jiesu.units.models import User

    with factory() as session:
        users = {u.username: u for u in session.scalars(select(User))}
    return {
        name: {"Authorization": f"Bearer {issue_token(users[name].id, users[name].token_version)}"}
        for name in usernames
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The uvicorn process serving each base URL `server()` yielded (for `process_tree_cpu`).
SERVER_PIDS: dict[str, int] = {}


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants, from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _proc_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BackendCpu:
    """CPU seconds PostgreSQL's backends spent for one database while it runs: a thread asks
    pg_stat_activity for the database's backends every `every` seconds and reads each one's
    /proc (a local server only; 0 when /proc cannot see them). A backend's last moments
    before it disconnects are missed, so the figure is a floor."""

    def __init__(self, url: str, every: float = 0.2) -> None:
        import threading

        self.url, self.every = url, every
        self.seen: dict[int, float] = {}
        self.before: dict[int, float] | None = None  # backends already there at the start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        info = make_url(self.url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        with psycopg.connect(info, autocommit=True) as conn:
            while not self._stop.is_set():
                pids = [r[0] for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()")]
                for pid in pids:
                    cpu = _proc_cpu(pid)
                    if cpu is not None:
                        self.seen[pid] = cpu
                if self.before is None:
                    self.before = dict(self.seen)
                self._stop.wait(self.every)

    def __enter__(self) -> BackendCpu:
        self._thread.start()
        while self.before is None and self._thread.is_alive():
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        before = self.before or {}
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in self.seen.items())


@contextmanager
def server(url: str, *, workers: int = 1, env: dict[str, str] | None = None,
           app: str = "jiesu.main:app") -> Iterator[str]:
    """uvicorn with `workers` processes serving `app` (jiesu by default) against the database
    at `url`; yields its base URL."""
    port = free_port()
    child_env = {**os.environ, "JIESU_DATABASE_URL": url, **(env or {})}
    cmd = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--log-level", "warning",
           "--no-access-log"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=child_env)
    base = f"http://127.0.0.1:{port}"
    SERVER_PIDS[base] = proc.pid
    try:
        deadline, ready = time.monotonic() + 120, 0
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                # Wait for every worker's triage warm-up too, or it would be measured: each
                # check is a new connection to any worker, so ask until many in a row agree.
                warm = health.status_code == 200 and health.json().get("triage") != "loading"
                ready = ready + 1 if warm else 0
                if ready >= 8 * workers:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /healthz in 120 s")
            time.sleep(0.3)
        yield base
    finally:
        SERVER_PIDS.pop(base, None)
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def header(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


def figure(name: str, value: float, unit: str, *, target: float | None = None,
           higher_is_better: bool = True) -> None:
    """One line: the figure, and its ratio to the target (>= 1.00 means the target is met)."""
    line = f"  {name:<48} {value:>10.2f} {unit}"
    if target is not None and value == value:  # not NaN
        ratio = (value / target) if higher_is_better else (target / value if value else 0.0)
        sign = "≥" if higher_is_better else "<"
        verdict = "met" if ratio >= 1 else "NOT met"
        line += f"   target {sign} {target:g} {unit}: ratio {ratio:.2f} ({verdict})"
    print(line, flush=True)


def kept_postgres_bench(
    name: str,
    database: str,
    title: str,
    build: Callable[[str, int], None],
    measure: Callable[[str, int], None],
    *,
    orders: int,
    runs: int,
    keep: bool,
    reuse: bool,
) -> int:
    """A big scratch PostgreSQL database for one benchmark: build it (or reuse one kept by an
    earlier `--keep` run), measure, and drop it unless asked to keep it. Never a failure."""
    base = os.environ.get(
        "JIESU_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))

    try:
        if not reuse:
            drop()
    except Exception as exc:  # no server: a benchmark is never a failure
        print(f"{name}: PostgreSQL not reachable ({type(exc).__name__}); skipped")
        admin.dispose()
        return 0
    url = base.rsplit("/", 1)[0] + f"/{database}"
    try:
        print(title)
        if not reuse:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
            build(url, orders)
        measure(url, runs)
    finally:
        if not keep:
            drop()
        admin.dispose()
    return 0
