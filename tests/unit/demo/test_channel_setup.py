"""Rules of the demo's channel wiring that need no database."""

from __future__ import annotations

from salesdev.demo.catalogue import OFFERING_INDEX, OFFERINGS
from salesdev.demo.channel_setup import (
    austrian_iban,
    authorised_kinds,
    channel_ranges,
    ranges_sold,
)
from salesdev.demo.reference import B2B_FIELD, MARKETPLACE, OWN_RETAIL, TELESALES, WHOLESALE
from salesdev.domains.partners import parse_iban


def test_an_austrian_iban_gets_the_check_digits_of_the_standard_example() -> None:
    assert austrian_iban("19043", "00234573201") == "AT611904300234573201"


def test_generated_ibans_pass_the_mod_97_check() -> None:
    for bank, account in (
        ("12000", "00000000001"),
        ("20111", "99999999999"),
        ("32000", "12345678901"),
    ):
        iban = austrian_iban(bank, account)
        assert parse_iban(iban) == iban and len(iban) == 20


def test_a_channel_sells_the_ranges_of_the_segments_that_buy_there() -> None:
    ranges = channel_ranges()
    assert ranges[OWN_RETAIL] == (True, True)  # households and small businesses
    assert ranges[TELESALES] == (True, True)
    assert ranges[B2B_FIELD] == (False, True)
    assert ranges[WHOLESALE] == (True, False)
    assert ranges[MARKETPLACE] == (True, False)


def test_businesses_take_a_consumer_bundle_only_where_no_business_one_exists() -> None:
    sold = ranges_sold()
    assert "CB-DSL-MOB" in sold[True]  # no business DSL bundle
    assert "CB-FB300-MOB" not in sold[True]  # business fibre bundles exist
    assert "MP-B-FLEET" not in sold[False]
    assert "DV-NOVA16" in sold[False] & sold[True]


def test_every_offering_is_authorised_in_some_channel() -> None:
    unauthorised = [spec.code for spec in OFFERINGS if not authorised_kinds(spec)]
    assert unauthorised == []
    assert authorised_kinds(OFFERINGS[OFFERING_INDEX["MP-B-FLEET"]]) == [
        OWN_RETAIL, 1, 2, 3, 4, TELESALES, B2B_FIELD,
    ]  # fmt: skip
