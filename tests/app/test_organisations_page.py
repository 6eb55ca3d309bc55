"""AppTest of the Organisations page on the tiny store: every filter, sort, pages, the shared link, the map
and downloads of all matches, the statistics-backed partner ranking, and the admin-only directory import."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.services import board
from cluster_map.services.board import Account
from cluster_map.sources import org_profiles
from cluster_map.stats.partners import FACTORS
from cluster_map.ui.org_profile import profile_url
from cluster_map.ui.text import unescape
from tests.app_store import build_tiny_store

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "4_Organisations.py")
EXTRA = 27  # organisations added to the tiny store's 4: 31 in all, two pages of 25


def _add_organisations(db: Path) -> None:
    """27 wood clusters in Burgenland (AT11), NUTS 2016 copies of the regions (the import places there) and
    a row in each table a store build requires."""
    con = duckdb.connect(str(db))
    for i in range(1, EXTRA + 1):
        name, sectors = f"Wood Cluster {i:02d}", "wood"
        keys = org_profiles.sector_keys(sectors)
        nace = org_profiles.nace_of(keys)
        con.execute(
            """INSERT INTO organisations (id, directory, name, country, city, sectors, org_type, lat, lon,
               geocode_precision, nuts0, nuts1, nuts2, nuts_version, org_kind, sector_keys, nace, search_terms,
               members_total)
               VALUES (?, 'eu_cluster_organisations', ?, 'AT', 'Eisenstadt', ?, 'cluster organisation', 0.5,
               0.5, 'city', 'AT', 'AT1', 'AT11', '2013', 'cluster', ?, ?, ?, ?)""",
            [
                f"WOOD{i:02d}",
                name,
                sectors,
                "; ".join(keys),
                "; ".join(nace),
                org_profiles.search_terms(name, None, "Eisenstadt", sectors, keys=keys, nace=nace),
                10 * i,
            ],
        )
    # a real store has these; the store build that writes the import validates that none is empty
    con.execute("INSERT INTO cluster_naics VALUES ('us_cluster', '1', NULL, '336411')")
    con.execute("INSERT INTO related_clusters VALUES ('1', '2', 0.5, 95.0, TRUE)")
    con.execute("INSERT INTO regions SELECT * REPLACE ('2016' AS nuts_version) FROM regions")
    con.execute("INSERT INTO geometries SELECT * REPLACE ('2016' AS nuts_version) FROM geometries")
    con.close()


@pytest.fixture(scope="module")
def many_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build_tiny_store(tmp_path_factory.mktemp("orgs_page") / "cluster_map.duckdb")
    _add_organisations(db)
    return db


@pytest.fixture()
def db(many_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "cluster_map.duckdb"
    shutil.copy(many_db, out)
    monkeypatch.setenv("CLUSTER_MAP_DB", str(out))
    return out


def _run(admin: bool = False, **params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if admin:
        at.session_state["board-account"] = board.register(
            board.default_path(), username="admin", password="a long admin password", role="admin"
        )
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _results(at: AppTest):
    return next(d.value for d in at.dataframe if "precision_label" in d.value.columns)


def _partners(at: AppTest):
    return next(d.value for d in at.dataframe if "why" in d.value.columns)


def _param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def _captions(at: AppTest) -> str:
    return "\n".join(unescape(c.value) for c in at.caption)


def test_every_filter_narrows_the_search_and_the_url_says_it(db: Path) -> None:
    at = _run()
    assert len(_results(at)) == 25
    at.multiselect(key="org-sectors").select("food").run()
    assert set(_results(at)["id"]) == {"EUCO3", "EUCO4"}
    assert _param(at, "sectors") == "food"
    at.multiselect(key="org-countries").select("DE").run()
    assert _results(at)["id"].tolist() == ["EUCO3"]
    assert _param(at, "countries") == "DE"
    at.multiselect(key="org-countries").unselect("DE").run()
    at.multiselect(key="org-sectors").unselect("food").run()
    at.multiselect(key="org-ecosystems").select("mobility-transport-automotive").run()
    assert set(_results(at)["id"]) == {"EUCO1", "EUCO2"}
    at.multiselect(key="org-ecosystems").unselect("mobility-transport-automotive").run()
    at.multiselect(key="org-sizes").select("small").run()  # 10-40 members: Wood Cluster 01-04
    assert _results(at)["id"].tolist() == ["WOOD01", "WOOD02", "WOOD03", "WOOD04"]
    at.multiselect(key="org-sizes").unselect("small").run()
    at.selectbox(key="org-partnership").set_value("RECiPE4Mobility").run()
    assert _results(at)["id"].tolist() == ["EUCO1"]  # the member list names Automotive Cluster Styria
    assert _param(at, "partnership") == "RECiPE4Mobility"
    at.selectbox(key="org-partnership").set_value("").run()
    at.text_input(key="org-region").input("de22").run()
    assert _results(at)["id"].tolist() == ["EUCO3"]
    assert _param(at, "region") == "DE22"
    at.text_input(key="org-region").input("").run()
    at.multiselect(key="org-kinds").select("network").run()
    assert "No organisation matches this search" in _captions(at)
    assert not at.exception and not at.error


def test_pages_sort_and_the_map_and_downloads_hold_every_match(db: Path) -> None:
    at = _run()
    first = _results(at)
    assert len(first) == 25 and "Rows 1-25 of 31 organisations" in _captions(at)
    at.selectbox(key="org-page").set_value(2).run()
    second = _results(at)
    assert len(second) == 6 and "Rows 26-31 of 31 organisations" in _captions(at)
    assert not set(first["id"]) & set(second["id"])
    assert _param(at, "p") == "2"
    # the map draws all 31 matches, not only this page
    args = at.get("component_instance")[0].proto.json_args
    assert all(f"WOOD{i:02d}" in args for i in range(1, EXTRA + 1)), sorted(json.loads(args))
    assert "The map shows the 31 matches of the search, every page" in _captions(at)
    downloads = [b.key for b in at.download_button if b.key and b.key.startswith("dl-orgs-")]
    assert len(downloads) >= 3, downloads  # CSV, XLSX, GeoJSON (and provenance) of every match
    # a new sort starts the pages over; descending by members puts the largest first
    at.selectbox(key="org-sort").set_value("members_total").run()
    at.selectbox(key="org-order").set_value("desc").run()
    ranked = _results(at)
    assert ranked["id"].iloc[0] == "WOOD27" and ranked["members_total"].is_monotonic_decreasing
    assert _param(at, "p") is None and _param(at, "sort") == "members_total" and _param(at, "order") == "desc"
    at.selectbox(key="org-sort").set_value("name").run()
    at.selectbox(key="org-order").set_value("asc").run()
    names = _results(at)["name"].tolist()
    assert names == sorted(names) and "=cmd|' /C calc'!A0" in names  # formula text stays text


def test_a_shared_link_opens_the_same_search(db: Path) -> None:
    at = _run(q="cluster", sectors="wood", sort="members_total", order="desc", p="2")
    assert at.text_input(key="org-text").value == "cluster"
    assert at.multiselect(key="org-sectors").value == ["wood"]
    assert (
        at.selectbox(key="org-sort").value == "members_total"
        and at.selectbox(key="org-order").value == "desc"
    )
    assert at.selectbox(key="org-page").value == 2
    assert _results(at)["id"].tolist() == [
        "WOOD02",
        "WOOD01",
    ]  # 27 wood clusters: page 2 holds the two smallest
    assert not at.warning, [w.value for w in at.warning]
    for key, value in {
        "q": "cluster",
        "sectors": "wood",
        "sort": "members_total",
        "order": "desc",
        "p": "2",
    }.items():
        assert _param(at, key) == value  # the URL keeps the search: sharing it shares the view
    # the map's links keep working: countries and regions
    at = _run(countries="DE", regions="DE21")
    assert _results(at)["id"].tolist() == ["EUCO2"]
    assert at.text_input(key="org-region").value == "DE21"


def test_a_hostile_link_gives_plain_warnings_and_the_whole_directory(db: Path) -> None:
    at = _run(
        sectors="![t](http://evil.example/t.png)",
        partnership="[x](http://evil.example)",
        sort="password",
        p="abc",
        region="<script>",
        countries="ZZ",
    )
    assert not at.error, [e.value for e in at.error]
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 6, warnings
    assert all("](http" not in w for w in warnings)  # shown as text, never a link or an image
    text = "\n".join(unescape(w) for w in warnings)
    assert "Cannot sort by 'password'" in text and "Unknown countries ['ZZ']" in text
    assert len(_results(at)) == 25
    at = _run(p="9")
    assert any("there are 2; showing the last one" in w.value for w in at.warning)
    assert len(_results(at)) == 6


def test_partner_ranking_shows_each_factors_contribution_and_why(db: Path) -> None:
    at = _run(q="automotive")
    at.selectbox(key="org-partner").set_value("EUCO1").run()
    best = _partners(at)
    assert best["id"].tolist()[:1] == ["EUCO2"] and (best["country"] != "AT").all()  # other countries only
    contributions = best[[f"c_{f}" for f in FACTORS]].sum(axis=1)
    assert contributions.tolist() == pytest.approx(best["score"].tolist(), abs=1e-6)
    assert best["score"].is_monotonic_decreasing
    assert best["why"].str.contains("shares automotive").iloc[0]
    assert "LQ 1.45" in best["why"].iloc[0]  # the statistics of München's region DE21 in C29
    assert best["profile"].tolist() == [profile_url(i) for i in best["id"]]
    assert "Score: weighted factors" in _captions(at)
    at.toggle(key="org-abroad").set_value(False).run()
    assert "AT" in set(_partners(at)["country"])  # now candidates at home too
    at.multiselect(key="org-partner-countries").select("DE").run()
    assert set(_partners(at)["country"]) == {"DE"}
    at.slider(key="org-partner-top").set_value(5).run()
    assert len(_partners(at)) <= 5


def test_only_an_admin_is_offered_the_directory_import(db: Path) -> None:
    at = _run()
    assert not [u for u in at.file_uploader if u.key == "org-import-file"]
    assert "Only a signed-in admin can import a directory" in _captions(at)
    at = _run(admin=True)
    assert at.file_uploader(key="org-import-file") is not None
    # a session that says admin while the board says otherwise (the role was taken away) gets no import
    org = board.register(board.default_path(), username="former", password="a long org password")
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["board-account"] = Account(id=org.id, username="former", role="admin")
    at.run()
    assert not at.exception, at.exception
    assert not [u for u in at.file_uploader if u.key == "org-import-file"]


BAD = b"name,country,city,sectors\nAlpine Wood,AT,,wood\nalpine wood ,AT,,\nBad,Germany,,\n"
TWICE = b"name,country,city,sectors\nAlpine Wood,AT,,wood\nalpine wood ,AT,,\n"
GOOD = b"name,country,city,sectors,lat,lon\nAlpine Wood,AT,,wood,0.5,0.5\nBavarian Food,DE,,food,1.5,0.5\n"


def test_an_admin_sees_the_problems_and_nothing_is_written(db: Path) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    at = _run(admin=True)
    at.file_uploader(key="org-import-file").upload("mine.csv", BAD, "text/csv").run()
    assert not at.exception, at.exception
    assert any("nothing was written" in unescape(e.value) for e in at.error), [e.value for e in at.error]
    problems = next(d.value for d in at.dataframe if "todo" in d.value.columns)
    assert list(problems.columns) == ["line", "field", "value", "todo"]
    assert problems.to_dict("records") == [
        {
            "line": 4,
            "field": "country",
            "value": "Germany",
            "todo": "is not a 2-letter ISO 3166 country code (e.g. 'DE')",
        }
    ]
    assert not [b for b in at.button if b.key == "org-import-go"]  # no import of a file with problems
    at.file_uploader(key="org-import-file").upload("mine.csv", TWICE, "text/csv").run()
    problems = next(d.value for d in at.dataframe if "todo" in d.value.columns)
    assert problems[["line", "field", "value"]].to_dict("records") == [
        {"line": 3, "field": "name", "value": "alpine wood"}
    ]
    assert "same name and country (AT) as line 2" in problems["todo"].iloc[0]
    assert not [b for b in at.button if b.key == "org-import-go"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_an_admin_imports_a_valid_directory_after_the_dry_run(db: Path) -> None:
    at = _run(admin=True)
    at.file_uploader(key="org-import-file").upload("mine.csv", GOOD, "text/csv").run()
    assert not at.exception, at.exception
    assert any("is valid: 2 organisation(s)" in unescape(s.value) for s in at.success)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM organisations WHERE directory = 'user:mine'").fetchall() == [
            (0,)
        ]
    at.button(key="org-import-go").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Imported 2 organisation(s) from mine.csv" in unescape(s.value) for s in at.success)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT name, nuts2 FROM organisations WHERE directory = 'user:mine' ORDER BY name"
        ).fetchall()
    assert rows == [("Alpine Wood", "AT11"), ("Bavarian Food", "DE21")]
    again = _run(q="alpine")  # every page finds them at once
    assert _results(again)["name"].tolist() == ["Alpine Wood"]


def test_partnerships_and_events_wait_in_their_tabs(db: Path) -> None:
    # below the results one section at a time (a hidden tab is not drawn): the partner finder first
    at = _run()
    assert [s.value for s in at.subheader][-2:] == [
        "Find partners across borders and sectors",
        "Import a directory of organisations",
    ]
    assert not any(s.value in ("Partnerships", "Events") for s in at.subheader)
    at.session_state["org-more"] = "Partnerships"
    at.run()
    assert not at.exception, at.exception
    assert "Partnerships" in [s.value for s in at.subheader]
    assert any("member_organisations" in d.value.columns for d in at.dataframe)
    assert not any("why" in d.value.columns for d in at.dataframe)  # the partner finder's tab is closed
    at.session_state["org-more"] = "Events"
    at.run()
    assert not at.exception, at.exception
    assert any("event_name" in d.value.columns for d in at.dataframe)
