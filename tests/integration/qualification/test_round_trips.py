"""How many statements a qualification POST costs: each one is a round trip and CPU time
under load (docs/qualification.md#performance). The counts are the design, pinned."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.api.conftest import TestClient
from tests.integration.qualification.test_tmf679 import POQ, request
from tests.integration.qualification.world import World, build_world


@pytest.fixture
def world(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        return build_world(session)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_warm_qualification_post_takes_nine_statements(
    client: TestClient, world: World, runtime: Runtime
) -> None:
    # Given the channel's catalogue compiled and the token's use recorded by a first POST
    assert client.post(POQ, json=request(world, "MOB-S", "FIB-100")).status_code == 201
    # When the next one is posted (customer, premise, two offerings)
    with statements(runtime.engine) as seen:
        created = client.post(POQ, json=request(world, "MOB-S", "FIB-100"))
    assert created.status_code == 201
    # Then: the token with its user, the channel with the customer and the premise, the
    # rules' generation, the installed base, the hub's listeners; the INSERT; and the
    # audit event (chain head locked and read in one statement, the event, the new head)
    expected = [
        ("SELECT", "JOIN app_user"),  # the token with its user
        ("SELECT", "JOIN premise"),  # the channel, the customer and the premise
        ("SELECT", "FROM rules_generation"),
        ("SELECT", "FROM installed_product"),
        ("SELECT", "FROM hub_subscription"),
        ("INSERT", "INTO product_offering_qualification"),
        ("UPDATE", "RETURNING"),  # audit_chain_head: locked and read
        ("INSERT", "INTO audit_event"),
        ("UPDATE", "audit_chain_head"),
    ]
    assert len(seen) == len(expected), seen
    for statement, (verb, fragment) in zip(seen, expected, strict=True):
        assert statement.startswith(verb), statement
        assert fragment in statement, statement
