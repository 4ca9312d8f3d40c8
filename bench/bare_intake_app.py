"""The floor for bench_intake_bare.py: a bare FastAPI + psycopg endpoint that inserts the same
order row jiesu's intake inserts, into the same PostgreSQL, and nothing else — no token, no
triage, no event, no order number, no ORM. `uvicorn bench.bare_intake_app:app`, database
from BARE_DATABASE_URL (a libpq URL)."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from fastapi import FastAPI, Response
from pydantic import BaseModel

POOL_SIZE = 8
INSERT = """
INSERT INTO orders (channel, type, title, text, place_text, district_code, street_code,
    urgency, citizen_name, citizen_phone, anonymous, confidential, no_callback, state, is_open,
    created_by_id, received_at, updated_at, visit_attempts, dispatch_count, return_count,
    reopen_count, urge_count, supervise_count, extension_count, version)
VALUES (%(channel)s, %(type)s, %(title)s, %(text)s, '', %(district_code)s, %(street_code)s,
    'ordinary', %(citizen_name)s, %(citizen_phone)s, false, false, false, 'received', true,
    %(created_by_id)s, %(now)s, %(now)s, 0, 0, 0, 0, 0, 0, 0, 1)
RETURNING id
"""


class OrderIn(BaseModel):
    type: str
    title: str = ""
    text: str
    citizen_name: str = ""
    citizen_phone: str | None = None
    street_code: str | None = None
    district_code: str | None = None


class Pool:
    """A fixed set of connections handed out to the threadpool's threads."""

    def __init__(self, url: str, size: int) -> None:
        self._free: queue.Queue[psycopg.Connection[Any]] = queue.Queue()
        for _ in range(size):
            self._free.put(psycopg.connect(url))

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        conn = self._free.get()
        try:
            yield conn
        finally:
            self._free.put(conn)


app = FastAPI()
_pool: Pool | None = None
_agent_id: int | None = None
_lock = threading.Lock()


def _setup() -> tuple[Pool, int]:
    global _pool, _agent_id
    with _lock:
        if _pool is not None and _agent_id is not None:
            return _pool, _agent_id
        _pool = Pool(os.environ["BARE_DATABASE_URL"], POOL_SIZE)
        with _pool.connection() as conn:
            row = conn.execute("SELECT id FROM users WHERE username = 'agent'").fetchone()
            conn.commit()
        assert row is not None
        _agent_id = int(row[0])
        return _pool, _agent_id


@app.get("/healthz")
def healthz() -> dict[str, str]:
    _setup()
    return {"status": "ok", "triage": "none"}


@app.post("/orders", status_code=201)
def create_order(body: OrderIn) -> Response:
    pool, agent_id = _setup()
    params = {**body.model_dump(), "channel": "phone", "created_by_id": agent_id,
              "title": body.title or body.text[:40], "now": datetime.now(UTC)}
    with pool.connection() as conn:
        row = conn.execute(INSERT, params).fetchone()
        conn.commit()
    assert row is not None
    return Response(f'{{"id": {row[0]}}}', status_code=201, media_type="application/json")
