"""The REST API (TMF630 conventions): the toolkit, health checks, docs and resources.

Every route but the health checks, the API description, the docs and the token
endpoint needs a bearer token (see ``toolkit.security``).
"""

from __future__ import annotations

from fastapi import FastAPI

from salesdev.api.agreements import channel_agreement_resource, install_agreement_actions
from salesdev.api.authorisations import channel_authorisation_resource
from salesdev.api.browsing import install_catalogue_browsing
from salesdev.api.catalog import product_catalog_api
from salesdev.api.compensation import compensation_resources, install_compensation_actions
from salesdev.api.credit_splits import install_credit_splits
from salesdev.api.docs import install_docs
from salesdev.api.eligibility import eligibility_rule_resource
from salesdev.api.guidance import install_guidance_actions, recommendation_rule_resource
from salesdev.api.health import install_health
from salesdev.api.identity import identity_api, install_audit_verification
from salesdev.api.oauth2 import install_token_endpoint
from salesdev.api.onboarding import install_onboarding_actions, partner_onboarding_resource
from salesdev.api.partner_contacts import partner_contact_resource
from salesdev.api.party import install_party_api
from salesdev.api.payouts import install_payout_details
from salesdev.api.platform import (
    install_delivery_retry,
    job_resource,
    notification_delivery_resource,
)
from salesdev.api.pricing import (
    install_pricing_actions,
    price_guard_rail_resource,
    price_list_resource,
    price_list_version_resource,
    pricing_rule_resource,
)
from salesdev.api.qualification import install_qualification, qualification_api
from salesdev.api.sales_development import sales_development_api
from salesdev.api.settlement import install_settlement
from salesdev.api.toolkit import install_error_handlers, install_resources
from salesdev.api.toolkit.routes import index_routes
from salesdev.api.toolkit.security import install_security
from salesdev.runtime import Runtime


def install_api(app: FastAPI, runtime: Runtime) -> None:
    install_error_handlers(app)
    guard = install_security(app, runtime)
    install_health(app, runtime)
    install_docs(app)
    install_token_endpoint(app, runtime)
    sales = sales_development_api().add(
        job_resource(),
        notification_delivery_resource(),
        channel_authorisation_resource(),
        partner_onboarding_resource(),
        channel_agreement_resource(),
        partner_contact_resource(),
        price_list_resource(),
        price_list_version_resource(),
        pricing_rule_resource(),
        price_guard_rail_resource(),
        eligibility_rule_resource(),
        recommendation_rule_resource(),
        *compensation_resources(),
    )
    install_resources(app, guard, sales)
    install_delivery_retry(app, guard, sales)
    install_catalogue_browsing(app, guard, sales)
    install_onboarding_actions(app, guard, sales)
    install_agreement_actions(app, guard, sales)
    install_payout_details(app, guard, sales)
    install_pricing_actions(app, guard, sales)
    install_settlement(app, guard, sales)
    install_guidance_actions(app, guard, sales)
    install_compensation_actions(app, guard, sales)
    install_credit_splits(app, guard, sales)
    install_party_api(app, guard)
    install_qualification(app, guard, qualification_api())
    install_resources(app, guard, product_catalog_api())
    identity = identity_api()
    install_resources(app, guard, identity)
    install_audit_verification(app, guard, identity)
    index_routes(app)


__all__ = ["install_api"]
