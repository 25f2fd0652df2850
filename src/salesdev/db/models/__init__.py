"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from salesdev.db.models.audit import AuditChainHead, AuditEvent
from salesdev.db.models.catalog import ProductFamily, ProductOffering, ProductOfferingBundleItem
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
from salesdev.db.models.platform import HubSubscription, Job, OutboxDelivery

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "ChannelAgreement",
    "ChannelAgreementVersion",
    "ChannelAuthorisation",
    "Customer",
    "HubSubscription",
    "Job",
    "LoginThrottle",
    "OAuthClient",
    "OnboardingCase",
    "OnboardingChecklistItem",
    "OnboardingHistoryEntry",
    "OutboxDelivery",
    "Outlet",
    "Partner",
    "Premise",
    "ProductFamily",
    "ProductOffering",
    "ProductOfferingBundleItem",
    "Region",
    "SalesChannel",
    "SalesPerson",
    "User",
    "WebSession",
]
