"""The directory's sector vocabulary (the words people use for a sector and its statistical codes)
and the NACE relations between sectors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from cluster_map.catalogue.base import UnknownEntry, _f


@dataclass(frozen=True)
class SectorTerm:
    """One sector of the directory vocabulary: the words people use for it and its statistical codes.

    Search treats every word of a term as the same thing (``aeronautics`` finds organisations tagged
    ``aerospace``); the NACE divisions link an organisation to the statistics of its region and the
    US CMP clusters link it to the US benchmark clusters (codes of the ``us_cluster`` scheme).
    """

    key: str = _f("short id of the term (used as a search and filter value)")
    label: str = _f("English name shown in lists")
    nace: tuple[str, ...] = _f("NACE Rev. 2 divisions (Eurostat notation, C30) the term stands for")
    us_clusters: tuple[str, ...] = _f("US CMP benchmark cluster codes (scheme us_cluster) of the term", ())
    words: tuple[str, ...] = _f("words and phrases that mean the term (any case; stemmed when compared)", ())


SECTOR_TERMS: Final[tuple[SectorTerm, ...]] = (
    SectorTerm(
        "aerospace",
        "Aerospace",
        ("C30",),
        ("1",),
        (
            "aerospace",
            "aeronautics",
            "aeronautical",
            "aviation",
            "aircraft",
            "space",
            "space technologies",
            "uav",
            "drones",
            "avionics",
            "Aerospace Vehicles and Defense",
        ),
    ),
    SectorTerm(
        "defence",
        "Defence and security",
        ("C25", "C30", "N80"),
        ("1",),
        ("defence", "defense", "security", "civil security", "cyber security"),
    ),
    SectorTerm(
        "automotive",
        "Automotive",
        ("C29",),
        ("4", "44", "108"),
        (
            "automotive",
            "automobile",
            "cars",
            "motor vehicles",
            "vehicles",
            "automotive suppliers",
            "commercial vehicles",
            "e-mobility",
            "electromobility",
            "electric vehicles",
            "Automotive",
        ),
    ),
    SectorTerm(
        "mobility",
        "Transport, mobility and logistics",
        ("H49", "H50", "H52"),
        ("45", "105"),
        (
            "mobility",
            "transport",
            "transportation",
            "logistics",
            "supply chain",
            "transit",
            "transport systems",
            "Transportation and Logistics",
            "Local Logistical Services",
        ),
    ),
    SectorTerm(
        "rail", "Rail", ("C30", "H49"), ("45",), ("rail", "railway", "rail technology", "rolling stock")
    ),
    SectorTerm(
        "maritime",
        "Maritime and blue economy",
        ("C30", "H50"),
        ("50", "17"),
        ("maritime", "marine", "naval", "shipbuilding", "ports", "blue economy", "Water Transportation"),
    ),
    SectorTerm(
        "ict",
        "ICT and digital",
        ("J61", "J62", "J63"),
        ("23", "8"),
        (
            "ict",
            "it",
            "software",
            "digital",
            "digitalisation",
            "digitalization",
            "digital technologies",
            "telecommunications",
            "mobile communications",
            "mobile technologies",
            "iot",
            "e-services",
            "industrial digitalisation",
            "Information Technology and Analytical Instruments",
            "Communications Equipment and Services",
        ),
    ),
    SectorTerm(
        "electronics",
        "Electronics and microelectronics",
        ("C26", "C27"),
        ("23", "27"),
        (
            "electronics",
            "microelectronics",
            "micro/nano electronics",
            "semiconductors",
            "power electronics",
            "sensors",
            "energy-efficient microelectronics",
            "Lighting and Electrical Equipment",
        ),
    ),
    SectorTerm(
        "photonics",
        "Photonics and optics",
        ("C26",),
        ("23",),
        ("photonics", "optics", "optical", "lasers", "optical fibres"),
    ),
    SectorTerm(
        "energy",
        "Energy",
        ("D35", "C27"),
        ("14", "104"),
        (
            "energy",
            "renewable energy",
            "renewables",
            "solar energy",
            "wind energy",
            "photovoltaics",
            "smart grids",
            "hydro power",
            "green energy",
            "energy efficiency",
            "energy transition",
            "smart energy",
            "energy technology",
            "batteries",
            "Electric Power Generation and Transmission",
            "Local Utilities",
        ),
    ),
    SectorTerm(
        "food",
        "Agri-food",
        ("C10", "C11", "A01"),
        ("18", "101", "2", "28"),
        (
            "food",
            "agrifood",
            "agri-food",
            "nutrition",
            "beverages",
            "wine",
            "viticulture",
            "food processing",
            "seafood",
            "horticulture",
            "agriculture",
            "aquaculture",
            "Food Processing and Manufacturing",
            "Agricultural Inputs and Services",
            "Livestock Processing",
            "Local Food and Beverage Processing and Distribution",
            "Fishing and Fishing Products",
        ),
    ),
    SectorTerm(
        "construction",
        "Construction",
        ("F41", "F42", "F43", "M71"),
        ("9", "115"),
        (
            "construction",
            "building",
            "green building",
            "housing",
            "sustainable construction",
            "architecture",
            "habitat",
            "wood construction",
            "infrastructure",
            "Construction Products and Services",
            "Local Real Estate, Construction, and Development",
        ),
    ),
    SectorTerm(
        "biotech",
        "Biotechnology and pharmaceuticals",
        ("C21", "M72"),
        ("5",),
        (
            "biotech",
            "biotechnology",
            "pharma",
            "pharmaceuticals",
            "life sciences",
            "life science",
            "biotherapies",
            "immunotherapy",
            "personalised medicine",
            "oncology",
            "Biopharmaceuticals",
        ),
    ),
    SectorTerm(
        "medtech",
        "Medical technology",
        ("C32", "C26"),
        ("30",),
        (
            "medtech",
            "medical technology",
            "medical devices",
            "health technology",
            "health technologies",
            "dentistry",
            "diagnostics",
            "Medical Devices",
        ),
    ),
    SectorTerm(
        "health",
        "Health care",
        ("Q86", "Q87"),
        ("103",),
        (
            "health",
            "healthcare",
            "e-health",
            "wellness",
            "ambient assisted living",
            "rehabilitation",
            "medicine",
            "Local Health Services",
        ),
    ),
    SectorTerm(
        "textiles",
        "Textiles, clothing and leather",
        ("C13", "C14", "C15"),
        ("42", "3", "19", "26"),
        (
            "textiles",
            "textile",
            "fashion",
            "clothing",
            "apparel",
            "footwear",
            "leather",
            "smart textiles",
            "flexible materials",
            "Textile Manufacturing",
        ),
    ),
    SectorTerm(
        "wood",
        "Wood and forestry",
        ("C16", "A02"),
        ("51", "20"),
        (
            "wood",
            "forestry",
            "forest-based industries",
            "forest-based products",
            "wood processing",
            "wood materials",
            "wooden houses",
            "Forestry",
        ),
    ),
    SectorTerm("furniture", "Furniture", ("C31",), ("21",), ("furniture", "interior")),
    SectorTerm(
        "plastics",
        "Plastics, rubber and composites",
        ("C22",),
        ("38",),
        (
            "plastics",
            "polymers",
            "rubber",
            "composites",
            "composite technologies",
            "carbon fibre composites",
            "Plastics",
        ),
    ),
    SectorTerm(
        "chemicals",
        "Chemicals",
        ("C20", "C19"),
        ("46", "11"),
        (
            "chemicals",
            "chemistry",
            "green chemistry",
            "sustainable chemistry",
            "petrochemicals",
            "refining",
            "process industry",
            "bio-based products",
            "bioeconomy",
        ),
    ),
    SectorTerm(
        "materials",
        "Metals and materials",
        ("C24", "C25", "C23"),
        ("47", "12", "49"),
        (
            "materials",
            "new materials",
            "advanced materials",
            "lightweight materials",
            "sustainable materials",
            "metal processing",
            "surface treatment",
            "nanotechnology",
            "Upstream Metal Manufacturing",
            "Downstream Metal Products",
        ),
    ),
    SectorTerm(
        "machinery",
        "Machinery, mechatronics and production technology",
        ("C28", "C33"),
        ("40", "32"),
        (
            "machinery",
            "mechatronics",
            "mechanical engineering",
            "automation",
            "robotics",
            "advanced manufacturing",
            "additive manufacturing",
            "industry 4.0",
            "production technologies",
            "smart factory",
            "manufacturing",
            "agricultural machinery",
            "tooling",
            "moulds",
            "Production Technology and Heavy Machinery",
            "Metalworking Technology",
        ),
    ),
    SectorTerm(
        "creative",
        "Cultural and creative industries",
        ("J58", "J59", "J60", "M73"),
        ("29", "48", "37", "33"),
        (
            "creative industries",
            "cultural and creative industries",
            "creative technologies",
            "media",
            "film",
            "gaming",
            "multimedia",
            "culture",
            "design",
            "vr/ar",
            "Marketing, Design, and Publishing",
            "Video Production and Distribution",
            "Performing Arts",
            "Printing Services",
            "Local Entertainment and Media",
        ),
    ),
    SectorTerm(
        "tourism",
        "Tourism",
        ("I55", "I56", "N79"),
        ("22",),
        ("tourism", "hospitality", "health tourism", "winter adventure", "Hospitality and Tourism"),
    ),
    SectorTerm(
        "environment",
        "Environment and cleantech",
        ("E36", "E37", "E38", "E39"),
        ("15",),
        (
            "cleantech",
            "environment",
            "environmental technology",
            "water",
            "circular economy",
            "eco-innovation",
            "water efficiency",
        ),
    ),
    SectorTerm(
        "mining",
        "Mining and raw materials",
        ("B07", "B08"),
        ("31", "34", "35"),
        ("mining", "mineral resources", "oil and gas equipment", "Oil and Gas Production and Transportation"),
    ),
    SectorTerm(
        "finance",
        "Finance",
        ("K64", "K66"),
        ("16", "107"),
        ("finance", "fintech", "Local Financial Services"),
    ),
    SectorTerm(
        "business",
        "Business services",
        ("M70", "N82"),
        ("6", "112"),
        ("business services", "Business Services", "Local Commercial Services"),
    ),
    SectorTerm(
        "education",
        "Education and research",
        ("P85", "M72"),
        ("13", "113"),
        (
            "education",
            "r&d",
            "science",
            "research",
            "Education and Knowledge Creation",
            "Local Education and Training",
        ),
    ),
)


def sector_term(key: str) -> SectorTerm:
    """The sector term ``key`` (:class:`UnknownEntry` naming the known ones)."""
    for term in SECTOR_TERMS:
        if term.key == key:
            return term
    raise UnknownEntry(f"Unknown sector {key!r}; choose one of {', '.join(t.key for t in SECTOR_TERMS)}.")


#: Which field of a :class:`SectorTerm` holds the codes of a sector scheme.
_TERM_FIELDS: Final = {"nace_r2": "nace", "us_cluster": "us_clusters"}


def _nace_letters(code: str) -> frozenset[str]:
    """The NACE sections a code covers: ``C29`` -> {C}; ``B-E`` -> {B, C, D, E}; ``M_N`` -> {M, N}."""
    c = code.strip().upper()
    if re.fullmatch(r"[A-U]-[A-U]", c):
        return frozenset(chr(i) for i in range(ord(c[0]), ord(c[2]) + 1))
    if re.fullmatch(r"[A-U](_[A-U])+", c):
        return frozenset(c.split("_"))
    if re.fullmatch(r"[A-U]\d*", c):
        return frozenset(c[0])
    return frozenset()


def enclosing_sectors(code: str, available: Iterable[str]) -> tuple[str, ...]:
    """NACE Rev. 2 codes of ``available`` that contain ``code``, narrowest first: its section, then the
    A*10 aggregates of sections (``B-E``, ``M_N``) that include that section.

    For a dataset that does not break a sector down as far as ``code`` (the LFS has ``B-E``, not
    ``C29``). ``code`` itself is never returned; a code that is not a NACE division or section gives ().

    >>> enclosing_sectors("C29", ["A", "B-E", "F", "C"])
    ('C', 'B-E')
    >>> enclosing_sectors("M72", ["M_N", "J"])
    ('M_N',)
    """
    c = code.strip().upper()
    if not re.fullmatch(r"[A-U]\d*", c):
        return ()
    letter = c[0]
    found = [
        a for a in available if a != code and letter in _nace_letters(a) and not re.fullmatch(r"[A-U]\d+", a)
    ]
    return tuple(sorted(found, key=lambda a: (len(_nace_letters(a)), a)))


def equivalent_sectors(code: str, *, source: str, target: str) -> tuple[str, ...]:
    """Sector codes of scheme ``target`` that the catalogue declares equivalent to ``code`` of ``source``.

    The same scheme: ``(code,)``. Between NACE Rev. 2 (``nace_r2``) and the US CMP benchmark clusters
    (``us_cluster``) the equivalents are those of the :data:`SECTOR_TERMS` that name ``code``, in
    catalogue order (C29 -> automotive -> 4 Automotive, 44, 108). Empty when nothing is declared.

    >>> equivalent_sectors("C29", source="nace_r2", target="us_cluster")[0]
    '4'
    """
    if source == target:
        return (code,)
    src, dst = _TERM_FIELDS.get(source), _TERM_FIELDS.get(target)
    if src is None or dst is None:
        return ()
    found = [c for t in SECTOR_TERMS if code in getattr(t, src) for c in getattr(t, dst)]
    return tuple(dict.fromkeys(found))
