"""Every reader of cluster_map.sources, fed an empty, a truncated and a binary file.

Each case copies the real mirror beside the test (directories linked, one file replaced): the file
under test is empty, the first half of the real file, or binary garbage. The reader must raise a
``ClusterMapError`` whose message names the file (never a pandas, xlrd, zipfile or pyogrio
exception, which would reach a user as a traceback). The mirror is never written to.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cluster_map.errors import ClusterMapError, InputError
from cluster_map.services import uploads
from cluster_map.sources import codelists, gisco, nuts_versions, organisations, us_atlas, us_cmp, user_files
from cluster_map.sources.fetch import SourceResolver

pytestmark = pytest.mark.mirror

#: Not a text file, a workbook, a shapefile or JSON: NUL bytes, invalid UTF-8, a stray zip signature.
BINARY = b"\x00\x01PK\x03\x04\xff\xfe\x00" + random.Random(14).randbytes(4096)
DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda real: b"",
    "truncated": lambda real: real[: len(real) // 2],
    "binary": lambda real: BINARY,
}
JRC = nuts_versions.jrc_name(2, "2010", "2013")
_SHP13 = "gisco/nuts/shp/NUTS_2013_60M_SH/data/"


def _resolver(root: Path) -> SourceResolver:
    return SourceResolver(source=str(root), notify=lambda _m: None)


def _regions_2024(root: Path) -> Any:
    return gisco.read_nuts(_resolver(root), "2024")


#: reader id -> (mirror-relative file it reads, call with the damaged mirror's root)
READERS: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "codelists.read_nace": (codelists.NACE_FILE, lambda r: codelists.read_nace(r / codelists.NACE_FILE)),
    "codelists.read_geo_dic": (
        codelists.GEO_DIC_FILE,
        lambda r: codelists.read_geo_dic(r / codelists.GEO_DIC_FILE),
    ),
    "codelists.read_nuts_regions[xlsx 2021]": (
        codelists.NUTS2021_FILE,
        lambda r: codelists.read_nuts_regions(r / codelists.NUTS2021_FILE, "2021"),
    ),
    "codelists.read_nuts_regions[xlsx 2016]": (
        codelists.NUTS2013_2016_FILE,
        lambda r: codelists.read_nuts_regions(r / codelists.NUTS2013_2016_FILE, "2016"),
    ),
    "codelists.read_nuts_regions[xls 2013]": (
        codelists.NUTS2010_2013_FILE,
        lambda r: codelists.read_nuts_regions(r / codelists.NUTS2010_2013_FILE, "2013"),
    ),
    "gisco.read_geometry_file[geojson]": (
        "gisco/nuts/geojson/NUTS_RG_20M_2024_4326.geojson",
        lambda r: gisco.read_geometry_file(r / "gisco/nuts/geojson/NUTS_RG_20M_2024_4326.geojson"),
    ),
    "gisco.read_nuts[2024 geojson]": ("gisco/nuts/geojson/NUTS_RG_20M_2024_4326.geojson", _regions_2024),
    "gisco.read_nuts[2013 .shp]": (
        _SHP13 + "NUTS_RG_60M_2013.shp",
        lambda r: gisco.read_nuts(_resolver(r), "2013"),
    ),
    "gisco.read_nuts[2013 .dbf]": (
        _SHP13 + "NUTS_RG_60M_2013.dbf",
        lambda r: gisco.read_nuts(_resolver(r), "2013"),
    ),
    "gisco.read_nuts[2013 names csv]": (
        _SHP13 + "NUTS_AT_2013.csv",
        lambda r: gisco.read_nuts(_resolver(r), "2013"),
    ),
    "us_cmp.read_clusters[crosswalk xlsx]": (
        us_cmp.CROSSWALK.path,
        lambda r: us_cmp.read_clusters(_resolver(r)),
    ),
    "us_cmp.read_legacy_clusters": (
        us_cmp.CLUSTER_LIST.path,
        lambda r: us_cmp.read_legacy_clusters(_resolver(r)),
    ),
    "us_cmp.read_related": (us_cmp.RELATED.path, lambda r: us_cmp.read_related(_resolver(r))),
    "us_cmp.read_states": (us_cmp.STATES.path, lambda r: us_cmp.read_states(_resolver(r))),
    "us_cmp.read_totals": (us_cmp.TOTALS.path, lambda r: us_cmp.read_totals(_resolver(r))),
    "us_atlas.read_us_regions[states topojson]": (
        us_atlas.STATES_FILE.path,
        lambda r: us_atlas.read_us_regions(_resolver(r)),
    ),
    "organisations.read_eu_directory": (
        organisations.EU_DIRECTORY.path,
        lambda r: organisations.read_eu_directory(_resolver(r)),
    ),
    "organisations.read_us_directory": (
        organisations.US_DIRECTORY.path,
        lambda r: organisations.read_us_directory(_resolver(r)),
    ),
    "organisations.read_partnerships": (
        organisations.PARTNERSHIPS.path,
        lambda r: organisations.read_partnerships(_resolver(r)),
    ),
    "organisations.read_events": (
        organisations.EVENTS.path,
        lambda r: organisations.read_events(_resolver(r)),
    ),
    "organisations.read_user_directory[csv]": (
        organisations.EU_DIRECTORY.path,
        lambda r: organisations.read_user_directory(r / organisations.EU_DIRECTORY.path),
    ),
    "nuts_versions.read_jrc_matrix": (JRC, lambda r: nuts_versions.read_jrc_matrix(r / JRC)),
    "nuts_versions.read_official_changes[xlsx 2021]": (
        codelists.NUTS2021_FILE,
        lambda r: nuts_versions.read_official_changes(r / codelists.NUTS2021_FILE, "2021"),
    ),
    "nuts_versions.read_official_changes[xlsx 2016]": (
        codelists.NUTS2013_2016_FILE,
        lambda r: nuts_versions.read_official_changes(r / codelists.NUTS2013_2016_FILE, "2016"),
    ),
}


def damaged_mirror(root: Path, mirror: Path, name: str, data: bytes) -> Path:
    """``root`` holding the mirror (entries linked) with ``name`` replaced by ``data``; returns ``root``."""
    src, dst = mirror, root
    parts = Path(name).parts
    for i, part in enumerate(parts):
        dst.mkdir(parents=True, exist_ok=True)
        for entry in src.iterdir():
            if entry.name != part:
                (dst / entry.name).symlink_to(entry)
        if i == len(parts) - 1:
            (dst / part).write_bytes(data)
        src, dst = src / part, dst / part
    return root


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("reader", list(READERS))
def test_a_damaged_file_is_a_clear_error_naming_it(
    reader: str, damage: str, mirror: Path, tmp_path: Path
) -> None:
    name, call = READERS[reader]
    real = (mirror / name).read_bytes()
    root = damaged_mirror(tmp_path / "mirror", mirror, name, DAMAGES[damage](real))
    with pytest.raises(ClusterMapError) as err:
        call(root)
    assert Path(name).name in str(err.value), str(err.value)


def test_the_damaged_mirror_leaves_the_real_files_alone(mirror: Path, tmp_path: Path) -> None:
    root = damaged_mirror(tmp_path / "m", mirror, codelists.NACE_FILE, b"")
    assert (root / codelists.NACE_FILE).read_bytes() == b""
    assert (mirror / codelists.NACE_FILE).stat().st_size > 0
    assert (root / codelists.GEO_DIC_FILE).read_bytes() == (mirror / codelists.GEO_DIC_FILE).read_bytes()


# --- a user's files -------------------------------------------------------------------------------
USER_FILES: dict[str, bytes] = {
    "empty": b"",
    "blank": b"\n \n",
    "binary": BINARY,
    "header only": b"region,sector,year,employment\n",
}


@pytest.mark.parametrize("content", list(USER_FILES))
def test_an_upload_that_is_not_a_csv_is_an_input_error(content: str) -> None:
    with pytest.raises(InputError) as err:
        uploads.load(USER_FILES[content], name="mine.csv")
    assert "mine.csv" in str(err.value)
    said = {
        "empty": "the file is empty",
        "blank": "the file is empty",
        "binary": "binary data",
        "header only": "no data rows",
    }[content]
    assert said in str(err.value), str(err.value)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
@pytest.mark.parametrize("content", ["empty", "blank", "binary"])
def test_a_users_directory_that_is_empty_or_binary_is_an_input_error(
    content: str, suffix: str, tmp_path: Path
) -> None:
    path = tmp_path / f"clusters{suffix}"
    path.write_bytes(USER_FILES[content])
    with pytest.raises(InputError) as err:
        organisations.read_user_directory(path)
    assert path.name in str(err.value)


@pytest.mark.parametrize("content", ["empty", "blank", "binary"])
def test_a_users_statistics_file_that_is_empty_or_binary_is_a_source_error(
    content: str, tmp_path: Path
) -> None:
    path = tmp_path / "stats.csv"
    path.write_bytes(USER_FILES[content])
    with pytest.raises(ClusterMapError) as err:
        user_files.kind_of(path)
        user_files.read_long_csv(path, dataset="mine", nuts_version="2021")
    assert path.name in str(err.value)
