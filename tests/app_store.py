"""A tiny hand-made store for the app's services, store queries and pages (no mirror needed).

Five NUTS 2 regions on a 3 x 2 grid of unit squares (AT11 AT12 AT13 in the south row, DE21 DE22
above the first two), two NACE sections with two divisions each, years 2010 and 2015, four cluster
organisations (one named with ``<script>``, one with a formula, one with a Markdown link), a partnership
and an event. Names carry hostile markup (``<script>``, a Markdown image and link: :data:`IMAGE`,
:data:`LINK`) that must stay text on every page.
Metrics are computed here with the textbook formulas, so tests can check values by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import shapely

from cluster_map.store.schema import SCHEMA_VERSION, create_statements

EVIL = "<script>alert('x')</script>"
#: Markdown that would fetch a remote image / make a link if a page interpreted a name as Markdown.
IMAGE = "![t](http://evil.example/t.png)"
LINK = "[x](http://evil.example)"
REGIONS = {  # code: (name, country, (x, y) of the lower-left corner)
    "AT11": ("Burgenland", "AT", (0, 0)),
    "AT12": (f"Niederösterreich {LINK}", "AT", (1, 0)),
    "AT13": (f"Wien {EVIL}", "AT", (2, 0)),
    "DE21": ("Oberbayern", "DE", (0, 1)),
    "DE22": (f"Niederbayern {IMAGE}", "DE", (1, 1)),
}
SECTORS = {  # code: (label, level, parent)
    "C": ("Manufacturing", 1, None),
    "C10": ("Manufacture of food products", 2, "C"),
    "C29": ("Manufacture of motor vehicles", 2, "C"),
    "F": ("Construction", 1, None),
    "F41": ("Construction of buildings", 2, "F"),
    "F43": (f"Specialised construction activities {IMAGE}", 2, "F"),
}
# employment of the divisions, per year; sections are the sums
DIVISIONS = {
    2010: {
        "AT11": (100, 50, 300, 200),
        "AT12": (400, 100, 500, 300),
        "AT13": (200, 900, 400, 100),
        "DE21": (300, 3000, 600, 400),
        "DE22": (500, 100, 200, 200),
    },
    2015: {
        "AT11": (120, 60, 330, 210),
        "AT12": (420, 80, 520, 330),
        "AT13": (210, 1100, 380, 90),
        "DE21": (330, 3500, 650, 420),
        "DE22": (520, 90, 210, 220),
    },
}
DIVISION_CODES = ("C10", "C29", "F41", "F43")
DATASET = "sbs_r_nuts06_r2"


def _cells() -> pd.DataFrame:
    rows = []
    for year, by_region in DIVISIONS.items():
        for region, values in by_region.items():
            div = dict(zip(DIVISION_CODES, values, strict=True))
            div["C"] = div["C10"] + div["C29"]
            div["F"] = div["F41"] + div["F43"]
            for sector, emp in div.items():
                rows.append(
                    {
                        "region": region,
                        "sector": sector,
                        "year": year,
                        "employment": float(emp),
                        "sector_level": SECTORS[sector][1],
                    }
                )
    return pd.DataFrame(rows)


def metrics_frame() -> pd.DataFrame:
    """LQ and shares per (year, sector level) over the five regions (benchmark: the dataset)."""
    c = _cells()
    keys = ["year", "sector_level"]
    c["region_total"] = c.groupby(keys + ["region"])["employment"].transform("sum")
    c["sector_total"] = c.groupby(keys + ["sector"])["employment"].transform("sum")
    c["benchmark_total"] = c.groupby(keys)["employment"].transform("sum")
    c["share_region"] = c["employment"] / c["region_total"]
    c["share_sector"] = c["employment"] / c["sector_total"]
    c["lq"] = c["share_region"] / (c["sector_total"] / c["benchmark_total"])
    c["size_star"] = (c["share_sector"] >= 0.3).astype(int)
    c["specialisation_star"] = (c["lq"] >= 2).astype(int)
    c["focus_star"] = (c["share_region"] >= 0.5).astype(int)
    c["stars"] = c["size_star"] + c["specialisation_star"] + c["focus_star"]
    c["qualifying"] = c["lq"] > 0.8
    c["significant"] = c["lq"] > 1.0
    c["strong"] = c["lq"] >= 1.25
    c["strong10"] = c["lq"] >= 2.0
    c["establishments"] = (c["employment"] / 10).round()
    c["wages"] = c["employment"] * 0.03
    # productivity as the store has it (wages per person vs the sector's level: 1.0 here, every region alike)
    c["wage_ratio"] = 1.0
    c["gva_ratio"] = float("nan")
    c["performance"] = "medium"
    c["productivity_basis"] = "wages"
    c["productivity_star"] = 0
    c["dataset"], c["nuts_version"], c["level"] = DATASET, "2013", 2
    c["sector_scheme"], c["benchmark"], c["reason"] = "nace_r2", "dataset", ""
    c["country"] = c["region"].str[:2]
    c["sector_type"] = None
    c["parent"] = c["sector"].map(lambda s: SECTORS[s][2])
    return c


def build_tiny_store(path: Path) -> Path:
    """Write the tiny store to ``path`` and return it."""
    con = duckdb.connect(str(path))
    for stmt in create_statements():
        con.execute(stmt)
    con.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    for code, (name, country, (x, y)) in REGIONS.items():
        con.execute(
            "INSERT INTO regions (code, nuts_version, level, country, name, parent, kind) VALUES (?, '2013', 2, ?, ?, ?, 'nuts')",
            [code, country, name, code[:3]],
        )
        wkb = shapely.to_wkb(shapely.box(x, y, x + 1, y + 1))
        for variant in ("full", "display"):
            con.execute(
                "INSERT INTO geometries (code, nuts_version, level, variant, wkb, label_lon, label_lat, source) "
                "VALUES (?, '2013', 2, ?, ?, ?, ?, 'gisco_nuts_2013')",
                [code, variant, wkb, x + 0.5, y + 0.5],
            )
    for code, name in (("AT", "Österreich"), ("DE", "Deutschland")):
        con.execute(
            "INSERT INTO regions (code, nuts_version, level, country, name, parent, kind) VALUES (?, '2013', 0, ?, ?, NULL, 'nuts')",
            [code, code, name],
        )
    for code, box in (("AT", shapely.box(0, 0, 3, 1)), ("DE", shapely.box(0, 1, 2, 2))):
        for variant in ("full", "display"):
            con.execute(
                "INSERT INTO geometries (code, nuts_version, level, variant, wkb, label_lon, label_lat, "
                "source) VALUES (?, '2013', 0, ?, ?, NULL, NULL, 'gisco_nuts_2013')",
                [code, variant, shapely.to_wkb(box)],
            )
    for code, (label, level, parent) in SECTORS.items():
        con.execute(
            "INSERT INTO sectors (scheme, code, label, level, parent) VALUES ('nace_r2', ?, ?, ?, ?)",
            [code, label, level, parent],
        )
    m = metrics_frame()
    con.register("m_df", m)
    con.execute("CREATE TABLE metrics AS SELECT * FROM m_df")
    obs = []
    for r in m.itertuples():
        for ind, unit, val in (
            ("V16110", "NR", r.employment),
            ("V11210", "NR", r.establishments),
            ("V13320", "MIO_EUR", r.wages),
        ):
            flags = "c" if (r.region == "AT11" and r.sector in ("C", "C29") and ind == "V13320") else ""
            obs.append(
                (
                    DATASET,
                    r.region,
                    r.region,
                    "2013",
                    "nace_r2",
                    r.sector,
                    ind,
                    unit,
                    "",
                    r.year,
                    None if flags else val,
                    flags,
                )
            )
    for region in REGIONS:
        for year in (2010, 2015):
            obs.append(
                (
                    "nama_10r_2gdp",
                    region,
                    region,
                    "2013",
                    "total",
                    "",
                    "GDP",
                    "MIO_EUR",
                    "",
                    year,
                    1000.0 + 10 * year % 7,
                    "p" if year == 2015 else "",
                )
            )
    con.executemany(
        "INSERT INTO observations (dataset, region, region_original, nuts_version, sector_scheme, "
        "sector, indicator, unit, breakdown, year, value, flags, caveats) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
        obs,
    )
    con.execute("""
        CREATE TABLE region_indices AS
        SELECT dataset, level, sector_level, year, region, sum(employment) AS employment,
               count(*) AS n_sectors, 0.5 AS krugman, 0.25 AS krugman_half, sum(share_region ^ 2) AS hhi,
               0.6 AS entropy, NULL::DOUBLE AS related_variety, NULL::DOUBLE AS unrelated_variety,
               NULL::DOUBLE AS cluster_strength
        FROM metrics GROUP BY ALL""")
    con.execute("""
        CREATE TABLE sector_indices AS
        SELECT dataset, level, sector_level, year, sector, sum(employment) AS employment, count(*) AS n_regions,
               0.3 AS gini, 0.2 AS locational_gini, 0.25 AS hoover, 0.1 AS theil
        FROM metrics GROUP BY ALL""")
    now = dt.datetime(2026, 11, 25, 10, 0)
    con.execute(
        "INSERT INTO datasets (code, kind, title, publisher, licence, source_url, retrieved_from, "
        "nuts_version, extracted_at, checksum, row_count, years) VALUES (?, 'statistics', ?, 'Eurostat', ?, "
        "?, ?, '2013', ?, ?, ?, '2008-2015')",
        [
            DATASET,
            "SBS data by NUTS 2 regions and NACE Rev. 2",
            "Eurostat reuse policy",
            "https://ec.europa.eu/eurostat/x",
            "mirror/eurostat/bulk/sbs_r_nuts06_r2.tsv.gz",
            now,
            "ab" * 32,
            len(obs),
        ],
    )
    con.execute(
        "INSERT INTO unmatched_regions (dataset, code, nuts_version, n_rows, reason) "
        "VALUES (?, 'ATZZ', '2013', 8, 'extra-regio')",
        [DATASET],
    )
    con.execute(
        "INSERT INTO nuts_recodes (dataset, code_from, version_from, code_to, version_to, method, weight) "
        "VALUES (?, 'DE41', '2010', 'DE40', '2013', 'merge', 1.0)",
        [DATASET],
    )
    orgs = [
        (
            "EUCO1",
            "Automotive Cluster Styria",
            "ACstyria",
            "AT",
            "Vienna",
            "automotive; mobility",
            16.4,
            48.2,
            "AT13",
        ),
        ("EUCO2", EVIL, None, "DE", "München", "automotive; electronics", 11.6, 48.1, "DE21"),
        ("EUCO3", "=cmd|' /C calc'!A0", None, "DE", "Passau", "food; agriculture", 13.4, 48.6, "DE22"),
        ("EUCO4", f"Food Cluster Lower Austria {LINK}", None, "AT", None, "food", None, None, "AT12"),
    ]
    from cluster_map.sources import org_profiles

    for oid, name, acr, country, city, sectors, lon, lat, nuts2 in orgs:
        keys = org_profiles.sector_keys(sectors)
        nace = org_profiles.nace_of(keys)
        terms = org_profiles.search_terms(name, acr, city, sectors, keys=keys, nace=nace)
        con.execute(
            """INSERT INTO organisations (id, directory, name, acronym, country, city, sectors, org_type,
                       lat, lon, geocode_precision, nuts0, nuts1, nuts2, nuts_version, website, source_url,
                       org_kind, sector_keys, nace, search_terms)
                       VALUES (?, 'eu_cluster_organisations', ?, ?, ?, ?, ?, 'cluster organisation', ?, ?,
                       ?, ?, ?, ?, '2013', 'example.org', 'https://example.org/src', 'cluster', ?, ?, ?)""",
            [
                oid,
                name,
                acr,
                country,
                city,
                sectors,
                lat,
                lon,
                "city" if lat else "region",
                country,
                nuts2[:3],
                nuts2,
                "; ".join(keys),
                "; ".join(nace),
                terms,
            ],
        )
    con.execute(
        "INSERT INTO partnerships (name, theme, type, member_organisations, countries, source_url, note) "
        "VALUES ('RECiPE4Mobility', 'mobility', 'ESCP-4x', ?, 'AT; DE', "
        "'https://example.org/p', NULL)",
        [f"Automotive Cluster Styria; {EVIL}"],
    )
    con.execute(
        "INSERT INTO events (id, event_name, event_type, dates, date_precision, date_start, date_end, city, "
        "country, organisers_partners, participants, source_url, note) VALUES ('ev-vienna', "
        "'Clusters meet Regions - Vienna', 'workshop', '2024-03-26 – 2024-03-27', 'day', DATE '2024-03-26', "
        "DATE '2024-03-27', 'Vienna', 'AT', 'ECCP; Automotive Cluster Styria', '>100', 'https://example.org/e', "
        "NULL)"
    )
    con.execute(
        "INSERT INTO events (id, event_name, event_type, dates, date_precision, date_start, date_end, city, "
        "country, organisers_partners, participants, source_url, note) VALUES ('ev-graz', "
        "'Clusters meet Regions - Graz', 'workshop', '2025', 'year', DATE '2025-01-01', DATE '2025-12-31', "
        "'Graz', 'AT', 'ECCP', NULL, 'https://example.org/g', 'exact date not stated')"
    )
    con.close()
    return path


def tiny_connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Yield a read-only connection to a fresh tiny store (``yield from`` it in a module fixture)."""
    from cluster_map.store.database import connect

    con = connect(build_tiny_store(tmp_path_factory.mktemp("tiny") / "cluster_map.duckdb"))
    yield con
    con.close()
