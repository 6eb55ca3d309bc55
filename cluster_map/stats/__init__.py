"""Statistics of Cluster Map: pure functions and frozen result dataclasses, no I/O.

Table metrics (long frames, CUBE_COLUMNS): :func:`location_quotients`, :func:`observatory_stars`,
:func:`cmp_flags`, :func:`cluster_strength`, growth and shift-share. Matrix indices (region x sector):
concentration (Krugman, HHI, entropy/variety, Gini, locational Gini, Hoover, Theil) and relatedness
(RCA, proximity, density, ECI/PCI). The function ``growth`` is not re-exported here because its
name is that of the module :mod:`cluster_map.stats.growth`. Spatial statistics (esda/libpysal) live in
:mod:`cluster_map.stats.hotspots`, imported on demand because esda is slow to import.
"""

from __future__ import annotations

from cluster_map.stats.concentration import (
    gini,
    hhi,
    hoover,
    krugman,
    locational_gini,
    region_indices,
    sector_indices,
    theil,
    variety,
)
from cluster_map.stats.growth import cagr, shift_share
from cluster_map.stats.relatedness import (
    complexity,
    proximity,
    rca,
    related_clusters_matrix,
    relatedness_density,
)
from cluster_map.stats.specialisation import (
    location_quotient_matrix,
    location_quotients,
    region_sector_matrix,
    validate_cube,
)
from cluster_map.stats.stars import observatory_stars, top_share
from cluster_map.stats.strength import cluster_strength, cmp_flags

__all__ = [
    "cagr",
    "cluster_strength",
    "cmp_flags",
    "complexity",
    "gini",
    "hhi",
    "hoover",
    "krugman",
    "locational_gini",
    "proximity",
    "rca",
    "region_indices",
    "related_clusters_matrix",
    "relatedness_density",
    "sector_indices",
    "shift_share",
    "theil",
    "variety",
    "location_quotient_matrix",
    "location_quotients",
    "observatory_stars",
    "region_sector_matrix",
    "top_share",
    "validate_cube",
]
