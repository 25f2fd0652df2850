"""The demo operator's country: nine regions (ISO 3166-2 codes) and address pieces."""

from __future__ import annotations

from dataclasses import dataclass

COUNTRY_CODE = "AT"
COUNTRY_NAME = "Austria"


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    population_share: float
    urban_share: float  # share of premises in towns, where fibre and 5G are likelier
    postcode_from: int
    postcode_to: int
    towns: tuple[str, ...]


REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec("AT-9", "Vienna", 0.215, 0.98, 1010, 1239, ("Wien",)),
    RegionSpec(
        "AT-3",
        "Lower Austria",
        0.190,
        0.40,
        2000,
        3999,
        ("St. Pölten", "Wiener Neustadt", "Krems", "Baden", "Amstetten"),
    ),
    RegionSpec(
        "AT-4",
        "Upper Austria",
        0.170,
        0.45,
        4000,
        4999,
        ("Linz", "Wels", "Steyr", "Gmunden", "Braunau"),
    ),
    RegionSpec(
        "AT-6",
        "Styria",
        0.140,
        0.45,
        8000,
        8999,
        ("Graz", "Leoben", "Kapfenberg", "Leibnitz", "Weiz"),
    ),
    RegionSpec(
        "AT-7",
        "Tyrol",
        0.085,
        0.40,
        6000,
        6699,
        ("Innsbruck", "Kufstein", "Schwaz", "Lienz", "Imst"),
    ),
    RegionSpec(
        "AT-2",
        "Carinthia",
        0.063,
        0.40,
        9000,
        9999,
        ("Klagenfurt", "Villach", "Wolfsberg", "Spittal"),
    ),
    RegionSpec(
        "AT-5",
        "Salzburg",
        0.062,
        0.50,
        5000,
        5799,
        ("Salzburg", "Hallein", "Saalfelden", "Bischofshofen"),
    ),
    RegionSpec(
        "AT-8",
        "Vorarlberg",
        0.045,
        0.50,
        6700,
        6999,
        ("Bregenz", "Dornbirn", "Feldkirch", "Bludenz"),
    ),
    RegionSpec(
        "AT-1",
        "Burgenland",
        0.030,
        0.25,
        7000,
        7999,
        ("Eisenstadt", "Oberwart", "Neusiedl", "Mattersburg"),
    ),
)

STREETS: tuple[str, ...] = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Kirchengasse",
    "Schulgasse",
    "Lindenweg",
    "Gartenstraße",
    "Feldgasse",
    "Mühlweg",
    "Am Anger",
    "Ringstraße",
    "Wiener Straße",
    "Salzburger Straße",
    "Dorfplatz",
    "Berggasse",
    "Waldweg",
    "Industriestraße",
    "Parkstraße",
    "Rosengasse",
    "Seestraße",
    "Marktplatz",
)

FIRST_NAMES: tuple[str, ...] = (
    "Anna",
    "Lukas",
    "Sophie",
    "David",
    "Laura",
    "Maximilian",
    "Lena",
    "Felix",
    "Julia",
    "Tobias",
    "Katharina",
    "Simon",
    "Marie",
    "Florian",
    "Sarah",
    "Jakob",
    "Hannah",
    "Elias",
    "Emma",
    "Paul",
    "Leonie",
    "Matthias",
    "Valentina",
    "Stefan",
    "Nina",
    "Michael",
    "Theresa",
    "Andreas",
    "Eva",
    "Daniel",
)
LAST_NAMES: tuple[str, ...] = (
    "Gruber",
    "Huber",
    "Bauer",
    "Wagner",
    "Müller",
    "Pichler",
    "Steiner",
    "Moser",
    "Mayer",
    "Hofer",
    "Leitner",
    "Berger",
    "Fuchs",
    "Eder",
    "Fischer",
    "Schmid",
    "Winkler",
    "Weber",
    "Schwarz",
    "Maier",
    "Schneider",
    "Reiter",
    "Mayr",
    "Schmidt",
    "Wimmer",
    "Egger",
    "Brunner",
    "Lang",
    "Baumgartner",
    "Auer",
)
BUSINESS_WORDS: tuple[str, ...] = (
    "Alpen",
    "Donau",
    "Tauern",
    "Kristall",
    "Edelweiss",
    "Brenner",
    "Nord",
    "Süd",
    "Panorama",
    "Zentral",
    "Blau",
    "Weinland",
    "Berg",
    "Tal",
    "Stadt",
    "Kaiser",
    "Sonnen",
    "Linden",
    "Adler",
    "Falken",
)
BUSINESS_TRADES: tuple[str, ...] = (
    "Bau",
    "Logistik",
    "Handel",
    "Technik",
    "Consulting",
    "Gastro",
    "Reisen",
    "Immobilien",
    "Medien",
    "Energie",
    "Holz",
    "Metall",
    "Software",
    "Pflege",
    "Transport",
)
LEGAL_FORMS: tuple[str, ...] = ("GmbH", "KG", "OG", "e.U.", "AG", "GmbH & Co KG")
PUBLIC_BODIES: tuple[str, ...] = (
    "Gemeinde",
    "Stadtwerke",
    "Bezirkshauptmannschaft",
    "Landesklinikum",
    "Schulverband",
    "Feuerwehrverband",
)
