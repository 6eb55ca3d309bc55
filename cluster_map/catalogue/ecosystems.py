"""The 14 industrial ecosystems of the EU Industrial Strategy, as the sector scheme ``ecosystems``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cluster_map.catalogue.base import _f


# --- industrial ecosystems ----------------------------------------------------------------------
@dataclass(frozen=True)
class Ecosystem:
    """One of the 14 industrial ecosystems of the EU Industrial Strategy, as a sector of scheme ``ecosystems``."""

    slug: str = _f("sector code in the scheme, used in URLs and CSV files ('mobility-transport-automotive')")
    label: str = _f("the Commission's name of the ecosystem")
    published: tuple[str, ...] = _f(
        "NACE Rev. 2 codes of its published definition, Eurostat notation (C303 = 30.3)"
    )
    divisions: tuple[str, ...] = _f(
        "the NACE divisions summed where the data has only divisions (the approximation)"
    )
    keywords: tuple[str, ...] = _f("other words people search for it by", ())
    note: str = _f("what the approximation leaves out or adds, in words", "")

    def coverage(self) -> dict[str, tuple[str, ...]]:
        """How the division approximation meets the published list.

        ``exact``: published divisions summed as they are; ``adds``: divisions summed although only a
        part of them (the published 3/4-digit codes, listed with them) belongs to the ecosystem;
        ``misses``: published codes whose division is not summed.
        """
        exact, adds, misses = [], [], []
        for code in self.published:
            division = code[:3]
            if division not in self.divisions:
                misses.append(code)
            elif code == division:
                exact.append(code)
            else:
                adds.append(f"{division} (published: {code})")
        return {"exact": tuple(exact), "adds": tuple(dict.fromkeys(adds)), "misses": tuple(misses)}


#: The sector scheme of the ecosystems, and the ``sector_level`` of their metric rows: a level of its own,
#: because ecosystems overlap (a division can belong to two) and do not cover the whole economy, so they
#: are never compared inside one partition with NACE codes, and region indices (Krugman, HHI, entropy),
#: which need shares that add up to one, are not computed over them.
ECOSYSTEM_SCHEME: Final = "ecosystems"
ECOSYSTEM_LEVEL: Final = 9
ECOSYSTEM_SOURCE: Final = (
    "European Commission, Annual Single Market Report 2021, SWD(2021) 351 final (5.5.2021), annex on the "
    "definition of the 14 industrial ecosystems by NACE Rev. 2 codes; ecosystem pages of the European Monitor "
    "of Industrial Ecosystems (monitor-industrial-ecosystems.ec.europa.eu)"
)

ECOSYSTEMS: Final[tuple[Ecosystem, ...]] = (
    Ecosystem(
        "aerospace-defence",
        "Aerospace & defence",
        ("C254", "C303", "C304", "C3316"),
        ("C30",),
        ("aerospace", "aeronautics", "space", "defence", "defense"),
        "C30 adds shipbuilding (30.1), rolling stock (30.2) and other transport equipment (30.9); weapons "
        "(25.4) and aircraft repair (33.16) sit in large divisions and are left out.",
    ),
    Ecosystem(
        "agri-food",
        "Agri-food",
        ("A01", "A02", "A03", "C10", "C11", "C12", "G462", "G463"),
        ("A01", "A02", "A03", "C10", "C11", "C12"),
        ("food", "agriculture", "farming", "beverages"),
        "Wholesale of agricultural raw materials and food (46.2, 46.3) is part of G46 and left out; SBS has "
        "no A (agriculture, forestry, fishing), so on SBS the ecosystem is food, beverages and tobacco.",
    ),
    Ecosystem(
        "construction",
        "Construction",
        ("F41", "F42", "F43", "M711"),
        ("F41", "F42", "F43", "M71"),
        ("building", "architecture"),
        "M71 adds technical testing and analysis (71.2) to architectural and engineering activities (71.1).",
    ),
    Ecosystem(
        "cultural-creative",
        "Cultural & creative industries",
        ("C18", "C322", "J58", "J59", "J60", "M73", "M741", "M742", "R90", "R91"),
        ("C18", "J58", "J59", "J60", "M73", "R90", "R91"),
        ("culture", "creative", "media", "publishing", "film"),
        "Musical instruments (32.2), design (74.1) and photography (74.2) sit in larger divisions and are "
        "left out; SBS has no R (arts, libraries, museums).",
    ),
    Ecosystem(
        "digital",
        "Digital",
        ("J582", "J61", "J62", "J63", "G465", "S951"),
        ("J61", "J62", "J63"),
        ("ict", "software", "telecommunications", "computing", "it"),
        "Software publishing (58.2, counted in cultural & creative through J58), wholesale of ICT equipment "
        "(46.5) and computer repair (95.1) are left out.",
    ),
    Ecosystem(
        "electronics",
        "Electronics",
        ("C26", "C271", "C273"),
        ("C26", "C27"),
        ("electronic", "semiconductors", "electrical equipment"),
        "C27 adds batteries (27.2), lighting (27.4), domestic appliances (27.5) and other electrical "
        "equipment (27.9) to motors and wiring (27.1, 27.3).",
    ),
    Ecosystem(
        "energy-intensive",
        "Energy-intensive industries",
        ("B07", "B08", "C17", "C19", "C20", "C22", "C23", "C24"),
        ("B07", "B08", "C17", "C19", "C20", "C22", "C23", "C24"),
        ("chemicals", "steel", "metals", "cement", "paper", "glass", "plastics", "mining"),
        "Division list; nothing added or left out at division level.",
    ),
    Ecosystem(
        "renewable-energy",
        "Renewable energy",
        ("D3511", "C2711", "C2811", "F4222"),
        ("D35",),
        ("energy", "renewables", "wind", "solar", "electricity"),
        "D35 adds electricity from fossil fuels, gas and steam supply to renewable power generation; the "
        "equipment makers (27.11, 28.11) and utility projects (42.22) are left out. Treat with care.",
    ),
    Ecosystem(
        "health",
        "Health",
        ("C21", "C325", "Q86", "Q87", "G4646", "G4773"),
        ("C21", "Q86", "Q87"),
        ("pharmaceuticals", "medical", "healthcare", "life sciences"),
        "Medical instruments (32.5), pharmaceutical wholesale (46.46) and pharmacies (47.73) are left out; "
        "SBS has no Q (health and residential care), so on SBS the ecosystem is pharmaceuticals only.",
    ),
    Ecosystem(
        "mobility-transport-automotive",
        "Mobility – Transport – Automotive",
        ("C29", "C301", "C302", "C309", "C3315", "C3317", "G45", "H49", "H50", "H52"),
        ("C29", "C30", "G45", "H49", "H50", "H52"),
        ("automotive", "cars", "motor vehicles", "transport", "rail", "logistics", "mobility"),
        "C30 adds aircraft and military vehicles (30.3, 30.4, counted in aerospace & defence too); repair of "
        "ships and rolling stock (33.15, 33.17) is left out.",
    ),
    Ecosystem(
        "proximity-social-economy",
        "Proximity, social economy & civil security",
        ("N80", "N81", "Q88", "S94", "S96"),
        ("N80", "N81", "Q88", "S94", "S96"),
        ("social economy", "security", "local services", "civil security"),
        "Division list; SBS has only N80 and N81 of it (no Q or S94/S96), so on SBS the ecosystem is security "
        "and building services.",
    ),
    Ecosystem(
        "retail",
        "Retail",
        ("G46", "G47"),
        ("G46", "G47"),
        ("shops", "trade", "wholesale", "commerce"),
        "Division list (wholesale and retail trade without motor vehicles).",
    ),
    Ecosystem(
        "textiles",
        "Textiles",
        ("C13", "C14", "C15"),
        ("C13", "C14", "C15"),
        ("clothing", "apparel", "fashion", "leather", "footwear"),
        "Manufacture of textiles, clothing, leather and footwear; the wider definition's wholesale and "
        "retail of these goods is not separable at division level and is left out.",
    ),
    Ecosystem(
        "tourism",
        "Tourism",
        ("H49", "H50", "H51", "I55", "I56", "N79", "N82", "R90", "R91", "R92", "R93"),
        ("H51", "I55", "I56", "N79"),
        ("travel", "hotels", "hospitality", "restaurants"),
        "The published list weights its activities; the weights are not published per region, so only the "
        "mainly-tourism divisions (air transport, accommodation, food service, travel agencies) are summed; "
        "land and water transport (in mobility), office support and R90-R93 are left out.",
    ),
)
