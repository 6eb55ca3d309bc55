"""GISCO NUTS reader: known counts on the mirror, CRS checks, invalid geometry, missing files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from cluster_map.errors import SourceError
from cluster_map.geo import EUROPE_CRS
from cluster_map.sources.fetch import SourceResolver
from cluster_map.sources.gisco import NUTS_COLUMNS, read_geometry_file, read_nuts

GEOJSON_2024 = "gisco/nuts/geojson/NUTS_RG_20M_2024_4326.geojson"


def _resolver(root: Path) -> SourceResolver:
    return SourceResolver(source=str(root), notify=lambda _m: None)


def _mirror_with(tmp_path: Path, fixture: Path, name: str = GEOJSON_2024) -> SourceResolver:
    target = tmp_path / name
    target.parent.mkdir(parents=True)
    shutil.copy(fixture, target)
    return _resolver(tmp_path)


# --- known values on the mirror ---------------------------------------------------------------
_CACHE: dict[tuple[str, str], object] = {}


def _nuts(mirror: Path, version: str):
    """read_nuts on the mirror, once per version and test session (the frames are not modified)."""
    key = (str(mirror), version)
    if key not in _CACHE:
        _CACHE[key] = read_nuts(_resolver(mirror), version)
    return _CACHE[key]


@pytest.mark.mirror
@pytest.mark.parametrize(
    ("version", "levels", "label_source"),
    [
        ("2013", {0: 35, 1: 116, 2: 320, 3: 1480}, "gisco label points"),
        ("2016", {0: 37, 1: 125, 2: 332, 3: 1522}, "representative points"),
        ("2021", {0: 37, 1: 125, 2: 333, 3: 1512}, "gisco label points"),
        ("2024", {0: 39, 1: 115, 2: 299, 3: 1345}, "representative points"),
    ],
)
def test_read_nuts_counts_per_level(
    mirror: Path, version: str, levels: dict[int, int], label_source: str
) -> None:
    nuts = _nuts(mirror, version)
    frame = nuts.frame
    assert tuple(frame.columns) == NUTS_COLUMNS
    assert frame.groupby("level").size().to_dict() == levels
    assert nuts.label_source == label_source and nuts.source_code == f"gisco_nuts_{version}"
    assert frame.crs == "EPSG:4326"
    assert not frame["code"].duplicated().any()
    assert frame["name"].notna().all() and frame["label_lon"].notna().all()
    assert (frame["nuts_version"] == version).all()
    child = frame[frame["level"] > 0]
    assert set(child["parent"]) <= set(frame["code"])  # every parent exists
    assert shapely.is_valid(np.asarray(frame.geometry.array)).all()
    assert shapely.is_valid(np.asarray(frame["display"].array)).all()
    # the label point lies in (or within 1 km of) its region
    eq = frame.set_geometry(frame.geometry).to_crs(EUROPE_CRS)
    pts = frame.set_geometry(shapely.points(frame["label_lon"], frame["label_lat"]), crs=4326).to_crs(
        EUROPE_CRS
    )
    assert (eq.geometry.distance(pts.geometry, align=False) < 1000).mean() > 0.99


@pytest.mark.mirror
def test_2013_names_come_from_the_cp1252_table_with_geo_dic_fallback(mirror: Path) -> None:
    frame = _nuts(mirror, "2013").frame.set_index("code")
    assert frame.at["AT", "name"] == "ÖSTERREICH"  # Windows-1252 decoded
    assert frame.at["DE21", "name"] == "Oberbayern"
    assert frame.at["DEC01", "name"] == "Regionalverband Saarbrücken"  # not in NUTS_AT_2013.csv
    assert frame.at["DE21", "parent"] == "DE2" and frame.at["DE21", "country"] == "DE"
    assert frame.at["AT", "label_lon"] == pytest.approx(14.158405, abs=1e-5)  # NUTS_LB_2013


@pytest.mark.mirror
@pytest.mark.parametrize("version", ["2013", "2021"])
def test_display_geometry_is_smaller_without_gaps_or_overlaps(mirror: Path, version: str) -> None:
    frame = _nuts(mirror, version).frame
    for level in range(4):
        part = frame[frame["level"] == level]
        full = shapely.get_num_coordinates(np.asarray(part.geometry.array)).sum()
        display = shapely.get_num_coordinates(np.asarray(part["display"].array)).sum()
        assert display < full
        ea = part["display"].to_crs(EUROPE_CRS)
        full_ea = part.geometry.to_crs(EUROPE_CRS)
        assert ea.area.sum() - ea.union_all().area < 1e4  # overlaps < 0.01 km2 in all of Europe
        assert ea.union_all().area == pytest.approx(full_ea.union_all().area, rel=0.01)


# --- bad inputs --------------------------------------------------------------------------------
def test_wrong_crs_names_file_and_crs(tmp_path: Path, fixtures: Path) -> None:
    resolver = _mirror_with(tmp_path, fixtures / "geo" / "wrong_crs.geojson")
    with pytest.raises(SourceError) as err:
        read_nuts(resolver, "2024")
    text = str(err.value)
    assert "NUTS_RG_20M_2024_4326.geojson" in text and "EPSG:4326" in text and "not in Europe" in text


def test_missing_crs_is_an_error_saying_what_to_do(tmp_path: Path, fixtures: Path) -> None:
    frame = pyogrio.read_dataframe(fixtures / "geo" / "adjacent.geojson")
    shp = tmp_path / "no_prj.shp"
    with pytest.warns(UserWarning, match="crs"):
        pyogrio.write_dataframe(frame.set_crs(None, allow_override=True), shp)
    assert not shp.with_suffix(".prj").exists()
    with pytest.raises(SourceError, match=r"no_prj\.shp.*has no CRS.*restore the \.prj"):
        read_geometry_file(shp, name="no_prj.shp")


def test_projected_file_is_reprojected(tmp_path: Path, fixtures: Path) -> None:
    frame = pyogrio.read_dataframe(fixtures / "geo" / "adjacent.geojson")
    frame = frame.set_geometry(frame.geometry.translate(10, 47)).to_crs(EUROPE_CRS)
    path = tmp_path / "laea.geojson"
    pyogrio.write_dataframe(frame, path)
    back = read_geometry_file(path)
    assert back.crs == "EPSG:4326"
    assert back.total_bounds[0] == pytest.approx(10.0, abs=1e-6)


def test_invalid_geometry_is_repaired_or_names_the_nuts_id(tmp_path: Path, fixtures: Path) -> None:
    resolver = _mirror_with(tmp_path, fixtures / "geo" / "invalid_geometry.geojson")
    with pytest.raises(SourceError) as err:
        read_nuts(resolver, "2024")
    text = str(err.value)
    assert "'AT1'" in text and "cannot repair" in text
    # the bow tie's rings cancel: make_valid would change its area far beyond the tolerance, so it is refused
    assert (
        "'AT': invalid geometry (Self-intersection" in text
        and "more than the 1 % a repair may change" in text
    )


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"NUTS_RG_20M_2024_4326\.geojson.*not found"):
        read_nuts(_resolver(tmp_path), "2024")


def test_unknown_version() -> None:
    with pytest.raises(SourceError, match=r"Unknown NUTS version '2010'"):
        read_nuts(_resolver(Path(".")), "2010")


def test_fixture_regions_read_with_names_and_display(tmp_path: Path, fixtures: Path) -> None:
    resolver = _mirror_with(tmp_path, fixtures / "geo" / "adjacent.geojson")
    nuts = read_nuts(resolver, "2024")
    frame = nuts.frame
    assert frame["code"].tolist() == ["XA1", "XA2"]
    assert frame["name"].tolist() == ["West", "East"] and frame["parent"].isna().all()  # no XA region
    assert (frame["level"] == 1).all() and (frame["country"] == "XA").all()
    assert [f.name for f in nuts.files] == [GEOJSON_2024]
    assert shapely.area(np.asarray(frame["display"].array)).sum() == pytest.approx(2.0, rel=1e-4)


def test_duplicate_or_malformed_codes_are_listed(tmp_path: Path, fixtures: Path) -> None:
    frame = pyogrio.read_dataframe(fixtures / "geo" / "adjacent.geojson")
    frame["NUTS_ID"] = ["XA1", "XA1"]
    frame.loc[1, "LEVL_CODE"] = 2
    path = tmp_path / "dup.geojson"
    pyogrio.write_dataframe(frame, path)
    resolver = _mirror_with(tmp_path / "m", path)
    with pytest.raises(SourceError) as err:
        read_nuts(resolver, "2024")
    assert "'XA1' does not have 4 characters" in str(err.value) and "appears more than once" in str(err.value)


@pytest.mark.mirror
def test_2013_from_the_official_zip_package(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Online, every 2013 part resolves to GISCO's zip; the reader extracts the members it needs."""
    import zipfile

    from cluster_map.sources import gisco

    package = tmp_path / "NUTS_2013_60M_SH.zip"
    data = mirror / "gisco/nuts/shp/NUTS_2013_60M_SH/data"
    with zipfile.ZipFile(package, "w") as zf:
        for f in data.iterdir():
            zf.write(f, f"NUTS_2013_60M_SH/data/{f.name}")
    monkeypatch.setattr(gisco, "NUTS_2013_ZIP", package.as_uri())
    monkeypatch.setattr(
        gisco,
        "GEO_DIC",
        gisco.SourceFile(gisco.GEO_DIC.path, (mirror / gisco.GEO_DIC.path).as_uri(), "Eurostat", "test"),
    )
    resolver = SourceResolver(source="", mirror=None, cache_dir=tmp_path / "cache", notify=lambda _m: None)
    nuts = read_nuts(resolver, "2013")
    assert len(nuts.frame) == 1951 and nuts.frame.set_index("code").at["AT", "name"] == "ÖSTERREICH"
    assert all(f.retrieved_from.startswith("file:") for f in nuts.files)
