"""URL state: encode/decode round trip, validation against options, clear messages for bad links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map.services.mapview import ViewOptions
from cluster_map.ui.state import CLASSIFICATIONS, MAX_REGIONS, METRICS, PAGES, Filters, decode, encode

OPTS = {
    "sbs_r_nuts06_r2": ViewOptions(
        dataset="sbs_r_nuts06_r2",
        datasets=("sbs_r_nuts06_r2", "us_cmp_states_2016"),
        sector_scheme="nace_r2",
        sectors=(("C", "Manufacturing"), ("C29", "Motor vehicles")),
        default_sector="C29",
        years=(2008, 2014, 2015),
        levels=(0, 1, 2),
        default_level=2,
        countries=("DE", "FR"),
        regions=frozenset({"DE", "DE1", "DE11", "FR", "FR10"}),
        metrics=tuple(METRICS),
        nuts_version="2013",
    ),
    "us_cmp_states_2016": ViewOptions(
        dataset="us_cmp_states_2016",
        datasets=("sbs_r_nuts06_r2", "us_cmp_states_2016"),
        sector_scheme="us_cluster",
        sectors=(("1", "Aerospace"), ("2", "Agricultural inputs")),
        default_sector="1",
        years=(2016,),
        levels=(1,),
        default_level=1,
        countries=("US",),
        regions=frozenset({"01", "02"}),
        metrics=tuple(METRICS),
        nuts_version="us",
    ),
}


def options_for(dataset: str) -> ViewOptions:
    return OPTS[dataset]


def test_no_params_gives_the_default_view_resolved_from_the_data() -> None:
    f, warnings = decode({}, options_for)
    assert warnings == []
    assert f == Filters(sector="C29", year=2015, level=2, metric="lq", dataset="sbs_r_nuts06_r2")


def test_without_options_the_data_defaults_stay_open() -> None:
    f, warnings = decode({})
    assert (f.sector, f.year, warnings) == ("", None, [])


def test_encode_known_values() -> None:
    f = Filters(sector="C29", year=2015, countries=("DE", "FR"), regions=("DE11",), min_employment=500)
    assert encode(f) == {
        "page": "map",
        "dataset": "sbs_r_nuts06_r2",
        "scheme": "nace_r2",
        "metric": "lq",
        "level": "2",
        "classes": "fixed",
        "sector": "C29",
        "year": "2015",
        "countries": "DE,FR",
        "regions": "DE11",
        "min_emp": "500",
    }


def test_us_dataset_follows_its_scheme_and_level() -> None:
    f, warnings = decode({"dataset": "us_cmp_states_2016", "sector": "2"}, options_for)
    assert warnings == []
    assert (f.sector_scheme, f.level, f.sector, f.year) == ("us_cluster", 1, "2", 2016)


@pytest.mark.parametrize(
    ("params", "expect", "message"),
    [
        ({"sector": "XX99"}, {"sector": "C29"}, "Unknown sector 'XX99'"),
        ({"sector": "<script>"}, {"sector": "C29"}, "is not a code"),
        ({"dataset": "nope"}, {"dataset": "sbs_r_nuts06_r2"}, "Unknown dataset 'nope'"),
        ({"year": "1999"}, {"year": 2015}, "Year '1999' has no data"),
        ({"year": "abc"}, {"year": 2015}, "Year 'abc'"),
        ({"metric": "gdp"}, {"metric": "lq"}, "Unknown metric 'gdp'"),
        ({"level": "3"}, {"level": 2}, "Level '3' is not available"),
        ({"level": "-1"}, {"level": 2}, "Level '-1'"),
        ({"regions": "DE11,ZZ99"}, {"regions": ("DE11",)}, "Unknown regions ['ZZ99']"),
        ({"countries": "de,XX"}, {"countries": ("DE",)}, "Unknown countries ['XX']"),
        ({"classes": "random"}, {"classification": "fixed"}, "Unknown classification 'random'"),
        ({"min_emp": "-5"}, {"min_employment": 0.0}, "Minimum employment '-5'"),
        ({"min_emp": "nan"}, {"min_employment": 0.0}, "Minimum employment 'nan'"),
        ({"page": "admin"}, {"page": "map"}, "Unknown page 'admin'"),
        ({"scheme": "us_cluster"}, {"sector_scheme": "nace_r2"}, "does not fit dataset"),
    ],
)
def test_bad_url_values_fall_back_with_a_message(params: dict, expect: dict, message: str) -> None:
    f, warnings = decode(params, options_for)
    for k, v in expect.items():
        assert getattr(f, k) == v
    assert len(warnings) == 1 and message in warnings[0], warnings


def test_more_than_ten_regions_are_cut_with_a_message() -> None:
    codes = [f"R{i}" for i in range(12)]
    f, warnings = decode({"regions": ",".join(codes)})
    assert f.regions == tuple(codes[:MAX_REGIONS]) and "keeping the first 10" in warnings[0]


def test_list_values_use_the_last_one() -> None:
    f, _ = decode({"sector": ["C", "C29"], "year": ["2014"]}, options_for)
    assert (f.sector, f.year) == ("C29", 2014)


codes = st.from_regex(r"[A-Z]{2}[0-9A-Z]{0,3}", fullmatch=True)


@given(
    page=st.sampled_from(PAGES),
    metric=st.sampled_from(list(METRICS)),
    level=st.integers(0, 3),
    sector=st.one_of(st.just(""), codes),
    year=st.one_of(st.none(), st.integers(1990, 2030)),
    countries=st.lists(st.from_regex(r"[A-Z]{2}", fullmatch=True), max_size=4, unique=True),
    regions=st.lists(codes, max_size=MAX_REGIONS, unique=True),
    classification=st.sampled_from(list(CLASSIFICATIONS)),
    min_employment=st.one_of(
        st.just(0.0), st.integers(1, 10**6).map(float), st.floats(0.5, 1e6, allow_nan=False)
    ),
)
def test_round_trip(
    page, metric, level, sector, year, countries, regions, classification, min_employment
) -> None:
    f = Filters(
        page=page,
        metric=metric,
        level=level,
        sector=sector,
        year=year,
        countries=tuple(countries),
        regions=tuple(regions),
        classification=classification,
        min_employment=min_employment,
    )
    back, warnings = decode(encode(f))
    assert warnings == []
    assert back == f


def test_round_trip_with_options_is_stable() -> None:
    f, _ = decode({"sector": "C", "year": "2014", "countries": "FR", "regions": "FR10,DE11"}, options_for)
    again, warnings = decode(encode(f), options_for)
    assert warnings == [] and again == f


def test_filters_are_hashable_and_with_keeps_them_so() -> None:
    f = Filters().with_(countries=["DE"], regions=["DE11"])
    assert hash(f) == hash(Filters(countries=("DE",), regions=("DE11",)))
