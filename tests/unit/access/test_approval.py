"""The two-person rule: the first person (author, requester, closer) may not be the second."""

from __future__ import annotations

import pytest

from salesdev.core.errors import ErrorDetail, RuleViolation
from salesdev.domains.access import Principal, Role
from salesdev.domains.access.approval import SecondPersonRequired, require_second_person

CARLA = Principal(kind="user", name="carla", roles=frozenset({Role.ADMIN}))
OMAR = Principal(kind="user", name="omar", roles=frozenset({Role.ADMIN}))


def test_the_first_person_is_refused_with_one_shape_of_error() -> None:
    # given carla wrote version 2 of PLAN-A
    # when carla would approve it
    with pytest.raises(SecondPersonRequired) as refused:
        require_second_person(
            CARLA, first="user:carla", role="author", did="wrote version 2 of PLAN-A"
        )
    # then it is a business-rule refusal (422, SDV-422) naming the approver
    assert isinstance(refused.value, RuleViolation)
    assert refused.value.code == "SDV-422"
    assert refused.value.message == (
        "user:carla wrote version 2 of PLAN-A and cannot approve it; another user must"
    )
    assert refused.value.details == [
        ErrorDetail("approver", "must differ from the author user:carla")
    ]


def test_the_verb_names_what_the_second_person_does() -> None:
    with pytest.raises(SecondPersonRequired) as refused:
        require_second_person(
            CARLA,
            first="user:carla",
            role="terms' author",
            did="wrote the terms of this agreement",
            verb="activate",
        )
    assert refused.value.message == (
        "user:carla wrote the terms of this agreement and cannot activate it; another user must"
    )


@pytest.mark.parametrize("first", ["user:carla", None])
def test_another_user_or_no_recorded_first_person_passes(first: str | None) -> None:
    # given the first person is carla (or nobody is recorded): omar may act
    require_second_person(OMAR, first=first, role="author", did="wrote it")


def test_the_same_name_of_another_kind_is_another_person() -> None:
    # an integration named "carla" is not the user "carla": actors compare in full
    cli_carla = Principal(kind="client", name="carla", roles=frozenset({Role.ADMIN}))
    require_second_person(cli_carla, first="user:carla", role="author", did="wrote it")
