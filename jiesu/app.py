"""The ASGI application: API routers, error handlers, pages."""

from __future__ import annotations

from fastapi import FastAPI

from jiesu import __version__
from jiesu.calendar.api import router as calendar_router
from jiesu.core.api import install_error_handlers
from jiesu.core.guards import GUARD
from jiesu.core.openapi import install_openapi
from jiesu.core.settings import get_settings
from jiesu.hotspots.api import router as hotspots_router
from jiesu.insights.api import router as reports_router
from jiesu.knowledge.api import public_router as kb_public_router
from jiesu.knowledge.api import router as kb_router
from jiesu.lines.api import first_call_router
from jiesu.lines.api import router as lines_router
from jiesu.notify.api import router as inbox_router
from jiesu.open311.api import admin_router as open311_admin_router
from jiesu.open311.api import router as open311_router
from jiesu.orders.api import router as orders_router
from jiesu.orders.attachments_api import router as attachments_router
from jiesu.orders.deadline_rules_api import router as deadline_rules_router
from jiesu.orders.triage_api import router as triage_router
from jiesu.units.api import router as units_router
from jiesu.units.place_aliases_api import router as place_aliases_router
from jiesu.visits.api import router as visits_router
from jiesu.web.routes import install_web


def create_app() -> FastAPI:
    settings = get_settings()
    settings.check_secure()
    app = FastAPI(
        title="jiesu 接诉即办",
        version=__version__,
        description="市民服务热线工单系统：受理、派单、办理、答复、回访、考核。",
        # Every route: integers a database cannot hold, and NUL and other control characters
        # in any text, are 422 on SQLite and PostgreSQL alike (core/guards.py).
        dependencies=[GUARD],
    )
    install_error_handlers(app)
    app.include_router(units_router)
    app.include_router(place_aliases_router)
    app.include_router(orders_router)
    app.include_router(attachments_router)
    app.include_router(visits_router)
    app.include_router(reports_router)
    app.include_router(triage_router)
    app.include_router(deadline_rules_router)
    app.include_router(calendar_router)
    app.include_router(inbox_router)
    app.include_router(hotspots_router)
    app.include_router(lines_router)
    app.include_router(first_call_router)
    app.include_router(kb_router)
    app.include_router(kb_public_router)
    app.include_router(open311_admin_router)
    app.include_router(open311_router)  # GeoReport v2, its own error format

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        # `triage` is "loading" for a server's first seconds: load balancers and benchmarks
        # wait for "ready" before sending intake traffic.
        from jiesu.triage.service import engine_state

        return {"status": "ok", "version": __version__, "triage": engine_state()}

    install_web(app)  # pages, static files, HTML error pages (after every API router)
    install_openapi(app)  # the error responses each /api/ operation may give (core/openapi.py)

    return app
