"""Mounts the console on the application: static assets and every console page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI

from salesdev.runtime import Runtime
from salesdev.web.protection import SecuredStaticFiles
from salesdev.web.routing import console_route_class
from salesdev.web.views.account import install_account_pages
from salesdev.web.views.admin import install_admin_pages
from salesdev.web.views.agreements import install_agreement_pages
from salesdev.web.views.audit import install_audit_pages
from salesdev.web.views.authorisations import install_authorisation_pages
from salesdev.web.views.catalogue import install_catalogue_pages
from salesdev.web.views.catalogue_browsing import install_catalogue_browsing
from salesdev.web.views.channel_sales import install_channel_sales
from salesdev.web.views.compensation import install_compensation_pages
from salesdev.web.views.eligibility import install_eligibility_pages
from salesdev.web.views.entities import install_entity_pages
from salesdev.web.views.home import install_home
from salesdev.web.views.jobs import install_job_pages
from salesdev.web.views.notifications import install_notification_pages
from salesdev.web.views.offering import install_offering_pages
from salesdev.web.views.onboarding import install_onboarding_pages
from salesdev.web.views.partner import install_partner_pages
from salesdev.web.views.pricing import install_pricing_pages
from salesdev.web.views.qualification import install_qualification_pages
from salesdev.web.views.rules import install_rule_pages
from salesdev.web.views.sections import install_section_pages
from salesdev.web.views.selling import install_selling_pages
from salesdev.web.views.settlement import install_settlement_pages
from salesdev.web.views.simulation import install_simulation_pages
from salesdev.web.views.statements import install_statement_pages

STATIC_DIR = Path(__file__).parent / "static"


def install_console(app: FastAPI, runtime: Runtime) -> None:
    app.mount("/static", SecuredStaticFiles(directory=STATIC_DIR), name="static")
    # Console pages are HTML for people, not part of the published API description.
    # Every page goes through the console route class: sign-in, errors, security headers.
    router = APIRouter(route_class=console_route_class(runtime), include_in_schema=False)
    install_account_pages(router, runtime)
    install_home(router, runtime)
    install_job_pages(router, runtime)
    install_entity_pages(router, runtime)
    install_offering_pages(router, runtime)
    install_partner_pages(router, runtime)
    install_catalogue_pages(router, runtime)
    install_catalogue_browsing(router, runtime)
    install_authorisation_pages(router, runtime)
    install_channel_sales(router, runtime)
    install_onboarding_pages(router, runtime)
    install_agreement_pages(router, runtime)
    install_admin_pages(router, runtime)
    install_audit_pages(router, runtime)
    install_notification_pages(router, runtime)
    install_selling_pages(router, runtime)
    install_simulation_pages(router, runtime)
    install_rule_pages(router, runtime)
    install_statement_pages(router, runtime)
    install_settlement_pages(router, runtime)
    install_compensation_pages(router, runtime)
    install_eligibility_pages(router, runtime)
    install_pricing_pages(router, runtime)
    install_qualification_pages(router, runtime)
    install_section_pages(router, runtime)
    app.include_router(router)
