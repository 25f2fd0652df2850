"""Every new channel and partner form is refused without the session's CSRF token, and the
navigation offers the new pages to those who may open them."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from salesdev.db.models import ChannelAgreement, ChannelAuthorisation, OnboardingCase
from salesdev.runtime import Runtime
from tests.integration.web.channel_world import build_world
from tests.integration.web.conftest import ConsoleClient
from tests.integration.web.pages import main_text

CSRF_PAGE = "This form has expired or did not come from this site, so nothing was changed."


def _counts(runtime: Runtime) -> list[int]:
    with runtime.session_factory() as s:
        return [s.scalar(select(func.count()).select_from(m)) or 0
                for m in (ChannelAuthorisation, OnboardingCase, ChannelAgreement)]  # fmt: skip


def test_new_forms_without_the_token_are_refused_and_change_nothing(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime)
    case = console.post(
        "/onboarding/new", data={"partner": str(world.acme)}, follow_redirects=False
    )
    case_href = case.headers["location"]
    with runtime.session_factory() as s:
        authorisation = s.scalars(select(ChannelAuthorisation).limit(1)).one()
    before = _counts(runtime)
    attempts = [
        ("/channels/authorisations/new", {"channel": str(world.channel), "offering": "MOB-10",
                                          "valid_from": "2026-11-01"}),
        (f"/channels/authorisations/{authorisation.id}/end", {"valid_to": "2026-12-01"}),
        (f"/channels/authorisations/{authorisation.id}/withdraw", {}),
        ("/onboarding/new", {"partner": str(world.rival)}),
        (f"{case_href}/advance", {"to_state": "due_diligence"}),
        (f"{case_href}/check", {"code": "credit_check", "evidence": "x"}),
        (f"{case_href}/approve", {}),
        (f"{case_href}/reject", {"comment": "no"}),
        ("/agreements/new", {"partner": str(world.acme), "name": "X"}),
    ]  # fmt: skip
    for url, data in attempts:
        response = console.post(url, data=data, csrf=None, follow_redirects=False)

        assert response.status_code == 403, url
        assert CSRF_PAGE in main_text(response.text)

    assert _counts(runtime) == before
    with runtime.session_factory() as s:
        assert s.scalars(select(OnboardingCase)).one().state == "application"
        assert s.get(ChannelAuthorisation, authorisation.id).valid_to is None  # type: ignore[union-attr]


def test_the_navigation_lists_the_new_pages_in_their_sections(console: ConsoleClient) -> None:
    nav = re.search(r'<nav id="site-nav".*?</nav>', console.get("/onboarding").text, re.S)
    assert nav is not None
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', nav.group(0))

    assert ("/channels/authorisations", "Authorisations") in links
    assert ("/channels/catalogue", "Catalogue browsing") in links
    assert ("/channels/sales", "Channel sales") in links
    assert ("/onboarding", "On-boarding") in links and ("/agreements", "Agreements") in links
    assert '<a href="/onboarding" aria-current="page">' in nav.group(0)
