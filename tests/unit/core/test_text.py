from __future__ import annotations

from salesdev.core.text import nul_locations


def test_nul_characters_are_found_with_their_json_path() -> None:
    body = {"name": "ok", "tags": ["a", "b\x00"], "party": {"id": "\x00"}, "k\x00": 1}
    assert nul_locations(body) == ["tags[1]", "party.id", "k\x00"]
    assert nul_locations({"name": "clean", "n": 3, "x": None}) == []
