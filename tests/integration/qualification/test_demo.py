"""The demo's eligibility rules (``demo/eligibility.py``): valid, and they decide as documented.

The full demo load is exercised by the demo tests; here the rules are loaded over the small
test world, with the demo's offering and family codes added where a rule needs them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.db.models.selling import EligibilityRule
from salesdev.demo.eligibility import DEMO_RULES, load_eligibility_rules
from salesdev.domains.access import SYSTEM
from salesdev.domains.qualification import qualify_offerings
from tests.conftest import T0
from tests.integration.qualification.world import SETUP, build_world


def test_every_demo_rule_is_valid_and_decides(session: Session) -> None:
    world = build_world(session, rules=False)
    # The demo's codes for the targets this world lacks: one offering or family each.
    mobile = world["family:MOBILE"]
    for _, _, _, applies_to, target, *_ in DEMO_RULES:
        if applies_to == "family" and target not in ("FIBRE",):
            session.add(
                ProductFamily(code=target, name=target, line_of_business="x",
                              created_at=SETUP, updated_at=SETUP)
            )  # fmt: skip
        if applies_to == "offering":
            session.add(
                ProductOffering(code=target, name=target, family_id=mobile, currency="EUR",
                                valid_from=SETUP, created_at=SETUP, updated_at=SETUP)
            )  # fmt: skip
    session.flush()
    created = load_eligibility_rules(
        session, valid_from=datetime(2026, 1, 1, tzinfo=UTC), now=SETUP
    )
    assert created == len(DEMO_RULES) == 8
    assert sorted(session.scalars(select(EligibilityRule.code))) == sorted(r[0] for r in DEMO_RULES)
    outcomes = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["BOB"],
        premise_id=world["PD"],
        at=T0,
        offering_ids=[world["FIB-500"], world["MOB-S"]],
    )
    assert [(o.code, [r.code for r in o.reasons]) for o in outcomes] == [
        ("FIB-500", ["NO_FIBRE"]),
        ("MOB-S", []),
    ]
