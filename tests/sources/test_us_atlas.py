"""TopoJSON decoding (hand-made topology with a known result) and the US regions on the mirror."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from cluster_map.errors import SourceError
from cluster_map.geo import US_CRS
from cluster_map.sources.fetch import SourceResolver
from cluster_map.sources.us_atlas import US_REGION_COLUMNS, decode_topology, read_us_regions


@pytest.fixture()
def topology(fixtures: Path) -> dict:
    return json.loads((fixtures / "geo" / "tiny_topology.json").read_text())


def test_decodes_quantised_polygons_sharing_an_arc(topology: dict) -> None:
    rows = decode_topology(topology, "squares")
    assert [r[0] for r in rows] == ["L", "R", "N"]
    assert rows[0][1] == {"name": "Left"}
    left, right, nothing = (r[2] for r in rows)
    # arc deltas cumulated, then x * 0.5 + 10, y * 0.5 + 20
    assert shapely.equals(left, shapely.box(10, 20, 11, 21))
    assert shapely.equals(right, shapely.box(11, 20, 12, 21))
    assert nothing is None
    # the reversed arc (~0) gives exactly the same shared edge
    assert shapely.intersection(left, right).equals(shapely.LineString([(11, 20), (11, 21)]))


def test_decodes_multipolygon_line_and_point(topology: dict) -> None:
    ((_, _, both),) = decode_topology(topology, "both")
    assert isinstance(both, shapely.MultiPolygon) and both.area == pytest.approx(2.0)
    ((_, _, line),) = decode_topology(topology, "border")
    assert line.equals(shapely.LineString([(11, 20), (11, 21)]))
    ((_, _, point),) = decode_topology(topology, "corner")
    assert point.equals(shapely.Point(12, 21))


def test_unquantised_topology() -> None:
    topo = {
        "type": "Topology",
        "objects": {"t": {"type": "Polygon", "arcs": [[0]]}},
        "arcs": [[[0, 0], [1, 0], [1, 1], [0, 0]]],
    }
    ((_, _, tri),) = decode_topology(topo, "t")
    assert tri.area == pytest.approx(0.5)


def test_missing_object_and_bad_arc_are_named(topology: dict) -> None:
    with pytest.raises(SourceError, match=r"no object 'counties'.*'squares'"):
        decode_topology(topology, "counties", source="tiny.json")
    topology["objects"]["bad"] = {"type": "Polygon", "id": "X9", "arcs": [[7]]}
    with pytest.raises(SourceError, match=r"'bad'.*'X9'.*arc that does not exist"):
        decode_topology(topology, "bad", source="tiny.json")


@pytest.mark.mirror
def test_projected_albers_file_is_refused(tmp_path: Path, mirror: Path) -> None:
    # the pre-projected Albers file under the name of the lon/lat one
    target = tmp_path / "us_atlas/us-atlas@3.0.1/states-10m.json"
    target.parent.mkdir(parents=True)
    target.write_bytes((mirror / "us_atlas/us-atlas@3.0.1/states-albers-10m.json").read_bytes())
    with pytest.raises(SourceError, match=r"states-10m\.json.*not US lon/lat.*unprojected"):
        read_us_regions(SourceResolver(source=str(tmp_path), notify=lambda _m: None))


@pytest.mark.mirror
def test_us_regions_known_counts(mirror: Path) -> None:
    regions = read_us_regions(SourceResolver(source=str(mirror), notify=lambda _m: None))
    frame = regions.frame
    assert tuple(frame.columns) == US_REGION_COLUMNS
    assert frame.groupby("kind").size().to_dict() == {
        "us_county": 3231,
        "us_ea": 179,
        "us_msa": 942,
        "us_nation": 1,
        "us_state": 56,
    }
    assert frame.groupby("kind")["level"].first().to_dict() == {
        "us_county": 3,
        "us_ea": 2,
        "us_msa": 2,
        "us_nation": 0,
        "us_state": 1,
    }
    by = frame.set_index(["kind", "code"])
    assert by.at[("us_state", "01"), "name"] == "Alabama"
    assert by.at[("us_county", "01001"), "parent"] == "01"
    assert by.at[("us_ea", "57094"), "name"].startswith("Lexington-Fayette")
    assert by.at[("us_nation", "US"), "name"] == "United States"
    assert (frame["nuts_version"] == "us").all()
    # Falls Church (51610) is too small for 1:10m: kept as a region without geometry
    assert by.at[("us_county", "51610"), "geometry"] is None
    # states tile the nation: no overlaps (equal-area CRS)
    states = frame[frame["kind"] == "us_state"].to_crs(US_CRS)
    assert states.area.sum() == pytest.approx(states.union_all().area, rel=1e-9)
    display = np.asarray(frame["display"].array)
    assert shapely.is_valid(display[~shapely.is_missing(display)]).all()
