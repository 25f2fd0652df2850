"""The demo operator's product catalogue: families, offerings and bundles (EUR)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class FamilySpec:
    code: str
    name: str
    line_of_business: str
    monthly_churn: float
    contract_months: tuple[int, ...]  # possible minimum terms; 0 = no contract
    suspension_rate: float  # share of lines that miss a payment once
    upgrade_rate: float  # share of lines that move up to the next offering
    port_in_rate: float
    needs_premise: bool


FAMILIES: tuple[FamilySpec, ...] = (
    FamilySpec(
        "MOBILE_POSTPAID", "Mobile postpaid", "mobile", 0.012, (12, 24), 0.05, 0.12, 0.30, False
    ),
    FamilySpec("MOBILE_PREPAID", "Mobile prepaid", "mobile", 0.035, (0,), 0.0, 0.0, 0.15, False),
    FamilySpec("FIBRE", "Fibre broadband", "fixed", 0.008, (12, 24), 0.04, 0.10, 0.0, True),
    FamilySpec("DSL", "DSL broadband", "fixed", 0.015, (12, 24), 0.05, 0.06, 0.0, True),
    FamilySpec("FWA", "Fixed wireless access", "fixed", 0.018, (0, 12), 0.05, 0.06, 0.0, True),
    FamilySpec("TV", "TV and entertainment", "tv", 0.020, (12,), 0.04, 0.08, 0.0, True),
    FamilySpec("DEVICE", "Devices and accessories", "devices", 0.0, (0,), 0.0, 0.0, 0.0, False),
    FamilySpec("ADDON", "Add-ons and options", "value_added", 0.030, (0,), 0.0, 0.0, 0.0, False),
    FamilySpec(
        "CONVERGENT", "Convergent bundles", "convergent", 0.006, (24,), 0.03, 0.05, 0.0, True
    ),
)
FAMILY_INDEX = {family.code: i for i, family in enumerate(FAMILIES)}


@dataclass(frozen=True)
class OfferingSpec:
    code: str
    name: str
    family: str
    recurring: Decimal
    one_time: Decimal
    segment: str  # consumer, business or any
    popularity: float
    technology: str = ""  # for fixed access and bundles: fibre, dsl or fwa
    launch_month: int = 0  # calendar month of a launch inside the window (devices), 0 = always sold
    components: tuple[str, ...] = ()  # bundle items, by offering code


def _o(
    code: str,
    name: str,
    family: str,
    recurring: str,
    one_time: str,
    segment: str = "consumer",
    popularity: float = 1.0,
    technology: str = "",
    launch_month: int = 0,
    components: tuple[str, ...] = (),
) -> OfferingSpec:
    return OfferingSpec(
        code,
        name,
        family,
        Decimal(recurring),
        Decimal(one_time),
        segment,
        popularity,
        technology,
        launch_month,
        components,
    )


# Within a family and segment, offerings are listed cheapest first: an upgrade
# moves a line to the next offering of its list.
OFFERINGS: tuple[OfferingSpec, ...] = (
    _o("MP-SENIOR-5", "Senior Talk 5 GB", "MOBILE_POSTPAID", "12.99", "19.99", popularity=0.4),
    _o("MP-S-10", "Mobile S 10 GB", "MOBILE_POSTPAID", "15.99", "19.99", popularity=1.0),
    _o("MP-YOUTH-50", "Youth 50 GB", "MOBILE_POSTPAID", "19.99", "0", popularity=0.6),
    _o("MP-SIMO-40", "SIM Only 40 GB", "MOBILE_POSTPAID", "21.99", "0", popularity=1.2),
    _o("MP-M-30", "Mobile M 30 GB", "MOBILE_POSTPAID", "24.99", "19.99", popularity=1.6),
    _o("MP-L-80", "Mobile L 80 GB", "MOBILE_POSTPAID", "34.99", "19.99", popularity=1.3),
    _o("MP-SIMO-UNL", "SIM Only Unlimited", "MOBILE_POSTPAID", "36.99", "0", popularity=0.7),
    _o("MP-XL-UNL", "Mobile XL Unlimited", "MOBILE_POSTPAID", "44.99", "19.99", popularity=0.8),
    _o("MP-5G-200", "Mobile 5G Ultra 200 GB", "MOBILE_POSTPAID", "49.99", "19.99", popularity=0.4),
    _o("MP-UNL-MAX", "Unlimited Max 5G", "MOBILE_POSTPAID", "59.99", "19.99", popularity=0.3),
    _o("MP-IOT-1", "M2M IoT SIM 1 GB", "MOBILE_POSTPAID", "3.50", "0", "business", 0.5),
    _o("MP-B-S", "Business Mobile S 20 GB", "MOBILE_POSTPAID", "19.00", "0", "business", 1.0),
    _o("MP-B-M", "Business Mobile M 50 GB", "MOBILE_POSTPAID", "29.00", "0", "business", 1.5),
    _o("MP-B-PUB", "Public Sector Mobile 60 GB", "MOBILE_POSTPAID", "31.50", "0", "business", 0.4),
    _o("MP-B-L", "Business Mobile L 100 GB", "MOBILE_POSTPAID", "39.00", "0", "business", 1.0),
    _o("MP-B-FLEET", "Business Fleet Unlimited", "MOBILE_POSTPAID", "49.00", "0", "business", 0.6),
    _o("MP-B-UNL", "Corporate Unlimited Plus", "MOBILE_POSTPAID", "69.00", "0", "business", 0.3),
    _o("PP-TALK", "Prepaid Talk", "MOBILE_PREPAID", "4.99", "9.99", popularity=0.5),
    _o("PP-KIDS", "Prepaid Kids 3 GB", "MOBILE_PREPAID", "7.99", "9.99", popularity=0.4),
    _o("PP-START-5", "Prepaid Start 5 GB", "MOBILE_PREPAID", "9.99", "9.99", popularity=1.5),
    _o("PP-SMART-15", "Prepaid Smart 15 GB", "MOBILE_PREPAID", "14.99", "9.99", popularity=1.2),
    _o("PP-MAX-40", "Prepaid Max 40 GB", "MOBILE_PREPAID", "19.99", "9.99", popularity=0.8),
    _o("PP-TRAVEL", "Prepaid Travel EU 25 GB", "MOBILE_PREPAID", "24.99", "9.99", popularity=0.3),
    _o("PP-DATA-100", "Prepaid Data 100 GB", "MOBILE_PREPAID", "29.99", "9.99", popularity=0.3),
    _o("FB-150", "Fibre 150", "FIBRE", "34.99", "69.00", popularity=0.8, technology="fibre"),
    _o("FB-300", "Fibre 300", "FIBRE", "44.99", "69.00", popularity=1.5, technology="fibre"),
    _o("FB-500", "Fibre 500", "FIBRE", "54.99", "69.00", popularity=1.0, technology="fibre"),
    _o("FB-1000", "Fibre 1000", "FIBRE", "69.99", "69.00", popularity=0.6, technology="fibre"),
    _o(
        "FB-2500",
        "Fibre 2.5 Gbit/s",
        "FIBRE",
        "89.99",
        "69.00",
        popularity=0.15,
        technology="fibre",
    ),
    _o("FB-B-300", "Business Fibre 300", "FIBRE", "59.99", "149.00", "business", 1.2, "fibre"),
    _o("FB-B-1000", "Business Fibre 1000", "FIBRE", "119.99", "149.00", "business", 0.8, "fibre"),
    _o(
        "FB-B-DED",
        "Dedicated Fibre 1 Gbit/s SLA",
        "FIBRE",
        "399.00",
        "990.00",
        "business",
        0.15,
        "fibre",
    ),
    _o("DSL-16", "DSL 16", "DSL", "24.99", "49.00", popularity=0.4, technology="dsl"),
    _o("DSL-50", "DSL 50", "DSL", "29.99", "49.00", popularity=1.0, technology="dsl"),
    _o("DSL-100", "DSL 100", "DSL", "34.99", "49.00", popularity=1.2, technology="dsl"),
    _o("DSL-250", "DSL 250 Vectoring", "DSL", "39.99", "49.00", popularity=0.6, technology="dsl"),
    _o("DSL-B-100", "Business DSL 100", "DSL", "44.99", "99.00", "business", 1.0, "dsl"),
    _o("DSL-B-250", "Business DSL 250", "DSL", "54.99", "99.00", "business", 0.6, "dsl"),
    _o("FWA-LTE", "LTE Home Basic", "FWA", "24.99", "0", popularity=0.5, technology="fwa"),
    _o("FWA-100", "5G Home 100", "FWA", "29.99", "49.00", popularity=1.0, technology="fwa"),
    _o("FWA-300", "5G Home 300", "FWA", "39.99", "49.00", popularity=0.8, technology="fwa"),
    _o("FWA-UNL", "5G Home Unlimited", "FWA", "49.99", "49.00", popularity=0.5, technology="fwa"),
    _o("FWA-B", "Business 5G Office", "FWA", "59.99", "99.00", "business", 1.0, "fwa"),
    _o("TV-KIDS", "TV Kids", "TV", "5.99", "0", popularity=0.3),
    _o("TV-BASIC", "TV Basic", "TV", "9.99", "49.00", popularity=1.2),
    _o("TV-PLUS", "TV Plus", "TV", "19.99", "49.00", popularity=1.0),
    _o("TV-SPORT", "TV Sport", "TV", "29.99", "49.00", popularity=0.6),
    _o("TV-PREMIUM", "TV Premium All-in", "TV", "39.99", "0", popularity=0.3),
    _o("TV-B-HOSP", "Business TV Hospitality", "TV", "79.00", "149.00", "business", 1.0),
    _o("DV-FEATURE", "Feature Phone F2", "DEVICE", "0", "59.00", "any", 0.3),
    _o("DV-BUDGET-X1", "Budget Phone X1", "DEVICE", "0", "149.00", "any", 0.8),
    _o("DV-GALAXIA-A", "Galaxia A 128 GB", "DEVICE", "0", "329.00", "any", 1.4),
    _o("DV-PIXELON-9A", "Pixelon 9a", "DEVICE", "0", "449.00", "any", 0.7),
    _o("DV-NOVA15-REF", "Nova 15 128 GB refurbished", "DEVICE", "0", "549.00", "any", 0.5),
    _o("DV-PIXELON-9", "Pixelon 9", "DEVICE", "0", "699.00", "any", 0.6),
    _o("DV-GALAXIA-S", "Galaxia S 128 GB", "DEVICE", "0", "849.00", "any", 1.0),
    _o("DV-NOVA15", "Nova 15 128 GB", "DEVICE", "0", "899.00", "any", 1.3),
    _o("DV-NOVA16", "Nova 16 128 GB", "DEVICE", "0", "949.00", "any", 2.0, launch_month=9),
    _o("DV-NOVA15-PRO", "Nova 15 Pro 256 GB", "DEVICE", "0", "1199.00", "any", 0.8),
    _o("DV-NOVA16-PRO", "Nova 16 Pro 256 GB", "DEVICE", "0", "1249.00", "any", 1.2, launch_month=9),
    _o("DV-GALAXIA-ULTRA", "Galaxia S Ultra 512 GB", "DEVICE", "0", "1399.00", "any", 0.4),
    _o("DV-RUGGED", "Rugged Business Phone R5", "DEVICE", "0", "499.00", "business", 0.5),
    _o("DV-TAB-LITE", "Tab Lite LTE", "DEVICE", "0", "299.00", "any", 0.3),
    _o("DV-TAB-11", "Tab 11 5G", "DEVICE", "0", "599.00", "any", 0.3),
    _o("DV-WATCH-LTE", "Smartwatch LTE", "DEVICE", "0", "399.00", "any", 0.3),
    _o("DV-ROUTER-W7", "Wi-Fi 7 Router", "DEVICE", "0", "199.00", "any", 0.2),
    _o("DV-MESH", "Mesh Extender", "DEVICE", "0", "99.00", "any", 0.2),
    _o("DV-5G-ROUTER", "5G Home Router", "DEVICE", "0", "249.00", "any", 0.2),
    _o("DV-STB-4K", "Set-top Box 4K", "DEVICE", "0", "129.00", "any", 0.1),
    _o("AO-SECURITY", "Security Suite", "ADDON", "3.99", "0", "any", 0.8),
    _o("AO-CLOUD-1TB", "Cloud Storage 1 TB", "ADDON", "4.99", "0", "any", 0.6),
    _o("AO-MULTISIM", "Multi-SIM", "ADDON", "4.99", "0", "any", 0.7),
    _o("AO-ROAM-EU5", "EU Roaming Plus 5 GB", "ADDON", "4.99", "0", "any", 1.0),
    _o("AO-DATA-10", "Extra Data 10 GB", "ADDON", "5.99", "0", "any", 1.2),
    _o("AO-INSURE", "Device Insurance", "ADDON", "7.99", "0", "any", 1.0),
    _o("AO-DATA-50", "Extra Data 50 GB", "ADDON", "9.99", "0", "any", 0.6),
    _o("AO-ROAM-WORLD", "World Roaming 1 GB", "ADDON", "9.99", "0", "any", 0.4),
    _o("AO-MUSIC", "Music Streaming", "ADDON", "9.99", "0", "consumer", 0.5),
    _o("AO-B-VOICEMAIL", "Business Voice Mailbox", "ADDON", "2.00", "0", "business", 0.5),
    _o("AO-B-STATIC-IP", "Static IP Address", "ADDON", "5.00", "0", "business", 0.8),
    _o("AO-B-SIPLINE", "Business SIP Voice Line", "ADDON", "9.99", "19.00", "business", 0.7),
    _o("AO-B-M365", "Business Productivity Suite", "ADDON", "11.70", "0", "business", 0.6),
    _o(
        "CB-DSL-MOB",
        "DSL and Mobile 100",
        "CONVERGENT",
        "49.99",
        "49.00",
        popularity=1.0,
        technology="dsl",
        components=("DSL-100", "MP-M-30"),
    ),
    _o(
        "CB-5G-MOB",
        "5G Home and Mobile",
        "CONVERGENT",
        "64.99",
        "49.00",
        popularity=1.0,
        technology="fwa",
        components=("FWA-300", "MP-L-80"),
    ),
    _o(
        "CB-FB300-MOB",
        "Home and Mobile 300",
        "CONVERGENT",
        "59.99",
        "69.00",
        popularity=1.5,
        technology="fibre",
        components=("FB-300", "MP-M-30"),
    ),
    _o(
        "CB-FB500-TV-MOB",
        "Home, TV and Mobile 500",
        "CONVERGENT",
        "89.99",
        "69.00",
        popularity=1.0,
        technology="fibre",
        components=("FB-500", "TV-PLUS", "MP-L-80"),
    ),
    _o(
        "CB-FB1000-MOB",
        "Home and Mobile 1000",
        "CONVERGENT",
        "94.99",
        "69.00",
        popularity=0.6,
        technology="fibre",
        components=("FB-1000", "MP-XL-UNL"),
    ),
    _o(
        "CB-FAMILY",
        "Family Fibre 1000 with Multi-SIM",
        "CONVERGENT",
        "119.99",
        "69.00",
        popularity=0.4,
        technology="fibre",
        components=("FB-1000", "MP-XL-UNL", "AO-MULTISIM"),
    ),
    _o(
        "CB-B-OFFICE",
        "Business Office Bundle",
        "CONVERGENT",
        "99.00",
        "149.00",
        "business",
        1.0,
        "fibre",
        components=("FB-B-300", "MP-B-M"),
    ),
    _o(
        "CB-B-OFFICE-PRO",
        "Business Office Pro",
        "CONVERGENT",
        "169.00",
        "149.00",
        "business",
        0.6,
        "fibre",
        components=("FB-B-1000", "MP-B-UNL", "AO-B-STATIC-IP"),
    ),
)
OFFERING_INDEX = {offering.code: i for i, offering in enumerate(OFFERINGS)}
