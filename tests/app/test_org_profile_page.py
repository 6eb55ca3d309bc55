"""AppTest of the organisation profile page (``?org=<id>``) and the links to it from the Organisations page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.ui.org_profile import profile_url
from cluster_map.ui.text import unescape
from tests.app_store import EVIL, LINK, build_tiny_store

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "pages"
PROFILE = "11_Organisation_profile.py"
VALLEY = "eu_cluster_organisations:EUCO0109"  # Aerospace Valley, FR


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tinyprofile") / "cluster_map.duckdb")


@pytest.fixture()
def tiny_env(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(tiny_db))
    return tiny_db


@pytest.fixture()
def mirror_env(mirror_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(mirror_store))
    return mirror_store


def _run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.header]
    parts += [e.value for e in at.subheader]
    parts += (
        [str(e.value) for e in at.info]
        + [str(e.value) for e in at.warning]
        + [str(e.value) for e in at.error]
    )
    return "\n".join(unescape(str(p)) for p in parts)


def _fields(at: AppTest) -> dict[str, str]:
    frame = next(d.value for d in at.dataframe if list(d.value.columns) == ["field", "value"])
    return dict(zip(frame["field"], frame["value"], strict=True))


def test_profile_url_round_trips_an_id_with_a_colon() -> None:
    url = profile_url(VALLEY)
    assert url.startswith("Organisation_profile?")
    assert parse_qs(urlsplit(url).query) == {"org": [VALLEY]}


def test_profile_from_the_url_shows_fields_sectors_partnerships_and_partners(tiny_env: Path) -> None:
    at = _run(PROFILE, org="EUCO1")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Automotive Cluster Styria (ACstyria)" in _texts(at)
    fields = _fields(at)
    assert fields["country"] == "Austria (AT)"
    assert fields["city"] == "Vienna"
    assert "NACE C29" in fields["sectors"]
    assert fields["partnerships"] == "RECiPE4Mobility"
    assert fields["source"] == "https://example.org/src"
    assert "last updated" not in fields  # the tiny store has no provenance row for its directory: left out
    sectors = next(d.value for d in at.dataframe if "NACE" in d.value.columns)
    assert "C29" in sectors["NACE"].tolist()
    partners = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert partners["id"].tolist()[0] == "EUCO2"  # abroad (DE) and shares 'automotive'
    assert partners["profile"].iloc[0] == profile_url("EUCO2")
    assert partners["why"].iloc[0]


def test_hostile_names_stay_text(tiny_env: Path) -> None:
    at = _run(PROFILE, org="EUCO2")
    assert not at.exception, at.exception
    assert at.header[0].value != EVIL and unescape(at.header[0].value) == EVIL  # escaped, reads as itself
    at = _run(PROFILE, org="EUCO4")
    assert not at.exception, at.exception
    assert LINK in unescape(at.header[0].value)
    assert "](http://evil" not in at.header[0].value


def test_unknown_org_warns_and_offers_the_list(tiny_env: Path) -> None:
    at = _run(PROFILE, org="[x](http://evil.example)")
    assert not at.exception, at.exception
    assert "No organisation with id" in _texts(at)
    assert "](http" not in at.warning[0].value  # the id from the URL is escaped
    box = at.selectbox(key="profile-org")
    assert "EUCO3" in box.options or len(box.options) == 4
    box.set_value("EUCO3").run()
    assert at.query_params["org"] in ("EUCO3", ["EUCO3"])  # a shareable URL
    assert not at.exception, at.exception
    assert _fields(at)["country"] == "Germany (DE)"


def test_organisations_page_links_results_and_partners_to_profiles(tiny_env: Path) -> None:
    at = _run("4_Organisations.py")
    assert not at.exception, at.exception
    directory = at.dataframe[0].value
    assert directory["profile"].tolist() == [profile_url(i) for i in directory["id"]]
    at.text_input(key="org-text").input("automotive").run()
    at.selectbox(key="org-partner").set_value("EUCO1").run()
    partners = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert partners["profile"].tolist() == [profile_url("EUCO2"), profile_url("EUCO3")]
    assert at.button(key="org-open-profile").label == "Open the profile of Automotive Cluster Styria \\(AT\\)"


@pytest.mark.mirror
def test_aerospace_valley_profile_on_the_mirror(mirror_env: Path) -> None:
    at = _run(PROFILE, org=VALLEY)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    fields = _fields(at)
    assert fields["stated sectors"] == "aeronautics; space"
    assert "NACE C30" in fields["sectors"]
    assert fields["last updated"].startswith("read into the store on ")  # the compiled file states no date
    stats = next(d.value for d in at.dataframe if "lq" in d.value.columns)
    c30 = stats[stats["sector"] == "C30"].iloc[0]
    assert (
        c30["region"] == "FR" and c30["lq"] > 1 and bool(c30["strong"])
    )  # France in other transport equipment
    partners = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert len(partners) > 0 and (partners["country"] != "FR").all()
    assert partners["score"].is_monotonic_decreasing
