"""The ingest service: orchestration on tiny hand-made frames, and a full ingest of the mirror."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
import shapely

import cluster_map.services.ingest as ingest_mod
from cluster_map.errors import InputError, SourceError, StoreError
from cluster_map.schema import OBSERVATION_COLUMNS
from cluster_map.services import readers
from cluster_map.services.ingest import Part, Reader, ingest, store_info
from cluster_map.sources.fetch import Fetched, SourceResolver
from cluster_map.store import database
from cluster_map.store.schema import SCHEMA_VERSION, TABLES

ROOT = Path(__file__).resolve().parents[2]


# --- a tiny plan: two regions, two sectors, one dataset --------------------------------------------
def fetched(name: str) -> Fetched:
    return Fetched(
        name=name,
        path=Path(name),
        retrieved_from=f"/mirror/{name}",
        official_url=f"https://example.org/{name}",
        sha256=hashlib.sha256(name.encode()).hexdigest(),
    )


def observations(dataset: str, values: dict[tuple[str, str, int], float | None]) -> pd.DataFrame:
    rows = [
        {
            "dataset": dataset,
            "region": r,
            "region_original": r,
            "nuts_version": "2013",
            "sector_scheme": "nace_r2",
            "sector": s,
            "indicator": "V16110",
            "unit": "NR",
            "breakdown": "",
            "year": y,
            "value": v,
            "flags": "" if v is not None else "c",
        }
        for (r, s, y), v in values.items()
    ]
    return pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))


def square(x: float) -> shapely.Polygon:
    return shapely.box(x, 45.0, x + 1.0, 46.0)


def nuts_part(_: SourceResolver) -> Part:
    frame = gpd.GeoDataFrame(
        {
            "code": ["AT", "AT1", "AT2"],
            "nuts_version": "2013",
            "level": [0, 1, 1],
            "country": "AT",
            "name": ["Österreich", "Ost", "Süd"],
            "parent": [None, "AT", "AT"],
            "label_lon": [15.0, 14.5, 15.5],
            "label_lat": 45.5,
            "display": gpd.GeoSeries([shapely.box(14, 45, 16, 46), square(14), square(15)], crs=4326),
        },
        geometry=[shapely.box(14, 45, 16, 46), square(14), square(15)],
        crs=4326,
    )
    part = Part("nuts")
    part.tables += [
        ("regions", readers.region_rows(frame, "nuts")),
        ("geometries", readers.geometry_rows(frame, "gisco_nuts_2013")),
    ]
    part.provenance.append(
        readers.provenance("gisco_nuts_2013", "geometry", [fetched("nuts.shp")], nuts_version="2013", rows=3)
    )
    part.payload["geometry_codes"] = {"2013": {"AT", "AT1", "AT2"}}
    return part


def reference_part(_: SourceResolver) -> Part:
    part = Part("reference")
    part.tables += [
        (
            "sectors",
            pd.DataFrame(
                {
                    "scheme": "nace_r2",
                    "code": ["C", "F"],
                    "label": ["Manufacturing", "Construction"],
                    "level": 1,
                }
            ),
        ),
        ("related_clusters", pd.DataFrame({"cluster_a": ["1"], "cluster_b": ["2"], "relatedness": [0.5]})),
        ("cluster_naics", pd.DataFrame({"scheme": "us_cluster", "cluster_code": ["1"], "naics": ["111111"]})),
        (
            "organisations",
            pd.DataFrame(
                {
                    "id": ["eu-1", "eu-2"],
                    "directory": "eu_cluster_organisations",
                    "name": ["Alpha cluster", "Beta cluster"],
                    "country": "AT",
                    "geocode_precision": ["city", "country"],
                }
            ),
        ),
    ]
    part.provenance.append(readers.provenance("nace_r2", "codelist", [fetched("nace_r2.csv")], rows=2))
    return part


VALUES = {
    ("AT1", "C", 2015): 100.0,
    ("AT2", "C", 2015): 50.0,
    ("AT1", "F", 2014): None,
    ("EU28", "C", 2015): 1e6,
    ("ATZZ", "C", 2015): 3.0,
    ("FI18", "C", 2015): 1.0,
}


def stats_reader(values: dict[tuple[str, str, int], float | None] = VALUES, code: str = "sbs_r_nuts06_r2"):
    def read(_: SourceResolver) -> Part:
        return Part(
            code,
            observations={code: observations(code, values)},
            payload={"files": {code: [fetched(f"{code}.tsv.gz")]}},
        )

    return read


@pytest.fixture()
def tiny_plan(monkeypatch: pytest.MonkeyPatch) -> list[Reader]:
    plan = [
        Reader("sbs", stats_reader()),
        Reader("nuts 2013", nuts_part),
        Reader("reference", reference_part),
    ]
    monkeypatch.setattr(
        ingest_mod, "build_plan", lambda only=(): [r for r in plan if not only or r.name == "sbs"]
    )
    monkeypatch.setattr(ingest_mod, "METRICS_MODULE", "cluster_map.services.no_such_metrics_module")
    return plan


def tiny_ingest(db: Path, **kw: object) -> ingest_mod.IngestSummary:
    return ingest(source=str(db.parent), db=db, progress=False, **kw)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, without the columns that record when the ingest ran."""
    con = duckdb.connect(str(db), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    out = {}
    for t in sorted(tables):
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [t],
            ).fetchall()
        ]
        keep = [c for c in cols if c != "extracted_at"]
        rows = con.execute(f'SELECT {", ".join(keep)} FROM "{t}" ORDER BY ALL').fetchall()
        out[t] = [r for r in rows if not (t == "meta" and r[0] == "built_at")]
    con.close()
    return out


# --- orchestration ---------------------------------------------------------------------------------
def test_ingest_loads_every_part_with_provenance(tmp_path: Path, tiny_plan: list[Reader]) -> None:
    db = tmp_path / "s.duckdb"
    summary = tiny_ingest(db)
    assert summary.tables["observations"] == len(VALUES)
    assert summary.tables["geometries"] == 6  # full + display
    assert summary.regions_matched == {"sbs_r_nuts06_r2": 2}
    assert summary.regions_unmatched == {"sbs_r_nuts06_r2": ("FI18",)}
    assert summary.organisations == {"eu_cluster_organisations": {"city": 1, "country": 1}}
    lines = {d.code: d for d in summary.datasets}
    assert lines["sbs_r_nuts06_r2"].rows == 6 and lines["sbs_r_nuts06_r2"].years == "2014-2015"
    assert lines["gisco_nuts_2013"].kind == "geometry"
    assert summary.metrics.startswith("skipped")
    assert any("sbs_r_nuts06_r2" in line and "unmatched 1 (FI18)" in line for line in summary.lines())
    con = database.connect(db)
    unmatched = database.query(con, "SELECT code, reason, n_rows FROM unmatched_regions ORDER BY code")
    prov = database.query(con, "SELECT * FROM datasets WHERE code = 'sbs_r_nuts06_r2'").iloc[0]
    con.close()
    assert unmatched.values.tolist() == [
        ["ATZZ", "extra_regio", 1],
        ["EU28", "aggregate", 1],
        ["FI18", "no geometry", 1],
    ]
    # FI18 has no geometry here: the catalogue tolerates it for this dataset, and the summary says why
    assert [(u.kind, u.code) for u in summary.unknown_codes["sbs_r_nuts06_r2.tsv.gz"]] == [
        ("region", "ATZZ"),
        ("region", "EU28"),
        ("region", "FI18"),
    ]
    assert any("region FI18: NUTS 2006 codes split" in line for line in summary.lines())
    assert prov["checksum"] == hashlib.sha256(b"sbs_r_nuts06_r2.tsv.gz").hexdigest()
    assert prov["source_url"] == "https://example.org/sbs_r_nuts06_r2.tsv.gz"
    assert prov["retrieved_from"] == "mirror:sbs_r_nuts06_r2.tsv.gz"  # never the absolute local path
    assert prov["publisher"] == "Eurostat" and prov["nuts_version"] == "2013" and prov["row_count"] == 6
    assert list(db.parent.iterdir()) == [db]


def test_ingest_is_idempotent(tmp_path: Path, tiny_plan: list[Reader]) -> None:
    db = tmp_path / "s.duckdb"
    tiny_ingest(db)
    first = content(db)
    tiny_ingest(db)
    assert content(db) == first


def test_a_failing_reader_leaves_the_old_store_byte_identical(
    tmp_path: Path, tiny_plan: list[Reader], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.duckdb"
    tiny_ingest(db)
    before = sha(db)

    def broken(_: SourceResolver) -> Part:
        raise SourceError("sbs_r_nuts06_r2.tsv.gz: line 7: unknown flag 'q' in '12 q'")

    monkeypatch.setattr(ingest_mod, "build_plan", lambda only=(): [*tiny_plan, Reader("broken", broken)])
    with pytest.raises(SourceError, match="line 7"):
        tiny_ingest(db)
    assert sha(db) == before
    assert list(db.parent.iterdir()) == [db]


@pytest.mark.parametrize(
    ("row", "named"),
    [
        (("AT9", "C", 2015), "unknown region code 'AT9' (no NUTS 2013 geometry: no geometry; 1 row)"),
        (
            ("AT1", "Z99", 2015),
            "unknown sector code 'Z99' (not in the NACE Rev. 2 (nace_r2) code list; 1 row)",
        ),
    ],
)
def test_an_unknown_code_fails_the_ingest_and_keeps_the_old_store(
    row: tuple[str, str, int], named: str, tmp_path: Path, tiny_plan: list[Reader]
) -> None:
    db = tmp_path / "s.duckdb"
    tiny_ingest(db)
    before = sha(db)
    tiny_plan[0] = Reader("sbs", stats_reader({**VALUES, row: 5.0}))
    with pytest.raises(SourceError) as err:
        tiny_ingest(db)
    assert named in str(err.value) and "sbs_r_nuts06_r2.tsv.gz" in str(err.value)
    assert "cluster_map/catalogue/datasets.py" in str(err.value)  # what to do if the code is right
    assert len(err.value.problems) == 1  # FI18, EU28, ATZZ are tolerated
    assert sha(db) == before


def test_duplicate_observations_fail_with_the_key_and_keep_the_old_store(
    tmp_path: Path, tiny_plan: list[Reader], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.duckdb"
    tiny_ingest(db)
    before = sha(db)
    twice = Reader("again", stats_reader({("AT1", "C", 2015): 7.0}, code="lfst_r_lfe2en2"))
    dup = Reader(
        "dup",
        lambda r: Part(
            "dup",
            observations={"lfst_r_lfe2en2": observations("lfst_r_lfe2en2", {("AT1", "C", 2015): 8.0})},
            payload={"files": {"lfst_r_lfe2en2": [fetched("l")]}},
        ),
    )
    monkeypatch.setattr(ingest_mod, "build_plan", lambda only=(): [*tiny_plan, twice, dup])
    with pytest.raises(
        StoreError,
        match=r"duplicate key in table 'observations': dataset='lfst_r_lfe2en2', "
        r"region='AT1', sector='C'.*year=2015",
    ):
        tiny_ingest(db)
    assert sha(db) == before


def test_only_reloads_one_dataset_and_keeps_the_rest(
    tmp_path: Path, tiny_plan: list[Reader], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.duckdb"
    tiny_ingest(db)
    before = content(db)
    tiny_plan[0] = Reader("sbs", stats_reader({("AT1", "C", 2015): 999.0, ("UKD2", "C", 2015): 1.0}))
    summary = tiny_ingest(db, datasets=["sbs_r_nuts06_r2"])
    after = content(db)
    assert summary.regions_unmatched == {"sbs_r_nuts06_r2": ("UKD2",)}
    assert [r[10] for r in after["observations"]] == [999.0, 1.0]  # column 11: value
    assert after["unmatched_regions"] == [("sbs_r_nuts06_r2", "UKD2", "2013", 1, "no geometry")]
    for table in ("regions", "geometries", "sectors", "organisations"):
        assert after[table] == before[table]


def test_only_replaces_the_provenance_of_a_source_read_again(
    tmp_path: Path, tiny_plan: list[Reader], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.duckdb"
    tiny_ingest(db)

    def table_again(_: SourceResolver) -> Part:  # like the recoding table, read again by --only
        part = Part("nuts recoding")
        part.provenance.append(readers.provenance("nace_r2", "codelist", [fetched("v2.csv")], rows=3))
        return part

    monkeypatch.setattr(
        ingest_mod, "build_plan", lambda only=(): [tiny_plan[0], Reader("nuts recoding", table_again)]
    )
    tiny_ingest(db, datasets=["sbs_r_nuts06_r2"])
    rows = content(db)["datasets"]
    assert [r[0] for r in rows] == ["gisco_nuts_2013", "nace_r2", "sbs_r_nuts06_r2"]
    assert next(r for r in rows if r[0] == "nace_r2")[5] == "https://example.org/v2.csv"


@pytest.mark.parametrize(
    ("only", "error", "message"),
    [
        (["sbs_r_nuts06_r2", "gdp"], InputError, r"Unknown dataset\(s\) \['gdp'\]"),
        (["sbs_r_nuts06_r2"], StoreError, "Run a full `cluster-map ingest` first"),
    ],
)
def test_only_refuses_bad_requests(
    tmp_path: Path, tiny_plan: list[Reader], only: list[str], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        tiny_ingest(tmp_path / "s.duckdb", datasets=only)


def test_metrics_are_materialised_into_the_new_file_before_the_swap(
    tmp_path: Path, tiny_plan: list[Reader], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path, bool]] = []
    name = "cluster_map_test_fake_metrics"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))

    def materialise(path: Path, *, progress: bool) -> dict[str, object]:
        calls.append((path, progress))
        con = duckdb.connect(str(path))
        con.execute("CREATE TABLE metrics AS SELECT 'AT1' AS region, 1.5 AS lq")
        con.close()
        return {}

    module.materialise = materialise  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(ingest_mod, "METRICS_MODULE", name)
    db = tmp_path / "s.duckdb"
    summary = tiny_ingest(db)
    assert summary.metrics == "materialised"
    assert len(calls) == 1 and calls[0][0].name.startswith("s.duckdb.building-") and calls[0][1] is False
    con = database.connect(db)
    assert database.query(con, "SELECT lq FROM metrics")["lq"].tolist() == [1.5]
    con.close()


def test_unreachable_official_urls_fall_back_to_the_mirror_once(
    tmp_path: Path, tiny_plan: list[Reader], monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.error

    import cluster_map.sources.fetch as fetch_mod

    mirror = tmp_path / "mirror"
    (mirror / "eurostat").mkdir(parents=True)
    (mirror / "eurostat" / "probe.tsv").write_text("x")
    attempts: list[str] = []

    def offline(request: object, timeout: float) -> object:
        attempts.append(getattr(request, "full_url", str(request)))
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(fetch_mod.urllib.request, "urlopen", offline)
    monkeypatch.setenv("CLUSTER_MAP_MIRROR", str(mirror))
    monkeypatch.setenv("CLUSTER_MAP_CACHE_DIR", str(tmp_path / "cache"))
    tiny_plan[0] = Reader(
        "sbs", stats_reader(), probe=("eurostat/probe.tsv", "https://example.org/probe.tsv")
    )
    summary = ingest(source="", db=tmp_path / "store" / "s.duckdb", progress=False)
    assert attempts == ["https://example.org/probe.tsv"]
    assert summary.origin == f"local mirror {mirror}"
    assert summary.lines()[0].endswith(f"from local mirror {mirror}.")


def test_store_info_lists_datasets_with_provenance(tmp_path: Path, tiny_plan: list[Reader]) -> None:
    db = tmp_path / "s.duckdb"
    tiny_ingest(db)
    info = store_info(db)
    codes = [d["code"] for d in info.datasets]
    assert set(codes) == {"gisco_nuts_2013", "nace_r2", "sbs_r_nuts06_r2"}
    assert info.unmatched == {"sbs_r_nuts06_r2": 1}
    assert (
        info.meta["schema_version"] == str(SCHEMA_VERSION)
        and info.meta["origin"] == f"local mirror {tmp_path}"
    )
    d = info.to_dict()
    assert d["datasets"][0]["extracted_at"].endswith("Z")


def test_store_info_without_a_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cluster-map ingest"):
        store_info(tmp_path / "missing.duckdb")


# --- the real mirror -----------------------------------------------------------------------------
@pytest.mark.mirror
@pytest.mark.slow
def test_full_ingest_row_counts_equal_the_source_cells(mirror_store: Path, mirror: Path) -> None:
    from cluster_map import catalogue
    from cluster_map.sources import eurostat

    con = database.connect(mirror_store)
    rows = dict(
        database.query(con, "SELECT dataset, count(*) AS n FROM observations GROUP BY dataset").values
    )
    native = dict(
        database.query(
            con,
            "SELECT dataset, count(*) AS n FROM observations WHERE region = region_original GROUP BY dataset",
        ).values
    )
    recoded = dict(
        database.query(
            con,
            "SELECT dataset, sum(n) FROM (SELECT dataset, code_from, "
            "any_value(n_rows) AS n FROM nuts_recodes GROUP BY ALL) GROUP BY ALL",
        ).values
    )
    prov = database.query(con, "SELECT code, row_count, cells_read, checksum FROM datasets").set_index("code")
    in_mirror = [d.code for d in catalogue.eurostat() if (mirror / eurostat.mirror_name(d.code)).is_file()]
    assert set(in_mirror) == {"sbs_r_nuts06_r2", "lfst_r_lfe2en2", "sbs_na_sca_r2", "nama_10r_2gdp"}
    for code in in_mirror:
        path = mirror / eurostat.mirror_name(code)
        cells = eurostat.count_cells(path)
        assert prov.loc[code, "cells_read"] == cells, code  # one row per non-empty cell was read
        assert prov.loc[code, "row_count"] == rows[code]
        assert prov.loc[code, "checksum"] == hashlib.sha256(path.read_bytes()).hexdigest()
        if code not in recoded:
            assert rows[code] == cells, code
        else:  # rows of codes that needed no recoding are all kept, unless a recoded value filled a ':'
            assert native[code] + recoded[code] <= cells < native[code] + recoded[code] + 0.05 * cells, code
    assert set(recoded) == {"sbs_r_nuts06_r2", "lfst_r_lfe2en2"}
    us = database.query(
        con,
        "SELECT count(DISTINCT (region, sector)) AS n, count(*) AS rows "
        "FROM observations WHERE dataset = 'us_cmp_states_2016'",
    ).iloc[0]
    assert us["n"] == 3350 and us["rows"] == 3350 * 5
    orgs = dict(database.query(con, "SELECT directory, count(*) FROM organisations GROUP BY ALL").values)
    assert orgs == {"eu_cluster_organisations": 263, "us_cmp_organisations": 145}
    con.close()


@pytest.mark.mirror
def test_every_statistical_dataset_names_its_own_title_publisher_and_licence(mirror_store: Path) -> None:
    """Provenance shown on the Data page: no empty title, and US files are not credited to Eurostat."""
    con = database.connect(mirror_store)
    prov = database.query(
        con, "SELECT code, title, publisher, licence FROM datasets WHERE kind = 'statistics'"
    )
    con.close()
    assert (prov["title"].str.len() > 10).all(), prov[["code", "title"]]
    us = prov[prov["code"].str.startswith("us_cmp")]
    assert set(us["code"]) == {"us_cmp_states_2016", "us_cmp_totals_2016"}
    assert (us["publisher"] == "U.S. Cluster Mapping Project").all(), us
    assert not us["licence"].str.contains("Eurostat").any(), us


@pytest.mark.mirror
@pytest.mark.slow
def test_full_ingest_matches_regions_after_recoding(mirror_store: Path) -> None:
    con = database.connect(mirror_store)
    unmatched = database.query(con, "SELECT dataset, code, reason FROM unmatched_regions")
    matched = database.query(
        con,
        """
        SELECT o.dataset, count(DISTINCT o.region) AS n FROM observations o
        JOIN geometries g ON g.code = o.region AND g.nuts_version = o.nuts_version AND g.variant = 'full'
        GROUP BY ALL""",
    ).set_index("dataset")["n"]
    con.close()
    no_geometry = unmatched[unmatched["reason"] == "no geometry"]
    # SBS: 283 of its NUTS 2 codes are 2013 codes already; recoding brings the 2010 ones in.
    assert matched["sbs_r_nuts06_r2"] >= 283 + 30
    assert matched["us_cmp_states_2016"] == 50
    assert set(unmatched.loc[unmatched["reason"] == "aggregate", "code"]) >= {"EU28", "EA19"}
    assert len(no_geometry[no_geometry["dataset"] == "sbs_r_nuts06_r2"]) <= 10


def partial_mirror(mirror: Path, target: Path, *, without: str) -> Path:
    """A mirror of symlinks to the real files, lacking ``without``."""
    for path in mirror.rglob("*"):
        rel = path.relative_to(mirror)
        if path.is_file() and str(rel) != without:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).symlink_to(path)
    return target


BAD_TSV = "unit,nace_r2,age,geo\\time\t2015 \t2014 \nTHS,A,Y_GE15,AT11\t1.5 \t2.0 q\n"


@pytest.mark.mirror
@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"lfst_r_lfe2en2\.tsv\.gz.* not found"),
        (BAD_TSV, r"lfst_r_lfe2en2\.tsv\.gz.*line 2.*'2\.0 q'"),
    ],
)
def test_a_missing_or_malformed_file_is_named_and_the_old_store_kept(
    mirror: Path, store_copy: Path, tmp_path: Path, content: str | None, message: str
) -> None:
    name = "eurostat/bulk/lfst_r_lfe2en2.tsv.gz"
    partial = partial_mirror(mirror, tmp_path / "mirror", without=name)
    if content is not None:
        import gzip

        (partial / name).write_bytes(gzip.compress(content.encode()))
    before = sha(store_copy)
    with pytest.raises(SourceError, match=message):
        ingest(source=str(partial), db=store_copy, progress=False)
    assert sha(store_copy) == before
    assert sorted(p.name for p in store_copy.parent.iterdir()) == [store_copy.name, "mirror"]


def fingerprint(db: Path) -> dict[str, tuple[int, int]]:
    """Order-independent (rows, sum of row hashes) of every table, extraction times left out."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for t in sorted(TABLES):  # the ingest's own tables (metrics tables: see the statistics tests)
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [t]
            ).fetchall()
        ]
        keep = ", ".join(f'"{c}"' for c in cols if c != "extracted_at")
        where = " WHERE key <> 'built_at'" if t == "meta" else ""
        out[t] = con.execute(
            f'SELECT count(*), coalesce(sum(hash({keep})::HUGEINT), 0) FROM "{t}"{where}'
        ).fetchall()[0]
    con.close()
    return out


@pytest.mark.mirror
@pytest.mark.slow
def test_reingesting_the_mirror_gives_the_same_content(
    mirror: Path, mirror_store: Path, store_copy: Path
) -> None:
    ingest(source=str(mirror), db=store_copy, progress=False)
    first, again = fingerprint(mirror_store), fingerprint(store_copy)
    assert first == again
    assert first["observations"][0] > 2_000_000 and first["organisations"][0] == 408


@pytest.mark.mirror
@pytest.mark.slow
def test_kill_9_during_ingest_keeps_the_old_store_usable(store_copy: Path, mirror: Path) -> None:
    before = sha(store_copy)
    code = textwrap.dedent(f"""
        from cluster_map.services.ingest import ingest
        ingest(source={str(mirror)!r}, db={str(store_copy)!r}, progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not database.temp_path(store_copy, proc.pid).exists():
        time.sleep(0.05)
    time.sleep(1.0)
    assert proc.poll() is None, "the ingest finished before it could be killed"
    os.kill(proc.pid, 9)
    proc.wait()
    assert sha(store_copy) == before
    con = database.connect(store_copy)
    assert database.validate(con) == []
    con.close()
    assert database.clean_stale_builds(store_copy.resolve())  # the next build removes the leftovers
    assert sorted(p.name for p in store_copy.parent.iterdir()) == [store_copy.name]
