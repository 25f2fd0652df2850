"""A small sales organisation with one signed-in user per role, for the security tests.

Partner P1 (with sub-dealer P1a) and partner P2; outlets of each; a manager M with reps
R1 (partner P1) and R2 (partner P2) reporting to M, and a rep R3 of nobody's team.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM, Role
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import (  # noqa: F401  (fixtures)
    admin_token,
    anonymous,
    app,
    client,
    new_token,
    new_user,
)


@dataclass
class World:
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, uuid.UUID] = field(default_factory=dict)

    def id(self, name: str) -> str:
        return str(self.ids[name])


def _create(runtime: Runtime, kind: str, values: dict[str, Any]) -> uuid.UUID:
    with unit_of_work(runtime.session_factory) as session:
        entity = create_entity(session, principal=SYSTEM, kind=kind, values=values, now=T0)
        return uuid.UUID(str(entity.id))


def build_world(runtime: Runtime) -> World:
    world = World()
    ids = world.ids
    ids["region"] = _create(runtime, "region", {"code": "N", "name": "North"})
    ids["channel"] = _create(
        runtime,
        "sales_channel",
        {"code": "DLR", "name": "Dealers", "channel_type": "franchise_dealer"},
    )
    channel = str(ids["channel"])
    ids["family"] = _create(
        runtime, "product_family", {"code": "MOB", "name": "Mobile", "line_of_business": "mobile"}
    )
    ids["offering"] = _create(
        runtime,
        "product_offering",
        {
            "code": "SIM",
            "name": "SIM only",
            "family_id": str(ids["family"]),
            "currency": "EUR",
            "valid_from": "2026-01-01T00:00:00Z",
        },
    )
    for code, parent in (("P1", None), ("P1a", "P1"), ("P2", None)):
        ids[code] = _create(
            runtime,
            "partner",
            {
                "code": code,
                "name": f"Partner {code}",
                "partner_type": "dealer",
                "tier": "gold",
                "channel_id": channel,
                "parent_id": str(ids[parent]) if parent else None,
            },
        )
    for code, partner in (("O1", "P1"), ("O1a", "P1a"), ("O2", "P2")):
        ids[code] = _create(
            runtime,
            "outlet",
            {
                "code": code,
                "name": f"Outlet {code}",
                "channel_id": channel,
                "partner_id": str(ids[partner]),
            },
        )
    ids["M"] = _create(
        runtime,
        "sales_person",
        {"code": "M", "name": "Mia", "role": "manager", "channel_id": channel},
    )
    for code, manager, partner in (("R1", "M", "P1"), ("R2", "M", "P2"), ("R3", None, None)):
        ids[code] = _create(
            runtime,
            "sales_person",
            {
                "code": code,
                "name": f"Rep {code}",
                "role": "rep",
                "channel_id": channel,
                "manager_id": str(ids[manager]) if manager else None,
                "partner_id": str(ids[partner]) if partner else None,
            },
        )
    ids["customer"] = _create(
        runtime,
        "customer",
        {
            "code": "C1",
            "name": "Ada",
            "kind": "customer",
            "segment": "consumer",
            "credit_class": "A",
        },
    )
    ids["premise"] = _create(
        runtime,
        "premise",
        {"code": "PR1", "address": "1 Main St", "customer_id": str(ids["customer"])},
    )
    bindings: dict[Role, dict[str, Any]] = {
        Role.SALES_MANAGER: {"sales_person_id": ids["M"]},
        Role.SALES_REP: {"sales_person_id": ids["R1"]},
        Role.PARTNER_USER: {"partner_id": ids["P1"]},
    }
    for role in Role:
        user_id = new_user(
            runtime, role.value.replace("_", "-"), [role.value], **bindings.get(role, {})
        )
        world.users[role.value] = user_id
        world.tokens[role.value] = new_token(runtime, user_id)
    return world


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)
