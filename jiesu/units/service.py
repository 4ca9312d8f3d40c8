"""Units, users and the responsibility catalogue: the only place that changes them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.core import clock
from jiesu.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from jiesu.core.roles import Principal, Role
from jiesu.core.security import hash_password, needs_rehash, verify_password
from jiesu.core.settings import DEMO_PASSWORD, get_settings
from jiesu.core.versioned import live_row, replace_row, retire_row
from jiesu.units.models import CatalogueRule, Unit, UnitKind, User
from jiesu.units.schemas import CatalogueRuleCreate, UnitCreate, UserCreate

DISPATCHABLE_KINDS = frozenset(
    {UnitKind.department, UnitKind.utility, UnitKind.district, UnitKind.street}
)


def get_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.active:
        raise InvalidInput("承办单位不存在", code="unknown_unit", details={"unit_id": unit_id})
    return unit


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.scalars(select(Unit).where(Unit.code == code)).first()


def dispatchable_unit(session: Session, unit_id: int) -> Unit:
    unit = get_unit(session, unit_id)
    if unit.kind not in DISPATCHABLE_KINDS:
        raise InvalidInput(
            "只能派给委办局、公共服务企业、区或街道乡镇",
            code="unit_not_dispatchable",
            details={"unit_id": unit_id, "kind": unit.kind},
        )
    return unit


def list_units(
    session: Session,
    *,
    kind: str | None = None,
    parent_id: int | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[Unit], int]:
    stmt = select(Unit).where(Unit.active.is_(True))
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if parent_id is not None:
        stmt = stmt.where(Unit.parent_id == parent_id)
    if q:
        stmt = stmt.where(Unit.name.contains(q))
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Unit.code).offset(offset).limit(limit)).all()
    return rows, count


def create_unit(session: Session, data: UnitCreate) -> Unit:
    if unit_by_code(session, data.code) is not None:
        raise Conflict("单位编码已存在", code="unit_code_taken", details={"code": data.code})
    if data.parent_id is not None:
        get_unit(session, data.parent_id)
    unit = Unit(**data.model_dump(), created_at=clock.now())
    session.add(unit)
    session.flush()
    return unit


def create_user(session: Session, data: UserCreate, *, is_demo: bool = False) -> User:
    if data.role == Role.handler and data.unit_id is None:
        raise InvalidInput("承办人必须属于一个单位", code="handler_needs_unit")
    if data.unit_id is not None:
        get_unit(session, data.unit_id)
    if not is_demo and data.password == DEMO_PASSWORD:
        raise InvalidInput("不能使用演示密码", code="weak_password")
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        role=data.role.value,
        unit_id=data.unit_id,
        is_demo=is_demo,
        created_at=clock.now(),
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("用户名已存在", code="username_taken") from exc
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在", code="user_not_found")
    return user


def set_active(session: Session, user_id: int, active: bool) -> User:
    """Deactivate someone who left (or bring them back). Deactivating also ends every token
    and page session they hold, at once: the next request of theirs is refused."""
    user = get_user(session, user_id)
    if user.active and not active:
        user.token_version += 1
    user.active = active
    session.flush()
    return user


def reset_password(session: Session, user_id: int, password: str) -> User:
    """An admin sets a new password (a forgotten one, a shared one); the old tokens end."""
    user = get_user(session, user_id)
    if password == DEMO_PASSWORD:
        raise InvalidInput("不能使用演示密码", code="weak_password")
    user.password_hash = hash_password(password)
    user.token_version += 1
    session.flush()
    return user


def principal_for(session: Session, user: User) -> Principal:
    unit_kind = None
    if user.unit_id is not None:
        unit = session.get(Unit, user.unit_id)
        unit_kind = unit.kind if unit else None
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        unit_id=user.unit_id,
        unit_kind=unit_kind,
    )


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    failure = NotAuthenticated("用户名或密码错误", code="bad_credentials")
    if user is None or not user.active:
        raise failure
    if not verify_password(user.password_hash, password):
        raise failure
    # Demo accounts and the demo password open nothing outside demo mode.
    if not get_settings().is_demo and (user.is_demo or password == DEMO_PASSWORD):
        raise NotAuthenticated("演示账号仅在演示模式下可用", code="demo_account_disabled")
    if needs_rehash(user.password_hash):
        # Made with other argon2 parameters: replaced now that the password is known (the
        # caller commits). The token version is kept: sessions stay valid.
        user.password_hash = hash_password(password)
    return user


def active_rules(session: Session) -> Sequence[CatalogueRule]:
    stmt = select(CatalogueRule).where(CatalogueRule.retired_at.is_(None))
    return session.scalars(stmt.order_by(CatalogueRule.position, CatalogueRule.id)).all()


def _check_rule_units(session: Session, data: CatalogueRuleCreate) -> None:
    codes = [data.lead_unit_code, *data.assisting_unit_codes]
    for code in codes:
        if code.startswith("@"):  # the resolved place: @street or @district
            continue
        if unit_by_code(session, code) is None:
            raise InvalidInput(
                "目录规则引用了不存在的单位", code="unknown_unit", details={"code": code}
            )


def add_rule(session: Session, data: CatalogueRuleCreate, actor_id: int | None) -> CatalogueRule:
    _check_rule_units(session, data)
    rule = CatalogueRule(
        position=data.position,
        name=data.name,
        category=data.category,
        place_scope=data.place_scope,
        keywords="|".join(data.keywords),
        lead_unit_code=data.lead_unit_code,
        assisting_unit_codes=",".join(data.assisting_unit_codes),
        created_by_id=actor_id,
        created_at=clock.now(),
    )
    session.add(rule)
    session.flush()
    return rule


def _live_rule(session: Session, rule_id: int) -> CatalogueRule:
    return live_row(session, CatalogueRule, rule_id, message="目录规则不存在",
                    code="rule_not_found")


def replace_rule(
    session: Session, rule_id: int, data: CatalogueRuleCreate, actor_id: int | None
) -> CatalogueRule:
    """A new version of a rule: the old row is retired, never edited."""
    old = _live_rule(session, rule_id)
    return replace_row(session, old, lambda _old: add_rule(session, data, actor_id))


def retire_rule(session: Session, rule_id: int) -> None:
    retire_row(session, _live_rule(session, rule_id))

