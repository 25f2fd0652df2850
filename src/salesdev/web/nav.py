"""The console's map: every Sales Development capability (eTOM 1.1.5), built or not.

Reference-data pages are found by entity kind, so a capability that declares a new
kind gets its list, detail and form pages by adding the kind to a section here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from salesdev.domains.access import Action, Family, Principal
from salesdev.domains.reference import ENTITY_KINDS, EntityKind


def kind_slug(kind: EntityKind) -> str:
    """URL segment of a kind's pages, from its plural label: ``Sales people`` -> ``sales-people``."""
    return kind.plural.lower().replace(" ", "-")


@dataclass(frozen=True)
class NavPage:
    title: str
    href: str
    # Who sees the page in the navigation: those granted ``action`` on ``family``.
    family: Family | None = None
    action: Action = "read"

    def visible_to(self, principal: Principal) -> bool:
        return self.family is None or principal.can(self.family, self.action)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    href: str
    built: bool
    # One sentence: what the section is for (shown on its page while it is not built).
    summary: str
    pages: tuple[NavPage, ...] = ()
    family: Family | None = None

    def visible_to(self, principal: Principal) -> bool:
        """Planned sections show to everyone; built ones to those who may read a page of them."""
        if not self.built:
            return True
        if self.pages:
            return any(page.visible_to(principal) for page in self.pages)
        return self.family is None or principal.can(self.family, "read")

    def for_principal(self, principal: Principal) -> Section:
        """The section with only the pages ``principal`` may open."""
        pages = tuple(page for page in self.pages if page.visible_to(principal))
        return replace(self, pages=pages)

    def is_active(self, path: str) -> bool:
        if self.href == "/":
            return path == "/"
        hrefs = [self.href, *(page.href for page in self.pages)]
        return any(path == href or path.startswith(href + "/") for href in hrefs)


def _kind_pages(*kinds: str) -> tuple[NavPage, ...]:
    return tuple(
        NavPage(ENTITY_KINDS[k].plural, "/" + kind_slug(ENTITY_KINDS[k]), ENTITY_KINDS[k].family)
        for k in kinds
    )


def _built(key: str, title: str, summary: str, *kinds: str) -> Section:
    pages = _kind_pages(*kinds)
    if len(pages) == 1:
        return Section(key, title, pages[0].href, True, summary, (), pages[0].family)
    return Section(key, title, f"/{key}", True, summary, pages)


def _planned(key: str, title: str, summary: str) -> Section:
    return Section(key, title, f"/{key}", False, summary)


SECTIONS: tuple[Section, ...] = (
    Section(
        "dashboard",
        "Dashboard",
        "/",
        True,
        "Headline sales figures, sales by channel and top products.",
    ),
    Section(
        "catalogue",
        "Catalogue",
        "/catalogue",
        True,
        "Catalogs and their categories, product specifications, product families and the "
        "product offerings with their bundles, terms and prices (TMF620).",
        (
            NavPage("Catalogs", "/catalogs", Family.CATALOG),
            *_kind_pages("product_family", "product_offering"),
            NavPage("Product specifications", "/product-specifications", Family.CATALOG),
        ),
    ),
    Section(
        "channels",
        "Channels",
        "/channels",
        True,
        "Sales channels, their hierarchy, the outlets that sell through them, what each may "
        "sell, and which channels drive the orders.",
        (
            *_kind_pages("sales_channel", "outlet"),
            NavPage("Authorisations", "/channels/authorisations", Family.CHANNELS),
            NavPage("Catalogue browsing", "/channels/catalogue", Family.CHANNELS),
            NavPage("Channel sales", "/channels/sales", Family.CHANNELS),
        ),
    ),
    Section(
        "partners",
        "Partners",
        "/partners",
        True,
        "Dealers, master agents, franchisees and wholesale resellers, their on-boarding and "
        "their channel agreements.",
        (
            *_kind_pages("partner"),
            NavPage("On-boarding", "/onboarding", Family.PARTNERS),
            NavPage("Agreements", "/agreements", Family.PARTNERS),
        ),
    ),
    _built(
        "organisation",
        "Organisation",
        "Sales regions and the people of the sales organisation.",
        "region",
        "sales_person",
    ),
    _built(
        "customers",
        "Customers",
        "Customers, prospects and the premises where service is delivered.",
        "customer",
        "premise",
    ),
    # Guided selling has a section of its own: it is the agents' daily tool (reps and
    # partner users see it), while "Pricing & eligibility" is maintained by channel and
    # product managers.
    Section(
        "selling",
        "Selling",
        "/selling",
        True,
        "Sell to a customer: the offerings they qualify for, ranked and priced with the "
        "reason to offer them, and the rules that rank them.",
        (
            NavPage("Sell to this customer", "/selling", Family.SELLING),
            NavPage("Recommendation rules", "/selling/rules", Family.PRICING),
        ),
    ),
    Section(
        "pricing",
        "Pricing & eligibility",
        "/pricing",
        True,
        "Channel price lists, pricing rules with guard-rails, and customer and premise "
        "eligibility rules with an explainable qualification.",
        (
            NavPage("Price lists", "/pricing/price-lists", Family.PRICING),
            NavPage("Guard-rails", "/pricing/guard-rails", Family.PRICING),
            NavPage("Price-change simulation", "/pricing/simulation", Family.PRICING),
            NavPage("Price check", "/pricing/price-check", Family.SELLING),
            NavPage("Eligibility rules", "/pricing/eligibility-rules", Family.PRICING),
            NavPage("Qualify offerings", "/pricing/qualification", Family.SELLING),
        ),
    ),
    Section(
        "compensation",
        "Compensation",
        "/compensation",
        True,
        "Incentive compensation plans, crediting, calculation runs, statements, disputes "
        "and payouts.",
        (
            NavPage("Plans", "/compensation/plans", Family.COMPENSATION),
            NavPage("Quotas", "/compensation/quotas", Family.COMPENSATION),
            NavPage("Credit splits", "/compensation/splits", Family.COMPENSATION),
            NavPage("Runs", "/compensation/runs", Family.COMPENSATION),
            NavPage("Ledger", "/compensation/ledger", Family.COMPENSATION),
            NavPage("What-if", "/compensation/what-if", Family.COMPENSATION),
            NavPage("Statements", "/compensation/statements", Family.STATEMENTS),
            NavPage("Disputes", "/compensation/disputes", Family.STATEMENTS),
            NavPage("Settlement and payouts", "/compensation/settlement", Family.COMPENSATION),
        ),
    ),
    _planned(
        "targets",
        "Targets",
        "Revenue targets by product family, channel, region and period, with allocation "
        "and attainment tracking.",
    ),
    _planned(
        "training",
        "Training & certification",
        "Courses and curricula per product and role, certifications with expiry, and "
        "readiness gates.",
    ),
    _planned(
        "prospecting",
        "Prospecting",
        "Ideal-customer-profile rules, segmentation and scored, explained leads routed to "
        "channels.",
    ),
    _planned(
        "playbooks",
        "Selling playbooks",
        "Sales playbooks with stages, entry and exit criteria, checklists, and the "
        "opportunities that follow them.",
    ),
    _planned(
        "accounts",
        "Accounts",
        "Account tiers, coverage model, assignment rules and territories, and account plans.",
    ),
    _planned(
        "insights",
        "Insights",
        "Monitoring of sales and channel practice: attainment, cost of sale, win rates, "
        "partner scorecards and launch readiness.",
    ),
    Section(
        "jobs",
        "Jobs",
        "/jobs",
        True,
        "Long-running work (imports, calculations, demo loads) with its progress.",
        family=Family.JOBS,
    ),
    Section(
        "admin",
        "Administration",
        "/admin",
        True,
        "Users and their roles, the audit trail, and notification deliveries.",
        (
            NavPage("Users", "/admin/users", Family.USERS),
            NavPage("Audit trail", "/admin/audit", Family.AUDIT),
            NavPage("Notifications", "/admin/notifications", Family.NOTIFICATIONS, "write"),
        ),
    ),
)


def sections_for(principal: Principal) -> tuple[Section, ...]:
    """The navigation as ``principal`` sees it: only sections and pages they may open."""
    return tuple(s.for_principal(principal) for s in SECTIONS if s.visible_to(principal))


def section(key: str) -> Section:
    return next(s for s in SECTIONS if s.key == key)


def section_of_kind(kind: EntityKind) -> Section | None:
    href = "/" + kind_slug(kind)
    return next(
        (s for s in SECTIONS if s.href == href or any(p.href == href for p in s.pages)), None
    )
