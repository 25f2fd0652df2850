"""ServiceOperations: a resource's operations declared as the domain services they call.

Each service function gets the keywords it names among those its operation offers: the
principal, the entity id under the service's own name, values or changes, and ``now`` and
``expected_version`` only if it takes them. A function that needs more fails when the
resource is declared.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Select, select

from salesdev.api.toolkit.listing import ServiceNames
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import Region
from salesdev.db.query import Attribute, Filter, ListQuery, Page, SortKey
from salesdev.domains.access import SYSTEM, Principal

SESSION: Any = object()  # the services below never touch it
NOW = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)
RULE = uuid.UUID(int=7)
calls: list[tuple[str, dict[str, Any]]] = []


def get_rule(session: Any, *, principal: Principal, rule_id: uuid.UUID) -> str:
    calls.append(("get", {"principal": principal, "rule_id": rule_id}))
    return f"rule {rule_id.int}"


def delete_rule(
    session: Any, *, principal: Principal, rule_id: uuid.UUID, expected_version: int | None
) -> None:
    calls.append(("delete", {"rule_id": rule_id, "expected_version": expected_version}))


def delete_dated(
    session: Any,
    *,
    principal: Principal,
    rule_id: uuid.UUID,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    calls.append(("delete", {"rule_id": rule_id, "now": now, "version": expected_version}))


@pytest.fixture(autouse=True)
def _clear() -> None:
    calls.clear()


def test_the_id_reaches_the_service_under_its_own_name() -> None:
    # given a resource whose service names its id rule_id
    ops = ServiceOperations(Region, "Rule", key="rule_id", get=get_rule)
    # when it is read
    found = ops.get(SESSION, principal=SYSTEM, entity_id=RULE)
    # then the service got the principal and the id as rule_id
    assert found == "rule 7"
    assert calls == [("get", {"principal": SYSTEM, "rule_id": RULE})]


def test_a_service_gets_now_and_expected_version_only_if_it_takes_them() -> None:
    undated = ServiceOperations(Region, "Rule", key="rule_id", delete=delete_rule)
    dated = ServiceOperations(Region, "Rule", key="rule_id", delete=delete_dated)
    undated.delete(SESSION, principal=SYSTEM, entity_id=RULE, expected_version=3, now=NOW)
    dated.delete(SESSION, principal=SYSTEM, entity_id=RULE, expected_version=None, now=NOW)
    assert calls == [
        ("delete", {"rule_id": RULE, "expected_version": 3}),
        ("delete", {"rule_id": RULE, "now": NOW, "version": None}),
    ]


def test_only_the_operations_given_are_offered() -> None:
    ops = ServiceOperations(Region, "Rule", key="rule_id", get=get_rule, delete=delete_rule)
    assert (ops.can_create, ops.can_update, ops.can_delete) == (False, False, True)
    with pytest.raises(NotImplementedError):
        ops.create(SESSION, principal=SYSTEM, values={}, now=NOW)


def test_bound_keywords_reach_every_call_and_an_adapter_may_take_the_rest() -> None:
    # given an adapter that checks the changes and forwards everything else
    def update(session: Any, *, changes: dict[str, Any], **call: Any) -> dict[str, Any]:
        return {"changes": changes, **call}

    ops = ServiceOperations(Region, "Region", update=update, bound={"kind": "region"})
    # when an update is made
    result = ops.update(
        SESSION,
        principal=SYSTEM,
        entity_id=RULE,
        changes={"name": "North"},
        now=NOW,
        expected_version=2,
    )
    # then it got every keyword the update offers, and the bound kind
    assert result == {
        "changes": {"name": "North"},
        "kind": "region",
        "principal": SYSTEM,
        "entity_id": RULE,
        "now": NOW,
        "expected_version": 2,
    }


def test_a_service_that_needs_a_keyword_no_caller_offers_fails_when_declared() -> None:
    def create_rule(session: Any, *, principal: Principal, rule: object, now: datetime) -> None:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match=r"create_rule \(create\) needs \['rule'\]"):
        ServiceOperations(Region, "Rule", create=create_rule)


def test_a_statement_builder_without_a_session_narrows_the_rows() -> None:
    def regions(*, principal: Principal) -> Select[Any]:
        return select(Region).where(Region.code == principal.name)

    ops = ServiceOperations(Region, "Region", select=regions)
    statement = ops.select(SESSION, principal=SYSTEM)
    assert "WHERE region.code = :code_1" in str(statement)


def test_a_list_under_the_services_names_speaks_tmf_names_to_the_client() -> None:
    # given a service that filters on "familyId" and complains about its value
    names = ServiceNames(
        {"productFamily.id": "familyId"}, {"familyId": Attribute(Region.id, uuid.UUID)}
    )

    def list_rules(session: Any, *, principal: Principal, query: ListQuery) -> Page[str]:
        calls.append(("list", {"filters": query.filters}))
        raise InvalidInput("Invalid query", [ErrorDetail("familyId", "not an id")])

    ops = ServiceOperations(Region, "Rule", list=list_rules, names=names)
    query = ListQuery(filters=(Filter("productFamily.id", "eq", ("x",)),))
    # when the client filters on productFamily.id
    with pytest.raises(InvalidInput) as refused:
        ops.list(SESSION, principal=SYSTEM, query=query, attributes={})
    # then the service saw its own name and the client sees its own
    assert calls == [("list", {"filters": (Filter("familyId", "eq", ("x",)),)})]
    assert refused.value.details == [ErrorDetail("productFamily.id", "not an id")]
    # and an attribute the service does not filter on is refused before it is called
    with pytest.raises(InvalidInput) as unknown:
        ops.list(
            SESSION,
            principal=SYSTEM,
            query=ListQuery(sort=(SortKey("name"),)),
            attributes={},
        )
    assert unknown.value.details == [
        ErrorDetail("sort", "cannot sort on 'name'; known: productFamily.id")
    ]


def test_the_answer_to_a_create_may_show_extras_once() -> None:
    def create(session: Any, *, values: dict[str, Any]) -> str:
        return "token"

    ops = ServiceOperations(
        Region, "Token", create=create, created_extras=lambda _session, e: {"secret": e}
    )
    created = ops.create(SESSION, principal=SYSTEM, values={}, now=NOW)
    assert ops.created_extras(SESSION, created) == {"secret": "token"}
    assert ServiceOperations(Region, "Region").created_extras(SESSION, created) == {}
