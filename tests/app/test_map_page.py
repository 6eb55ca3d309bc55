"""AppTest of the Map home page (app.py): default view, filter changes, URL round trip, bad links.

Fast tests run on the tiny hand-made store; the ``mirror`` tests run the same page on the store built
from the mirror (the real default view: a NUTS 2 LQ map of a real sector in the latest year).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.ui.text import unescape
from tests.ui.tinystore import build_tiny_store

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")


def _app(monkeypatch: pytest.MonkeyPatch, db: Path, params: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def _component(at: AppTest) -> dict:
    comps = at.get("component_instance")
    assert len(comps) == 1, "the page shows exactly one map"
    return json.loads(comps[0].proto.json_args)


def _widget(at: AppTest, kind: str, label: str):
    found = [w for w in getattr(at, kind) if w.label.startswith(label)]
    assert found, f"no {kind} {label!r}"
    return found[0]


def _qp(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_default_view_draws_an_offline_map(monkeypatch, tiny_store) -> None:
    at = _app(monkeypatch, tiny_store)
    assert not at.exception and not at.error and not at.warning
    # 2015 covers 3 of the 4 regions of 2014 (< 80 %): the default year is 2014
    assert _qp(at)["sector"] == "C29" and _qp(at)["year"] == "2014" and _qp(at)["metric"] == "lq"
    args = _component(at)
    links = args["js_links"] + args["css_links"]
    assert links and not [u for u in links if re.match(r"^(https?:)?//", u)], links
    assert "http://" not in args["script"] and "https://" not in args["script"]
    assert "cm_paint" in args["feature_group"] or "cmap.paint" in args["feature_group"]
    assert args["returned_objects"] == ["last_object_clicked_tooltip"]


def test_region_names_reach_the_map_escaped(monkeypatch, tiny_store) -> None:
    args = _component(_app(monkeypatch, tiny_store))
    assert "<script>alert" not in args["feature_group"]
    # HTML-escaped, then JSON-escaped for the script block (& -> \u0026)
    assert "\\u0026lt;script\\u0026gt;alert" in args["feature_group"]


def test_changing_sector_year_metric_updates_url_and_recolours_without_new_geometry(
    monkeypatch, tiny_store
) -> None:
    at = _app(monkeypatch, tiny_store)
    before = _component(at)
    _widget(at, "selectbox", "Sector").set_value("C").run()
    assert _qp(at)["sector"] == "C" and not at.exception
    after = _component(at)
    assert after["script"] == before["script"], "geometry (the component's script) must not be resent"
    assert after["feature_group"] != before["feature_group"]
    _widget(at, "select_slider", "Year").set_value(2015).run()
    assert _qp(at)["year"] == "2015"
    _widget(at, "selectbox", "Metric").set_value("employment").run()
    assert _qp(at)["metric"] == "employment" and not at.exception
    assert "Employment" in _component(at)["feature_group"]


def test_url_round_trip_reproduces_the_view(monkeypatch, tiny_store) -> None:
    params = {"sector": "C", "year": "2014", "metric": "share", "countries": "AA", "classes": "quantiles"}
    at = _app(monkeypatch, tiny_store, params)
    assert not at.warning and not at.exception
    assert _widget(at, "selectbox", "Sector").value == "C"
    assert _widget(at, "select_slider", "Year").value == 2014
    assert _widget(at, "selectbox", "Metric").value == "share"
    assert _widget(at, "multiselect", "Countries").value == ["AA"]
    assert _widget(at, "radio", "Classes").value == "quantiles"
    shared = _qp(at)
    again = _app(monkeypatch, tiny_store, shared)
    assert _qp(again) == shared
    assert _component(again)["feature_group"] == _component(at)["feature_group"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sector": "ZZ99"}, "Unknown sector 'ZZ99'"),
        ({"dataset": "nope"}, "Unknown dataset 'nope'"),
        ({"year": "1900"}, "Year '1900' has no data"),
        ({"regions": "AA11,XX99"}, "Unknown regions ['XX99']"),
        ({"metric": "<b>x</b>"}, "Unknown metric"),
    ],
)
def test_bad_link_gives_a_message_and_the_default_view(monkeypatch, tiny_store, params, message) -> None:
    at = _app(monkeypatch, tiny_store, params)
    assert any(message in unescape(w.value) for w in at.warning), [w.value for w in at.warning]
    assert not at.exception
    assert _qp(at)["sector"] == "C29" and _qp(at)["year"] == "2014"
    assert len(at.get("component_instance")) == 1


def test_missing_store_metrics_is_one_clear_error(monkeypatch, tmp_path) -> None:
    import duckdb

    from cluster_map.store.database import create_schema

    db = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(db))
    create_schema(con)
    con.close()
    at = _app(monkeypatch, db)
    assert not at.exception
    assert any("no table 'metrics'" in unescape(e.value) for e in at.error)


def test_ranked_table_has_downloads(monkeypatch, tiny_store) -> None:
    at = _app(monkeypatch, tiny_store)
    assert len(at.dataframe) == 0, "the table is built only when its expander is opened"
    at.session_state["cm_table_open"] = True
    at.run()
    df = at.dataframe[0].value
    assert list(df["code"]) == ["BB11", "AA11", "AA13", "AA12", "BB12"]  # 2014 LQs by hand; BB12 no data
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("CSV" in lbl for lbl in labels) and any("GeoJSON" in lbl for lbl in labels), labels
    assert "Provenance" in labels, labels  # the sidecar beside the map's CSV


@pytest.mark.mirror
@pytest.mark.slow
def test_mirror_default_view_is_a_real_nuts2_lq_map(monkeypatch, mirror_store) -> None:
    at = _app(monkeypatch, mirror_store)
    assert not at.exception and not at.error and not at.warning, [e.value for e in at.error]
    qp = _qp(at)
    assert qp["dataset"] == "sbs_r_nuts06_r2" and qp["level"] == "2" and qp["metric"] == "lq"
    assert qp["sector"] in ("C29", "C", "C10", "C25", "F") and int(qp["year"]) >= 2012
    args = _component(at)
    assert not [u for u in args["js_links"] + args["css_links"] if re.match(r"^(https?:)?//", u)]
    _widget(at, "selectbox", "Sector").set_value("C").run()
    _widget(at, "selectbox", "Metric").set_value("stars").run()
    assert not at.exception and _qp(at)["sector"] == "C" and _qp(at)["metric"] == "stars"
    script = _component(at)["script"]
    _widget(at, "selectbox", "Dataset").set_value("us_cmp_states_2016").run()
    qp = _qp(at)
    assert not at.exception and not at.error
    assert (qp["dataset"], qp["scheme"], qp["level"], qp["year"]) == (
        "us_cmp_states_2016",
        "us_cluster",
        "1",
        "2016",
    )
    assert _component(at)["script"] != script, "another geometry: a new base map"


@pytest.mark.mirror
@pytest.mark.slow
def test_mirror_us_states_view(monkeypatch, mirror_store) -> None:
    at = _app(monkeypatch, mirror_store, {"dataset": "us_cmp_states_2016"})
    assert not at.exception and not at.error and not at.warning
    assert _qp(at)["level"] == "1" and _qp(at)["scheme"] == "us_cluster"


def test_a_url_without_parameters_continues_the_last_view(monkeypatch, tiny_store) -> None:
    at = _app(monkeypatch, tiny_store, {"sector": "C", "metric": "employment"})
    at.query_params.clear()  # as after following a sidebar page link
    at.run()
    assert _qp(at)["sector"] == "C" and _qp(at)["metric"] == "employment"


def test_the_ten_highest_regions_are_named_beside_the_map(monkeypatch, tiny_store) -> None:
    at = _app(monkeypatch, tiny_store)
    assert not at.exception
    assert any(m.value == "**The 4 highest regions**" for m in at.markdown), [m.value for m in at.markdown]
    # a Markdown table (st.table would load the browser's Arrow decoder for ten rows)
    assert not at.table
    table = next(m.value for m in at.markdown if m.value.startswith("| rank | region | country |"))
    lines = table.splitlines()
    assert unescape(lines[0]).startswith("| rank | region | country | Location quotient (")
    cells = [[unescape(c.strip()) for c in line.strip("|").split(" | ")] for line in lines[2:]]
    assert [row[0] for row in cells] == ["1", "2", "3", "4"]
    # 2014 LQs by hand: BB11 > AA11 > AA13 > AA12; BB12 has no value and is not ranked
    codes = [re.search(r"(AA|BB)\d\d", row[1]).group(0) for row in cells]  # type: ignore[union-attr]
    assert codes == ["BB11", "AA11", "AA13", "AA12"]
    assert len(at.dataframe) == 0  # the heavy grid stays behind the expander


@pytest.fixture(scope="module")
def tiny_us_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny_us") / "tiny.duckdb", us=True)


def _infos(at: AppTest) -> list[str]:
    """The lines of the info boxes (a dataset switch says one line per change, in one box)."""
    assert len(at.info) <= 1, [i.value for i in at.info]
    return [line for i in at.info for line in unescape(str(i.value)).split("\n")]


def test_switching_to_the_us_and_back_keeps_the_equivalent_sector_and_level(
    monkeypatch, tiny_us_store
) -> None:
    at = _app(monkeypatch, tiny_us_store, {"sector": "C29", "level": "2"})
    assert not at.exception and not at.info
    _widget(at, "selectbox", "Dataset").set_value("us_cmp_states_2016").run()
    assert not at.exception and not at.error
    qp = _qp(at)
    # 4 Automotive is the catalogue's equivalent of C29 (the dataset's default would be 9)
    assert (qp["dataset"], qp["scheme"], qp["sector"], qp["level"], qp["year"]) == (
        "us_cmp_states_2016",
        "us_cluster",
        "4",
        "1",
        "2016",
    )
    level = _widget(at, "selectbox", "Level")
    assert level.value == 1 and level.options == ["US states"]
    assert _widget(at, "selectbox", "Sector").value == "4"
    infos = _infos(at)
    assert (
        "C29 Manufacture of motor vehicles, trailers and semi-trailers is not in United States: Cluster "
        "Mapping, employment (states); showing its equivalent 4 Automotive." in infos
    ), infos
    assert "No NUTS 2 in United States: Cluster Mapping, employment (states); showing US states." in infos
    assert "Year 2014 is not in United States: Cluster Mapping, employment (states); showing 2016." in infos

    _widget(at, "selectbox", "Dataset").set_value("sbs_r_nuts06_r2").run()
    assert not at.exception and not at.error
    qp = _qp(at)
    assert (qp["dataset"], qp["scheme"], qp["sector"], qp["level"], qp["year"]) == (
        "sbs_r_nuts06_r2",
        "nace_r2",
        "C29",
        "2",
        "2014",
    )
    level = _widget(at, "selectbox", "Level")
    assert level.value == 2 and level.options == ["NUTS 2"]
    infos = _infos(at)
    assert any(i.startswith("4 Automotive is not in Europe: Eurostat SBS") for i in infos), infos
    assert any(
        i.endswith("showing its equivalent C29 Manufacture of motor vehicles, trailers and semi-trailers.")
        for i in infos
    )
    assert "No US states in Europe: Eurostat SBS, persons employed (NUTS 0-2); showing NUTS 2." in infos
    assert "US states" not in _component(at)["script"]

    at.run()  # the next run of the same view says nothing more
    assert not at.info


def test_a_sector_without_equivalent_says_so_and_comes_back(monkeypatch, tiny_us_store) -> None:
    at = _app(monkeypatch, tiny_us_store, {"sector": "C"})
    _widget(at, "selectbox", "Dataset").set_value("us_cmp_states_2016").run()
    assert _qp(at)["sector"] == "9"
    assert (
        "C Manufacturing is not in United States: Cluster Mapping, employment (states) and no equivalent is "
        "declared; showing 9 Construction Products and Services." in _infos(at)
    ), _infos(at)
    _widget(at, "selectbox", "Dataset").set_value("sbs_r_nuts06_r2").run()
    assert _qp(at)["sector"] == "C", "back to the sector shown there before, not the default C29"
    assert any(i.endswith("showing C Manufacturing, the sector shown there before.") for i in _infos(at))


def _bounds(at: AppTest) -> object:
    fg = _component(at)["feature_group"]
    found = re.search(r'"bounds":(\[\[[^\]]*\],\[[^\]]*\]\]|null)', fg)
    assert found, fg[:200]
    return json.loads(found.group(1))


def test_the_map_zooms_to_the_chosen_countries(monkeypatch, tiny_store) -> None:
    at = _app(monkeypatch, tiny_store)
    assert _bounds(at) == [[49.0, 0.0], [51.0, 3.0]]  # no country chosen: all regions of the area
    assert "fitBounds(p.bounds)" in _component(at)["feature_group"]
    assert _component(at)["center"] is None and _component(at)["zoom"] is None  # the bounds decide
    script = _component(at)["script"]
    _widget(at, "multiselect", "Countries").set_value(["BB"]).run()
    assert _qp(at)["countries"] == "BB"
    assert _bounds(at) == [[49.0, 0.0], [50.0, 2.0]]  # BB11 + BB12
    assert _component(at)["script"] == script, "the same base map: only the paint changes"
    _widget(at, "multiselect", "Countries").set_value(["AA"]).run()
    assert _bounds(at) == [[50.0, 0.0], [51.0, 3.0]]
