"""Company names and the ways banks mangle them, for the cash-application dataset."""

from __future__ import annotations

import random

FIRST = [
    "Acme",
    "Brightwater",
    "Cobalt",
    "Delta",
    "Evergreen",
    "Northwind",
    "Summit",
    "Pioneer",
    "Granite",
    "Harbor",
    "Silverline",
    "Redwood",
    "Blueridge",
    "Ironclad",
    "Lakeshore",
    "Meadowbrook",
    "Oakridge",
    "Pinecrest",
    "Riverbend",
    "Stonegate",
    "Sunrise",
    "Westfield",
    "Crescent",
    "Falcon",
    "Horizon",
    "Keystone",
    "Liberty",
    "Maple",
    "Orchard",
    "Prairie",
    "Quantum",
    "Sterling",
    "Timberline",
    "Vantage",
    "Willow",
    "Aspen",
    "Beacon",
    "Cedar",
    "Copper",
    "Eagle",
    "Frontier",
    "Golden",
    "Highland",
    "Juniper",
    "Kingsley",
    "Lighthouse",
    "Magnolia",
    "Northstar",
    "Osprey",
    "Pacific",
    "Ridgeway",
    "Sequoia",
    "Trident",
    "Union",
]
MIDDLE = [
    "Industrial",
    "Foods",
    "Logistics",
    "Mining",
    "Outfitters",
    "Precision",
    "Medical",
    "Supply",
    "Manufacturing",
    "Technologies",
    "Services",
    "Holdings",
    "Distribution",
    "Engineering",
    "Equipment",
    "Products",
    "Systems",
    "Marketing",
    "Construction",
    "Packaging",
    "Chemicals",
    "Textiles",
    "Electric",
    "Plumbing",
    "Furniture",
    "Paper",
    "Steel",
    "Glass",
]
THIRD = ("", "", "", "Group", "Partners", "International", "of America", "Company", "West", "North")
SUFFIX = ("Inc", "LLC", "Corp", "Co", "Ltd", "& Sons", "Inc.", "Corporation", "L.L.C.")
ABBREV = {
    "Manufacturing": "MFG",
    "International": "INTL",
    "Services": "SVCS",
    "Distribution": "DIST",
    "Engineering": "ENGR",
    "Equipment": "EQUIP",
    "Products": "PROD",
    "Technologies": "TECH",
    "Industrial": "IND",
    "Group": "GRP",
    "Holdings": "HLDGS",
    "Systems": "SYS",
    "Supply": "SUPP",
    "Medical": "MED",
    "Marketing": "MKTG",
}
STRANGERS = (
    "J SMITH",
    "MARIA GARCIA",
    "XYZ TRADING",
    "ZENITH CAPITAL PTNRS",
    "K WONG",
    "OMEGA VENTURES",
    "ALPHA BETA GMBH",
    "T NGUYEN",
    "ROSSI SRL",
    "DUPONT SARL",
)


def company_names(rng: random.Random, count: int) -> list[str]:
    """Distinct company names; some share their first two words (look-alikes)."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        parts = [rng.choice(FIRST), rng.choice(MIDDLE), rng.choice(THIRD), rng.choice(SUFFIX)]
        name = " ".join(p for p in parts if p)
        key = " ".join([*parts[:2], parts[2] if parts[2] != "Company" else ""])
        if key not in seen:
            seen.add(key)
            names.append(name)
    return names


def _drop_vowels(word: str) -> str:
    return word[0] + "".join(ch for ch in word[1:] if ch.upper() not in "AEIOU")


def as_bank_writes(rng: random.Random, name: str) -> str:
    """The payer name as it reaches the statement: capitals, suffix dropped, abbreviated, cut."""
    words = name.split()
    style = rng.random()
    if style < 0.2:
        words = [
            w
            for w in words
            if w.rstrip(".") not in {"Inc", "LLC", "Corp", "Co", "Ltd", "L.L.C", "Corporation"}
        ]
    elif style < 0.4:
        words = [ABBREV.get(w, w) for w in words]
    elif style < 0.5:
        i = rng.randrange(len(words))
        if len(words[i]) > 4:
            words[i] = _drop_vowels(words[i])
    text = " ".join(words)
    if rng.random() < 0.8:
        text = text.upper()
    elif rng.random() < 0.5:
        text = text.lower()
    cut = rng.choice((32, 33, 34, 35))
    if len(text) > cut and rng.random() < 0.7:
        text = text[:cut]
    return text.replace(",", "")
