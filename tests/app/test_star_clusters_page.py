"""AppTest of the "Europe's star clusters" page on the mirror store: counts, map, list, ecosystems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map import catalogue
from cluster_map.services import mapview, star_clusters
from cluster_map.ui.text import unescape

PAGE = Path(__file__).resolve().parents[2] / "pages" / "8_Star_clusters.py"


@pytest.fixture()
def mirror_env(mirror_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(mirror_store))
    return mirror_store


def test_star_counts_are_the_stored_stars(mirror_store: Path) -> None:
    con = mapview.open_store(mirror_store)
    try:
        r = star_clusters.star_clusters(con, dataset="sbs_r_nuts06_r2", level=2, year=2014)
        stored = (
            con.sql("""SELECT stars, count(*) AS n FROM metrics WHERE dataset = 'sbs_r_nuts06_r2'
                            AND level = 2 AND year = 2014 AND sector_level = 2 AND stars >= 1
                            GROUP BY stars""")
            .to_df()
            .set_index("stars")["n"]
        )
        eco = star_clusters.star_clusters(
            con, dataset="sbs_r_nuts06_r2", level=2, year=2014, scheme="ecosystems"
        )
        layer = star_clusters.region_layer(con, r)
    finally:
        con.close()
    counts = r.counts.set_index("stars")["cells"]
    assert counts["★★★ (world-class)"] == stored[3] and counts["★"] == stored[1]
    assert counts["at least one star"] == int(stored.sum()) == r.n_starred
    assert r.counts.set_index("stars").loc["at least one star", "eco_published"] == 2000
    assert list(r.cells.columns[:2]) == ["rank", "stars"] and r.cells["rank"].tolist() == list(
        range(1, r.n_starred + 1)
    )
    assert r.cells["stars"].is_monotonic_decreasing
    assert set(eco.cells["sector"]) <= {e.slug for e in catalogue.ECOSYSTEMS} and eco.n_starred > 100
    # the map row of a region: its most stars and how many starred cells
    top = r.cells.iloc[0]
    row = layer.set_index("code").loc[top["region"]]
    assert row["stars"] == top["stars"] and row["n_starred"] == int(
        (r.cells["region"] == top["region"]).sum()
    )


@pytest.mark.mirror
def test_star_clusters_page(mirror_env: Path) -> None:
    at = AppTest.from_file(str(PAGE), default_timeout=90).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.header[0].value == "Europe's star clusters"
    labels = [unescape(m.label) for m in at.metric]
    assert labels == ["★", "★★", "★★★ (world-class)", "at least one star"]
    captions = "\n".join(unescape(c.value) for c in at.caption)
    assert "Convention:" in captions and "about 2,000" in captions
    assert at.dataframe and list(at.dataframe[-1].value.columns[:2]) == ["rank", "stars"]
    maps = at.get("component_instance")
    assert maps and all(
        link.startswith("/app/static/")
        for m in maps
        for link in json.loads(m.proto.json_args).get("js_links", [])
    )
    # the rule's code block (a 1.5 MB highlighter bundle in the browser) is sent only when its expander opens
    assert any(e.label == "How the stars are given" for e in at.expander) and not at.code
    at.session_state["stars-how"] = True
    at.run()
    assert not at.exception, at.exception
    assert [c.value for c in at.code] == ["stars = size + specialisation + focus (0-3)"]
    at.sidebar.radio[0].set_value("ecosystems").run()
    assert not at.exception, at.exception
    assert "Industrial ecosystems" in "\n".join(unescape(c.value) for c in at.caption)
    assert "mobility-transport-automotive" in set(at.dataframe[-1].value["sector"])
