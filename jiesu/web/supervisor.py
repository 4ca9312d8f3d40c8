"""Supervisor dashboard: today's volume by hour, open by state, overdue by unit, the three
rates by unit with their counts (ECharts), a ranking table; every figure drills down to the
orders behind it. The figures panel refreshes itself every minute (htmx polling).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.api import SessionDep
from jiesu.core.db import session_scope
from jiesu.core.roles import Principal, Role
from jiesu.insights.periods import parse_period
from jiesu.insights.rates import compute_rates
from jiesu.insights.rules import get_rate_rules
from jiesu.orders.statemachine import STATE_LABELS, State
from jiesu.web import stats
from jiesu.web.common import PagePrincipal, needs, render

router = APIRouter()
REFRESH_SECONDS = 60
# The figures are computed at most once a minute per process (the page says when): the month's
# rates over a million orders take about a second, too long for every page view.
CACHE_SECONDS = 60
_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()
log = logging.getLogger("jiesu.web.supervisor")


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _cached_context(session: Session) -> dict[str, Any]:
    key = str(session.get_bind().engine.url)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    context = _context(session)
    _store(key, context)
    return context


def _store(key: str, context: dict[str, Any]) -> None:
    with _lock:
        _cache[key] = (time.monotonic(), context)


def keep_warm(stop: threading.Event) -> None:
    """Recompute the figures before they expire, until `stop` is set.

    A served process runs this in a thread, so the first supervisor of the morning (and the
    one after each minute) finds the figures ready instead of waiting for the month's rates
    (about 0.4 s at a million orders, issue 14's login → first page).
    """
    while True:
        try:
            with session_scope() as session:
                _store(str(session.get_bind().engine.url), _context(session))
        except Exception:  # a database restart must not end the thread; the page recomputes
            log.exception("supervisor figures: background recompute failed")
        if stop.wait(CACHE_SECONDS * 0.75):
            return


def _context(session: Session) -> dict[str, Any]:
    now = clock.now()
    hours = stats.volume_by_hour(session, now)
    by_state = stats.open_by_state(session)
    overdue = stats.overdue_by_unit(session, now)
    report = compute_rates(session, parse_period(clock.local(now).strftime("%Y-%m")),
                           group="unit", now=now)
    ranked = {id(r) for r in report.ranking}
    rates = report.ranking + sorted(
        (r for r in report.rows if id(r) not in ranked), key=lambda r: -r.received
    )
    chart = {
        "hours": hours,
        "states": [STATE_LABELS[State(s)] for s in by_state],
        "state_counts": list(by_state.values()),
        "overdue_units": [name for _, name, _ in overdue],
        "overdue_counts": [count for _, _, count in overdue],
        "rate_units": [r.name for r in rates[:12]],
        "response": [round((r.response_rate or 0) * 100, 1) for r in rates[:12]],
        "resolution": [round((r.resolution_rate or 0) * 100, 1) for r in rates[:12]],
        "satisfaction": [round((r.satisfaction_rate or 0) * 100, 1) for r in rates[:12]],
    }
    return {
        "hours": hours, "today_total": sum(hours), "by_state": by_state, "overdue": overdue,
        "rates": rates,
        "chart_json": json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"),
        "refreshed": now, "min_visited": get_rate_rules().min_visited,
        "refresh": REFRESH_SECONDS, "today": clock.local(now).strftime("%Y-%m-%d"),
        "period": report.period,
    }


def _check(principal: Principal) -> None:
    needs(principal, Role.supervisor)


@router.get("/supervisor", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    _check(principal)
    return render(request, "supervisor.html", principal, **_cached_context(session))


@router.get("/supervisor/panel", response_class=HTMLResponse)
def panel(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """The figures alone, for the page's periodic refresh."""
    _check(principal)
    return render(request, "_dashboard.html", principal, **_cached_context(session))
