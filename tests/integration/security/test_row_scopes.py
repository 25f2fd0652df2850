"""Row scopes through HTTP: rows outside a principal's scope are 404, never 403."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from salesdev.db.models import Partner
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient, bearer, new_token, new_user
from tests.integration.security.conftest import World


def codes(client: TestClient, resource: str, token: str) -> list[str]:
    response = client.get(f"{BASE}/{resource}?sort=code", headers=bearer(token))
    assert response.status_code == 200
    body: list[dict[str, Any]] = response.json()
    assert response.headers["X-Total-Count"] == str(len(body))
    return [row["code"] for row in body]


def test_a_partner_user_sees_its_partner_its_outlets_and_its_sales_people(
    anonymous: TestClient, world: World
) -> None:
    token = world.tokens["partner_user"]
    assert codes(anonymous, "partner", token) == ["P1"]
    assert codes(anonymous, "outlet", token) == ["O1"]
    assert codes(anonymous, "salesPerson", token) == ["R1"]


def test_with_sub_dealers_a_partner_user_sees_the_whole_chain(
    anonymous: TestClient, runtime: Runtime, world: World
) -> None:
    user = new_user(
        runtime,
        "master-agent",
        ["partner_user"],
        partner_id=world.ids["P1"],
        include_sub_dealers=True,
    )
    token = new_token(runtime, user)
    assert codes(anonymous, "partner", token) == ["P1", "P1a"]
    assert codes(anonymous, "outlet", token) == ["O1", "O1a"]


def test_another_partners_record_is_not_found_and_stays_unchanged(
    anonymous: TestClient, runtime: Runtime, world: World
) -> None:
    auth = bearer(world.tokens["partner_user"])
    other = f"{BASE}/partner/{world.id('P2')}"
    answers = [
        (response.status_code, response.json()["message"])
        for response in (
            anonymous.get(other, headers=auth),
            anonymous.patch(other, json={"name": "Taken over"}, headers=auth),
            anonymous.delete(other, headers=auth),
            anonymous.get(f"{BASE}/outlet/{world.id('O2')}", headers=auth),
            anonymous.get(f"{BASE}/salesPerson/{world.id('R2')}", headers=auth),
        )
    ]
    p2, o2, r2 = world.id("P2"), world.id("O2"), world.id("R2")
    assert answers == [
        (404, f"Partner {p2} does not exist"),
        (404, f"Partner {p2} does not exist"),
        (404, f"Partner {p2} does not exist"),
        (404, f"Outlet {o2} does not exist"),
        (404, f"Sales person {r2} does not exist"),
    ]
    listed = anonymous.get(f"{BASE}/partner?id={p2}", headers=auth)
    assert (listed.json(), listed.headers["X-Total-Count"]) == ([], "0")
    with runtime.session_factory() as session:
        partner = session.scalars(select(Partner).where(Partner.code == "P2")).one()
        assert (partner.name, partner.version) == ("Partner P2", 1)
    # Its own partner is there, and refusing the write is a matter of permission: 403.
    own = f"{BASE}/partner/{world.id('P1')}"
    assert anonymous.get(own, headers=auth).status_code == 200
    assert anonymous.patch(own, json={"name": "Mine"}, headers=auth).status_code == 403


def test_a_rep_sees_only_their_own_sales_person_record(anonymous: TestClient, world: World) -> None:
    token = world.tokens["sales_rep"]
    assert codes(anonymous, "salesPerson", token) == ["R1"]
    for other in ("R2", "R3", "M"):
        response = anonymous.get(f"{BASE}/salesPerson/{world.id(other)}", headers=bearer(token))
        assert response.status_code == 404, other


def test_a_manager_sees_their_team_only(anonymous: TestClient, world: World) -> None:
    token = world.tokens["sales_manager"]
    assert codes(anonymous, "salesPerson", token) == ["M", "R1", "R2"]
    outside = anonymous.get(f"{BASE}/salesPerson/{world.id('R3')}", headers=bearer(token))
    assert outside.status_code == 404
    # Unscoped kinds are whole for everyone who may read them.
    assert codes(anonymous, "partner", token) == ["P1", "P1a", "P2"]
