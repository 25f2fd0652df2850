"""Benchmark: full-catalogue qualification (TMF679) through the HTTP API, against baselines.

    .venv/bin/python benchmarks/qualification.py [--database-url URL] [--requests 200]

Builds one channel with 2,000 authorised offerings in 20 families, with list prices, a
customer with an installed base, a premise, and 242 eligibility rules (2 for every
offering, 40 per family, 200 per offering; customer and premise rules), then measures
``POST /tmf-api/productOfferingQualification/v4/productOfferingQualification`` without
items (the channel's whole catalogue, 2,000 items answered and stored) through FastAPI's
TestClient (in-process ASGI: routing, authentication, the transaction, JSON; no socket).

Baselines in the same run: ``GET /healthz`` (the HTTP stack alone), the service call
without HTTP and without storing (``qualify_offerings``), and the service that stores
(``create_qualification``). Also: a cold first qualification (nothing compiled yet) and
the same request with 5 items, and the whole-catalogue POST through a real server
(``salesdev serve``, uvicorn) on loopback with one keep-alive connection. Prints p50/p95/p99 in ms and the ratios; the last line is
one JSON object. Without --database-url the database is a temporary SQLite file; a
PostgreSQL URL gets a fresh schema, dropped after.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime
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
    Customer,
    Premise,
    ProductFamily,
    ProductOffering,
    ProductOfferingPrice,
    SalesChannel,
)
from salesdev.db.models.customers import InstalledProduct
from salesdev.db.models.selling import EligibilityRule
from salesdev.db.session import make_engine, make_session_factory, unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.identity import create_api_token, create_user
from salesdev.domains.qualification import (
    QualificationRequest,
    create_qualification,
    forget_all,
    qualify_offerings,
)
from salesdev.runtime import Runtime

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NOW = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)
START = datetime(2026, 1, 1, tzinfo=UTC)
OFFERINGS, FAMILIES = 2_000, 20
POQ = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"
ROOT = Path(__file__).resolve().parent.parent


def _rule(i: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "code": f"R{i:04d}",
        "name": f"Rule {i}",
        "description": "",
        "product_offering_id": None,
        "product_family_id": None,
        "valid_from": START,
        "valid_to": None,
        "created_at": NOW,
        "updated_at": NOW,
        "version": 1,
        **fields,
    }


def build(factory: Any) -> dict[str, Any]:
    """The data set, bulk-inserted; returns the ids the measurements use."""
    families = [uuid.uuid4() for _ in range(FAMILIES)]
    offerings = [uuid.uuid4() for _ in range(OFFERINGS)]
    channel, customer, premise = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    stamp = {"created_at": NOW, "updated_at": NOW, "version": 1}
    with unit_of_work(factory) as session:
        session.execute(
            insert(ProductFamily),
            [{"id": f, "code": f"F{i:02d}", "name": f"Family {i}", "line_of_business": "x", **stamp}
             for i, f in enumerate(families)],
        )  # fmt: skip
        session.execute(
            insert(ProductOffering),
            [
                {"id": o, "code": f"PO{i:05d}", "name": f"Offering {i}",
                 "family_id": families[i % FAMILIES], "is_bundle": False,
                 "lifecycle_status": "Active" if i % 50 else "Retired", "currency": "EUR",
                 "valid_from": START, "valid_to": None, **stamp}
                for i, o in enumerate(offerings)
            ],
        )  # fmt: skip
        session.execute(
            insert(ProductOfferingPrice),
            [
                {"id": uuid.uuid4(), "product_offering_id": o, "name": "Monthly",
                 "price_type": "recurring", "recurring_period_type": "month",
                 "recurring_period_length": 1, "amount": Decimal(i % 90) + Decimal("0.99"),
                 "currency": "EUR", "valid_from": START, "lifecycle_status": "Active", **stamp}
                for i, o in enumerate(offerings)
            ],
        )  # fmt: skip
        session.execute(
            insert(SalesChannel),
            [{"id": channel, "code": "BIG", "name": "Big channel", "channel_type": "online",
              "parent_id": None, "status": "active", **stamp}],
        )  # fmt: skip
        session.execute(
            insert(ChannelAuthorisation),
            [
                {"id": uuid.uuid4(), "channel_id": channel, "partner_id": None,
                 "product_offering_id": o, "valid_from": START, "valid_to": None,
                 "prerequisites": [], "status": "active", **stamp}
                for o in offerings
            ],
        )  # fmt: skip
        session.execute(
            insert(Customer),
            [{"id": customer, "code": "C1", "name": "Customer", "kind": "customer",
              "segment": "consumer", "credit_class": "B", "age_band": "35-44",
              "customer_since": date(2021, 3, 1), **stamp}],
        )  # fmt: skip
        session.execute(
            insert(Premise),
            [{"id": premise, "code": "PR1", "customer_id": customer, "address": "1 Main St",
              "technologies": "fibre,dsl", **stamp}],
        )  # fmt: skip
        session.execute(
            insert(InstalledProduct),
            [{"id": uuid.uuid4(), "customer_id": customer, "product_offering_id": offerings[i],
              "premise_id": None, "valid_from": START, "valid_to": None, **stamp}
             for i in (1, 2, 3)],
        )  # fmt: skip
        rules = [
            _rule(0, kind="customer", applies_to="all", reason_code="KIND",
                  label="Customers only",
                  condition={"attribute": "customer.kind", "op": "eq", "value": "customer"}),
            _rule(1, kind="customer", applies_to="all", reason_code="TENURE",
                  label="Tenure", condition={"any": [
                      {"attribute": "offering.family", "op": "ne", "value": "F19"},
                      {"attribute": "customer.tenure_months", "op": "ge", "value": 60}]}),
        ]  # fmt: skip
        for i, family in enumerate(families):
            rules.append(
                _rule(10 + i, kind="premise", applies_to="family", product_family_id=family,
                      reason_code="TECHNOLOGY", label="Technology at the address",
                      condition={"attribute": "premise.technologies", "op": "contains_any",
                                 "value": ["fibre", "5g"] if i % 4 else ["fwa"]}),
            )  # fmt: skip
            rules.append(
                _rule(40 + i, kind="customer", applies_to="family", product_family_id=family,
                      reason_code="SEGMENT", label="Segment",
                      condition={"all": [
                          {"attribute": "customer.segment", "op": "in",
                           "value": ["consumer", "small_business"]},
                          {"attribute": "customer.credit_class", "op": "in",
                           "value": ["A", "B", "C"] if i % 5 else ["A"]}]}),
            )  # fmt: skip
        for i in range(200):
            rules.append(
                _rule(100 + i, kind="customer", applies_to="offering",
                      product_offering_id=offerings[i * 10], reason_code="BASE_PRODUCT",
                      label="Needs a base product",
                      condition={"attribute": "customer.products", "op": "contains_any",
                                 "value": ["PO00001", "PO00777"]} if i % 3 else
                      {"attribute": "customer.age_band", "op": "in", "value": ["55-64", "65+"]}),
            )  # fmt: skip
        session.execute(insert(EligibilityRule), rules)
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
        "channel": channel,
        "customer": customer,
        "premise": premise,
        "offerings": offerings,
        "rules": len(rules),
        "token": token,
    }


def start_server(database_url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``salesdev serve`` (uvicorn, one process) on a free loopback port, once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    env = {
        **os.environ,
        "SALESDEV_DATABASE_URL": database_url,
        "SALESDEV_DATA_DIR": str(data_dir),
        "SALESDEV_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "salesdev"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server, port
        except OSError:
            if server.poll() is not None:
                message = server.stderr.read().decode() if server.stderr else ""
                raise RuntimeError(message) from None
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def loopback_call(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    token: str,
    payload: dict[str, Any] | None = None,
) -> Callable[[], Any]:
    data = json.dumps(payload).encode() if payload is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    expected = 201 if method == "POST" else 200

    def call() -> bytes:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read()
        assert response.status == expected, content[:300]
        return content

    return call


def body(ids: dict[str, Any], offerings: list[uuid.UUID] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "channel": {"id": str(ids["channel"])},
        "relatedParty": [{"id": str(ids["customer"]), "@referredType": "Customer"}],
        "place": [{"id": str(ids["premise"])}],
    }
    if offerings:
        request["productOfferingQualificationItem"] = [
            {"productOffering": {"id": str(o)}} for o in offerings
        ]
    return request


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
    gc.collect()
    gc.freeze()
    results: dict[str, Any] = {
        "backend": engine.dialect.name,
        "setup_seconds": round(setup_seconds, 1),
        "offerings": OFFERINGS,
        "rules": ids["rules"],
    }

    def service() -> Any:
        with runtime.session_factory() as session:
            outcomes = qualify_offerings(
                session, principal=SYSTEM, channel_id=ids["channel"], customer_id=ids["customer"],
                premise_id=ids["premise"], at=NOW,
            )  # fmt: skip
            assert len(outcomes) == OFFERINGS
            return outcomes

    def stored() -> Any:
        with unit_of_work(runtime.session_factory) as session:
            return create_qualification(
                session,
                principal=SYSTEM,
                request=QualificationRequest(
                    channel_id=ids["channel"], customer_id=ids["customer"],
                    premise_id=ids["premise"],
                ),
                now=NOW,
            )  # fmt: skip

    forget_all()
    cold = time.perf_counter()
    outcomes = service()
    results["cold_service_ms"] = round((time.perf_counter() - cold) * 1000, 2)
    results["qualified_items"] = sum(1 for o in outcomes if o.qualified)
    with TestClient(app, headers={"Authorization": f"Bearer {ids['token']}"}) as client:

        def full() -> Any:
            response = client.post(POQ, json=body(ids))
            assert response.status_code == 201, response.text
            return response

        few = body(ids, ids["offerings"][:5])

        def five() -> Any:
            response = client.post(POQ, json=few)
            assert response.status_code == 201, response.text
            return response

        def healthz() -> Any:
            response = client.get("/healthz")
            assert response.status_code == 200
            return response

        sample = full()
        results["response_bytes"] = len(sample.content)
        assert len(sample.json()["productOfferingQualificationItem"]) == OFFERINGS
        results["http_full_catalogue"] = measure(full, count)
        results["http_five_items"] = measure(five, count)
        results["baseline_healthz"] = measure(healthz, count)
    # The same through a real server (uvicorn) on loopback, one keep-alive connection.
    with tempfile.TemporaryDirectory() as data_dir:
        server, port = start_server(database_url, Path(data_dir))
        try:
            loopback = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            token = str(ids["token"])
            results["loopback_full_catalogue"] = measure(
                loopback_call(loopback, "POST", POQ, token, body(ids)), count
            )
            results["loopback_healthz"] = measure(
                loopback_call(loopback, "GET", "/healthz", token), count
            )
            loopback.close()
        finally:
            stop_server(server)
    results["baseline_service"] = measure(service, count)
    results["baseline_service_stored"] = measure(stored, count)
    http_p95 = results["http_full_catalogue"]["p95"]
    results["ratio_http_vs_service_p95"] = round(http_p95 / results["baseline_service"]["p95"], 2)
    results["ratio_http_vs_stored_service_p95"] = round(
        http_p95 / results["baseline_service_stored"]["p95"], 2
    )
    results["ratio_http_vs_healthz_p95"] = round(http_p95 / results["baseline_healthz"]["p95"], 2)
    results["ratio_loopback_vs_service_p95"] = round(
        results["loopback_full_catalogue"]["p95"] / results["baseline_service"]["p95"], 2
    )
    results["meets_50ms_p95"] = http_p95 <= 50
    results["loopback_meets_50ms_p95"] = results["loopback_full_catalogue"]["p95"] <= 50
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
    print(
        f"full-catalogue qualification ({results['backend']}, {results['offerings']} offerings, "
        f"{results['rules']} rules, {args.requests} requests each, ms)"
    )
    for key in ("http_full_catalogue", "http_five_items", "baseline_healthz",
                "loopback_full_catalogue", "loopback_healthz",
                "baseline_service", "baseline_service_stored"):  # fmt: skip
        figures = results[key]
        print(
            f"  {key:26} p50 {figures['p50']:7.2f}  p95 {figures['p95']:7.2f}  p99 {figures['p99']:7.2f}"
        )
    print(
        f"  cold first service call {results['cold_service_ms']} ms; response "
        f"{results['response_bytes']} bytes; HTTP/service p95 x{results['ratio_http_vs_service_p95']}"
        f", HTTP/stored service p95 x{results['ratio_http_vs_stored_service_p95']}; "
        f"p95 <= 50 ms: TestClient {results['meets_50ms_p95']}, "
        f"loopback {results['loopback_meets_50ms_p95']}"
    )
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
