"""Organisation directories: import format, validation messages, offline locating, mirror counts."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cluster_map.errors import InputError, SourceError
from cluster_map.sources import organisations as orgs
from cluster_map.sources.fetch import SourceResolver

# A tiny NUTS version: DE split west/east, plus FR and AT, with names and label points.
_BOXES = [
    ("DE", 0, "Deutschland", (5, 47, 15, 55)),
    ("DE1", 1, "Baden-Württemberg", (5, 47, 10, 55)),
    ("DE2", 1, "Bayern", (10, 47, 15, 55)),
    ("DE11", 2, "Stuttgart", (5, 47, 10, 55)),
    ("DE21", 2, "Oberbayern", (10, 47, 15, 55)),
    ("DE111", 3, "Stuttgart, Stadtkreis", (5, 47, 10, 55)),
    ("DE212", 3, "München, Kreisfreie Stadt", (10, 47, 15, 55)),
    ("FR", 0, "France", (-5, 42, 5, 47)),
    ("AT", 0, "Österreich", (15, 46, 17, 49)),
]
CITIES = {
    "1": {
        "name": "Munich",
        "alternatenames": ["München", "Muenchen"],
        "countrycode": "DE",
        "population": 1_500_000,
        "latitude": 48.14,
        "longitude": 11.58,
    },
    "2": {
        "name": "Munchen",
        "alternatenames": [],
        "countrycode": "DE",
        "population": 20_000,
        "latitude": 50.0,
        "longitude": 6.0,
    },  # a small namesake: the most populous one wins
    "3": {
        "name": "Lyon",
        "alternatenames": ["Lyons"],
        "countrycode": "FR",
        "population": 500_000,
        "latitude": 45.76,
        "longitude": 4.83,
    },
}


@pytest.fixture()
def nuts() -> gpd.GeoDataFrame:
    rows = []
    for code, level, name, box in _BOXES:
        poly = shapely.box(*box)
        pt = poly.centroid
        rows.append(
            {
                "code": code,
                "nuts_version": "2021",
                "level": level,
                "country": code[:2],
                "name": name,
                "label_lon": pt.x,
                "label_lat": pt.y,
                "geometry": poly,
            }
        )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def test_user_csv_is_located_at_every_precision(fixtures: Path, nuts: gpd.GeoDataFrame) -> None:
    directory = orgs.read_user_directory(fixtures / "organisations" / "good.csv", name="mine")
    located = orgs.locate(directory, nuts, cities=CITIES)
    assert tuple(located.columns) == orgs.ORGANISATION_COLUMNS
    out = located.set_index("name")
    assert orgs.precision_counts(out) == {"coordinates": 1, "city": 1, "region": 1, "country": 2, "none": 1}
    codes = ["geocode_precision", "nuts0", "nuts1", "nuts2", "nuts3"]
    assert out.loc["Bavarian Test Cluster", codes].tolist() == ["region", "DE", "DE2", None, None]
    assert out.loc["Munich Robotics", codes].tolist() == ["city", "DE", "DE2", "DE21", "DE212"]
    assert out.loc["Munich Robotics", "lat"] == pytest.approx(48.14)
    assert out.loc["Stuttgart Air", codes].tolist() == ["coordinates", "DE", "DE1", "DE11", "DE111"]
    assert out.loc["German Cluster Network", codes].tolist() == ["country", "DE", None, None, None]
    assert out.loc["Nowhere Cluster", codes].tolist() == ["none", None, None, None, None]
    assert out.loc["Nowhere Cluster", "nuts_version"] is None
    assert out.loc["Stuttgart Air", "nuts_version"] == "2021"
    # strings are data: kept verbatim, escaped later where rendered
    assert 'Quote "&" <b>Cluster</b>' in out.index and out.loc['Quote "&" <b>Cluster</b>', "country"] == "DE"
    assert out.loc["Bavarian Test Cluster", "founded_year"] == 2010
    assert out["id"].iloc[0] == "user:mine:2" and out["directory"].iloc[0] == "user:mine"
    assert out.loc["Munich Robotics", "acronym"] is None


def test_user_json_and_xlsx(fixtures: Path, nuts: gpd.GeoDataFrame, tmp_path: Path) -> None:
    out = orgs.locate(orgs.read_user_directory(fixtures / "organisations" / "good.json"), nuts, cities=CITIES)
    assert out["geocode_precision"].tolist() == ["city", "coordinates"]
    assert out["nuts0"].tolist() == ["FR", "AT"] and out["id"].tolist() == ["user:good:1", "user:good:c-1"]
    xlsx = tmp_path / "mine.xlsx"
    pd.DataFrame({"Name": ["A"], "Country": ["AT"], "City": ["Graz"]}).to_excel(xlsx, index=False)
    assert orgs.read_user_directory(xlsx).frame["country"].tolist() == ["AT"]


def test_malformed_csv_reports_every_problem_at_once(fixtures: Path) -> None:
    with pytest.raises(InputError) as err:
        orgs.read_user_directory(fixtures / "organisations" / "bad.csv")
    problems = err.value.problems  # type: ignore[attr-defined]
    text = "\n".join(problems)
    expected = [
        "bad.csv, line 2, column 'name': empty",
        "bad.csv, line 3, column 'country': 'Germany' is not a 2-letter ISO 3166 country code",
        "bad.csv, line 3, column 'lat': '95' is not a lat in [-90, 90]",
        "bad.csv, line 3, column 'lat': lat '95' and lon '': give both or neither",
        "bad.csv, line 3, column 'founded_year': '19x9' is not a year",
        "bad.csv, line 4, column 'lat': lat '' and lon '2.35': give both or neither",
        "bad.csv, line 5, column 'name': 'Third\\x07Cluster' contains control characters",
        "bad.csv, line 5, column 'city': 'Mil\\x01ano' contains control characters",
    ]
    for line in expected:
        assert line in text
    assert len(problems) == len(expected)


def test_missing_required_column_and_bad_types(tmp_path: Path) -> None:
    xlsx = tmp_path / "nocountry.xlsx"
    pd.DataFrame({"name": ["A"], "city": ["Graz"]}).to_excel(xlsx, index=False)
    with pytest.raises(InputError, match=r"nocountry\.xlsx: required column\(s\) \['country'\] missing"):
        orgs.read_user_directory(xlsx)
    with pytest.raises(InputError, match=r"unsupported file type '\.txt2'"):
        orgs.read_user_directory(tmp_path / "x.txt2")
    bad_json = tmp_path / "x.json"
    bad_json.write_text('{"organisations": [1, 2]}')
    with pytest.raises(InputError, match="list of objects"):
        orgs.read_user_directory(bad_json)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"name": "A", ')
    with pytest.raises(InputError, match=r"broken\.json: cannot be read as JSON"):
        orgs.read_user_directory(broken)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("München", "munchen"),
        ("Île-de-France", "ile de france"),
        ("  Saint-Étienne ", "saint etienne"),
        ("Provence-Alpes-Côte d’Azur", "provence alpes cote d azur"),
        ("ŚLĄSKIE", "slaskie"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert orgs.normalise(text) == expected


def test_real_gazetteer_finds_munich(nuts: gpd.GeoDataFrame) -> None:
    frame = pd.DataFrame({"name": ["X"], "country": ["DE"], "city": ["Muenchen"]})
    directory = orgs.Directory("user:t", orgs.validate(frame, file="t")[0])
    out = orgs.locate(directory, nuts)
    assert out["geocode_precision"].iloc[0] == "city"
    assert out["lat"].iloc[0] == pytest.approx(48.14, abs=0.05) and out["nuts3"].iloc[0] == "DE212"


# --- the real directories -----------------------------------------------------------------------
@pytest.mark.mirror
def test_eu_directory_counts_per_precision(mirror: Path) -> None:
    from cluster_map.sources.gisco import read_nuts

    resolver = SourceResolver(source=str(mirror), notify=lambda _m: None)
    eu = orgs.read_eu_directory(resolver)
    assert len(eu.frame) == 263
    nuts21 = read_nuts(resolver, "2021").frame
    nuts13 = read_nuts(resolver, "2013").frame
    out = orgs.locate(eu, nuts21, names=[nuts13])
    assert orgs.precision_counts(out) == {
        "coordinates": 0,
        "city": 54,
        "region": 101,
        "country": 108,
        "none": 0,
    }
    assert out["nuts0"].notna().all()
    row = out[out["region_text"] == "Upper Austria"].iloc[0]
    assert (row["nuts1"], row["nuts2"]) == ("AT3", "AT31") and pd.isna(row["nuts3"])
    assert not out["id"].duplicated().any()


@pytest.mark.mirror
def test_us_directory_is_deduplicated(mirror: Path) -> None:
    resolver = SourceResolver(source=str(mirror), notify=lambda _m: None)
    us = orgs.read_us_directory(resolver)
    assert len(us.frame) == 145
    assert us.frame["clusters"].str.split("; ").str.len().sum() == 237  # distinct org-cluster pairs
    assert us.frame.set_index("id").at["332", "name"] == "Space Florida"


@pytest.mark.mirror
def test_partnerships_and_events(mirror: Path) -> None:
    resolver = SourceResolver(source=str(mirror), notify=lambda _m: None)
    partnerships, _ = orgs.read_partnerships(resolver)
    events, _ = orgs.read_events(resolver)
    assert len(partnerships) == 8 and tuple(partnerships.columns) == orgs.PARTNERSHIP_COLUMNS
    assert len(events) == 12 and set(orgs.EVENT_COLUMNS) <= set(events.columns)
    assert str(events["date_start"].iloc[0]) == "2022-11-29"
    partial = events[events["date_start"].astype(str) == "2025-01-01"].iloc[0]  # stated as '2025'
    assert str(partial["date_end"]) == "2025-12-31"
    # the precision stays as the source states it: a year stays a year, a month a month
    by_name = events.set_index("event_name")
    assert by_name.loc["Clusters meet Regions – Eindhoven", ["dates", "date_precision"]].tolist() == [
        "2025",
        "year",
    ]
    assert by_name.loc["C2Lab (Cluster Collaboration Lab) – Lund", ["dates", "date_precision"]].tolist() == [
        "March 2023",
        "month",
    ]
    assert by_name.loc["TCI Global Conference 2025 (island of Ireland)", "date_precision"] == "month"
    assert by_name.loc["Clusters meet Regions – Milan", ["dates", "date_precision"]].tolist() == [
        "2024-03-26 – 2024-03-27",
        "day",
    ]
    assert (events["date_precision"] == "day").sum() == 9
    assert events["id"].is_unique and events["id"].str.fullmatch(r"ev-[0-9a-f]{12}").all()


@pytest.mark.parametrize(
    ("start", "end", "precision", "label"),
    [
        ("2025", "", "year", "2025"),
        ("2023-03", "", "month", "March 2023"),
        ("2024-03-26", "", "day", "2024-03-26"),
        ("2024-03-26", "2024-03-27", "day", "2024-03-26 – 2024-03-27"),
        ("2024-03-30", "2024-04", "month", "2024-03-30 – April 2024"),
        ("", "", None, "date not stated"),
    ],
)
def test_event_dates_keep_their_precision(start: str, end: str, precision: str | None, label: str) -> None:
    assert orgs.date_precision(start, end) == precision
    assert orgs.dates_label(start, end) == label


@pytest.mark.mirror
def test_compiled_files_are_read_from_the_mirror_without_download(mirror: Path, tmp_path: Path) -> None:
    resolver = SourceResolver(source="", mirror=mirror, cache_dir=tmp_path, notify=lambda _m: None)
    assert len(orgs.read_eu_directory(resolver).frame) == 263
    assert not any(tmp_path.iterdir())  # nothing was downloaded
    with pytest.raises(SourceError, match="no official download"):
        orgs.read_eu_directory(SourceResolver(source="", mirror=tmp_path / "none"))
