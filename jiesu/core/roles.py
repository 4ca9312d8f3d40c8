"""The roles of a hotline centre and who may see what (no framework imports)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    agent = "agent"  # 坐席
    dispatcher = "dispatcher"  # 派单员
    handler = "handler"  # 承办单位经办人 (department, district, street, community, utility)
    visitor = "visitor"  # 回访员
    supervisor = "supervisor"  # 督办
    admin = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.agent: "坐席",
    Role.dispatcher: "派单员",
    Role.handler: "承办人",
    Role.visitor: "回访员",
    Role.supervisor: "督办员",
    Role.admin: "管理员",
}

# Centre staff see every order of the centre; handlers only their units' orders.
CENTRE_WIDE_READERS = frozenset({Role.agent, Role.dispatcher, Role.visitor, Role.supervisor})


@dataclass(frozen=True)
class Principal:
    """Who is acting: enough to authorise without another query."""

    user_id: int
    username: str
    display_name: str
    role: Role
    unit_id: int | None = None
    unit_kind: str | None = None

    @property
    def sees_all_orders(self) -> bool:
        return self.role in CENTRE_WIDE_READERS
