"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from salesdev.db.models.audit import AuditChainHead, AuditEvent
from salesdev.db.models.catalog import (
    Catalog,
    Category,
    MarketSegment,
    ProductFamily,
    ProductOffering,
    ProductOfferingBundleItem,
    ProductOfferingPrice,
    ProductOfferingTerm,
    ProductSpecification,
    category_offering,
    product_offering_channel,
    product_offering_market_segment,
)
from salesdev.db.models.channels import Outlet, Partner, SalesChannel
from salesdev.db.models.customers import Customer, Premise
from salesdev.db.models.identity import ApiToken, LoginThrottle, OAuthClient, User, WebSession
from salesdev.db.models.organisation import Region, SalesPerson
from salesdev.db.models.partnering import (
    ChannelAgreement,
    ChannelAgreementVersion,
    ChannelAuthorisation,
    OnboardingCase,
    OnboardingChecklistItem,
    OnboardingHistoryEntry,
)
from salesdev.db.models.partners import PartnerContact, PartnerPayout
from salesdev.db.models.platform import HubSubscription, Job, OutboxDelivery

# Capabilities whose models are imported from their own modules; importing them here
# registers their tables on ``Base.metadata``.
from salesdev.db.models import (  # noqa: F401  isort: skip
    compensation,
    guidance,
    pricing,
    selling,
    settlement,
)

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "Catalog",
    "Category",
    "ChannelAgreement",
    "ChannelAgreementVersion",
    "ChannelAuthorisation",
    "Customer",
    "HubSubscription",
    "Job",
    "LoginThrottle",
    "MarketSegment",
    "OAuthClient",
    "OnboardingCase",
    "OnboardingChecklistItem",
    "OnboardingHistoryEntry",
    "OutboxDelivery",
    "Outlet",
    "Partner",
    "PartnerContact",
    "PartnerPayout",
    "Premise",
    "ProductFamily",
    "ProductOffering",
    "ProductOfferingBundleItem",
    "ProductOfferingPrice",
    "ProductOfferingTerm",
    "ProductSpecification",
    "Region",
    "SalesChannel",
    "SalesPerson",
    "User",
    "WebSession",
    "category_offering",
    "product_offering_channel",
    "product_offering_market_segment",
]
