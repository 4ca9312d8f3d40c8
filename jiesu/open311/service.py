"""The only place Open311 changes anything: client apps (issue, revoke) and requests, which
are ordinary orders taken through `orders.service.intake` (channel "open311", triaged like
any other) with a row of what Open311 adds. Reads map orders onto GeoReport v2 requests."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import InvalidInput, NotAllowed, NotFound
from jiesu.core.privacy import mask_phone
from jiesu.core.roles import Principal, Role
from jiesu.open311 import catalog
from jiesu.open311.models import ApiClient, Open311Request
from jiesu.open311.schemas import ApiClientCreate, RequestCreate
from jiesu.orders import service as orders
from jiesu.orders.models import NOT_ACCEPTED_LABELS, Channel, NotAcceptedReason, Order, RequestType
from jiesu.orders.schemas import OrderCreate
from jiesu.orders.statemachine import STATE_LABELS, State
from jiesu.units.models import Unit, User

MAX_RESULTS = 1000
DEFAULT_SPAN = timedelta(days=90)
CLOSED_STATES = frozenset({State.closed.value, State.merged.value})
# A mobile number written into a text (the citizen's or anyone's): masked like the phone field.
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def _digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


# ---- client apps --------------------------------------------------------------------------

def issue_client(session: Session, data: ApiClientCreate,
                 actor_id: int | None) -> tuple[ApiClient, str]:
    """A new client app and its api key; the key is returned once and stored as a digest."""
    api_key = secrets.token_urlsafe(32)
    now = clock.now()
    # The app's own service user takes its requests (intake is an agent's act); it has no
    # password that can ever match, so nobody signs in as it.
    user = User(username=f"open311.{secrets.token_hex(6)}",
                display_name=f"Open311：{data.name}"[:60], password_hash="!open311-client",
                role=Role.agent.value, created_at=now)
    session.add(user)
    session.flush()
    client = ApiClient(name=data.name, contact=data.contact, key_prefix=api_key[:8],
                       key_digest=_digest(api_key), user_id=user.id, created_by_id=actor_id,
                       created_at=now)
    session.add(client)
    session.flush()
    return client, api_key


def list_clients(session: Session) -> list[ApiClient]:
    return list(session.scalars(select(ApiClient).order_by(ApiClient.id)))


def revoke_client(session: Session, client_id: int) -> ApiClient:
    client = session.get(ApiClient, client_id)
    if client is None:
        raise NotFound("客户端不存在", code="open311_client_not_found")
    if client.revoked_at is None:
        client.revoked_at = clock.now()
        user = session.get(User, client.user_id)
        if user is not None:
            user.active = False
            user.token_version += 1
        session.flush()
    return client


def authenticate(session: Session, api_key: str) -> ApiClient:
    client = session.scalars(
        select(ApiClient).where(ApiClient.key_digest == _digest(api_key))
    ).first()
    if client is None or client.revoked_at is not None:
        raise NotAllowed("api_key 无效或已停用", code="invalid_api_key")
    return client


# ---- requests -----------------------------------------------------------------------------

def _attributes(service: catalog.Service, given: dict[str, str]) -> tuple[str | None, RequestType]:
    unknown = sorted(set(given) - {catalog.SUBCATEGORY, catalog.REQUEST_TYPE})
    if unknown:
        raise InvalidInput(f"未知的属性：{'、'.join(unknown)}", code="unknown_attribute")
    sub = given.get(catalog.SUBCATEGORY) or None
    if sub is not None and sub not in service.subcategories:
        raise InvalidInput(f"细分类别不属于该服务：{sub}", code="invalid_attribute")
    kind = given.get(catalog.REQUEST_TYPE) or catalog.DEFAULT_TYPE.value
    if kind not in RequestType.__members__:
        raise InvalidInput(f"诉求类型无效：{kind}", code="invalid_attribute")
    return sub, RequestType(kind)


def submit(
    session: Session, client: ApiClient, data: RequestCreate
) -> tuple[Order, Open311Request]:
    """Post a request: checked whole before anything is written, then one ordinary intake."""
    service = catalog.find(data.service_code)
    if service is None:
        raise InvalidInput(f"service_code 不存在：{data.service_code}", code="unknown_service")
    sub, kind = _attributes(service, data.attributes)
    place = data.address_string or data.address_id
    name = f"{data.last_name}{data.first_name}" if _is_cjk(data.last_name + data.first_name) \
        else " ".join(p for p in (data.first_name, data.last_name) if p)
    text = data.description or f"{service.name}：{place or f'{data.lat},{data.long}'}"
    order, _ = orders.intake(session, _principal(session, client), OrderCreate(
        channel=Channel.open311, type=kind, text=text, place_text=place[:300],
        citizen_name=name[:60], citizen_phone=data.phone or None,
        anonymous=not (data.phone or name or data.email), no_callback=not data.phone,
        category=service.category_for(sub),
    ))
    row = Open311Request(
        order_id=order.id, client_id=client.id, token=uuid.uuid4().hex,
        service_code=service.code, requested_at=order.received_at, lat=data.lat, long=data.long,
        address_string=data.address_string, address_id=data.address_id, email=data.email,
        device_id=data.device_id, account_id=data.account_id, media_url=data.media_url,
    )
    session.add(row)
    client.last_used_at = clock.now()
    session.flush()
    return order, row


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _principal(session: Session, client: ApiClient) -> Principal:
    user = session.get(User, client.user_id)
    if user is None or not user.active:
        raise NotAllowed("api_key 无效或已停用", code="invalid_api_key")
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name,
                     role=Role.agent)


@dataclass(frozen=True)
class Filter:
    ids: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: Sequence[str] = ()


Row = tuple[Order, Open311Request, str | None]


def _base() -> Select[Order, Open311Request, str]:
    # Only orders that came in through Open311, never a confidential one.
    return (select(Order, Open311Request, Unit.name)
            .join(Open311Request, Open311Request.order_id == Order.id)
            .outerjoin(Unit, Unit.id == Order.lead_unit_id)
            .where(Order.confidential.is_(False)))


def window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """Open311's date range: the last 90 days by default, never more than 90 days."""
    if start is None and end is None:
        end = clock.now()
    if end is None:
        assert start is not None
        end = start + DEFAULT_SPAN
    if start is None:
        start = end - DEFAULT_SPAN
    if end < start:
        raise InvalidInput("end_date 早于 start_date", code="invalid_date_range")
    if end - start > DEFAULT_SPAN:
        raise InvalidInput("日期范围不能超过 90 天", code="invalid_date_range")
    return start, end


def find_requests(session: Session, f: Filter) -> list[Row]:
    stmt = _base()
    if f.ids:  # the ids override every other filter (GeoReport v2)
        stmt = stmt.where(Order.number.in_(list(f.ids)[:MAX_RESULTS]))
    else:
        start, end = window(f.start, f.end)
        stmt = stmt.where(Open311Request.requested_at >= start, Open311Request.requested_at <= end)
        if f.service_codes:
            stmt = stmt.where(Open311Request.service_code.in_(list(f.service_codes)))
        wanted = set(f.statuses)
        if wanted - {"open", "closed"}:
            raise InvalidInput("status 只能是 open 或 closed", code="invalid_status")
        if wanted == {"open"}:
            stmt = stmt.where(Order.state.not_in(CLOSED_STATES))
        elif wanted == {"closed"}:
            stmt = stmt.where(Order.state.in_(CLOSED_STATES))
    stmt = stmt.order_by(Open311Request.requested_at.desc(), Order.id.desc()).limit(MAX_RESULTS)
    return [(o, r, n) for o, r, n in session.execute(stmt)]


def get_request(session: Session, service_request_id: str) -> Row:
    found = session.execute(_base().where(Order.number == service_request_id)).first()
    if found is None:
        raise NotFound(f"service_request_id 不存在：{service_request_id}",
                       code="request_not_found")
    return found[0], found[1], found[2]


def by_token(session: Session, token: str) -> Row:
    found = session.execute(_base().where(Open311Request.token == token)).first()
    if found is None:
        raise NotFound(f"token 不存在：{token}", code="token_not_found")
    return found[0], found[1], found[2]


# ---- mapping ------------------------------------------------------------------------------

def status_of(order: Order) -> str:
    return "closed" if order.state in CLOSED_STATES else "open"


def mask_text(text: str, phone: str | None) -> str:
    if phone and len(phone) >= 5:
        text = text.replace(phone, mask_phone(phone) or "")
    return _MOBILE.sub(r"\1****\3", text)


def status_notes(session: Session, order: Order) -> str:
    """The unit's reply once it has answered; otherwise what became of the request."""
    if order.not_accepted_reason:
        return NOT_ACCEPTED_LABELS[NotAcceptedReason(order.not_accepted_reason)]
    if order.reply_text:
        return order.reply_text
    if order.answer:
        return order.answer
    if order.state == State.merged.value and order.master_order_id:
        number = session.scalar(select(Order.number).where(Order.id == order.master_order_id))
        return f"已并入工单 {number}"
    return STATE_LABELS[State(order.state)]


def to_request(session: Session, row: Row) -> dict[str, Any]:
    order, extra, unit_name = row
    service = catalog.find(extra.service_code)
    return {
        "service_request_id": order.number,
        "status": status_of(order),
        "status_notes": mask_text(status_notes(session, order), order.citizen_phone),
        "service_name": service.name if service else "",
        "service_code": extra.service_code,
        "description": mask_text(order.text, order.citizen_phone),
        "agency_responsible": unit_name or "",
        "service_notice": "",
        "requested_datetime": order.received_at,
        "updated_datetime": order.updated_at,
        "expected_datetime": order.reply_due_at,
        "address": order.place_text or extra.address_string,
        "address_id": extra.address_id,
        "zipcode": "",
        "lat": extra.lat,
        "long": extra.long,
        "media_url": extra.media_url,
    }


def to_service(service: catalog.Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": f"{service.group} › {service.name}",
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(service.subcategories),
        "group": service.group,
    }


def to_definition(service: catalog.Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": [
            *([{
                "variable": True, "code": catalog.SUBCATEGORY, "datatype": "singlevaluelist",
                "required": False, "datatype_description": "可选：细分类别", "order": 1,
                "description": "细分类别",
                "values": [{"key": name, "name": name} for name in service.subcategories],
            }] if service.subcategories else []),
            {
                "variable": True, "code": catalog.REQUEST_TYPE, "datatype": "singlevaluelist",
                "required": False, "datatype_description": "可选：诉求类型，默认求助",
                "order": 2 if service.subcategories else 1, "description": "诉求类型",
                "values": [{"key": key, "name": name} for key, name in catalog.TYPE_VALUES],
            },
        ],
    }
