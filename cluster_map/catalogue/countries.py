"""Countries (codes, names, aliases) and the region levels of each area with their labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cluster_map.catalogue.base import Area, _f


# --- countries ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Country:
    """A country: its code in the data, its English name and the other codes people type for it."""

    code: str = _f("code in the data (Eurostat: EL for Greece, UK for the United Kingdom; US)")
    name: str = _f("English name")
    aliases: tuple[str, ...] = _f("other codes accepted for it (ISO 3166 alpha-2/alpha-3)", ())
    area: Area = _f("'europe' or 'us'", "europe")


COUNTRIES: Final[tuple[Country, ...]] = (
    Country("AT", "Austria", ("AUT",)),
    Country("BE", "Belgium", ("BEL",)),
    Country("BG", "Bulgaria", ("BGR",)),
    Country("CH", "Switzerland", ("CHE",)),
    Country("CY", "Cyprus", ("CYP",)),
    Country("CZ", "Czechia", ("CZE",)),
    Country("DE", "Germany", ("DEU",)),
    Country("DK", "Denmark", ("DNK",)),
    Country("EE", "Estonia", ("EST",)),
    Country("EL", "Greece", ("GR", "GRC")),
    Country("ES", "Spain", ("ESP",)),
    Country("FI", "Finland", ("FIN",)),
    Country("FR", "France", ("FRA",)),
    Country("HR", "Croatia", ("HRV",)),
    Country("HU", "Hungary", ("HUN",)),
    Country("IE", "Ireland", ("IRL",)),
    Country("IS", "Iceland", ("ISL",)),
    Country("IT", "Italy", ("ITA",)),
    Country("LI", "Liechtenstein", ("LIE",)),
    Country("LT", "Lithuania", ("LTU",)),
    Country("LU", "Luxembourg", ("LUX",)),
    Country("LV", "Latvia", ("LVA",)),
    Country("ME", "Montenegro", ("MNE",)),
    Country("MK", "North Macedonia", ("MKD",)),
    Country("MT", "Malta", ("MLT",)),
    Country("NL", "Netherlands", ("NLD",)),
    Country("NO", "Norway", ("NOR",)),
    Country("PL", "Poland", ("POL",)),
    Country("PT", "Portugal", ("PRT",)),
    Country("RO", "Romania", ("ROU",)),
    Country("RS", "Serbia", ("SRB",)),
    Country("SE", "Sweden", ("SWE",)),
    Country("SI", "Slovenia", ("SVN",)),
    Country("SK", "Slovakia", ("SVK",)),
    Country("TR", "Türkiye", ("TUR",)),
    Country("UK", "United Kingdom", ("GB", "GBR")),
    Country("AL", "Albania", ("ALB",)),
    Country("US", "United States", ("USA",), area="us"),
)


# --- region levels ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegionLevel:
    """One level of regions of an area, with the words every page, table and report uses for it."""

    area: Area = _f("'europe' (NUTS) or 'us' (US states)")
    level: int = _f("the level number in the store (NUTS 0-3; US states: 1)")
    label: str = _f("short label for menus, captions and exports ('NUTS 2', 'US states')")


LEVELS: Final[tuple[RegionLevel, ...]] = (
    RegionLevel("europe", 0, "NUTS 0"),
    RegionLevel("europe", 1, "NUTS 1"),
    RegionLevel("europe", 2, "NUTS 2"),
    RegionLevel("europe", 3, "NUTS 3"),
    RegionLevel("us", 1, "US states"),
)


def level_label(area: str, level: int, nuts_version: str = "") -> str:
    """What level ``level`` of ``area`` is called ('NUTS 2', 'US states'; 'level N' when not declared);
    with ``nuts_version``, a NUTS level also names its version ('NUTS 2 (2013)'), a US level does not.

    >>> level_label("us", 1, "us"), level_label("europe", 2, "2013")
    ('US states', 'NUTS 2 (2013)')
    """
    label = next((lv.label for lv in LEVELS if lv.area == area and lv.level == int(level)), None)
    if label is None:
        label = f"level {int(level)}"
    return f"{label} ({nuts_version})" if nuts_version and area == "europe" else label
