"""Names shared by every layer: dataset codes, source files, flags, column names.

Data frames that cross a layer boundary use the column lists below, so that sources, store, stats,
maps and reports agree without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# --- Eurostat flags (dissemination flags of the bulk files) -------------------------------------
FLAGS: Final[dict[str, str]] = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs (see metadata)",
    "e": "estimated",
    "f": "forecast",
    "i": "see metadata",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
}
#: Marker for "not available" cells (value NULL).
NOT_AVAILABLE: Final = ":"


# --- Source files: mirror-relative path and official URL ----------------------------------------
@dataclass(frozen=True)
class SourceFile:
    """One file of an official source: its path in a mirror and its official URL."""

    path: str  # relative to a mirror directory (or appended to a URL base)
    url: str  # the official download URL
    publisher: str
    licence: str


EUROSTAT_LICENCE: Final = "Eurostat reuse policy (Commission Decision 2011/833/EU), acknowledge the source"
GISCO_LICENCE: Final = "© EuroGeographics for the administrative boundaries (GISCO terms)"
US_CMP_LICENCE: Final = (
    "U.S. Cluster Mapping Project (Harvard Business School ISC, U.S. EDA); cite clustermapping.us"
)

EUROSTAT_BULK_OLD: Final = (
    "https://ec.europa.eu/eurostat/estat-navtree-portlet-prod/BulkDownloadListing?file=data/{code}.tsv.gz"
)
EUROSTAT_API_TSV: Final = (
    "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/{code}/?format=TSV&compressed=true"
)


# Datasets (code, title, publisher, licence, cells ...) are declared once in cluster_map.catalogue.

# Sector schemes
NACE: Final = "nace_r2"
US_CLUSTER: Final = "us_cluster"
US_SUBCLUSTER: Final = "us_subcluster"

# Region kinds in the `regions` table
REGION_KINDS: Final = (
    "nuts",
    "aggregate",
    "extra_regio",
    "us_state",
    "us_county",
    "us_ea",
    "us_msa",
    "us_nation",
)

# --- Long observation frame (sources -> store) ----------------------------------------------------
OBSERVATION_COLUMNS: Final = (
    "dataset",  # source dataset code, e.g. sbs_r_nuts06_r2
    "region",  # region code after NUTS recoding (or US FIPS)
    "region_original",  # code as it stood in the source file
    "nuts_version",  # '2013', '2016', '2021', '2024' or 'us'
    "sector_scheme",  # nace_r2 | us_cluster | us_subcluster | total
    "sector",  # sector code in that scheme ('' for datasets with no sector)
    "indicator",  # source indicator code (V16110, EMP, emp_tl, MIO_EUR ...)
    "unit",  # unit code (NR, THS, MIO_EUR, USD_THS ...)
    "breakdown",  # other dimensions 'age=Y15-74' ('' if none)
    "year",  # int
    "value",  # float, NULL when the source says ':'
    "flags",  # all flag letters of the cell, '' if none
)

# --- Employment cube (store -> stats): one row per region x sector x year --------------------------
CUBE_COLUMNS: Final = (
    "region",
    "sector",
    "year",
    "employment",
    "establishments",
    "wages",
    "sector_type",
)

# --- Metric table (stats -> store -> app/reports/CLI) ---------------------------------------------
METRIC_COLUMNS: Final = (
    "region",
    "sector",
    "year",
    "employment",
    "establishments",
    "share_region",
    "share_sector",
    "lq",
    "lq_low",
    "lq_high",  # bounds of a confidential cell's LQ from the NACE hierarchy
    "size_star",
    "specialisation_star",
    "focus_star",
    "stars",
    "qualifying",
    "significant",
    "strong",
    "strong10",
    "caveats",  # ';'-separated: confidential, suspect:<rule>, estimated:<method>, denominator:<level>
)
