"""Order search (工单查询): every filter the API allows, all kept in the URL, with the list's
own export (CSV / XLSX) one click away."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.core.api import SessionDep
from jiesu.core.clock import CHINA_TZ
from jiesu.orders import queries
from jiesu.orders.api import PHONE_SEARCH_ROLES
from jiesu.orders.models import REQUEST_TYPE_LABELS
from jiesu.orders.schemas import Urgency
from jiesu.orders.statemachine import STATE_LABELS, State
from jiesu.units.models import Unit
from jiesu.web.common import URGENCY_LABELS, PagePrincipal, render, unit_names
from jiesu.web.suggest import dispatchable_units, resolve_unit

router = APIRouter()
PAGE = 50
# The page's own parameters, in the order they appear in a link.
PARAMS = ("q", "state", "overdue", "unit", "district_code", "street_code", "category", "type",
          "urgency", "received_from", "received_to", "phone", "order_by")
ORDER_BY = {"-received_at": "受理时间（新→旧）", "received_at": "受理时间（旧→新）",
            "reply_due_at": "答复时限（近→远）"}


def _day(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text[:10]).replace(tzinfo=CHINA_TZ)
    except ValueError:
        return None


def _districts(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.kind == "district").order_by(Unit.code)))


def _streets(session: Session, district_code: str) -> list[Unit]:
    district = session.scalars(select(Unit).where(Unit.code == district_code)).first()
    if district is None:
        return []
    return list(session.scalars(select(Unit).where(Unit.parent_id == district.id,
                                                   Unit.kind == "street").order_by(Unit.code)))


@router.get("/orders", response_class=HTMLResponse)
def list_orders(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    q: str = "",
    state: str = "",
    overdue: str = "",
    unit_id: int | None = None,
    unit: str = "",
    district_code: str = "",
    street_code: str = "",
    category: str = "",
    type: str = "",
    urgency: str = "",
    received_from: str = "",
    received_to: str = "",
    phone: str = "",
    order_by: str = "-received_at",
    offset: int = 0,
) -> HTMLResponse:
    values = {k: str(v) for k, v in request.query_params.items() if k in PARAMS and v}
    states = ",".join(x for x in state.split(",") if x in State.__members__)
    lead = resolve_unit(session, unit) if unit else None
    if unit_id is not None and lead is None:
        lead = session.get(Unit, unit_id)
        if lead is not None:
            values["unit"] = f"{lead.name}（{lead.code}）"
    unit_error = "找不到该单位，请从列表中选择" if unit and lead is None else None
    start, end = _day(received_from), _day(received_to)
    may_phone = principal.role in PHONE_SEARCH_ROLES
    phone = "".join(ch for ch in phone if ch.isdigit() or ch == "*")[:20]
    if order_by not in ORDER_BY:
        order_by = "-received_at"
    f = queries.OrderFilter(
        state=states or None, overdue=True if overdue == "1" else None,
        unit_id=lead.id if lead else (-1 if unit_error else None),
        district_code=district_code[:12] or None, street_code=street_code[:12] or None,
        category=category.strip()[:60] or None,
        type=type if type in {t.value for t in REQUEST_TYPE_LABELS} else None,
        urgency=urgency if urgency in Urgency.__members__ else None,
        received_from=start, received_to=end + timedelta(days=1) if end else None,
        text=q.strip()[:100] or None,
        phone=phone if may_phone and len(phone.replace("*", "")) >= 4 else None,
    )
    offset = max(0, min(offset, 100_000))
    rows, count = queries.search(session, principal, f, offset=offset, limit=PAGE,
                                 order_by=order_by)
    api = _api_params(f, order_by)
    return render(
        request, "orders.html", principal, rows=rows, count=count, v=values, offset=offset,
        states=STATE_LABELS, types=REQUEST_TYPE_LABELS, urgencies=URGENCY_LABELS,
        order_bys=ORDER_BY, order_by=order_by, may_phone=may_phone, unit_error=unit_error,
        districts=_districts(session), streets=_streets(session, district_code),
        units=dispatchable_units(session) if principal.sees_all_orders else [],
        unit_name=unit_names(session, {lead.id}).get(lead.id) if lead else None,
        link=lambda **extra: "?" + urlencode({**values, **{k: str(x) for k, x in
                                                           extra.items()}}),
        export=lambda fmt: "/api/v1/orders/export?" + urlencode({**api, "format": fmt}),
    )


def _api_params(f: queries.OrderFilter, order_by: str) -> dict[str, str]:
    """The same list, in the API's terms: what the export buttons ask for."""
    out: dict[str, str] = {"order_by": order_by}
    for name in ("state", "unit_id", "district_code", "street_code", "category", "type",
                 "urgency", "text", "phone"):
        value = getattr(f, name)
        if value is not None:
            out[name] = str(value)
    if f.overdue is not None:
        out["overdue"] = "true" if f.overdue else "false"
    if f.received_from is not None:
        out["received_from"] = f.received_from.isoformat()
    if f.received_to is not None:
        out["received_to"] = f.received_to.isoformat()
    return out
