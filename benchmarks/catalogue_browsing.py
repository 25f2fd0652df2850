"""Benchmark: offer catalogue browsing through the HTTP API, against baselines in the same run.

    .venv/bin/python benchmarks/catalogue_browsing.py [--database-url URL] [--requests 200]

Builds 5,000 offerings (500 bundles of 2-4 components) with their list prices, 200
channels, 1,000 partners and 20,000 authorisation rows (bulk inserts), then measures
``GET /tmf-api/salesDevelopment/v1/salesChannel/{id}/sellableOffering`` (default page,
limit 100) for the largest channel (the whole catalogue) and a typical channel (about
75 offerings, with a partner), through FastAPI's TestClient (in-process ASGI: the full
HTTP stack of the app, authentication, transaction and JSON, without a socket).

Baselines, measured the same way in the same run: ``GET /healthz`` (the HTTP stack alone),
an authenticated trivial API read (``GET .../salesChannel/{id}``: authentication and one
transaction) and the service call without HTTP (``sellable_offerings``). Prints
p50/p95/p99 and the ratios; the last line is one JSON object. Without --database-url the
database is a temporary SQLite file; a PostgreSQL URL gets a fresh schema, dropped after.
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from _measure import measure
from fastapi import FastAPI
from sqlalchemy import insert, text

from salesdev.api import install_api
from salesdev.core.clock import FixedClock
from salesdev.core.settings import Settings
from salesdev.db.migrate import upgrade
from salesdev.db.models import (
    ChannelAuthorisation,
    Partner,
    ProductFamily,
    ProductOffering,
    ProductOfferingBundleItem,
    ProductOfferingPrice,
    SalesChannel,
)
from salesdev.db.session import make_engine, make_session_factory, unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.authorisation import sellable_offerings
from salesdev.domains.identity import create_api_token, create_user
from salesdev.runtime import Runtime

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NOW = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)
START = datetime(2026, 1, 1, tzinfo=UTC)
OFFERINGS, BUNDLES, CHANNELS, PARTNERS, AUTHORISATIONS = 5_000, 500, 200, 1_000, 20_000
BASE = "/tmf-api/salesDevelopment/v1"


def build(factory: Any) -> dict[str, uuid.UUID]:
    """The data set, bulk-inserted; returns the ids the measurements use."""
    families = [uuid.uuid4() for _ in range(10)]
    offerings = [uuid.uuid4() for _ in range(OFFERINGS)]
    channels = [uuid.uuid4() for _ in range(CHANNELS)]
    partners = [uuid.uuid4() for _ in range(PARTNERS)]
    stamp = {"created_at": NOW, "updated_at": NOW, "version": 1}
    with unit_of_work(factory) as session:
        session.execute(
            insert(ProductFamily),
            [
                {"id": f, "code": f"F{i}", "name": f"Family {i}", "line_of_business": "mobile", **stamp}
                for i, f in enumerate(families)
            ],
        )  # fmt: skip
        session.execute(
            insert(ProductOffering),
            [
                {
                    "id": o,
                    "code": f"PO{i:05d}",
                    "name": f"Offering {i}",
                    "family_id": families[i % 10],
                    "is_bundle": i < BUNDLES,
                    "lifecycle_status": "Active",
                    "currency": "EUR",
                    "valid_from": START,
                    "valid_to": None,
                    **stamp,
                }
                for i, o in enumerate(offerings)
            ],
        )
        # List prices: every offering a monthly charge, six in seven a one-time charge too.
        price = {"currency": "EUR", "valid_from": START, "lifecycle_status": "Active", **stamp}
        session.execute(
            insert(ProductOfferingPrice),
            [
                {
                    "id": uuid.uuid4(),
                    "product_offering_id": o,
                    "name": "Monthly charge",
                    "price_type": "recurring",
                    "recurring_period_type": "month",
                    "recurring_period_length": 1,
                    "amount": Decimal(i % 90) + Decimal("0.99"),
                    **price,
                }
                for i, o in enumerate(offerings)
            ]
            + [
                {
                    "id": uuid.uuid4(),
                    "product_offering_id": o,
                    "name": "One-time charge",
                    "price_type": "oneTime",
                    "recurring_period_type": None,
                    "recurring_period_length": None,
                    "amount": Decimal(i % 7 * 10),
                    **price,
                }
                for i, o in enumerate(offerings)
                if i % 7
            ],
        )
        session.execute(
            insert(ProductOfferingBundleItem),
            [
                {
                    "id": uuid.uuid4(),
                    "bundle_id": offerings[b],
                    "component_id": offerings[BUNDLES + (b * 7 + k * 13) % (OFFERINGS - BUNDLES)],
                    "position": k + 1,
                }
                for b in range(BUNDLES)
                for k in range(2 + b % 3)
            ],
        )
        session.execute(
            insert(SalesChannel),
            [
                {"id": c, "code": f"CH{i:03d}", "name": f"Channel {i}", "channel_type": "franchise_dealer",
                 "parent_id": None, "status": "active", **stamp}
                for i, c in enumerate(channels)
            ],
        )  # fmt: skip
        session.execute(
            insert(Partner),
            [
                {"id": p, "code": f"P{i:04d}", "name": f"Partner {i}", "partner_type": "dealer",
                 "tier": "gold", "parent_id": None, "channel_id": channels[i % CHANNELS],
                 "region_id": None, "status": "active", **stamp}
                for i, p in enumerate(partners)
            ],
        )  # fmt: skip
        rows: list[dict[str, Any]] = []

        def grant(channel: uuid.UUID, offering: uuid.UUID, partner: uuid.UUID | None) -> None:
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "channel_id": channel,
                    "partner_id": partner,
                    "product_offering_id": offering,
                    "valid_from": START,
                    "valid_to": None,
                    "prerequisites": [],
                    "status": "active",
                    **stamp,
                }
            )

        # Channel 0 may sell the whole catalogue; the others about 75 offerings each,
        # channel-wide, plus a few rows of their partners.
        for offering in offerings:
            grant(channels[0], offering, None)
        per_channel = (AUTHORISATIONS - OFFERINGS) // (CHANNELS - 1)
        for c in range(1, CHANNELS):
            for k in range(per_channel):
                partner = partners[c] if k % 10 == 0 else None
                grant(channels[c], offerings[(c * 131 + k * 61) % OFFERINGS], partner)
        while len(rows) < AUTHORISATIONS:
            c = 1 + len(rows) % (CHANNELS - 1)
            grant(channels[c], offerings[(len(rows) * 17) % OFFERINGS], partners[c + CHANNELS])
        session.execute(insert(ChannelAuthorisation), rows)
        user = create_user(
            session,
            principal=SYSTEM,
            login="bench",
            display_name="bench",
            password="Correct-Horse-Battery-9",
            roles=["admin"],
            now=NOW,
        )
        token, _ = create_api_token(session, principal=SYSTEM, user_id=user.id, name="b", now=NOW)
    return {
        "large": channels[0],
        "typical": channels[7],
        "typical_partner": partners[7],
        "token": token,  # type: ignore[dict-item]
    }


def http_get(client: TestClient, url: str, expected_items: int | None = None) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(url)
        assert response.status_code == 200, response.text
        if expected_items is not None:
            assert int(response.headers["X-Result-Count"]) == expected_items
        return response

    return call


def service_call(
    runtime: Runtime, channel: uuid.UUID, partner: uuid.UUID | None
) -> Callable[[], Any]:
    def call() -> Any:
        with runtime.session_factory() as session:
            return sellable_offerings(
                session, principal=SYSTEM, channel_id=channel, partner_id=partner, at=NOW,
                limit=100,
            )  # fmt: skip

    return call


def run(database_url: str, count: int) -> dict[str, Any]:
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    ids = build(factory)
    setup_seconds = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    runtime = Runtime(
        settings=Settings(environment="test", database_url=database_url),
        engine=engine,
        session_factory=factory,
        clock=FixedClock(NOW),
    )
    app = FastAPI()
    install_api(app, runtime)
    # As `salesdev serve` does once started (server.create_app): objects alive after
    # start-up are kept out of the collector's full passes.
    gc.collect()
    gc.freeze()
    token = str(ids["token"])
    results: dict[str, Any] = {
        "backend": engine.dialect.name,
        "setup_seconds": round(setup_seconds, 1),
    }
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        browse = f"{BASE}/salesChannel/{{}}/sellableOffering"
        large = http_get(client, browse.format(ids["large"]), 100)
        typical_url = browse.format(ids["typical"]) + f"?partner.id={ids['typical_partner']}"
        typical = http_get(client, typical_url)
        results["typical_items"] = int(typical().headers["X-Result-Count"])
        results["large_total"] = int(large().headers["X-Total-Count"])
        results["http_large"] = measure(large, count)
        results["http_typical"] = measure(typical, count)
        results["baseline_healthz"] = measure(http_get(client, "/healthz"), count)
        results["baseline_api_read"] = measure(
            http_get(client, f"{BASE}/salesChannel/{ids['large']}"), count
        )
    results["baseline_service_large"] = measure(service_call(runtime, ids["large"], None), count)
    results["baseline_service_typical"] = measure(
        service_call(runtime, ids["typical"], ids["typical_partner"]), count
    )
    for kind in ("large", "typical"):
        http = results[f"http_{kind}"]["p95"]
        results[f"ratio_{kind}_vs_service_p95"] = round(
            http / results[f"baseline_service_{kind}"]["p95"], 2
        )
        results[f"ratio_{kind}_vs_api_read_p95"] = round(
            http / results["baseline_api_read"]["p95"], 2
        )
        results[f"{kind}_meets_50ms_p95"] = http <= 50
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if args.database_url.startswith("postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(args.database_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in args.database_url else "?"
        try:
            results = run(
                f"{args.database_url}{separator}options=-csearch_path%3D{schema}", args.requests
            )
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as workdir:
            url = args.database_url or f"sqlite:///{Path(workdir) / 'bench.db'}"
            results = run(url, args.requests)
    print(f"catalogue browsing over HTTP ({results['backend']}, {args.requests} requests each, ms)")
    for key in ("http_large", "http_typical", "baseline_healthz", "baseline_api_read",
                "baseline_service_large", "baseline_service_typical"):  # fmt: skip
        figures = results[key]
        print(
            f"  {key:26} p50 {figures['p50']:7.2f}  p95 {figures['p95']:7.2f}  p99 {figures['p99']:7.2f}"
        )
    for kind in ("large", "typical"):
        print(
            f"  {kind}: HTTP/service p95 x{results[f'ratio_{kind}_vs_service_p95']}, "
            f"HTTP/trivial API read p95 x{results[f'ratio_{kind}_vs_api_read_p95']}, "
            f"p95 <= 50 ms: {results[f'{kind}_meets_50ms_p95']}"
        )
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
