"""Every operation of the published API, for every role: allowed or 403, as GRANTS says.

The operations come from /openapi.json, so a new endpoint is in the matrix the day it is
published; it must also be added to EXPECTED (its permission family), or this fails.
"Allowed" means neither 401 nor 403 (a 400 for an empty body or a 409 is fine);
"denied" means exactly 403.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from salesdev.db.query import ListQuery
from salesdev.db.session import unit_of_work
from salesdev.domains.access import GRANTS, SYSTEM, Family, Role
from salesdev.domains.agreements import create_agreement
from salesdev.domains.audit import list_events
from salesdev.domains.authorisation import authorise_offering
from salesdev.domains.catalog import (
    CatalogInput,
    CategoryInput,
    PriceInput,
    SpecificationInput,
    add_price,
    create_catalog,
    create_category,
    create_specification,
)
from salesdev.domains.identity import create_api_token
from salesdev.domains.jobs import create_job
from salesdev.domains.notifications import publish_event, subscribe
from salesdev.domains.onboarding import open_onboarding_case
from salesdev.domains.partners import add_partner_contact, set_payout_details
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, IDENTITY, TestClient, bearer, new_token
from tests.integration.authorisation.builders import commission_plan
from tests.integration.security.conftest import World

CATALOG = "/tmf-api/productCatalogManagement/v4"
PARTY = "/tmf-api/party/v4"
PARTY_ROLE = "/tmf-api/partyRoleManagement/v4"
POQ = "/tmf-api/productOfferingQualification/v4"
PUBLIC = {"/healthz", "/readyz", "/oauth2/token"}

# Path -> the permission family it belongs to; None: any signed-in principal (the service
# narrows to their own rows). GET needs read; POST, PATCH and DELETE need write.
EXPECTED: dict[str, Family | None] = {
    f"{BASE}/region": Family.ORGANISATION,
    f"{BASE}/region/{{id}}": Family.ORGANISATION,
    f"{BASE}/productFamily": Family.CATALOG,
    f"{BASE}/productFamily/{{id}}": Family.CATALOG,
    f"{BASE}/salesChannel": Family.CHANNELS,
    f"{BASE}/salesChannel/{{id}}": Family.CHANNELS,
    f"{BASE}/salesChannel/{{id}}/sellableOffering": Family.CHANNELS,
    f"{BASE}/channelAuthorisation": Family.CHANNELS,
    f"{BASE}/channelAuthorisation/{{id}}": Family.CHANNELS,
    f"{BASE}/partnerOnboarding": Family.PARTNERS,
    f"{BASE}/partnerOnboarding/{{id}}": Family.PARTNERS,
    f"{BASE}/partnerOnboarding/{{id}}/transition": Family.PARTNERS,
    f"{BASE}/partnerOnboarding/{{id}}/approval": Family.PARTNERS,
    f"{BASE}/partnerOnboarding/{{id}}/checklistItem": Family.PARTNERS,
    f"{BASE}/partnerOnboarding/{{id}}/checklistItem/{{code}}": Family.PARTNERS,
    f"{BASE}/partnerOnboarding/{{id}}/history": Family.PARTNERS,
    f"{BASE}/channelAgreement": Family.PARTNERS,
    f"{BASE}/channelAgreement/{{id}}": Family.PARTNERS,
    f"{BASE}/channelAgreement/{{id}}/transition": Family.PARTNERS,
    f"{BASE}/channelAgreement/{{id}}/version": Family.PARTNERS,
    f"{BASE}/channelAgreement/{{id}}/version/{{n}}": Family.PARTNERS,
    f"{BASE}/channelAgreement/{{id}}/diff": Family.PARTNERS,
    f"{BASE}/partner": Family.PARTNERS,
    f"{BASE}/partner/{{id}}": Family.PARTNERS,
    f"{BASE}/partner/{{id}}/payoutDetails": Family.PAYOUTS,
    f"{BASE}/partnerContact": Family.PARTNERS,
    f"{BASE}/partnerContact/{{id}}": Family.PARTNERS,
    f"{PARTY}/organization": Family.PARTNERS,
    f"{PARTY}/organization/{{id}}": Family.PARTNERS,
    f"{PARTY_ROLE}/partyRole": Family.PARTNERS,
    f"{PARTY_ROLE}/partyRole/{{id}}": Family.PARTNERS,
    f"{BASE}/outlet": Family.CHANNELS,
    f"{BASE}/outlet/{{id}}": Family.CHANNELS,
    f"{BASE}/salesPerson": Family.ORGANISATION,
    f"{BASE}/salesPerson/{{id}}": Family.ORGANISATION,
    f"{BASE}/customer": Family.CUSTOMERS,
    f"{BASE}/customer/{{id}}": Family.CUSTOMERS,
    f"{BASE}/premise": Family.CUSTOMERS,
    f"{BASE}/premise/{{id}}": Family.CUSTOMERS,
    f"{BASE}/job": Family.JOBS,
    f"{BASE}/job/{{id}}": Family.JOBS,
    f"{BASE}/notificationDelivery": Family.NOTIFICATIONS,
    f"{BASE}/notificationDelivery/{{id}}": Family.NOTIFICATIONS,
    f"{BASE}/notificationDelivery/{{id}}/retry": Family.NOTIFICATIONS,
    f"{BASE}/hub": Family.NOTIFICATIONS,
    f"{BASE}/hub/{{id}}": Family.NOTIFICATIONS,
    **{
        f"{CATALOG}/{name}{suffix}": Family.CATALOG
        for name in (
            "catalog",
            "category",
            "productSpecification",
            "productOffering",
            "productOfferingPrice",
        )
        for suffix in ("", "/{id}")
    },
    f"{CATALOG}/hub": Family.NOTIFICATIONS,
    f"{CATALOG}/hub/{{id}}": Family.NOTIFICATIONS,
    f"{IDENTITY}/user": Family.USERS,
    f"{IDENTITY}/user/{{id}}": Family.USERS,
    f"{IDENTITY}/apiToken": None,
    f"{IDENTITY}/apiToken/{{id}}": None,
    f"{IDENTITY}/auditEvent": Family.AUDIT,
    f"{IDENTITY}/auditEvent/{{id}}": Family.AUDIT,
    f"{IDENTITY}/auditVerification": Family.AUDIT,
    # Compensation plans, assignments, quotas, runs, the ledger and what-if
    # (api/compensation.py): sales operations' (a preview or what-if calculates: write).
    f"{BASE}/compensationPlan": Family.COMPENSATION,
    f"{BASE}/compensationPlan/{{id}}": Family.COMPENSATION,
    f"{BASE}/compensationPlan/{{id}}/version": Family.COMPENSATION,
    f"{BASE}/compensationPlan/{{id}}/version/{{n}}": Family.COMPENSATION,
    f"{BASE}/compensationPlan/{{id}}/version/{{n}}/transition": Family.COMPENSATION,
    f"{BASE}/compensationPlan/{{id}}/version/{{n}}/preview": Family.COMPENSATION,
    f"{BASE}/planAssignment": Family.COMPENSATION,
    f"{BASE}/planAssignment/{{id}}": Family.COMPENSATION,
    f"{BASE}/quota": Family.COMPENSATION,
    f"{BASE}/quota/{{id}}": Family.COMPENSATION,
    f"{BASE}/compensationRun": Family.COMPENSATION,
    f"{BASE}/compensationRun/{{id}}": Family.COMPENSATION,
    f"{BASE}/compensationRun/{{id}}/rejectedEvent": Family.COMPENSATION,
    f"{BASE}/creditSplit": Family.COMPENSATION,
    f"{BASE}/ledgerEntry": Family.COMPENSATION,
    f"{BASE}/ledgerEntry/{{id}}": Family.COMPENSATION,
    f"{BASE}/whatIf": Family.COMPENSATION,
    # Compensation settlement (api/settlement.py): statements and disputes are the payees'
    # (statements); moving a dispute and everything else is sales operations' (compensation).
    f"{BASE}/compensationStatement": Family.STATEMENTS,
    f"{BASE}/compensationStatement/{{id}}": Family.STATEMENTS,
    f"{BASE}/compensationStatement/{{id}}/line/{{key}}": Family.STATEMENTS,
    f"{BASE}/compensationDispute": Family.STATEMENTS,
    f"{BASE}/compensationDispute/{{id}}": Family.STATEMENTS,
    f"{BASE}/compensationDispute/{{id}}/history": Family.STATEMENTS,
    f"{BASE}/compensationDispute/{{id}}/comment": Family.STATEMENTS,
    f"{BASE}/compensationDispute/{{id}}/transition": Family.COMPENSATION,
    f"{BASE}/compensationAdjustment": Family.COMPENSATION,
    f"{BASE}/compensationAdjustment/{{id}}": Family.COMPENSATION,
    f"{BASE}/compensationAdjustment/{{id}}/decision": Family.COMPENSATION,
    f"{BASE}/compensationDraw": Family.COMPENSATION,
    f"{BASE}/compensationDraw/{{id}}": Family.COMPENSATION,
    f"{BASE}/compensationHold": Family.COMPENSATION,
    f"{BASE}/compensationHold/{{id}}": Family.COMPENSATION,
    f"{BASE}/compensationHold/{{id}}/release": Family.COMPENSATION,
    f"{BASE}/compensationPeriod": Family.COMPENSATION,
    f"{BASE}/compensationPeriod/{{id}}": Family.COMPENSATION,
    f"{BASE}/compensationPeriod/{{id}}/transition": Family.COMPENSATION,
    f"{BASE}/compensationPeriod/{{id}}/amountDue": Family.COMPENSATION,
    f"{BASE}/compensationPeriod/{{id}}/reconciliation": Family.COMPENSATION,
    f"{BASE}/payoutBatch": Family.COMPENSATION,
    f"{BASE}/payoutBatch/{{id}}": Family.COMPENSATION,
    f"{BASE}/payoutBatch/{{id}}/payroll": Family.COMPENSATION,
    f"{BASE}/payoutBatch/{{id}}/payables": Family.PAYOUTS,
    # Channel price lists, versions, rules, guard-rails and resolution (api/pricing.py).
    f"{BASE}/priceList": Family.PRICING,
    f"{BASE}/priceList/{{id}}": Family.PRICING,
    f"{BASE}/priceListVersion": Family.PRICING,
    f"{BASE}/priceListVersion/{{id}}": Family.PRICING,
    f"{BASE}/priceListVersion/{{id}}/transition": Family.PRICING,
    f"{BASE}/priceListVersion/{{id}}/entry": Family.PRICING,
    f"{BASE}/pricingRule": Family.PRICING,
    f"{BASE}/pricingRule/{{id}}": Family.PRICING,
    f"{BASE}/priceGuardRail": Family.PRICING,
    f"{BASE}/priceGuardRail/{{id}}": Family.PRICING,
    f"{BASE}/priceResolution": Family.SELLING,
    # Guided selling and price-change simulation (api/guidance.py).
    f"{BASE}/recommendationRule": Family.PRICING,
    f"{BASE}/recommendationRule/{{id}}": Family.PRICING,
    f"{BASE}/recommendation": Family.SELLING,
    f"{BASE}/priceSimulation": Family.PRICING,
    # Eligibility rules (api/eligibility.py) and TMF679 qualification (api/qualification.py).
    f"{BASE}/eligibilityRule": Family.PRICING,
    f"{BASE}/eligibilityRule/{{id}}": Family.PRICING,
    f"{POQ}/productOfferingQualification": Family.SELLING,
    f"{POQ}/productOfferingQualification/{{id}}": Family.SELLING,
    f"{POQ}/hub": Family.NOTIFICATIONS,
    f"{POQ}/hub/{{id}}": Family.NOTIFICATIONS,
}

# Beyond GRANTS, rules of the partners services (domains/partners/access.py): a partner
# user maintains its own partner's contacts and reads its own partner's payout details.
SERVICE_RULES: dict[tuple[str, str], frozenset[Role]] = {
    **{
        (f"{BASE}/partnerContact{suffix}", method): frozenset({Role.PARTNER_USER})
        for suffix, methods in (("", ("POST",)), ("/{id}", ("PATCH", "DELETE")))
        for method in methods
    },
    (f"{BASE}/partner/{{id}}/payoutDetails", "GET"): frozenset({Role.PARTNER_USER}),
}

# Which existing row an item path is tried on: one every scoped role can see, so that a
# refusal can only come from the permission, never from the row scope.
ROWS = {
    "region": "region",
    "productFamily": "family",
    "productOffering": "offering",
    "salesChannel": "channel",
    "partner": "P1",
    "organization": "P1",
    "partyRole": "P1",
    "outlet": "O1",
    "salesPerson": "R1",
    "customer": "customer",
    "premise": "premise",
}


def published_operations(client: TestClient) -> list[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (path, method.upper())
        for path, operations in paths.items()
        if path not in PUBLIC
        for method in operations
    ]


def platform_rows(runtime: Runtime, world: World) -> dict[str, str]:
    """A job, a listener with one queued delivery, a spare admin token, an audit event."""
    with unit_of_work(runtime.session_factory) as session:
        job = create_job(session, kind="demo.load", params={}, requested_by="test", now=T0)
        subscription = subscribe(
            session,
            principal=SYSTEM,
            api="salesDevelopment",
            callback="http://127.0.0.1:9/l",
            query="",
            now=T0,
        )
        (delivery,) = publish_event(
            session,
            api="salesDevelopment",
            resource_type="region",
            event_type="RegionCreateEvent",
            resource={"id": "x"},
            now=T0,
        )
        _, spare = create_api_token(
            session, principal=SYSTEM, user_id=world.users["admin"], name="spare", now=T0
        )
        event = list_events(session, principal=SYSTEM, query=ListQuery(limit=1)).items[0]
        return {
            "job": str(job.id),
            "hub": str(subscription.id),
            "notificationDelivery": str(delivery.id),
            "apiToken": str(spare.id),
            "auditEvent": str(event.id),
            "user": str(world.users["auditor"]),
        }


def partnering_rows(runtime: Runtime, world: World) -> dict[str, str]:
    """Rows every scoped role can see: a channel-wide authorisation of P1's channel, and
    P1's on-boarding case, agreement, contact and payout details."""
    with unit_of_work(runtime.session_factory) as session:
        authorisation = authorise_offering(
            session,
            principal=SYSTEM,
            channel_id=world.ids["channel"],
            product_offering_id=world.ids["offering"],
            valid_from=T0,
            now=T0,
        )
        case = open_onboarding_case(session, principal=SYSTEM, partner_id=world.ids["P1"], now=T0)
        commission_plan(session, "STD")
        agreement = create_agreement(
            session,
            principal=SYSTEM,
            partner_id=world.ids["P1"],
            terms={
                "name": "P1 2027",
                "validFor": {"startDateTime": "2027-01-01T00:00:00Z"},
                "commissionScheduleRef": "STD",
                "paymentTermsDays": 30,
            },
            now=T0,
        )
        contact = add_partner_contact(
            session,
            principal=SYSTEM,
            partner_id=world.ids["P1"],
            name="Pia",
            role="sales",
            email="pia@p1.example",
            now=T0,
        )
        set_payout_details(
            session,
            principal=SYSTEM,
            partner_id=world.ids["P1"],
            payee_name="Partner P1",
            iban="DE89 3704 0044 0532 0130 00",
            tax_id="DE123",
            currency="EUR",
            payment_terms_days=30,
            now=T0,
        )
        catalog = create_catalog(
            session, principal=SYSTEM, catalog=CatalogInput(name="Consumer", valid_from=T0), now=T0
        )
        category = create_category(
            session, principal=SYSTEM, category=CategoryInput(name="Mobile", valid_from=T0), now=T0
        )
        specification = create_specification(
            session,
            principal=SYSTEM,
            specification=SpecificationInput(name="SIM", product_number="S1", valid_from=T0),
            now=T0,
        )
        price = add_price(
            session,
            principal=SYSTEM,
            offering_id=world.ids["offering"],
            price=PriceInput(
                name="Monthly",
                price_type="recurring",
                valid_from=T0,
                amount="10",
                currency="EUR",
                recurring_period_type="month",
            ),
            now=T0,
        )
        return {
            "catalog": str(catalog.id),
            "category": str(category.id),
            "productSpecification": str(specification.id),
            "productOfferingPrice": str(price.id),
            "channelAuthorisation": str(authorisation.id),
            "partnerOnboarding": str(case.id),
            "channelAgreement": str(agreement.id),
            "partnerContact": str(contact.id),
        }


def settlement_rows() -> dict[str, str]:
    """Ids for the settlement paths: rows that do not exist answer 404 to those allowed (the
    permission is checked first, so those refused get 403); a period always exists."""
    missing = "00000000-0000-4000-8000-000000000001"
    return {
        "compensationStatement": f"2026-10_{missing}",
        "compensationDispute": missing,
        "compensationAdjustment": missing,
        "compensationDraw": missing,
        "compensationHold": missing,
        "compensationPeriod": "2026-10",
        "payoutBatch": missing,
    }


def compensation_rows(runtime: Runtime) -> dict[str, str]:
    """Ids for the compensation paths: a plan assigned to reps (a PATCH reads its row before
    the write permission); rows that do not exist answer 404 to those allowed (the
    permission is checked first, so those refused get 403)."""
    from salesdev.domains.compensation import assign_plan, create_plan

    missing = "00000000-0000-4000-8000-000000000002"
    with unit_of_work(runtime.session_factory) as session:
        plan = create_plan(session, principal=SYSTEM, code="REPS", name="Reps",
                           payee_type="sales_person", currency="EUR", now=T0)  # fmt: skip
        assignment = assign_plan(session, principal=SYSTEM, plan_id=plan.id, scope="role",
                                 target="rep", valid_from=T0, now=T0)  # fmt: skip
        rows = {"compensationPlan": str(plan.id), "planAssignment": str(assignment.id)}
    return {**dict.fromkeys(("quota", "compensationRun", "ledgerEntry"), missing), **rows}


def guidance_rows(runtime: Runtime, world: World) -> dict[str, str]:
    """A recommendation rule every role may read (or is refused by permission alone)."""
    from salesdev.domains.guidance import create_recommendation_rule

    with unit_of_work(runtime.session_factory) as session:
        rule = create_recommendation_rule(
            session,
            principal=SYSTEM,
            values={
                "name": "Always",
                "family": str(world.ids["family"]),
                "score": "1",
                "reason": "Always",
                "condition": {"all": []},
                "valid_from": T0,
            },
            now=T0,
        )
        return {"recommendationRule": str(rule.id)}


def qualification_rows(runtime: Runtime, world: World) -> dict[str, str]:
    """An eligibility rule not yet in force (so an allowed DELETE succeeds) and a stored
    qualification asked by the system: unscoped roles see it, scoped ones get 404."""
    from salesdev.domains.eligibility import RuleInput, create_rule
    from salesdev.domains.qualification import QualificationRequest, create_qualification

    with unit_of_work(runtime.session_factory) as session:
        rule = create_rule(
            session,
            principal=SYSTEM,
            rule=RuleInput(
                code="ALWAYS",
                name="Always",
                kind="customer",
                applies_to="all",
                condition={"all": []},
                reason_code="ALWAYS",
                label="Always",
                valid_from=datetime(2030, 1, 1, tzinfo=UTC),
            ),
            now=T0,
        )
        qualification = create_qualification(
            session,
            principal=SYSTEM,
            request=QualificationRequest(
                channel_id=world.ids["channel"], offering_ids=[world.ids["offering"]]
            ),
            now=T0,
        )
        return {
            "eligibilityRule": str(rule.id),
            "productOfferingQualification": str(qualification.id),
        }


# Values for the other placeholders of item paths.
SUB_ROWS = {"{code}": "credit_check", "{n}": "1", "{key}": "revenue/-/revenue"}


def url_for(path: str, rows: dict[str, str]) -> str:
    if "{id}" not in path:
        return path
    resource = path.split("/")[4]
    url = path.replace("{id}", rows[resource])
    for placeholder, value in SUB_ROWS.items():
        url = url.replace(placeholder, value)
    return url


def allowed(
    roles: frozenset[Role], family: Family | None, method: str, read_only: bool, path: str = ""
) -> bool:
    action = "read" if method == "GET" else "write"
    if action == "write" and read_only:
        return False
    if roles & SERVICE_RULES.get((path, method), frozenset()):
        return True
    return family is None or any(action in GRANTS[r].get(family, ()) for r in roles)


def test_every_published_operation_has_an_expected_permission(anonymous: TestClient) -> None:
    published = {path for path, _ in published_operations(anonymous)}
    assert sorted(published - set(EXPECTED)) == [], "add new endpoints to EXPECTED"
    assert sorted(set(EXPECTED) - published) == [], "EXPECTED names endpoints that are gone"


def pricing_rows(runtime: Runtime, world: World) -> dict[str, str]:
    """A channel-wide price list of P1's channel (every scoped role sees it), a draft version
    with one rule, and a channel guard-rail."""
    from salesdev.domains.pricing import (
        GuardRailInput,
        PriceListInput,
        create_guard_rail,
        create_price_list,
        create_rule,
        create_version,
    )

    with unit_of_work(runtime.session_factory) as session:
        channel = uuid_of(world.ids["channel"])
        price_list = create_price_list(
            session,
            principal=SYSTEM,
            values=PriceListInput(name="Dealers", channel_id=channel, currency="EUR"),
            now=T0,
        )
        version = create_version(
            session, principal=SYSTEM, price_list_id=price_list.id, valid_from=T0, now=T0
        )
        rule = create_rule(
            session,
            principal=SYSTEM,
            version_id=version.id,
            values={
                "name": "Promo",
                "kind": "discount",
                "method": "percentage",
                "value": "5",
                "appliesTo": "both",
                "target": "all",
                "stacking": "stackable",
            },
            now=T0,
        )
        guard_rail = create_guard_rail(
            session,
            principal=SYSTEM,
            values=GuardRailInput(channel_id=channel, valid_from=T0, max_discount_percent="40"),
            now=T0,
        )
        return {
            "priceList": str(price_list.id),
            "priceListVersion": str(version.id),
            "pricingRule": str(rule.id),
            "priceGuardRail": str(guard_rail.id),
        }


def uuid_of(value: Any) -> Any:
    import uuid

    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


@pytest.mark.slow
def test_each_role_is_allowed_exactly_what_grants_says(
    anonymous: TestClient, runtime: Runtime, world: World
) -> None:
    rows = {
        **{name: world.id(row) for name, row in ROWS.items()},
        **platform_rows(runtime, world),
        **partnering_rows(runtime, world),
        **settlement_rows(),
        **compensation_rows(runtime),
        **guidance_rows(runtime, world),
        **qualification_rows(runtime, world),
        **pricing_rows(runtime, world),
    }
    principals: list[tuple[str, frozenset[Role], bool, str]] = [
        (role.value, frozenset({role}), False, world.tokens[role.value]) for role in Role
    ]
    read_only = new_token(runtime, world.users["admin"], read_only=True)
    principals.append(("admin (read-only token)", frozenset({Role.ADMIN}), True, read_only))
    # Deletes last and, per operation, refusals first: an allowed DELETE must not remove
    # the row a refusal is checked on.
    operations = sorted(published_operations(anonymous), key=lambda op: op[1] == "DELETE")
    wrong: list[tuple[str, str, str, int]] = []
    checked = 0
    for path, method in operations:
        family = EXPECTED[path]
        ordered = sorted(principals, key=lambda p: allowed(p[1], family, method, p[2], path))
        for name, roles, is_read_only, token in ordered:
            expect_allowed = allowed(roles, family, method, is_read_only, path)
            options: dict[str, Any] = {"headers": bearer(token)}
            if method in ("POST", "PATCH", "PUT"):
                options["json"] = {}
            response = anonymous.request(method, url_for(path, rows), **options)
            checked += 1
            status = response.status_code
            ok = status not in (401, 403) and status < 500 if expect_allowed else status == 403
            if not ok:
                wrong.append((name, method, path, status))
    assert wrong == []
    assert checked == len(operations) * len(principals)
