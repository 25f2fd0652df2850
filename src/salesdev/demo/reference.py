"""The demo operator's reference data: regions, catalogue, channels, partners,
outlets, sales organisation, customers and premises.

Built in memory from a seed (no database access here): small tables as row
dictionaries ready for bulk inserts, customers and premises as numpy columns
(there can be hundreds of thousands) turned into rows batch by batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from salesdev.demo.calendar import Window
from salesdev.demo.catalogue import FAMILIES, OFFERING_INDEX, OFFERINGS
from salesdev.demo.catalogue_model import (
    CatalogueRows,
    build_catalogue,
    option_limits,
    specification_ids,
)
from salesdev.demo.geography import (
    BUSINESS_TRADES,
    BUSINESS_WORDS,
    COUNTRY_CODE,
    COUNTRY_NAME,
    FIRST_NAMES,
    LAST_NAMES,
    LEGAL_FORMS,
    PUBLIC_BODIES,
    REGIONS,
    STREETS,
)
from salesdev.demo.scales import DemoScale
from salesdev.demo.uuids import SeededUuids

Row = dict[str, Any]
IntArray = npt.NDArray[np.int64]

CURRENCY = "EUR"

# Channel types, in the order of the channel table (channel index == kind index).
CHANNEL_KINDS: tuple[tuple[str, str, str], ...] = (
    ("RETAIL", "Own retail stores", "own_retail"),
    ("FRANCHISE", "Franchise dealers", "franchise_dealer"),
    ("MASTER_AGENT", "Master agents and dealers", "master_agent"),
    ("SUB_DEALER", "Sub-dealers", "sub_dealer"),
    ("ONLINE", "Online self-service", "online"),
    ("TELESALES", "Telesales and call centre", "telesales"),
    ("B2B_FIELD", "B2B field sales", "b2b_field"),
    ("WHOLESALE", "Wholesale resellers and MVNOs", "wholesale"),
    ("MARKETPLACE", "Online marketplaces", "marketplace"),
)
(OWN_RETAIL, FRANCHISE, MASTER_AGENT, SUB_DEALER, ONLINE, TELESALES, B2B_FIELD, WHOLESALE,
 MARKETPLACE) = range(len(CHANNEL_KINDS))  # fmt: skip

SEGMENTS: tuple[str, ...] = ("consumer", "small_business", "enterprise", "public_sector")
SEGMENT_SHARES = (0.86, 0.10, 0.025, 0.015)
CREDIT_CLASSES: tuple[str, ...] = ("A", "B", "C", "D")
CREDIT_SHARES = (0.45, 0.35, 0.15, 0.05)
PROSPECT_SHARE = 0.12
UNATTACHED_PREMISE_SHARE = 0.10

# Serviceable technologies, as bits of a premise's mask (stored as a comma list).
TECHNOLOGIES: tuple[str, ...] = ("fibre", "dsl", "fwa", "5g", "cable")
FIBRE, DSL, FWA, FIVE_G, CABLE = (1 << i for i in range(len(TECHNOLOGIES)))
_URBAN_TECH = (0.75, 0.95, 0.55, 0.92, 0.50)
_RURAL_TECH = (0.30, 0.85, 0.70, 0.50, 0.10)

TIERS = ("gold", "silver", "bronze")


@dataclass
class Table:
    """Rows of one reference table plus the ids in row order."""

    rows: list[Row] = field(default_factory=list)

    @property
    def ids(self) -> list[uuid.UUID]:
        return [row["id"] for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class SalesPoints:
    """Who can capture a sale: channel, outlet, partner and person, one row each
    (-1 = none). ``region`` is -1 for points that sell nationwide."""

    channel: IntArray
    outlet: IntArray
    partner: IntArray
    person: IntArray
    region: IntArray


@dataclass
class Parties:
    """Customers (and prospects) and premises as columns; premise ``i`` belongs to customer ``i``."""

    customer_ids: list[uuid.UUID]
    segment: IntArray
    is_prospect: npt.NDArray[np.bool_]
    region: IntArray
    credit: IntArray
    name_seed: IntArray
    premise_ids: list[uuid.UUID]
    premise_region: IntArray
    premise_customer: IntArray  # -1: a serviceable address with no customer yet
    premise_tech: IntArray
    premise_address_seed: IntArray
    customer_since: list[date | None] = field(default_factory=list)

    @property
    def customers(self) -> int:
        return len(self.customer_ids)

    @property
    def premises(self) -> int:
        return len(self.premise_ids)


@dataclass
class Reference:
    regions: Table  # row 0 is the country; rows 1.. are the regions of REGIONS
    families: Table
    offerings: Table
    bundle_items: Table
    catalogue: CatalogueRows
    channels: Table
    partners: Table
    outlets: Table
    people: Table
    parties: Parties
    sales_points: SalesPoints
    region_codes: list[str]


def build_reference(*, scale: DemoScale, seed: int, now: datetime, window: Window) -> Reference:
    rng = np.random.default_rng([seed, 1])
    ids = SeededUuids(np.random.default_rng([seed, 0]))
    stamp = {"created_at": now, "updated_at": now, "version": 1}

    regions = Table()
    root = ids.one()
    regions.rows.append(
        {"id": root, "code": COUNTRY_CODE, "name": COUNTRY_NAME, "parent_id": None, **stamp}
    )
    for region in REGIONS:
        regions.rows.append(
            {"id": ids.one(), "code": region.code, "name": region.name, "parent_id": root, **stamp}
        )
    region_ids = regions.ids[1:]

    families = Table(
        [
            {
                "id": ids.one(),
                "code": f.code,
                "name": f.name,
                "line_of_business": f.line_of_business,
                **stamp,
            }
            for f in FAMILIES
        ]
    )
    family_id = {row["code"]: row["id"] for row in families.rows}
    catalogue_from = window.first.start.replace(year=window.first.year - 3)
    launch = window.periods[window.launch_index()].start
    offerings = Table()
    specifications = specification_ids(seed)
    for spec in OFFERINGS:
        # New flagship devices launch in the window's last September.
        valid_from = launch if spec.launch_month else catalogue_from
        offerings.rows.append(
            {
                "id": ids.one(),
                "code": spec.code,
                "name": spec.name,
                "family_id": family_id[spec.family],
                "is_bundle": bool(spec.components),
                "lifecycle_status": "Active",
                "currency": CURRENCY,
                "description": "",
                "is_sellable": True,
                "status_reason": "",
                "version_label": "1.0",
                "product_specification_id": specifications[spec.family],
                "valid_from": valid_from,
                "valid_to": None,
                **stamp,
            }
        )
    offering_ids = offerings.ids
    bundle_items = Table()
    for spec in OFFERINGS:
        for position, component in enumerate(spec.components):
            lower, default, upper = option_limits(spec.code, component)
            bundle_items.rows.append(
                {
                    "id": ids.one(),
                    "bundle_id": offering_ids[OFFERING_INDEX[spec.code]],
                    "component_id": offering_ids[OFFERING_INDEX[component]],
                    "position": position,
                    "number_default": default,
                    "number_lower_limit": lower,
                    "number_upper_limit": upper,
                }
            )

    channels = Table()
    for code, name, channel_type in CHANNEL_KINDS:
        parent = channels.rows[MASTER_AGENT]["id"] if channel_type == "sub_dealer" else None
        channels.rows.append(
            {
                "id": ids.one(),
                "code": code,
                "name": name,
                "channel_type": channel_type,
                "parent_id": parent,
                "status": "active",
                **stamp,
            }
        )
    channel_ids = channels.ids

    catalogue = build_catalogue(
        seed=seed,
        now=now,
        catalogue_from=catalogue_from,
        offering_rows=offerings.rows,
        channel_ids={row["code"]: row["id"] for row in channels.rows},
        specifications=specifications,
    )
    builder = _OrganisationBuilder(scale, rng, ids, stamp, region_ids, channel_ids, now)
    builder.build()
    _add_applicants(builder.partners, seed=seed, stamp=stamp, channel_ids=channel_ids,
                    region_ids=region_ids)  # fmt: skip
    parties = _build_parties(scale=scale, rng=rng, ids=ids)
    return Reference(
        regions=regions,
        families=families,
        offerings=offerings,
        bundle_items=bundle_items,
        catalogue=catalogue,
        channels=channels,
        partners=builder.partners,
        outlets=builder.outlets,
        people=builder.people,
        parties=parties,
        sales_points=builder.sales_points(),
        region_codes=[spec.code for spec in REGIONS],
    )


# Partners still being on-boarded: (partner type, channel kind, region, parent partner type).
# They have no shop and no sales yet; their ids and names come from streams of their own,
# so adding them moved no other row of the demo.
APPLICANTS: tuple[tuple[str, int, int, str | None], ...] = (
    ("dealer", MASTER_AGENT, 0, "master_agent"),
    ("franchisee", FRANCHISE, 4, None),
    ("wholesale_reseller", WHOLESALE, -1, None),
)
# Not allowed to sell until on-boarding activates them (the on-boarding service does).
APPLICANT_STATUS = "onboarding"


def _add_applicants(partners: Table, *, seed: int, stamp: Row, channel_ids: list[uuid.UUID],
                    region_ids: list[uuid.UUID]) -> None:  # fmt: skip
    ids = SeededUuids(np.random.default_rng([seed, 5]))
    rng = np.random.default_rng([seed, 6])
    for partner_type, channel, region, parent_type in APPLICANTS:
        word = BUSINESS_WORDS[int(rng.integers(len(BUSINESS_WORDS)))]
        parent = next(
            (row["id"] for row in partners.rows if row["partner_type"] == parent_type), None
        )
        index = len(partners)
        partners.rows.append(
            {
                "id": ids.one(),
                "code": f"PA{index + 1:05d}",
                "name": f"{word} {_APPLICANT_NAMES[partner_type]}",
                "partner_type": partner_type,
                "tier": "bronze",
                "parent_id": parent,
                "channel_id": channel_ids[channel],
                "region_id": None if region < 0 else region_ids[region],
                "status": APPLICANT_STATUS,
                **stamp,
            }
        )


_APPLICANT_NAMES = {
    "dealer": "Phone Corner OG",
    "franchisee": "Telekom Partner KG",
    "wholesale_reseller": "Connect (MVNO applicant)",
}


def _spread(total: int, shares: npt.NDArray[np.float64]) -> list[int]:
    """Split ``total`` over regions by population, at least one each (largest remainder)."""
    total = max(total, len(shares))
    raw = shares / shares.sum() * (total - len(shares))
    counts = np.floor(raw).astype(np.int64) + 1
    for i in np.argsort(-(raw - np.floor(raw)), kind="stable")[: total - int(counts.sum())]:
        counts[i] += 1
    return [int(c) for c in counts]


_POPULATION = np.array([spec.population_share for spec in REGIONS])


class _OrganisationBuilder:
    """Partners (with their genealogy), outlets, the sales organisation and the
    sales points that tie them together consistently."""

    def __init__(
        self,
        scale: DemoScale,
        rng: np.random.Generator,
        ids: SeededUuids,
        stamp: Row,
        region_ids: list[uuid.UUID],
        channel_ids: list[uuid.UUID],
        now: datetime,
    ) -> None:
        self.scale = scale
        self.rng = rng
        self.ids = ids
        self.stamp = stamp
        self.region_ids = region_ids
        self.channel_ids = channel_ids
        self.today = now.date()
        self.partners = Table()
        self.outlets = Table()
        self.people = Table()
        self._partner_region: list[int] = []
        self._outlet_region: list[int] = []
        self._points: list[tuple[int, int, int, int, int]] = []

    # -- helpers ---------------------------------------------------------------------------
    def _region_cycle(self, count: int) -> list[int]:
        """``count`` regions, spread by population, in a stable interleaved order."""
        counts = _spread(count, _POPULATION)
        order: list[int] = []
        for round_no in range(max(counts)):
            order.extend(region for region, n in enumerate(counts) if n > round_no)
        return order[:count]

    def _partner(self, name: str, partner_type: str, tier: str, channel: int, region: int,
                 parent: int | None) -> int:  # fmt: skip
        index = len(self.partners)
        self.partners.rows.append(
            {
                "id": self.ids.one(),
                "code": f"PA{index + 1:05d}",
                "name": name,
                "partner_type": partner_type,
                "tier": tier,
                "parent_id": None if parent is None else self.partners.rows[parent]["id"],
                "channel_id": self.channel_ids[channel],
                "region_id": None if region < 0 else self.region_ids[region],
                "status": "active",
                **self.stamp,
            }
        )
        self._partner_region.append(region)
        return index

    def _outlet(self, name: str, channel: int, partner: int, region: int) -> int:
        index = len(self.outlets)
        self.outlets.rows.append(
            {
                "id": self.ids.one(),
                "code": f"OU{index + 1:05d}",
                "name": name,
                "channel_id": self.channel_ids[channel],
                "partner_id": None if partner < 0 else self.partners.rows[partner]["id"],
                "region_id": None if region < 0 else self.region_ids[region],
                "status": "active",
                **self.stamp,
            }
        )
        self._outlet_region.append(region)
        return index

    def _person(
        self, role: str, manager: int | None, region: int, channel: int, partner: int
    ) -> int:
        index = len(self.people)
        first = FIRST_NAMES[int(self.rng.integers(len(FIRST_NAMES)))]
        last = LAST_NAMES[int(self.rng.integers(len(LAST_NAMES)))]
        self.people.rows.append(
            {
                "id": self.ids.one(),
                "code": f"SP{index + 1:06d}",
                "name": f"{first} {last}",
                "role": role,
                "manager_id": None if manager is None else self.people.rows[manager]["id"],
                "region_id": None if region < 0 else self.region_ids[region],
                "channel_id": None if channel < 0 else self.channel_ids[channel],
                "partner_id": None if partner < 0 else self.partners.rows[partner]["id"],
                "status": "active",
                "hired_on": self.today - timedelta(days=int(self.rng.integers(60, 15 * 365))),
                **self.stamp,
            }
        )
        return index

    def _point(self, channel: int, outlet: int, partner: int, person: int, region: int) -> None:
        self._points.append((channel, outlet, partner, person, region))

    def _tier(self, weights: tuple[float, float, float]) -> str:
        return TIERS[int(self.rng.choice(3, p=np.array(weights)))]

    def _word(self) -> str:
        return BUSINESS_WORDS[int(self.rng.integers(len(BUSINESS_WORDS)))]

    def _town(self, region: int) -> str:
        towns = REGIONS[region].towns
        return towns[int(self.rng.integers(len(towns)))]

    # -- the organisation ----------------------------------------------------------------
    def build(self) -> None:
        s = self.scale
        vp = self._person("vp", None, -1, -1, -1)
        retail_dir = self._person("director", vp, -1, OWN_RETAIL, -1)
        tele_dir = self._person("director", vp, -1, TELESALES, -1)
        b2b_dir = self._person("director", vp, -1, B2B_FIELD, -1)
        indirect_dir = self._person("director", vp, -1, -1, -1)

        # Own retail: a regional manager per region, stores by population, reps per store.
        region_managers = [
            self._person("manager", retail_dir, r, OWN_RETAIL, -1) for r in range(len(REGIONS))
        ]
        store_counts = _spread(s.own_stores, _POPULATION)
        for region, count in enumerate(store_counts):
            for n in range(count):
                store = self._outlet(f"Store {self._town(region)} {n + 1}", OWN_RETAIL, -1, region)
                for _ in range(s.retail_reps_per_store):
                    rep = self._person("rep", region_managers[region], region, OWN_RETAIL, -1)
                    self._point(OWN_RETAIL, store, -1, rep, region)

        # Telesales: three call-centre sites, teams of about a dozen agents; national reach.
        sites = [
            self._outlet(f"Call centre {REGIONS[r].towns[0]}", TELESALES, -1, r)
            for r in (0, 3, 2)  # Vienna, Styria, Upper Austria
        ]
        teams = max(1, -(-s.call_centre_agents // 12))
        leaders = [self._person("manager", tele_dir, self._outlet_region[sites[t % 3]], TELESALES, -1)
                   for t in range(teams)]  # fmt: skip
        for agent in range(s.call_centre_agents):
            team = agent % teams
            site = sites[team % 3]
            person = self._person("rep", leaders[team], self._outlet_region[site], TELESALES, -1)
            self._point(TELESALES, site, -1, person, -1)

        # B2B field sales: regional account executives, no outlet.
        b2b_regions = self._region_cycle(s.b2b_account_executives)
        b2b_managers = [self._person("manager", b2b_dir, -1, B2B_FIELD, -1)
                        for _ in range(max(1, -(-s.b2b_account_executives // 10)))]  # fmt: skip
        for n, region in enumerate(b2b_regions):
            person = self._person("rep", b2b_managers[n % len(b2b_managers)], region, B2B_FIELD, -1)
            self._point(B2B_FIELD, -1, -1, person, region)

        # Indirect channels: channel account managers (an overlay; they capture no sale).
        cam_managers = [self._person("manager", indirect_dir, -1, FRANCHISE, -1),
                        self._person("manager", indirect_dir, -1, MASTER_AGENT, -1)]  # fmt: skip
        for n in range(s.channel_account_reps):
            self._person("rep", cam_managers[n % 2], -1, (FRANCHISE, MASTER_AGENT)[n % 2], -1)

        # Online self-service: web shop and app, no person.
        for name in ("Web shop", "Self-service app"):
            self._point(ONLINE, self._outlet(name, ONLINE, -1, -1), -1, -1, -1)

        # Master agents -> dealers -> sub-dealers (three levels of genealogy).
        selling: list[tuple[int, int]] = []  # (partner, channel) of partners with shops and staff
        dealer_regions = self._region_cycle(s.master_agents * s.dealers_per_master_agent)
        dealer_no = 0
        for _ in range(s.master_agents):
            agent = self._partner(f"{self._word()} Telecom Distribution GmbH", "master_agent", "gold",
                                  MASTER_AGENT, -1, None)  # fmt: skip
            for _ in range(s.dealers_per_master_agent):
                region = dealer_regions[dealer_no]
                dealer_no += 1
                dealer = self._partner(
                    f"{self._word()} Handy & Internet {LEGAL_FORMS[dealer_no % 3]}",
                    "dealer",
                    self._tier((0.2, 0.4, 0.4)),
                    MASTER_AGENT,
                    region,
                    agent,
                )
                selling.append((dealer, MASTER_AGENT))
                for _ in range(s.sub_dealers_per_dealer):
                    sub = self._partner(f"Mobilfunk Shop {self._town(region)} {len(self.partners) + 1}",
                                        "sub_dealer", self._tier((0.05, 0.25, 0.7)), SUB_DEALER, region,
                                        dealer)  # fmt: skip
                    selling.append((sub, SUB_DEALER))
        for region in self._region_cycle(s.franchisees):
            franchisee = self._partner(f"Telekom Partner {self._town(region)} {len(self.partners) + 1}",
                                       "franchisee", self._tier((0.3, 0.4, 0.3)), FRANCHISE, region,
                                       None)  # fmt: skip
            selling.append((franchisee, FRANCHISE))
        for n in range(s.wholesale_resellers):
            reseller = self._partner(f"{self._word()} Mobile (MVNO {n + 1})", "wholesale_reseller",
                                     self._tier((0.4, 0.4, 0.2)), WHOLESALE, -1, None)  # fmt: skip
            self._point(WHOLESALE, -1, reseller, -1, -1)
        for n in range(s.marketplaces):
            market = self._partner(f"{('Shopwelt', 'Elektromarkt', 'Kaufhaus')[n % 3]} Marketplace",
                                   "marketplace", "silver", MARKETPLACE, -1, None)  # fmt: skip
            storefront = self._outlet(f"{self.partners.rows[market]['name']} storefront", MARKETPLACE,
                                      market, -1)  # fmt: skip
            self._point(MARKETPLACE, storefront, market, -1, -1)

        # Every selling partner: one or two shops, a shop manager and one to three reps.
        for n, (partner, channel) in enumerate(selling):
            region = self._partner_region[partner]
            name = self.partners.rows[partner]["name"]
            shops = [self._outlet(f"{name} shop {k + 1}", channel, partner, region)
                     for k in range(1 + (n % 4 == 0))]  # fmt: skip
            manager = self._person("manager", None, region, channel, partner)
            for k in range(1 + n % 3):
                rep = self._person("rep", manager, region, channel, partner)
                self._point(channel, shops[k % len(shops)], partner, rep, region)

    def sales_points(self) -> SalesPoints:
        columns = np.array(self._points, dtype=np.int64).T
        return SalesPoints(
            channel=columns[0],
            outlet=columns[1],
            partner=columns[2],
            person=columns[3],
            region=columns[4],
        )


def _build_parties(*, scale: DemoScale, rng: np.random.Generator, ids: SeededUuids) -> Parties:
    n = scale.customers
    region = rng.choice(len(REGIONS), size=n, p=_POPULATION / _POPULATION.sum()).astype(np.int64)
    segment = rng.choice(len(SEGMENTS), size=n, p=np.array(SEGMENT_SHARES)).astype(np.int64)
    credit = rng.choice(len(CREDIT_CLASSES), size=n, p=np.array(CREDIT_SHARES)).astype(np.int64)
    is_prospect = rng.random(n) < PROSPECT_SHARE
    name_seed = rng.integers(0, 2**31, size=n, dtype=np.int64)
    customer_ids = ids.many(n)

    extra = int(n * UNATTACHED_PREMISE_SHARE)
    premise_region = np.concatenate(
        [region, rng.choice(len(REGIONS), size=extra, p=_POPULATION / _POPULATION.sum())]
    ).astype(np.int64)
    premise_customer = np.concatenate([np.arange(n), np.full(extra, -1)]).astype(np.int64)
    urban_share = np.array([spec.urban_share for spec in REGIONS])
    urban = rng.random(premise_region.size) < urban_share[premise_region]
    probabilities = np.where(urban[:, None], np.array(_URBAN_TECH), np.array(_RURAL_TECH))
    bits = rng.random(probabilities.shape) < probabilities
    tech = (bits * (1 << np.arange(len(TECHNOLOGIES)))).sum(axis=1).astype(np.int64)
    # Every address can get some fixed access: fixed wireless where nothing else reaches.
    tech = np.where(tech & (FIBRE | DSL | FWA) == 0, tech | FWA | FIVE_G, tech)
    return Parties(
        customer_ids=customer_ids,
        segment=segment,
        is_prospect=is_prospect,
        region=region,
        credit=credit,
        name_seed=name_seed,
        premise_ids=ids.many(premise_region.size),
        premise_region=premise_region,
        premise_customer=premise_customer,
        premise_tech=tech,
        premise_address_seed=rng.integers(0, 2**31, size=premise_region.size, dtype=np.int64),
    )


def customer_rows(reference: Reference, *, now: datetime, batch_size: int) -> Iterator[list[Row]]:
    parties = reference.parties
    region_ids = reference.regions.ids[1:]
    for start in range(0, parties.customers, batch_size):
        rows: list[Row] = []
        for i in range(start, min(start + batch_size, parties.customers)):
            segment = int(parties.segment[i])
            rows.append(
                {
                    "id": parties.customer_ids[i],
                    "code": f"CU{i + 1:07d}",
                    "name": _party_name(segment, int(parties.name_seed[i]), int(parties.region[i])),
                    "kind": "prospect" if parties.is_prospect[i] else "customer",
                    "segment": SEGMENTS[segment],
                    "region_id": region_ids[int(parties.region[i])],
                    "credit_class": CREDIT_CLASSES[int(parties.credit[i])],
                    "customer_since": parties.customer_since[i],
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        yield rows


def premise_rows(reference: Reference, *, now: datetime, batch_size: int) -> Iterator[list[Row]]:
    parties = reference.parties
    region_ids = reference.regions.ids[1:]
    for start in range(0, parties.premises, batch_size):
        rows: list[Row] = []
        for i in range(start, min(start + batch_size, parties.premises)):
            owner = int(parties.premise_customer[i])
            region = int(parties.premise_region[i])
            mask = int(parties.premise_tech[i])
            rows.append(
                {
                    "id": parties.premise_ids[i],
                    "code": f"PR{i + 1:07d}",
                    "customer_id": None if owner < 0 else parties.customer_ids[owner],
                    "region_id": region_ids[region],
                    "address": _address(int(parties.premise_address_seed[i]), region),
                    "technologies": ",".join(
                        t for b, t in enumerate(TECHNOLOGIES) if mask >> b & 1
                    ),
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        yield rows


def _party_name(segment: int, seed: int, region: int) -> str:
    if SEGMENTS[segment] == "consumer":
        return f"{FIRST_NAMES[seed % len(FIRST_NAMES)]} {LAST_NAMES[seed // 97 % len(LAST_NAMES)]}"
    if SEGMENTS[segment] == "public_sector":
        towns = REGIONS[region].towns
        return f"{PUBLIC_BODIES[seed % len(PUBLIC_BODIES)]} {towns[seed // 7 % len(towns)]}"
    word = BUSINESS_WORDS[seed % len(BUSINESS_WORDS)]
    trade = BUSINESS_TRADES[seed // 31 % len(BUSINESS_TRADES)]
    legal = "AG" if SEGMENTS[segment] == "enterprise" else LEGAL_FORMS[seed // 7 % len(LEGAL_FORMS)]
    return f"{word} {trade} {legal}"


def _address(seed: int, region: int) -> str:
    spec = REGIONS[region]
    street = STREETS[seed % len(STREETS)]
    number = seed // 101 % 180 + 1
    postcode = spec.postcode_from + seed // 7 % (spec.postcode_to - spec.postcode_from + 1)
    town = spec.towns[seed // 13 % len(spec.towns)]
    return f"{street} {number}, {postcode} {town}"
