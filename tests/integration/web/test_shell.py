"""The console shell: every capability in the navigation, the unbuilt ones saying so."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from salesdev.web.nav import SECTIONS, Section
from tests.integration.web.pages import main_text

PLANNED = [s for s in SECTIONS if not s.built]


def test_navigation_lists_every_capability_and_marks_the_planned_ones(console: TestClient) -> None:
    html = console.get("/").text
    nav = re.search(r'<nav id="site-nav".*?</nav>', html, re.S)
    assert nav is not None

    titles = [s.title for s in SECTIONS]
    assert titles == [
        "Dashboard", "Catalogue", "Channels", "Partners", "Organisation", "Customers", "Selling",
        "Pricing & eligibility", "Compensation", "Targets", "Training & certification",
        "Prospecting", "Selling playbooks", "Accounts", "Insights", "Jobs", "Administration",
    ]  # fmt: skip
    for section in SECTIONS:
        assert f'href="{section.href}"' in nav.group(0)
    assert nav.group(0).count("not built yet") == len(PLANNED)


@pytest.mark.parametrize("section", PLANNED, ids=lambda s: s.key)
def test_a_section_not_built_yet_says_so_and_what_will_be_there(
    console: TestClient, section: Section
) -> None:
    response = console.get(section.href)

    assert response.status_code == 200
    page = main_text(response.text)
    assert "This part of salesdev is not built yet." in page
    assert f"What will be here: {section.summary}" in page
    assert f'<a href="{section.href}" aria-current="page">' in response.text


def test_pages_have_landmarks_a_skip_link_and_labelled_inputs(console: TestClient) -> None:
    for url in ("/", "/partners", "/partners/new", "/jobs"):
        html = console.get(url).text
        assert '<a class="skip-link" href="#main">' in html
        assert '<main id="main"' in html and "<header" in html and 'aria-label="Main"' in html
        for input_id in re.findall(r'<(?:input|select) [^>]*id="([^"]+)"', html):
            assert f'for="{input_id}"' in html, f"{url}: #{input_id} has no label"


def test_the_active_page_is_marked_current_in_the_navigation(console: TestClient) -> None:
    html = console.get("/sales-people").text

    assert '<a href="/sales-people" aria-current="page">Sales people</a>' in html
    assert 'class="nav-item is-active"' in html


def test_section_overview_links_its_pages_with_counts(console: TestClient) -> None:
    page = main_text(console.get("/catalogue").text)

    assert "Product families 0" in page and "Product offerings 0" in page


def test_static_assets_are_served(console: TestClient) -> None:
    css = console.get("/static/console.css")
    js = console.get("/static/console.js")

    assert css.status_code == 200 and ":focus-visible" in css.text
    assert js.status_code == 200
