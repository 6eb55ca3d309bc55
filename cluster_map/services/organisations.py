"""Cluster organisations: search the directory, find partners, partnerships and events.

The partner finder ranks organisations in *other* countries by the sector keywords they share with
the chosen one (Jaccard similarity of the keyword sets), the practical question of a cluster manager
looking for a partner abroad. Across sectors, it also counts keywords *related* to the chosen ones:
two keywords are related when organisations often name them together (co-occurrence proximity
``phi_kj = C_kj / max(n_k, n_j)``, the "product space" measure of Hidalgo et al. 2007 applied to the
directory's keyword lists), e.g. biotech ~ medtech, aerospace ~ space, furniture ~ wood.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.geo import STORAGE_CRS
from cluster_map.sources import org_profiles
from cluster_map.store import directory

TABLE_COLUMNS = (
    "id",
    "name",
    "acronym",
    "country",
    "city",
    "region_text",
    "sectors",
    "clusters",
    "org_type",
    "members",
    "founded_year",
    "website",
    "nuts2",
    "geocode_precision",
    "directory",
    "members_total",
    "label_level",
    "label_year",
    "org_kind",
    "sector_keys",
    "nace",
)


def keywords(text: object) -> frozenset[str]:
    """The sector keywords of a ``'; '``-separated cell, lower-cased and trimmed.

    >>> sorted(keywords("Automotive; mobility ;"))
    ['automotive', 'mobility']
    """
    if not isinstance(text, str):
        return frozenset()
    return frozenset(k.strip().lower() for k in text.replace(",", ";").split(";") if k.strip())


#: Columns a search may be sorted by (the store's allow-list).
SORT_COLUMNS = directory.SORT_COLUMNS


@dataclass(frozen=True)
class OrgQuery:
    """A directory search: free text, filters, sort and page (every filter optional)."""

    text: str = ""
    countries: tuple[str, ...] = ()
    region: str = ""
    sectors: tuple[str, ...] = ()  # SECTOR_TERMS keys or NACE divisions (C30); any of them
    ecosystems: tuple[str, ...] = ()  # ecosystem slugs of the catalogue (when it declares them); any of them
    kinds: tuple[str, ...] = ()  # ORG_KINDS keys
    labels: tuple[str, ...] = ()  # bronze | silver | gold
    sizes: tuple[str, ...] = ()  # MEMBER_SIZES keys
    partnership: str = ""  # name of a partnership: only its member organisations
    sort: str = "name"
    descending: bool = False
    page: int = 1
    per_page: int | None = None  # None: every match on one page


@dataclass(frozen=True)
class SearchResult:
    """One page of matches and how many there are in all."""

    rows: pd.DataFrame
    total: int
    page: int
    pages: int


def ecosystem_divisions() -> dict[str, tuple[str, ...]]:
    """``{ecosystem slug: NACE divisions}`` from the catalogue (empty while it declares no ecosystems)."""
    members = getattr(catalogue, "ecosystem_members", None)
    return dict(members()) if callable(members) else {}


def ecosystems_of(nace: Sequence[str]) -> list[str]:
    """Ecosystem slugs whose divisions include one of ``nace``."""
    wanted = set(nace)
    return [slug for slug, divs in ecosystem_divisions().items() if wanted & set(divs)]


def _sector_tokens(value: str) -> list[str]:
    v = value.strip()
    if re.fullmatch(r"[A-Ua-u]\d\d", v):
        return [f"#{v.lower()}"]
    try:
        return [f"~{catalogue.sector_term(v.lower()).key}"]
    except catalogue.UnknownEntry:
        keys = org_profiles.terms_of_phrase(v)
        if keys:
            return [f"~{k}" for k in keys]
        raise InputError(
            f"Unknown sector {value!r}; give a NACE division (C30) or one of "
            f"{', '.join(t.key for t in catalogue.SECTOR_TERMS)}."
        ) from None


def where_of(con: Any, q: OrgQuery) -> tuple[str, list[object]]:
    """The store's WHERE clause for ``q`` (validates every filter value first)."""
    if len(q.text) > 200:
        raise InputError("The search text is longer than 200 characters; shorten it.")
    raws = org_profiles.fold(q.text).split()
    groups = []
    for g in org_profiles.query_groups(q.text):
        word = next((r for r in raws if org_profiles.stem(r) == g[0]), g[-1].replace("_", " "))
        groups.append((g, word))
    any_terms = []
    if q.sectors:
        any_terms.append(sorted({t for s in q.sectors for t in _sector_tokens(s)}))
    if q.ecosystems:
        divisions = ecosystem_divisions()
        unknown = [e for e in q.ecosystems if e not in divisions]
        if unknown:
            raise InputError(
                f"Unknown ecosystem(s) {unknown!r}; known: {', '.join(divisions) or 'none declared'}."
            )
        any_terms.append(sorted({f"#{d.lower()}" for e in q.ecosystems for d in divisions[e]}))
    for value, known, what in (
        (q.kinds, [k.key for k in catalogue.ORG_KINDS], "type"),
        (q.labels, list(catalogue.LABEL_LEVELS), "label"),
        (q.sizes, [m.key for m in catalogue.MEMBER_SIZES], "member size"),
    ):
        if bad := [v for v in value if v not in known]:
            raise InputError(f"Unknown {what} {bad!r}; choose from {known!r}.")
    sizes = [(m.low, m.high) for m in catalogue.MEMBER_SIZES if m.key in q.sizes]
    ids = partnership_members(con, q.partnership) if q.partnership else None
    return directory.search_where(
        groups=groups,
        countries=[catalogue.country_code(c) for c in q.countries] if q.countries else (),
        region=q.region.strip().upper(),
        any_terms=any_terms,
        kinds=q.kinds,
        labels=q.labels,
        sizes=sizes,
        ids=ids,
    )


def find(con: Any, q: OrgQuery) -> SearchResult:
    """The organisations matching ``q``: free text with stemming and sector synonyms (``aerospace``
    finds organisations tagged ``aeronautics``; ``C30`` finds those whose sectors map to NACE C30),
    filters, sorted (ties: name, then id), one page."""
    if q.sort not in directory.SORT_COLUMNS:
        raise InputError(f"Cannot sort by {q.sort!r}; choose one of {directory.SORT_COLUMNS!r}.")
    if q.page < 1 or (q.per_page is not None and not 1 <= q.per_page <= 1000):
        raise InputError(f"Page {q.page!r} of {q.per_page!r} rows: give a page >= 1 and 1-1000 rows a page.")
    offset = 0 if q.per_page is None else (q.page - 1) * q.per_page
    rows, total = directory.search(
        con, where_of(con, q), sort=q.sort, descending=q.descending, limit=q.per_page, offset=offset
    )
    pages = 1 if q.per_page is None else max(1, -(-total // q.per_page))
    rows = rows.assign(precision_label=rows["geocode_precision"].map(PRECISION_LABELS))
    return SearchResult(rows.reset_index(drop=True), total, q.page, pages)


#: How each geocode precision is said next to a location (declared in the catalogue).
PRECISION_LABELS = {p.key: p.label for p in catalogue.LOCATION_PRECISIONS}


def search(
    con: Any,
    *,
    text: str = "",
    sector: str = "",
    countries: Sequence[str] = (),
    region: str = "",
) -> pd.DataFrame:
    """Organisations matching every criterion (free text, sector term or NACE code, countries, region)."""
    if len(sector) > 200:
        raise InputError("The sector is longer than 200 characters; shorten it.")
    q = OrgQuery(
        text=text.strip(),
        countries=tuple(countries),
        region=region,
        sectors=(sector.strip(),) if sector.strip() else (),
    )
    rows = find(con, q).rows
    return rows[[c for c in TABLE_COLUMNS if c in rows.columns] + ["lat", "lon"]].reset_index(drop=True)


def partnership_members(con: Any, name: str) -> list[str]:
    """Ids of the directory organisations a partnership's member list names (by name or acronym)."""
    parts = directory.partnerships(con)
    row = parts[parts["name"] == name]
    if row.empty:
        raise InputError(f"Unknown partnership {name!r}; choose one of {sorted(parts['name'])!r}.")
    orgs = directory.organisations(con)
    return [str(i) for i in orgs["id"][member_mask(orgs, str(row["member_organisations"].iloc[0] or ""))]]


def member_mask(orgs: pd.DataFrame, members: str) -> pd.Series:
    """Which organisations a ``'; '``-separated member list names (``LITEK (coordinator)`` names LITEK)."""
    wanted = {org_profiles.fold(re.sub(r"\(.*?\)", "", m)).strip() for m in members.split(";")} - {""}
    names = orgs["name"].map(lambda v: org_profiles.fold(str(v)).strip())
    acronyms = orgs["acronym"].map(lambda v: org_profiles.fold(str(v)).strip() if isinstance(v, str) else "")
    return names.isin(wanted) | acronyms.isin(wanted)


def partnerships_of(con: Any, org_id: str) -> pd.DataFrame:
    """The partnerships whose member list names the organisation ``org_id``."""
    me = directory.organisation(con, org_id)
    parts = directory.partnerships(con)
    if me.empty or parts.empty:
        return parts.iloc[0:0]
    keep = [bool(member_mask(me, str(m or "")).iloc[0]) for m in parts["member_organisations"]]
    return parts[keep].reset_index(drop=True)


def keyword_proximity(
    keyword_sets: Sequence[frozenset[str]], *, min_together: int = 2
) -> dict[str, dict[str, float]]:
    """Co-occurrence proximity of sector keywords over organisations.

    ``phi_kj = C_kj / max(n_k, n_j)``, with ``C_kj`` the organisations naming both and ``n_k`` those
    naming ``k``; pairs named together by fewer than ``min_together`` organisations are left out.
    Returns ``{k: {j: phi}}`` (symmetric).

    >>> keyword_proximity([frozenset({"wood", "furniture"})] * 2)["wood"]
    {'furniture': 1.0}
    """
    n = Counter(k for ks in keyword_sets for k in ks)
    together = Counter(pair for ks in keyword_sets for pair in itertools.combinations(sorted(ks), 2))
    out: dict[str, dict[str, float]] = {}
    for (a, b), c in together.items():
        if c >= min_together:
            phi = c / max(n[a], n[b])
            out.setdefault(a, {})[b] = phi
            out.setdefault(b, {})[a] = phi
    return out


def partners(
    con: Any,
    *,
    org_id: str,
    other_countries: bool = True,
    related: bool = False,
    min_proximity: float = 0.25,
    top: int = 20,
) -> pd.DataFrame:
    """Organisations sharing sector keywords with ``org_id`` (and, with ``related``, related ones).

    Score: ``(|shared| + 0.5 |related only|) / |union of both keyword sets|`` in [0, 1] (the Jaccard
    similarity when ``related`` is off). ``related`` keywords are those with co-occurrence proximity
    >= ``min_proximity`` to one of ``org_id``'s keywords (:func:`keyword_proximity`).

    Columns: id, name, country, city, sectors, shared, related, score, website. ``other_countries``
    keeps only organisations abroad.

    Raises
    ------
    InputError
        When ``org_id`` is not in the directory.
    """
    me = directory.organisation(con, org_id)
    if me.empty:
        raise InputError(f"Organisation {org_id!r} is not in the directory; search for it by name first.")
    columns = ["id", "name", "country", "city", "sectors", "shared", "related", "score", "website"]
    mine = keywords(me["sectors"].iloc[0]) | keywords(me["clusters"].iloc[0])
    if not mine:
        return pd.DataFrame(columns=columns)
    rows = directory.organisations(con)
    sets = [keywords(s) | keywords(c) for s, c in zip(rows["sectors"], rows["clusters"], strict=True)]
    near: set[str] = set()
    if related:
        prox = keyword_proximity(sets)
        near = {j for k in mine for j, phi in prox.get(k, {}).items() if phi >= min_proximity} - mine
    keep = (rows["id"] != org_id).to_numpy(dtype=bool, copy=True)
    if other_countries:
        keep &= (rows["country"] != me["country"].iloc[0]).fillna(True).to_numpy(dtype=bool)
    rows = rows[keep]
    theirs = [t for t, k in zip(sets, keep, strict=True) if k]
    shared = [sorted(mine & t) for t in theirs]
    rel = [sorted((near & t) - mine) for t in theirs]
    score = [
        (len(s) + 0.5 * len(r)) / len(mine | t) if t else 0.0
        for s, r, t in zip(shared, rel, theirs, strict=True)
    ]
    out = rows.assign(shared=["; ".join(s) for s in shared], related=["; ".join(r) for r in rel], score=score)
    out = out[out["score"] > 0].sort_values(["score", "name"], ascending=[False, True]).head(top)
    return out[columns].reset_index(drop=True)


def points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """The organisations of ``frame`` that have coordinates, as points (EPSG:4326) for maps and GeoJSON."""
    located = frame[frame["lat"].notna() & frame["lon"].notna()]
    return gpd.GeoDataFrame(
        located.drop(columns=["lat", "lon"]).reset_index(drop=True),
        geometry=gpd.points_from_xy(located["lon"], located["lat"]),
        crs=STORAGE_CRS,
    )


def partnerships(con: Any, *, text: str = "", country: str = "") -> pd.DataFrame:
    """Cluster partnerships (ESCP, Euroclusters) matching ``text`` and involving ``country``."""
    return directory.partnerships(con, text=text.strip(), country=country.strip())


def events(con: Any, *, text: str = "", country: str = "") -> pd.DataFrame:
    """Cluster events (ECCP workshops, matchmaking) matching ``text`` in ``country``, newest first."""
    return directory.events(con, text=text.strip(), country=country.strip())


def countries(con: Any) -> list[str]:
    """Countries with at least one organisation."""
    return directory.countries(con)


def sector_keywords(con: Any, *, top: int = 60) -> list[str]:
    """The most used sector keywords of the directory (for the sector pick list)."""
    return directory.sector_keywords(con)["keyword"].head(top).tolist()


#: Columns of a search result in lists, the CLI and downloads.
LIST_COLUMNS = (
    "id",
    "name",
    "acronym",
    "country",
    "city",
    "nuts2",
    "geocode_precision",
    "org_kind",
    "sector_keys",
    "nace",
    "members_total",
    "members_year",
    "label_level",
    "label_year",
    "founded_year",
    "website",
)


def render(frame: pd.DataFrame, fmt: str) -> str:
    """``frame`` as a text table, CSV (text cells neutralised against formula injection) or JSON records."""
    from cluster_map.reports import exports

    shown = frame[[c for c in frame.columns if not str(c).startswith("_")]]
    if fmt == "csv":
        return exports.to_csv(shown).decode("utf-8-sig")
    if fmt == "json":
        return shown.to_json(orient="records", force_ascii=False, indent=1) + "\n"
    if fmt == "table":
        if shown.empty:
            return "(none)\n"
        return shown.to_string(index=False, max_colwidth=60, float_format=lambda v: f"{v:.3f}") + "\n"
    raise InputError(f"Unknown format {fmt!r}; choose table, csv or json.")


def render_profile(p: Any, fmt: str) -> str:
    """An :class:`~cluster_map.services.org_profile.OrgProfile` as text or JSON."""
    import json

    if fmt == "json":
        return (
            json.dumps(
                {
                    "fields": p.fields,
                    "sectors": p.sectors,
                    "ecosystems": p.ecosystems,
                    "partnerships": p.partnerships.to_dict("records"),
                    "region": p.stats_region,
                    "statistics": p.statistics.to_dict("records"),
                    "statistics_source": p.stats_source,
                },
                default=str,
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        )
    if fmt != "table":
        raise InputError(f"Unknown format {fmt!r}; choose table or json.")
    f = p.fields
    lines = [f"{f['name']}" + (f" ({f['acronym']})" if f["acronym"] else ""), f"  id: {f['id']}"]
    for label, value in profile_lines(p):
        lines.append(f"  {label}: {value}")
    if not p.statistics.empty:
        lines.append(f"  statistics of {p.stats_region} ({p.stats_source}):")
        lines.extend("    " + s for s in p.statistics.to_string(index=False).splitlines())
    return "\n".join(lines) + "\n"


def profile_lines(p: Any) -> list[tuple[str, str]]:
    """The profile's fields as (label, text) pairs, empty ones left out (for the CLI and the page)."""
    f = p.fields

    def members() -> str:
        parts = [
            f"{f['members_total']}"
            + ("" if f["members_bound"] in (None, "exact") else f" ({f['members_bound']})")
        ]
        for col, word in (
            ("members_companies", "companies"),
            ("members_smes", "SMEs"),
            ("members_large", "large firms"),
            ("members_research", "research organisations"),
        ):
            if f[col] is not None:
                parts.append(f"{f[col]} {word}")
        return ", ".join(parts) + (f" in {f['members_year']}" if f["members_year"] else "")

    region = " / ".join(str(f[c]) for c in ("nuts1", "nuts2", "nuts3") if f[c])
    out = [
        (
            "type",
            (f"{f['org_type']} ({kind_label(f['org_kind'])})" if f["org_type"] else kind_label(f["org_kind"]))
            if f["org_kind"]
            else (f["org_type"] or ""),
        ),
        ("country", f"{catalogue.country_name(f['country'])} ({f['country']})"),
        ("region", region),
        ("city", f["city"] or ""),
        ("location", f"{f['precision_label']}" + (f" — {f['location_note']}" if f["location_note"] else "")),
        ("sectors", "; ".join(f"{s['label']} (NACE {s['nace']})" for s in p.sectors) or (f["sectors"] or "")),
        ("stated sectors", f["sectors"] or f["clusters"] or ""),
        ("ecosystems", ", ".join(p.ecosystems)),
        ("members", members() if f["members_total"] is not None else ""),
        ("members as stated", f["members"] or ""),
        ("founded", str(f["founded_year"] or "")),
        (
            "ESCA label",
            f"{f['label_level']}" + (f" ({f['label_year']})" if f["label_year"] else "")
            if f["label_level"]
            else "",
        ),
        ("partnerships", "; ".join(p.partnerships["name"].astype(str)) if len(p.partnerships) else ""),
        ("website", f["website"] or ""),
        ("source", f["source_url"] or ""),
        ("directory", f["directory"]),
        ("last updated", f.get("last_updated") or ""),
        ("note", f["note"] or ""),
    ]
    return [(k, v) for k, v in out if v]


def kind_label(kind: object) -> str:
    """The English name of an organisation kind key."""
    return next((k.label for k in catalogue.ORG_KINDS if k.key == kind), str(kind or ""))
