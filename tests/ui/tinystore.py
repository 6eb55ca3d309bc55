"""A tiny hand-made store (two countries, five NUTS 2 regions, two sectors, two years) for fast tests.

Built with the real DDL (``cluster_map.store.database.create_schema``) plus a ``metrics`` table with the
columns of the statistics engine. One region name holds ``<script>`` (must stay text), one cell is
confidential (value NULL, flag 'c') and one region has no row at all, so every no-data reason occurs.
With ``us=True`` it also holds three US states (squares far west of Europe) and two US CMP clusters of
2016: 4 Automotive (the catalogue's equivalent of C29) and 9 Construction Products and Services (the
dataset's default: it has the most states), so a page can switch dataset and back.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import shapely

from cluster_map.store.database import create_schema

NAMES = {
    "AA": "Aland",
    "AA1": "Aland One",
    "AA11": "North",
    "AA12": '<script>alert("x")</script> Süd',
    "AA13": "East",
    "BB": "Borduria",
    "BB1": "Borduria One",
    "BB11": "Szohod",
    "BB12": "Klow",
}
#: (region, sector, year) -> persons employed; None = confidential cell; missing key = no row.
EMPLOYMENT = {
    ("AA11", "C", 2014): 10000,
    ("AA11", "C29", 2014): 3000,
    ("AA12", "C", 2014): 8000,
    ("AA12", "C29", 2014): 500,
    ("AA13", "C", 2014): 4000,
    ("AA13", "C29", 2014): 600,
    ("BB11", "C", 2014): 6000,
    ("BB11", "C29", 2014): 1500,
    ("BB12", "C", 2014): 2000,
    ("AA11", "C", 2015): 11000,
    ("AA11", "C29", 2015): 3630,
    ("AA12", "C", 2015): 8000,
    ("AA12", "C29", 2015): 400,
    ("AA13", "C", 2015): 4200,
    ("AA13", "C29", 2015): None,
    ("BB11", "C", 2015): 6500,
    ("BB11", "C29", 2015): 2000,
    ("BB12", "C", 2015): 2100,
}
TOTAL = {"AA11": 50000, "AA12": 40000, "AA13": 30000, "BB11": 20000, "BB12": 10000}
SQUARES = {"AA11": (0, 50), "AA12": (1, 50), "AA13": (2, 50), "BB11": (0, 49), "BB12": (1, 49)}


def _square(x: float, y: float, size: float = 1.0) -> shapely.Polygon:
    return shapely.box(x, y, x + size, y + size)


#: US states (code: name, lower-left corner), clusters and 2016 employment (state, cluster) -> persons.
US_STATES = {"06": ("California", (-122, 35)), "26": ("Michigan", (-86, 42)), "48": ("Texas", (-100, 30))}
US_CLUSTERS = {"4": "Automotive", "9": "Construction Products and Services"}
US_EMPLOYMENT = {
    ("06", "4"): 20000,
    ("06", "9"): 90000,
    ("26", "4"): 170000,
    ("26", "9"): 30000,
    ("48", "9"): 80000,
}
US_TOTAL = {"06": 15_000_000, "26": 3_900_000, "48": 11_000_000}


def build_tiny_store(path: Path, *, us: bool = False) -> Path:
    """Write the tiny store to ``path`` (with the US part when ``us``) and return it."""
    con = duckdb.connect(str(path))
    create_schema(con)
    for code, name in NAMES.items():
        level = len(code) - 2
        parent = code[:-1] if level else None
        con.execute(
            "INSERT INTO regions VALUES (?, '2013', ?, ?, ?, ?, 'nuts')",
            [code, level, code[:2], name, parent],
        )
    geoms = {c: _square(*xy) for c, xy in SQUARES.items()}
    geoms["AA"] = shapely.box(0, 50, 3, 51)
    geoms["BB"] = shapely.box(0, 49, 2, 50)
    geoms["AA1"], geoms["BB1"] = geoms["AA"], geoms["BB"]
    for code, g in geoms.items():
        level = len(code) - 2
        for variant in ("full", "display"):
            pt = g.representative_point()
            con.execute(
                "INSERT INTO geometries VALUES (?, '2013', ?, ?, ?, ?, ?, 'tiny')",
                [code, level, variant, shapely.to_wkb(g), pt.x, pt.y],
            )
    con.execute(
        "INSERT INTO sectors VALUES ('nace_r2', 'C', 'Manufacturing', 1, NULL, NULL), "
        "('nace_r2', 'C29', 'Manufacture of motor vehicles, trailers and semi-trailers', 2, 'C', NULL)"
    )
    con.execute(
        "INSERT INTO datasets (code, kind, title) VALUES ('sbs_r_nuts06_r2', 'statistics', "
        "'SBS data by NUTS 2 regions and NACE Rev. 2')"
    )
    for (region, sector, year), value in EMPLOYMENT.items():
        con.execute(
            "INSERT INTO observations VALUES ('sbs_r_nuts06_r2', ?, ?, '2013', 'nace_r2', ?, "
            "'V16110', 'NR', '', ?, ?, ?, '')",
            [region, region, sector, year, value, "c" if value is None else ""],
        )
    con.execute("""CREATE TABLE metrics (dataset VARCHAR, nuts_version VARCHAR, level INTEGER, region VARCHAR,
        sector_scheme VARCHAR, sector VARCHAR, year INTEGER, employment DOUBLE, establishments DOUBLE,
        share_region DOUBLE, share_sector DOUBLE, lq DOUBLE, size_star BOOLEAN, specialisation_star BOOLEAN,
        focus_star BOOLEAN, stars INTEGER, qualifying BOOLEAN, significant BOOLEAN, strong BOOLEAN,
        strong10 BOOLEAN, benchmark VARCHAR)""")
    grand = sum(TOTAL.values())
    for year in (2014, 2015):
        for sector in ("C", "C29"):
            cells = {r: v for (r, s, y), v in EMPLOYMENT.items() if s == sector and y == year and v}
            sector_total = sum(cells.values())
            for region, emp in cells.items():
                share_r = emp / TOTAL[region]
                lq = share_r / (sector_total / grand)
                stars = int(lq >= 2) + int(emp >= 2000) + int(share_r >= 0.05)
                con.execute(
                    "INSERT INTO metrics VALUES ('sbs_r_nuts06_r2', '2013', 2, ?, 'nace_r2', ?, ?, ?, "
                    "NULL, ?, ?, ?, ?, ?, ?, ?, TRUE, TRUE, ?, FALSE, 'dataset')",
                    [
                        region,
                        sector,
                        year,
                        emp,
                        share_r,
                        emp / sector_total,
                        lq,
                        emp >= 2000,
                        lq >= 2,
                        share_r >= 0.05,
                        stars,
                        lq >= 1.5,
                    ],
                )
    if us:
        _add_us(con)
    con.close()
    return path


def _add_us(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO regions VALUES ('US', 'us', 0, 'US', 'United States', NULL, 'us_nation')")
    for code, (name, (x, y)) in US_STATES.items():
        con.execute("INSERT INTO regions VALUES (?, 'us', 1, 'US', ?, 'US', 'us_state')", [code, name])
        g = _square(x, y, 4.0)
        pt = g.representative_point()
        for variant in ("full", "display"):
            con.execute(
                "INSERT INTO geometries VALUES (?, 'us', 1, ?, ?, ?, ?, 'tiny')",
                [code, variant, shapely.to_wkb(g), pt.x, pt.y],
            )
    for code, label in US_CLUSTERS.items():
        con.execute("INSERT INTO sectors VALUES ('us_cluster', ?, ?, 1, NULL, 'traded')", [code, label])
    con.execute(
        "INSERT INTO datasets (code, kind, title) VALUES ('us_cmp_states_2016', 'statistics', "
        "'U.S. Cluster Mapping: cluster employment by state, 2016')"
    )
    grand = sum(US_TOTAL.values())
    for cluster in US_CLUSTERS:
        cells = {s: v for (s, c), v in US_EMPLOYMENT.items() if c == cluster}
        cluster_total = sum(cells.values())
        for state, emp in cells.items():
            share_r = emp / US_TOTAL[state]
            lq = share_r / (cluster_total / grand)
            con.execute(
                "INSERT INTO metrics VALUES ('us_cmp_states_2016', 'us', 1, ?, 'us_cluster', ?, 2016, ?, "
                "NULL, ?, ?, ?, FALSE, FALSE, FALSE, 0, TRUE, TRUE, ?, FALSE, 'external')",
                [state, cluster, emp, share_r, emp / cluster_total, lq, lq >= 1.5],
            )
