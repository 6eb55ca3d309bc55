"""The directory search of the Organisations page: its URL state, filter widgets, sort and paging.

:class:`OrgSearch` is what a user would share: free text, every filter of
:class:`cluster_map.services.organisations.OrgQuery`, the sort (column and direction) and the results
page. :func:`encode` and :func:`decode` turn it into ``st.query_params`` and back; both are pure (the
allowed values come in as :class:`Choices`), so a round-trip test keeps them honest. ``decode`` never
raises on a bad link: a value it cannot use is dropped (or replaced by the default) with one plain
warning per problem, shown above the page like the map's (:func:`cluster_map.ui.profile.show_warnings`).

URL parameters (all optional; ``countries`` and ``regions`` are the map's and keep working)::

    q            free text (name, acronym, city, sector words; stemmed, with synonyms)
    countries    comma-separated country codes (DE,FR)
    region       a NUTS code at any level or a US state FIPS code (default: the first of ``regions``)
    sectors      comma-separated sector terms of the vocabulary (aerospace,automotive)
    ecosystems   comma-separated industrial ecosystem slugs (aerospace-defence)
    kinds        comma-separated organisation types (cluster,network)
    labels       comma-separated ESCA label levels (bronze,silver,gold)
    sizes        comma-separated member-size classes (small,medium,large,very_large)
    partnership  the name of a partnership: only its member organisations
    sort         name | country | members_total | founded_year | label_level | geocode_precision
    order        asc | desc
    p            results page (1, 2, ...)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Final

import streamlit as st

from cluster_map import catalogue
from cluster_map.services import organisations
from cluster_map.services.organisations import OrgQuery
from cluster_map.ui.state import quoted, url_value
from cluster_map.ui.text import clean, short

PER_PAGE: Final = 25
MAX_TEXT: Final = 200
MAX_ITEMS: Final = 50
#: Sortable columns and how the sort menu names them (the store's allow-list, in its order).
SORTS: Final[dict[str, str]] = {
    "name": "name",
    "country": "country",
    "members_total": "members",
    "founded_year": "year founded",
    "label_level": "ESCA label",
    "geocode_precision": "location precision",
}
ORDERS: Final = {"asc": "ascending", "desc": "descending"}
_REGION: Final = re.compile(r"^[A-Z0-9]{1,10}$")
#: Widget keys (the search box keeps the key the tests and browser tests know).
KEYS: Final = {
    "text": "org-text",
    "countries": "org-countries",
    "region": "org-region",
    "sectors": "org-sectors",
    "ecosystems": "org-ecosystems",
    "kinds": "org-kinds",
    "labels": "org-labels",
    "sizes": "org-sizes",
    "partnership": "org-partnership",
    "sort": "org-sort",
    "descending": "org-order",
    "page": "org-page",
}
_URL: Final = "org-url"  # the URL this session wrote last
_LAST: Final = "org-last-filters"  # the filters of the last run (a change goes back to page 1)


@dataclass(frozen=True)
class OrgSearch:
    """A directory search as the page shows it (hashable, so it can key caches)."""

    text: str = ""
    countries: tuple[str, ...] = ()
    region: str = ""
    sectors: tuple[str, ...] = ()
    ecosystems: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    partnership: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1

    def query(self, *, per_page: int | None = PER_PAGE) -> OrgQuery:
        """The service's query: this page of ``per_page`` rows (``None``: every match, page 1)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        if per_page is None:
            values["page"] = 1
        return OrgQuery(**values, per_page=per_page)

    def filters(self) -> OrgSearch:
        """The same search on page 1 (what decides whether a change starts the pages over)."""
        return replace(self, page=1)


@dataclass(frozen=True)
class Choices:
    """The values each filter allows: the catalogue's vocabularies and the store's countries and partnerships."""

    countries: tuple[str, ...] = ()
    partnerships: tuple[str, ...] = ()
    sectors: tuple[str, ...] = tuple(t.key for t in catalogue.SECTOR_TERMS)
    ecosystems: tuple[str, ...] = tuple(organisations.ecosystem_divisions())
    kinds: tuple[str, ...] = tuple(k.key for k in catalogue.ORG_KINDS)
    labels: tuple[str, ...] = tuple(catalogue.LABEL_LEVELS)
    sizes: tuple[str, ...] = tuple(m.key for m in catalogue.MEMBER_SIZES)


#: ``(field, URL parameter, what it is called in a warning)`` of the list filters.
_LISTS: Final = (
    ("countries", "countries", "countries"),
    ("sectors", "sectors", "sectors"),
    ("ecosystems", "ecosystems", "ecosystems"),
    ("kinds", "kinds", "organisation types"),
    ("labels", "labels", "ESCA labels"),
    ("sizes", "sizes", "member sizes"),
)


def encode(state: OrgSearch) -> dict[str, str]:
    """The URL query parameters of ``state`` (defaults omitted).

    >>> encode(OrgSearch(text="aerospace", countries=("FR",), page=2))
    {'q': 'aerospace', 'countries': 'FR', 'p': '2'}
    """
    out: dict[str, str] = {}
    if state.text:
        out["q"] = state.text
    for name, param, _ in _LISTS:
        if getattr(state, name):
            out[param] = ",".join(getattr(state, name))
    if state.region:
        out["region"] = state.region
    if state.partnership:
        out["partnership"] = state.partnership
    if state.sort != "name":
        out["sort"] = state.sort
    if state.descending:
        out["order"] = "desc"
    if state.page != 1:
        out["p"] = str(state.page)
    return out


def decode(params: Mapping[str, object], choices: Choices) -> tuple[OrgSearch, list[str]]:
    """The search in URL query parameters and one warning for every value that could not be used.

    ``params`` is ``st.query_params`` (or any mapping of str to str / list of str); ``choices`` the
    allowed values. Unknown codes are dropped, a bad sort, order or page falls back to the default,
    an overlong text is cut: the result is always a valid search.
    """
    warnings: list[str] = []
    text = clean(url_value(params, "q") or "").strip()
    if len(text) > MAX_TEXT:
        warnings.append(f"The search text of the link is longer than {MAX_TEXT} characters; it was cut.")
        text = text[:MAX_TEXT].strip()
    lists: dict[str, tuple[str, ...]] = {}
    for name, param, what in _LISTS:
        raw = [v.strip() for v in (url_value(params, param) or "").split(",") if v.strip()]
        if name == "countries":
            raw = [v.upper() for v in raw]
        if len(raw) > MAX_ITEMS:
            warnings.append(f"{len(raw)} {what} in the link; keeping the first {MAX_ITEMS}.")
            raw = raw[:MAX_ITEMS]
        known = getattr(choices, name)
        bad = [v for v in raw if v not in known]
        if bad:
            listed = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
            warnings.append(
                f"Unknown {what} {[short(b, 20) for b in bad[:5]]!r} ignored; the link named them "
                f"(choose from: {listed or 'none in this store'})."
            )
        lists[name] = tuple(dict.fromkeys(v for v in raw if v in known))
    region = (url_value(params, "region") or "").upper()
    if url_value(params, "region") is None:
        region = next(iter((url_value(params, "regions") or "").upper().split(",")), "").strip()
    if region and not _REGION.match(region):
        warnings.append(
            f"Region {quoted(region)} of the link is not a NUTS code or a US state code; searching all regions."
        )
        region = ""
    partnership = clean(url_value(params, "partnership") or "").strip()
    if partnership and partnership not in choices.partnerships:
        warnings.append(
            f"Unknown partnership {quoted(partnership, 60)} in the link ignored; pick one from the list."
        )
        partnership = ""
    sort = url_value(params, "sort") or "name"
    if sort not in SORTS:
        warnings.append(f"Cannot sort by {quoted(sort)}; sorting by name (choices: {', '.join(SORTS)}).")
        sort = "name"
    order = (url_value(params, "order") or "asc").lower()
    if order not in ORDERS:
        warnings.append(f"Order {quoted(order)} of the link is neither 'asc' nor 'desc'; sorting ascending.")
        order = "asc"
    page = 1
    raw_page = url_value(params, "p")
    if raw_page:
        if raw_page.isdigit() and 1 <= int(raw_page) <= 100_000:
            page = int(raw_page)
        else:
            warnings.append(
                f"Results page {quoted(raw_page, 20)} of the link is not a page number; showing page 1."
            )
    return (
        OrgSearch(
            text=text,
            region=region,
            partnership=partnership,
            sort=sort,
            descending=order == "desc",
            page=page,
            **lists,
        ),
        warnings,
    )


# --- widgets -----------------------------------------------------------------------------------------


def _labels() -> dict[str, dict[str, str]]:
    return {
        "sectors": {t.key: t.label for t in catalogue.SECTOR_TERMS},
        "ecosystems": {e.slug: e.label for e in catalogue.ECOSYSTEMS},
        "kinds": {k.key: k.label for k in catalogue.ORG_KINDS},
        "labels": {v: v for v in catalogue.LABEL_LEVELS},
        "sizes": {m.key: m.label for m in catalogue.MEMBER_SIZES},
    }


def _sync(state: OrgSearch) -> None:
    """Set the widgets from the URL (a shared link, the first visit, the back button)."""
    ss = st.session_state
    for name, key in KEYS.items():
        value = getattr(state, name)
        ss[key] = list(value) if isinstance(value, tuple) else value
    ss[KEYS["descending"]] = "desc" if state.descending else "asc"
    ss[_LAST] = state.filters()


def _multi(col: Any, label: str, name: str, options: tuple[str, ...], names: dict[str, str]) -> list[str]:
    def show(value: str) -> str:
        return names.get(value, value)

    return list(col.multiselect(label, list(options), key=KEYS[name], format_func=show))


def form(initial: OrgSearch, choices: Choices, *, url: Mapping[str, str]) -> OrgSearch:
    """The filter and sort widgets, set from ``initial`` when the URL is not the one this session wrote
    last (``url``: the current query parameters). Returns the search they describe; a change of any
    filter or of the sort starts the pages over."""
    ss = st.session_state
    if ss.get(_URL) != dict(url):
        _sync(initial)
    labels = _labels()
    c1, c2, c3 = st.columns([3, 2, 1])
    text = c1.text_input(
        "Search name, acronym, city",
        key=KEYS["text"],
        max_chars=MAX_TEXT,
        placeholder="aerospace, Toulouse, C30 ... (words are stemmed; sector synonyms count)",
    )
    names = {c: f"{c} · {catalogue.country_name(c)}" for c in choices.countries}
    countries = c2.multiselect(
        "Countries", list(choices.countries), key=KEYS["countries"], format_func=lambda c: names.get(c, c)
    )
    region = c3.text_input(
        "NUTS region",
        key=KEYS["region"],
        max_chars=10,
        help="A NUTS code at any level (DE2, DE21) or a US state FIPS code.",
    )
    c1, c2, c3 = st.columns(3)
    picked: dict[str, list[str]] = {}
    for col, name, label in (
        (c1, "sectors", "Sectors"),
        (c2, "ecosystems", "Industrial ecosystems"),
        (c3, "kinds", "Type of organisation"),
    ):
        picked[name] = _multi(col, label, name, getattr(choices, name), labels[name])
    c1, c2, c3, c4, c5 = st.columns([2, 2, 3, 2, 2])
    for col, name, label in ((c1, "labels", "ESCA label"), (c2, "sizes", "Members")):
        picked[name] = _multi(col, label, name, getattr(choices, name), labels[name])
    partnership = c3.selectbox(
        "Member of the partnership",
        ["", *choices.partnerships],
        key=KEYS["partnership"],
        format_func=lambda p: p or "any or none",
    )
    sort = c4.selectbox("Sort by", list(SORTS), key=KEYS["sort"], format_func=lambda s: SORTS.get(s, s))
    order = c5.selectbox(
        "Order", list(ORDERS), key=KEYS["descending"], format_func=lambda o: ORDERS.get(o, o)
    )
    state = OrgSearch(
        text=clean(text).strip(),
        countries=tuple(countries),
        region=str(region or "").strip().upper(),
        partnership=partnership or "",
        sort=sort or "name",
        descending=order == "desc",
        page=int(ss.get(KEYS["page"]) or 1),
        **{k: tuple(v) for k, v in picked.items()},
    )
    if ss.get(_LAST) not in (None, state.filters()):
        state = state.filters()
        ss[KEYS["page"]] = 1
    ss[_LAST] = state.filters()
    return state


def pager(state: OrgSearch, *, total: int, pages: int) -> OrgSearch:
    """The page selector and "rows x-y of N"; a page past the last one shows the last page."""
    if total == 0:
        st.caption("No organisation matches this search; remove a filter or change the text.")
        return state.filters()
    page = min(max(state.page, 1), pages)
    if page != state.page:
        st.warning(
            f"The link asks for results page {state.page:d}, but there are {pages:d}; showing the last one."
        )
    st.session_state[KEYS["page"]] = page
    left, right = st.columns([1, 5], vertical_alignment="bottom")
    if pages > 1:
        page = int(left.selectbox("Page", list(range(1, pages + 1)), key=KEYS["page"]))
    first = (page - 1) * PER_PAGE + 1
    right.caption(
        f"Rows {first:,}-{min(page * PER_PAGE, total):,} of {total:,} organisations, {PER_PAGE:d} a page."
    )
    return replace(state, page=page)


def remember(url: Mapping[str, str]) -> None:
    """Note the URL this session wrote (the widgets then keep their own state on the next run)."""
    st.session_state[_URL] = dict(url)
