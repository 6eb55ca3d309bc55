"""AppTest of the analysis pages against the tiny store (fast) and the mirror store (integration)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.ui.text import unescape
from tests.app_store import EVIL, build_tiny_store

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "pages"


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny") / "cluster_map.duckdb")


@pytest.fixture()
def tiny_env(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(tiny_db))
    return tiny_db


def _run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.header]
    parts += (
        [str(e.value) for e in at.info]
        + [str(e.value) for e in at.warning]
        + [str(e.value) for e in at.error]
    )
    parts += [m.label for m in at.metric]
    return "\n".join(unescape(str(p)) for p in parts)  # the text a reader sees


def test_region_profile_shows_the_region(tiny_env: Path) -> None:
    at = _run("1_Region_profile.py", regions="AT13")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.header[0].value.startswith("AT13")
    assert any("Persons employed" in m.label for m in at.metric)
    assert at.dataframe, "specialisation table missing"
    assert "C29" in at.dataframe[0].value["sector"].tolist()
    assert at.query_params["regions"] in ("AT13", ["AT13"])


def test_region_profile_unknown_region_gives_message_and_pick_list(tiny_env: Path) -> None:
    at = _run("1_Region_profile.py", regions="ZZ99")
    assert not at.exception
    assert any("ZZ99" in str(w.value) for w in at.warning)
    assert at.selectbox(key="profile-region").value is None
    assert (
        "AT13" in at.selectbox(key="profile-region").options[2]
        or len(at.selectbox(key="profile-region").options) == 5
    )


def test_region_profile_pick_list_sets_the_url(tiny_env: Path) -> None:
    at = _run("1_Region_profile.py")
    at.selectbox(key="profile-region").set_value("DE21").run()
    assert not at.exception
    assert at.query_params["regions"] in ("DE21", ["DE21"])
    assert at.header[0].value.startswith("DE21")


def test_script_in_data_stays_text(tiny_env: Path) -> None:
    at = _run("1_Region_profile.py", regions="AT13")
    assert EVIL in unescape(at.header[0].value)  # shown as text: escaped Markdown, no HTML
    assert "\\<script\\>" in at.header[0].value
    for md in at.markdown:
        assert not getattr(md.proto, "allow_html", False) or EVIL not in md.value


def test_sector_explorer_ranks_and_maps(tiny_env: Path) -> None:
    at = _run("2_Sector_explorer.py", sector="C29", year="2015", level="2")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.header[0].value.startswith("C29")
    ranking = at.dataframe[0].value
    assert ranking["region"].tolist()[0] == "DE21"
    assert ranking["rank"].tolist()[0] == 1
    assert list(ranking.columns[:2]) == ["rank", "lq"]  # ranked by LQ: the LQ in view next to the rank
    assert ranking["lq"].is_monotonic_decreasing
    assert any("Hot spots" in s.value for s in at.subheader)
    assert any("shift" in s.value.lower() for s in at.subheader)
    # below the map one section at a time: the related sectors and the concentration indices wait in
    # their tabs (a hidden tab is not drawn)
    assert not any(s.value in ("Related sectors", "Geographic concentration") for s in at.subheader)
    at.session_state["sec-more"] = "Related sectors"
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader][-1] == "Related sectors"
    assert any("proximity" in d.value.columns for d in at.dataframe)
    at.session_state["sec-more"] = "Geographic concentration"
    at.run()
    assert not at.exception, at.exception
    assert list(at.dataframe[-1].value.columns[:3]) == ["year", "gini", "locational_gini"]


def test_sector_explorer_sends_no_plotly_chart_until_the_chart_tab_is_opened(tiny_env: Path) -> None:
    # plotly's browser bundle (4.7 MB) is the largest cost of a first visit: the LQ distribution is a grid
    # column of bars, the shift-share chart waits in its tab
    at = _run("2_Sector_explorer.py", sector="C29", year="2015", level="2")
    assert not at.exception, at.exception
    assert not at.get("plotly_chart")
    hist = next(d.value for d in at.dataframe if "lq_class" in d.value.columns)
    assert hist["regions"].sum() == len(at.dataframe[0].value)  # every ranked region counted once
    assert any("national_growth" in d.value.columns for d in at.dataframe)  # the shift-share table shows
    at.session_state["sec-ss-view"] = "Chart"
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 1
    assert not any("national_growth" in d.value.columns for d in at.dataframe)  # the table tab is closed


def test_neighbour_button_opens_its_profile(tiny_env: Path) -> None:
    at = _run("1_Region_profile.py", regions="AT13")
    button = next(b for b in at.button if b.label.startswith("AT12"))
    button.click().run()
    assert not at.exception, at.exception
    assert at.query_params["regions"] in ("AT12", ["AT12"])
    assert at.header[0].value.startswith("AT12")


def test_sector_explorer_change_sector_and_minimum(tiny_env: Path) -> None:
    at = _run("2_Sector_explorer.py", sector="C29", year="2015")
    at.selectbox(key="sec-sector").set_value("F41").run()
    at.number_input(key="sec-min").set_value(400.0).run()
    assert not at.exception, at.exception
    assert at.query_params["sector"] in ("F41", ["F41"]) and at.query_params["min_emp"] in ("400", ["400"])
    ranking = at.dataframe[0].value
    assert (ranking["employment"] >= 400).all() and at.header[0].value.startswith("F41")


def test_sector_explorer_country_filter(tiny_env: Path) -> None:
    at = _run("2_Sector_explorer.py", sector="C29", countries="DE")
    assert not at.exception, at.exception
    assert set(at.dataframe[0].value["country"]) == {"DE"}
    at.multiselect(key="sec-countries").unselect("DE").select("AT").run()
    assert at.query_params["countries"] in ("AT", ["AT"])
    assert set(at.dataframe[0].value["country"]) == {"AT"}


def test_sector_explorer_unknown_sector_warns_and_falls_back(tiny_env: Path) -> None:
    at = _run("2_Sector_explorer.py", sector="Q99")
    assert not at.exception
    assert any("Q99" in str(w.value) for w in at.warning)
    assert not at.error


def test_compare_from_the_url(tiny_env: Path) -> None:
    at = _run("3_Compare.py", regions="AT13,DE21")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    tables = [d.value for d in at.dataframe]
    wide = next(t for t in tables if "sector_label" in t.columns and "AT13" in t.columns)
    assert {"AT13", "DE21"} <= set(wide.columns)
    assert wide["sector"].iloc[0] in {"C29", "F41", "C10", "F43"}
    assert any(unescape(str(h.value)) == "Key figures (latest year with data: 2015)" for h in at.subheader)
    figures = next(t for t in tables if "label" in t.columns and "year" in t.columns)
    assert set(figures["year"]) == {"2015"}
    # the regions' values come right after the figure's name, so a narrow screen shows them (800x600)
    assert list(figures.columns) == ["label", "AT13", "DE21", "unit", "year"]


def test_compare_select_regions_updates_the_url(tiny_env: Path) -> None:
    at = _run("3_Compare.py")
    assert any("Pick two or more regions" in str(i.value) for i in at.info)
    at.multiselect(key="cmp-regions").select("AT11").select("DE22").run()
    assert not at.exception, at.exception
    assert at.query_params["regions"] in ("AT11,DE22", ["AT11,DE22"])
    assert any("AT11" in d.value.columns for d in at.dataframe)


def test_organisations_search_and_partners(tiny_env: Path) -> None:
    at = _run("4_Organisations.py")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    directory = at.dataframe[0].value
    assert len(directory) == 4
    assert EVIL in directory["name"].tolist()  # data stays text inside the table
    at.text_input(key="org-text").input("automotive").run()
    directory = at.dataframe[0].value
    assert set(directory["id"]) == {"EUCO1", "EUCO2"}
    at.selectbox(key="org-partner").set_value("EUCO1").run()
    partners = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert partners["id"].tolist() == ["EUCO2", "EUCO3"]  # abroad; EUCO2 shares 'automotive'
    assert partners["shared"].iloc[0] == "automotive"
    assert (partners["country"] == "DE").all()


def test_organisations_country_filter_from_url(tiny_env: Path) -> None:
    at = _run("4_Organisations.py", countries="DE")
    assert not at.exception, at.exception
    assert set(at.dataframe[0].value["country"]) == {"DE"}


def test_methodology_shows_provenance_flags_methods(tiny_env: Path) -> None:
    at = _run("5_Data_and_methodology.py")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    provenance = at.dataframe[0].value
    assert provenance["code"].tolist() == ["sbs_r_nuts06_r2"]
    assert {
        "publisher",
        "licence",
        "source_url",
        "retrieved_from",
        "extracted_at",
        "checksum",
        "row_count",
    } <= set(provenance.columns)
    flags = next(d.value for d in at.dataframe if "meaning" in d.value.columns)
    assert "confidential" in flags["meaning"].tolist()
    # the sources check table: every catalogued dataset, with a word on what was (not) checked
    check = next(d.value for d in at.dataframe if "official latest year" in d.value.columns)
    assert "sbs_r_nuts2021" in check["code"].tolist() and "sbs_r_nuts06_r2" in check["code"].tolist()
    assert any("does not check the official sources" in i.value for i in at.info)
    assert set(check["official latest year"]) == {"not checked (offline)"}  # said, never an empty cell
    # the SBS series: definitions side by side and the break at 2021
    side = next(
        d.value for d in at.dataframe if {"sbs_r_nuts06_r2", "sbs_r_nuts2021"} <= set(d.value.columns)
    )
    assert side.set_index("quantity").loc["Persons employed", "sbs_r_nuts2021"].startswith("EMP_LOC_NR")
    assert side.set_index("quantity").loc["Persons employed", "sbs_r_nuts06_r2"].startswith("V16110")
    assert any("break in series in 2021" in i.value for i in at.info)
    # every catalogued cube's definitions side by side
    defs = next(
        d.value
        for d in at.dataframe
        if {"lfst_r_lfe2en2", "sbs_r_nuts2021", "us_cmp_states_2016"} <= set(d.value.columns)
    ).set_index("quantity")
    assert defs.loc["Persons employed", "sbs_r_nuts2021"].startswith("EMP_LOC_NR (persons employed")
    assert defs.loc["Persons employed", "sbs_r_nuts06_r2"].startswith("V16110")
    assert "x1000" in defs.loc["Persons employed", "lfst_r_lfe2en2"]
    assert defs.loc["NUTS version of the geo codes", "sbs_r_nuts2021"] == "2021, 2024 from 2024"
    assert "sex=T" in defs.loc["Pinned dimensions", "lfst_r_lfe2en2"]
    # conversions, known limits, recoded and unmatched codes: their own tab, drawn when chosen
    assert not any("ATZZ" in d.value.to_string() for d in at.dataframe)
    at.session_state["meth-tab"] = "Conversions and limits"
    at.run()
    assert not at.exception, at.exception
    assert any("ATZZ" in d.value.to_string() for d in at.dataframe)  # unmatched code listed
    tolerated = next(d.value for d in at.dataframe if "codes" in d.value.columns)  # declared in the catalogue
    assert {"FI18, UKD2, UKD5", "BA", "extra_regio"} <= set(tolerated["codes"])
    assert any("Invalid geometries repaired at ingest" in m.value and "1 %" in m.value for m in at.markdown)
    # the Methods tab is drawn when chosen (its formulas are code blocks: a 1.5 MB highlighter bundle)
    assert not at.expander and not at.code
    at.session_state["meth-tab"] = "Methods"
    at.run()
    assert not at.exception, at.exception
    assert len(at.expander) >= 12  # one per method entry
    assert any("Krugman" in e.label for e in at.expander)
    assert len(at.code) == len(at.expander)  # one formula per entry
    assert not any("official latest year" in d.value.columns for d in at.dataframe)  # Sources now closed


def test_upload_of_a_bad_csv_gives_a_precise_error(tiny_env: Path) -> None:
    at = _run("5_Data_and_methodology.py")
    bad = b"region,sector,year,employment\nAT13,C29,2015,1100\nAT13,F41,15,380\nZZ99,C29,2015,-4\n"
    at.file_uploader(key="up-file").upload("mine.csv", bad, "text/csv").run()
    assert not at.exception, at.exception
    text = "\n".join(unescape(str(e.value)) for e in at.error)
    assert "'mine.csv' was not imported" in text
    assert "line 3, column 'year': '15'" in text
    assert "line 4, column 'region': unknown region code 'ZZ99'" in text
    assert "line 4, column 'employment': '-4'" in text
    assert "cm_upload" not in at.session_state


def test_upload_of_a_good_csv_shows_its_metrics(tiny_env: Path) -> None:
    at = _run("5_Data_and_methodology.py")
    good = b"region,sector,year,employment\nAT13,C29,2015,1100\nAT13,F41,2015,380\nAT12,C29,2015,80\nAT12,F41,2015,520\n"
    at.file_uploader(key="up-file").upload("mine.csv", good, "text/csv").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    metrics = next(d.value for d in at.dataframe if "lq" in d.value.columns)
    lq = metrics.set_index(["region", "sector"])["lq"]
    assert lq[("AT13", "C29")] == pytest.approx((1100 / 1480) / (1180 / 2080))
    assert at.session_state["cm_upload"].rows == 4


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("2_Sector_explorer.py", {"sector": "C29"}),
        ("4_Organisations.py", {}),
    ],
)
def test_maps_load_nothing_from_off_the_server(tiny_env: Path, page: str, params: dict[str, str]) -> None:
    at = _run(page, **params)
    maps = at.get("component_instance")
    assert maps, "the page has a map"
    for m in maps:
        args = json.loads(m.proto.json_args)
        links = args.get("js_links", []) + args.get("css_links", [])
        assert links and all(link.startswith("/app/static/") for link in links), links
        # names in the tiny store carry Markdown links to evil.example as text (app_store.IMAGE, LINK);
        # tests/browser/test_hostile_text.py checks that the browser never fetches them
        text = json.dumps(args).replace("http://evil.example", "")
        assert not re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), "an off-server URL"
        assert "<script>alert" not in args.get("script", "")  # data strings are escaped in the map


def test_no_unsafe_html_in_the_pages_and_widgets() -> None:
    mine = [*sorted(PAGES.glob("[1-5]_*.py"))] + [
        ROOT / "cluster_map" / "ui" / f"{m}.py"
        for m in (
            "profile",
            "sector",
            "compare",
            "organisations",
            "org_search",
            "org_import",
            "methodology",
            "downloads",
            "upload",
            "charts",
        )
    ]
    for path in mine:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path


# --- integration: every page against the store built from the mirror --------------------------------


@pytest.fixture()
def mirror_env(mirror_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(mirror_store))
    return mirror_store


@pytest.mark.mirror
@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("1_Region_profile.py", {"regions": "DE21"}),
        ("1_Region_profile.py", {"dataset": "us_cmp_states_2016", "regions": "06", "level": "1"}),
        ("1_Region_profile.py", {"dataset": "lfst_r_lfe2en2", "regions": "FR10"}),
        ("2_Sector_explorer.py", {"sector": "C29", "year": "2015", "level": "2", "min_emp": "1000"}),
        ("2_Sector_explorer.py", {"dataset": "us_cmp_states_2016", "sector": "10", "level": "1"}),
        ("3_Compare.py", {"regions": "DE21,FR10,ITC4,ES51"}),
        ("4_Organisations.py", {"countries": "DE"}),
        ("5_Data_and_methodology.py", {}),
    ],
)
def test_pages_on_the_mirror_store(mirror_env: Path, page: str, params: dict[str, str]) -> None:
    at = _run(page, **params)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]  # the URL was valid: nothing to warn about
    assert at.dataframe, "every page shows at least one table"


@pytest.mark.mirror
@pytest.mark.slow
def test_mirror_profile_values(mirror_env: Path) -> None:
    at = _run("1_Region_profile.py", regions="DE21")
    assert at.header[0].value == "DE21 · Oberbayern"
    spec = at.dataframe[0].value
    assert "C29" in spec["sector"].head(5).tolist()  # motor vehicles: a top specialisation of Oberbayern
    assert any(b.label.startswith("AT32") for b in at.button)  # Salzburg is a neighbour


@pytest.mark.mirror
@pytest.mark.slow
def test_mirror_sector_ranking_and_hot_spots(mirror_env: Path) -> None:
    at = _run("2_Sector_explorer.py", sector="C29", year="2015", level="2", min_emp="1000")
    ranking = at.dataframe[0].value
    assert ranking["rank"].iloc[0] == 1 and (ranking["employment"] >= 1000).all()
    assert ranking["lq"].is_monotonic_decreasing
    assert any("hot" in c.value for c in at.caption)  # counts of hot spot classes under the map
