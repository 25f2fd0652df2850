"""TMF630 query strings become list queries: filters, operators, OR lists, sort, paging."""

from __future__ import annotations

import pytest

from salesdev.api.toolkit.querystring import parse_list_request, select_fields
from salesdev.core.errors import InvalidInput
from salesdev.db.query import Filter, SortKey


def test_attribute_filters_operators_and_or_lists() -> None:
    request = parse_list_request(
        [
            ("status", "active,inactive"),
            ("channel.id", "c1"),
            ("creationDate.gte", "2026-01-01"),
            ("name.ne", "x"),
            ("code>", "B"),  # code>=B
            ("code<", "D"),  # code<=D
            ("tier!", "gold"),  # tier!=gold
            ("value>10", ""),  # value>10, no "="
        ]
    )
    assert request.query.filters == (
        Filter("status", "eq", ("active", "inactive")),
        Filter("channel.id", "eq", ("c1",)),
        Filter("creationDate", "gte", ("2026-01-01",)),
        Filter("name", "ne", ("x",)),
        Filter("code", "gte", ("B",)),
        Filter("code", "lte", ("D",)),
        Filter("tier", "ne", ("gold",)),
        Filter("value", "gt", ("10",)),
    )


def test_sort_fields_and_paging() -> None:
    request = parse_list_request(
        [
            ("sort", "name,-creationDate"),
            ("fields", "name,channel"),
            ("offset", "20"),
            ("limit", "5"),
        ]
    )
    assert request.query.sort == (SortKey("name"), SortKey("creationDate", descending=True))
    assert request.fields == ("name", "channel")
    assert (request.query.offset, request.query.limit) == (20, 5)


def test_defaults_to_the_first_hundred() -> None:
    request = parse_list_request([])
    assert (request.query.offset, request.query.limit, request.fields) == (0, 100, None)


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ([("limit", "1001")], "limit"),
        ([("limit", "-1")], "limit"),
        ([("offset", "x")], "offset"),
        # Beyond what a database keeps in an integer: refused, not a server error.
        ([("offset", "9223372036854775808")], "offset"),
        ([("status", "")], "status"),
    ],
)
def test_invalid_paging_or_empty_filters_are_refused(
    params: list[tuple[str, str]], location: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_list_request(params)
    assert [d.location for d in error.value.details] == [location]


def test_partial_representation_keeps_id_href_and_type() -> None:
    body = {
        "id": "1",
        "href": "h",
        "@type": "T",
        "@baseType": "T",
        "name": "n",
        "code": "c",
        "channel": {"id": "c1", "name": "Retail", "href": "hc"},
    }
    assert select_fields(body, ("name", "channel.name")) == {
        "id": "1",
        "href": "h",
        "@type": "T",
        "name": "n",
        "channel": {"name": "Retail"},
    }
