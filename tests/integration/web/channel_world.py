"""A small channel world for the channel and partner pages: one channel, two partners,
four offerings (one a bundle of two), written through the services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.authorisation import authorise_offering
from salesdev.runtime import Runtime
from tests.integration.authorisation import builders as b

JAN = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    channel: uuid.UUID
    other_channel: uuid.UUID
    acme: uuid.UUID
    rival: uuid.UUID
    offerings: dict[str, uuid.UUID]


def build_world(runtime: Runtime, *, authorise: bool = True) -> World:
    """DEALERS sells FIBRE-1G and the DUO bundle channel-wide from 1 January 2026; ACME also
    the ROUTER. MOB-10 is only a component of DUO."""
    with unit_of_work(runtime.session_factory) as s:
        dealers = b.channel(s, "DEALERS")
        online = b.channel(s, "ONLINE")
        fibre = b.family(s, "FIBRE")
        mobile = b.family(s, "MOBILE", "mobile")
        offerings = {
            "FIBRE-1G": b.offering(s, "FIBRE-1G", fibre.id, recurring="39.99", one_time="49"),
            "MOB-10": b.offering(s, "MOB-10", mobile.id, recurring="15.5"),
            "ROUTER": b.offering(s, "ROUTER", fibre.id, one_time="99.9"),
            "DUO": b.offering(s, "DUO", fibre.id, recurring="49.99", is_bundle=True),
        }
        b.bundle_item(s, offerings["DUO"].id, offerings["FIBRE-1G"].id, 1)
        b.bundle_item(s, offerings["DUO"].id, offerings["MOB-10"].id, 2)
        acme = b.partner(s, "ACME", dealers.id)
        rival = b.partner(s, "RIVAL", dealers.id)
        world = World(dealers.id, online.id, acme.id, rival.id,
                      {code: o.id for code, o in offerings.items()})  # fmt: skip
        if authorise:
            now = runtime.clock.now()
            for code in ("FIBRE-1G", "DUO"):
                authorise_offering(s, principal=SYSTEM, channel_id=dealers.id,
                                   product_offering_id=world.offerings[code], valid_from=JAN,
                                   now=now)  # fmt: skip
            authorise_offering(s, principal=SYSTEM, channel_id=dealers.id, partner_id=acme.id,
                               product_offering_id=world.offerings["ROUTER"], valid_from=JAN,
                               prerequisites=[{"type": "certification", "code": "FIBRE-101"}],
                               now=now)  # fmt: skip
        return world
