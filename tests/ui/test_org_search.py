"""The directory search's URL state: encode/decode round trip (table-driven and property), hostile links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map import catalogue
from cluster_map.services import organisations
from cluster_map.services.organisations import OrgQuery
from cluster_map.ui.org_search import PER_PAGE, SORTS, Choices, OrgSearch, decode, encode

CHOICES = Choices(countries=("AT", "DE", "FR", "US"), partnerships=("RECiPE4Mobility", "Health, Care & More"))


@pytest.mark.parametrize(
    "state",
    [
        OrgSearch(),
        OrgSearch(text="aerospace", countries=("FR",)),
        OrgSearch(countries=("DE", "AT"), region="DE21", sort="members_total", descending=True, page=3),
        OrgSearch(
            sectors=("aerospace", "automotive"),
            ecosystems=("aerospace-defence", "digital"),
            kinds=("cluster", "network"),
            labels=("gold", "silver"),
            sizes=("small", "very_large"),
            partnership="Health, Care & More",  # a comma inside a single value
        ),
        OrgSearch(text="café, bio & co", region="06", countries=("US",), sort="label_level", page=2),
    ],
)
def test_round_trip(state: OrgSearch) -> None:
    decoded, warnings = decode(encode(state), CHOICES)
    assert decoded == state
    assert warnings == []


def test_defaults_are_left_out_of_the_url() -> None:
    assert encode(OrgSearch()) == {}
    assert encode(OrgSearch(sort="country", descending=True, page=2)) == {
        "sort": "country",
        "order": "desc",
        "p": "2",
    }


@st.composite
def searches(draw: st.DrawFn) -> OrgSearch:
    def some(options: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(draw(st.lists(st.sampled_from(options), unique=True, max_size=4)))

    text = draw(st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=60)).strip()
    return OrgSearch(
        text=text,
        countries=some(CHOICES.countries),
        region=draw(st.sampled_from(["", "DE2", "FR10", "06"])),
        sectors=some(CHOICES.sectors),
        ecosystems=some(CHOICES.ecosystems),
        kinds=some(CHOICES.kinds),
        labels=some(CHOICES.labels),
        sizes=some(CHOICES.sizes),
        partnership=draw(st.sampled_from(("", *CHOICES.partnerships))),
        sort=draw(st.sampled_from(list(SORTS))),
        descending=draw(st.booleans()),
        page=draw(st.integers(1, 500)),
    )


@given(searches())
def test_round_trip_property(state: OrgSearch) -> None:
    assert decode(encode(state), CHOICES) == (state, [])


@pytest.mark.parametrize(
    ("params", "expected", "said"),
    [
        ({"countries": "de,ZZ"}, OrgSearch(countries=("DE",)), "Unknown countries ['ZZ']"),
        (
            {"sectors": "aerospace,![t](http://evil.example/t.png)"},
            OrgSearch(sectors=("aerospace",)),
            "sectors",
        ),
        ({"ecosystems": "digital,space-opera"}, OrgSearch(ecosystems=("digital",)), "'space-opera'"),
        ({"kinds": "cluster,<script>"}, OrgSearch(kinds=("cluster",)), "organisation types ['<script>']"),
        ({"labels": "platinum"}, OrgSearch(), "ESCA labels ['platinum']"),
        ({"sizes": "huge"}, OrgSearch(), "member sizes ['huge']"),
        ({"region": "DE21; DROP TABLE"}, OrgSearch(), "is not a NUTS code"),
        ({"partnership": "[x](http://evil.example)"}, OrgSearch(), "Unknown partnership"),
        ({"sort": "password"}, OrgSearch(), "Cannot sort by 'password'"),
        ({"order": "sideways"}, OrgSearch(), "neither 'asc' nor 'desc'"),
        ({"p": "-3"}, OrgSearch(), "not a page number"),
        ({"p": "1e9"}, OrgSearch(), "not a page number"),
        ({"p": "99999999999"}, OrgSearch(), "not a page number"),
        ({"q": "x" * 500}, OrgSearch(text="x" * 200), "longer than 200 characters"),
        ({"countries": ",".join(["DE"] * 80)}, OrgSearch(countries=("DE",)), "keeping the first 50"),
    ],
)
def test_hostile_values_give_a_warning_and_a_valid_search(
    params: dict[str, str], expected: OrgSearch, said: str
) -> None:
    decoded, warnings = decode(params, CHOICES)
    assert decoded == expected
    assert len(warnings) == 1 and said in warnings[0], warnings
    decoded.query()  # always a query the service accepts (it validates again)


def test_text_from_the_link_loses_control_characters() -> None:
    decoded, warnings = decode({"q": "aero\x00space\u202e\n"}, CHOICES)
    assert decoded.text == "aerospace" and warnings == []


def test_the_maps_regions_and_repeated_parameters_keep_working() -> None:
    # the map's ``regions`` names the region when the link has no ``region``; the last of a repeated value wins
    assert decode({"regions": ["de21,FR10"]}, CHOICES)[0].region == "DE21"
    assert decode({"region": "", "regions": "DE21"}, CHOICES)[0].region == ""  # cleared on purpose
    assert decode({"countries": ["AT", "FR"]}, CHOICES)[0].countries == ("FR",)


def test_query_pages_and_every_match() -> None:
    state = OrgSearch(text="food", sectors=("food",), sort="country", descending=True, page=3)
    assert state.query() == OrgQuery(
        text="food", sectors=("food",), sort="country", descending=True, page=3, per_page=PER_PAGE
    )
    assert state.query(per_page=None).page == 1 and state.query(per_page=None).per_page is None
    assert state.filters() == OrgSearch(text="food", sectors=("food",), sort="country", descending=True)


def test_the_menus_are_the_catalogues_and_the_stores() -> None:
    assert tuple(SORTS) == organisations.SORT_COLUMNS
    choices = Choices()
    assert choices.sectors == tuple(t.key for t in catalogue.SECTOR_TERMS)
    assert choices.ecosystems == tuple(e.slug for e in catalogue.ECOSYSTEMS)
    assert choices.kinds == tuple(k.key for k in catalogue.ORG_KINDS)
    assert choices.labels == catalogue.LABEL_LEVELS
    assert choices.sizes == tuple(m.key for m in catalogue.MEMBER_SIZES)
