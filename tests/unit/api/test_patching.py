"""Merge patch (RFC 7386) and JSON patch (RFC 6902) on a representation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesdev.api.toolkit.http import expected_version
from salesdev.api.toolkit.patching import JSON_PATCH, MERGE_PATCH, apply_patch
from salesdev.api.toolkit.routes import change_events
from salesdev.core.errors import Conflict, InvalidInput, PreconditionFailed

DOC = {
    "id": "1",
    "name": "Retail",
    "parent": {"id": "p", "name": "Root"},
    "validFor": {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"},
}


def test_merge_patch_merges_objects_and_null_clears() -> None:
    result = apply_patch(
        MERGE_PATCH, DOC, {"name": "Shops", "parent": None, "validFor": {"endDateTime": None}}
    )
    assert result == {
        "id": "1",
        "name": "Shops",
        "parent": None,
        "validFor": {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": None},
    }
    assert DOC["name"] == "Retail"  # the current representation is not modified


def test_json_patch_operations() -> None:
    result = apply_patch(
        JSON_PATCH,
        DOC,
        [
            {"op": "test", "path": "/name", "value": "Retail"},
            {"op": "replace", "path": "/name", "value": "Shops"},
            {"op": "remove", "path": "/parent"},
            {"op": "copy", "from": "/validFor/startDateTime", "path": "/validFor/endDateTime"},
        ],
    )
    assert result["name"] == "Shops"
    assert result["parent"] is None
    assert result["validFor"]["endDateTime"] == "2026-01-01T00:00:00Z"


def test_json_patch_failed_test_is_a_conflict() -> None:
    with pytest.raises(Conflict):
        apply_patch(JSON_PATCH, DOC, [{"op": "test", "path": "/name", "value": "Other"}])


@pytest.mark.parametrize(
    "patch",
    [
        {"op": "replace", "path": "/name"},
        [{"op": "jump", "path": "/name"}],
        [{"op": "replace", "path": "/nowhere/deep", "value": 1}],
        [{"op": "add", "path": "name", "value": 1}],
    ],
)
def test_malformed_json_patches_are_invalid_input(patch: object) -> None:
    with pytest.raises(InvalidInput):
        apply_patch(JSON_PATCH, DOC, patch)


def test_state_and_attribute_changes_are_told_apart() -> None:
    before = {"status": "active", "name": "a", "lastUpdate": "t0", "value": Decimal("1.0")}
    assert change_events(before, {**before, "status": "inactive", "lastUpdate": "t1"}) == [
        "StateChangeEvent"
    ]
    assert change_events(before, {**before, "name": "b"}) == ["AttributeValueChangeEvent"]
    assert change_events(before, {**before, "status": "x", "name": "b"}) == [
        "StateChangeEvent",
        "AttributeValueChangeEvent",
    ]
    assert change_events(before, {**before, "value": Decimal("1.00")}) == []


class _Entity:
    id = "e1"
    version = 3


@pytest.mark.parametrize(
    ("header", "expected"), [(None, None), ('"3"', 3), ('W/"3"', 3), ("*", None), ('"2", "3"', 3)]
)
def test_if_match_accepts_the_current_version(header: str | None, expected: int | None) -> None:
    assert expected_version(header, _Entity(), label="Thing") == expected


def test_stale_if_match_is_a_failed_precondition() -> None:
    with pytest.raises(PreconditionFailed):
        expected_version('"2"', _Entity(), label="Thing")
