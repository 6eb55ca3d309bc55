"""Organisation kinds with their marker colours, location precisions, member-size classes and
quality-label levels of the directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from cluster_map.catalogue.base import _f


@dataclass(frozen=True)
class OrgKind:
    """A class of organisation (from its stated type), with the colour of its map markers."""

    key: str = _f("id of the class (filter value)")
    label: str = _f("English name")
    colour: str = _f("marker colour on maps and in their legend (#rrggbb, Okabe-Ito colour-blind-safe)")
    words: tuple[str, ...] = _f("words of the stated type that put an organisation in the class", ())


#: Checked in order; the first class with a word in the stated type wins; ``not_stated`` when none.
ORG_KINDS: Final[tuple[OrgKind, ...]] = (
    OrgKind(
        "network",
        "Cluster network or association",
        "#E69F00",  # Okabe-Ito orange
        (
            "network",
            "national cluster",
            "cluster association",
            "association of",
            "platform",
            "programme",
            "support organisation",
            "facilitator",
            "business association",
            "european network",
        ),
    ),
    OrgKind(
        "cluster",
        "Cluster organisation",
        "#0072B2",  # Okabe-Ito blue
        ("cluster", "pôle", "pole", "district", "competitiveness"),
    ),
    OrgKind(
        "other",
        "Other organisation",
        "#009E73",  # Okabe-Ito bluish green
        ("association", "agency", "institute", "university"),
    ),
    OrgKind("not_stated", "Type not stated", "#6E6E6E", ()),  # grey: no hue to confuse with the others
)
#: Marker colour of an organisation whose kind is not one of :data:`ORG_KINDS` (an unknown key).
ORG_KIND_UNKNOWN_COLOUR: Final = "#CC79A7"  # Okabe-Ito reddish purple

MarkerStyle = Literal["point", "region", "country"]


@dataclass(frozen=True)
class LocationPrecision:
    """How precisely an organisation is placed (``organisations.geocode_precision``) and how maps draw it."""

    key: str = _f("value of the geocode_precision column")
    label: str = _f("how the precision is said next to a location, in popups and legends")
    marker: MarkerStyle | None = _f(
        "map marker style: point (filled dot), region (ring), country (large dashed ring); None: not drawn"
    )


#: Most precise first. A point placed at a region or a country is that area's label point, not an address.
LOCATION_PRECISIONS: Final[tuple[LocationPrecision, ...]] = (
    LocationPrecision("coordinates", "exact coordinates", "point"),
    LocationPrecision("city", "city", "point"),
    LocationPrecision("region", "region (label point)", "region"),
    LocationPrecision("country", "country only (label point)", "country"),
    LocationPrecision("none", "not located", None),
)


@dataclass(frozen=True)
class MemberSize:
    """A member-size class of cluster organisations, by their stated total of members."""

    key: str = _f("id of the class (filter value)")
    label: str = _f("English name with the range")
    low: int = _f("smallest total in the class")
    high: int | None = _f("largest total in the class (None: no upper end)")


MEMBER_SIZES: Final[tuple[MemberSize, ...]] = (
    MemberSize("small", "under 50 members", 0, 49),
    MemberSize("medium", "50-149 members", 50, 149),
    MemberSize("large", "150-499 members", 150, 499),
    MemberSize("very_large", "500 members or more", 500, None),
)

#: ESCA / ECEI Cluster Management Excellence label levels, lowest first.
LABEL_LEVELS: Final = ("bronze", "silver", "gold")


def member_size(total: int | None) -> str | None:
    """The :data:`MEMBER_SIZES` key of a stated total of members (None when not stated)."""
    if total is None:
        return None
    for size in MEMBER_SIZES:
        if total >= size.low and (size.high is None or total <= size.high):
            return size.key
    return None
