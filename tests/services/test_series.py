"""The European SBS under one name: the series ``eurostat_sbs`` of the catalogue (sbs_r_nuts06_r2 for
2008-2020, sbs_r_nuts2021 from 2021), on the mirror plus today's sbs_r_nuts2021 fixture (``current_store``).

Known values: every metric row of the series is the row of the part dataset of its year (the 2015 LQ of a
region is sbs_r_nuts06_r2's, the 2021 LQ of AT11 is sbs_r_nuts2021's); the join year carries the break
caveat; maps draw each year on its own NUTS version; profile key figures run across the join.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cluster_map import catalogue
from cluster_map.services import mapview, profiles
from cluster_map.store import database

SERIES = catalogue.SERIES[0]


@pytest.fixture(scope="module")
def con(current_store: Path):  # type: ignore[no-untyped-def]
    c = database.connect(current_store, read_only=True)
    yield c
    c.close()


def test_the_series_is_declared_once_and_read_from_the_catalogue() -> None:
    ds = catalogue.dataset("eurostat_sbs")
    assert ds.role == "series" and not ds.is_statistics and ds.mapped
    assert SERIES.datasets == ("sbs_r_nuts06_r2", "sbs_r_nuts2021") and SERIES.join_years() == (2021,)
    assert ds.nuts.version_for(2015) == "2013" and ds.nuts.version_for(2022) == "2021"
    assert ds.nuts.version_for(2024) == "2024"
    assert catalogue.source_dataset("eurostat_sbs", 2020).code == "sbs_r_nuts06_r2"  # type: ignore[union-attr]
    assert catalogue.source_dataset("eurostat_sbs", 2021).code == "sbs_r_nuts2021"  # type: ignore[union-attr]
    assert catalogue.series_break("eurostat_sbs", 2021) and not catalogue.series_break("eurostat_sbs", 2022)
    with pytest.raises(ValueError, match="catalogued"):
        catalogue.user_dataset("eurostat_sbs", {})


def test_the_picker_offers_the_series_first_with_its_one_name(con) -> None:  # type: ignore[no-untyped-def]
    offered = mapview.datasets(con)
    assert offered[:3] == ("eurostat_sbs", "sbs_r_nuts06_r2", "sbs_r_nuts2021")
    assert mapview.dataset_label("eurostat_sbs").startswith("Europe: Structural business statistics (SBS)")


def test_the_mirror_alone_has_no_series(mirror_store: Path) -> None:
    with database.connect(mirror_store, read_only=True) as c:
        assert "eurostat_sbs" not in mapview.datasets(c)


def test_every_series_row_is_its_parts_row_with_the_break_flag_at_the_join(con) -> None:  # type: ignore[no-untyped-def]
    rows = database.query(
        con,
        """
        SELECT s.year, s.dataset, count(*) AS n, count(p.region) AS matched,
               count(*) FILTER (WHERE s.lq IS NOT DISTINCT FROM p.lq AND s.employment IS NOT DISTINCT FROM p.employment
                                AND s.stars IS NOT DISTINCT FROM p.stars) AS same,
               count(*) FILTER (WHERE contains(coalesce(s.caveats, ''), 'break:series_join')) AS flagged
        FROM metrics s LEFT JOIN metrics p
          ON p.dataset = CASE WHEN s.year >= 2021 THEN 'sbs_r_nuts2021' ELSE 'sbs_r_nuts06_r2' END
         AND p.nuts_version = s.nuts_version AND p.level = s.level AND p.region = s.region
         AND p.sector_scheme = s.sector_scheme AND p.sector = s.sector AND p.year = s.year
        WHERE s.dataset = 'eurostat_sbs' GROUP BY ALL ORDER BY year""",
    )
    assert (rows["n"] == rows["matched"]).all() and (rows["n"] == rows["same"]).all()
    years = rows["year"].tolist()
    assert min(years) <= 2010 and 2015 in years and {2021, 2022, 2023, 2024} <= set(years)
    assert (rows.loc[rows["year"] == 2021, "flagged"] == rows.loc[rows["year"] == 2021, "n"]).all()
    assert (rows.loc[rows["year"] != 2021, "flagged"] == 0).all()
    totals = database.query(
        con,
        """
        SELECT dataset, count(*) AS n FROM metrics
        WHERE (dataset = 'sbs_r_nuts06_r2' AND year <= 2020) OR dataset = 'sbs_r_nuts2021' OR dataset = 'eurostat_sbs'
        GROUP BY dataset""",
    ).set_index("dataset")["n"]
    assert totals["eurostat_sbs"] == totals["sbs_r_nuts06_r2"] + totals["sbs_r_nuts2021"]
    # the index tables follow the metrics
    for table in ("region_indices", "sector_indices"):
        n = database.query(con, f"SELECT count(*) AS n FROM {table} WHERE dataset = 'eurostat_sbs'")[
            "n"
        ].iloc[0]  # noqa: S608
        assert n > 0, table


def test_maps_across_the_join_use_each_years_geometry_and_flag_the_break(con) -> None:  # type: ignore[no-untyped-def]
    opts = mapview.view_options(con, "eurostat_sbs")
    assert 2015 in opts.years and 2022 in opts.years
    assert opts.nuts_version_for(2015) == "2013" and opts.nuts_version_for(2021) == "2021"
    old = mapview.map_layer(
        con, dataset="eurostat_sbs", level=2, sector="C", year=2015, metric="lq", options=opts
    )
    part = mapview.map_layer(con, dataset="sbs_r_nuts06_r2", level=2, sector="C", year=2015, metric="lq")
    assert old.nuts_version == "2013"
    a = old.table().set_index("code")["value"].dropna()
    b = part.table().set_index("code")["value"].dropna()
    assert len(a) > 50 and a.sort_index().equals(b.sort_index())
    assert not old.table()["caveats"].str.contains(catalogue.SERIES_BREAK_CAVEAT).any()
    new = mapview.map_layer(
        con, dataset="eurostat_sbs", level=2, sector="C", year=2021, metric="lq", options=opts
    )
    assert new.nuts_version == "2021"
    t = new.table().set_index("code")
    assert {"FRK2", "HU11", "IE05", "LT01", "PL91"} <= set(t.index[t["value"].notna()])
    assert t.loc["AT11", "caveats"].split(";")[-1] == catalogue.SERIES_BREAK_CAVEAT
    ref = mapview.map_layer(con, dataset="sbs_r_nuts2021", level=2, sector="C", year=2021, metric="lq")
    assert t.loc["AT11", "value"] == pytest.approx(ref.table().set_index("code").loc["AT11", "value"])
    # the tooltip's caveat says it in words
    assert "break in series" in new.frame.set_index("code").loc["AT11", "caveat"]
    # source flags come from the part of the year (the fixture marks C 2024 of AT11 provisional: '15296 p')
    late = mapview.map_layer(
        con, dataset="eurostat_sbs", level=2, sector="C", year=2024, metric="lq", options=opts
    )
    assert late.nuts_version == "2024"
    lt = late.table().set_index("code")
    assert "p" in lt.loc["AT11", "flags"]
    assert catalogue.SERIES_BREAK_CAVEAT not in lt.loc["AT11", "caveats"]


def test_rankings_and_profiles_run_across_the_join(con) -> None:  # type: ignore[no-untyped-def]
    figures = profiles.key_figures(con, dataset="eurostat_sbs", regions=["AT11"])
    persons = figures[figures["label"] == "Persons employed"].set_index("year")["value"]
    assert persons.index.min() < 2021 and 2021 in persons.index
    # the 2021 figure is sbs_r_nuts2021's EMP_LOC_NR total (B-S_X_O_S94 75 000 is not a level-1 sum; the
    # sum over its sections is what sbs_r_nuts2021's own profile shows)
    own = profiles.key_figures(con, dataset="sbs_r_nuts2021", regions=["AT11"])
    own_p = own[own["label"] == "Persons employed"].set_index("year")["value"]
    assert persons.loc[2021] == pytest.approx(own_p.loc[2021])
    older = profiles.key_figures(con, dataset="sbs_r_nuts06_r2", regions=["AT11"])
    older_p = older[older["label"] == "Persons employed"].set_index("year")["value"]
    assert persons.loc[older_p.index.max()] == pytest.approx(older_p.iloc[-1])
    prof = profiles.region_profile(con, dataset="eurostat_sbs", region="AT11")
    assert len(prof.specialisations) > 0


def test_the_trend_chart_draws_the_break_at_the_join() -> None:
    import pandas as pd

    from cluster_map.ui import charts

    frame = pd.DataFrame(
        {"label": ["Persons employed"] * 3, "year": [2019, 2020, 2021], "value": [1.0, 2.0, 3.0]}
    )
    fig = charts.time_series(frame, breaks=SERIES.join_years())
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert [s.x0 for s in lines] == [2020.5]
    assert any("break in series" in a.text for a in fig.layout.annotations)
    assert not charts.time_series(frame).layout.shapes


def test_a_link_without_a_dataset_opens_the_series_where_the_store_holds_it(con, mirror_store: Path) -> None:  # type: ignore[no-untyped-def]
    from cluster_map.ui import state

    filters, warnings = state.decode({}, lambda d: mapview.view_options(con, d))
    assert filters.dataset == "eurostat_sbs" and not warnings
    assert 2021 in mapview.view_options(con, filters.dataset).years  # the series runs past the 2017 vintage
    # a link that names a part keeps it (shared links keep their meaning)
    named, _ = state.decode({"dataset": "sbs_r_nuts06_r2"}, lambda d: mapview.view_options(con, d))
    assert named.dataset == "sbs_r_nuts06_r2"
    unknown, said = state.decode({"dataset": "nope"}, lambda d: mapview.view_options(con, d))
    assert unknown.dataset == "eurostat_sbs" and "showing 'eurostat_sbs'" in said[0]
    with database.connect(mirror_store, read_only=True) as c:  # the 2017 mirror has only the first part
        alone, _ = state.decode({}, lambda d: mapview.view_options(c, d))
    assert alone.dataset == "sbs_r_nuts06_r2"
