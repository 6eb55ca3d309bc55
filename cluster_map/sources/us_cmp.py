"""U.S. Cluster Mapping Project (CMP): cluster definitions, relatedness, 2016 state inputs, totals.

Two cluster schemes exist in the CMP files, with *colliding codes*:

* the **2014 benchmark definitions** (Delgado, Porter and Stern 2016: 51 traded + 16 local
  clusters, codes 1-51 and 101-116), used by the 2016 state data, the national totals and the
  relatedness matrix. Code 8 is "Communications Equipment and Services".
* the **legacy definitions** in ``clusters-list.json`` (``year_t`` "2007": Porter's older 41 traded
  clusters, 16 local, plus 10 extra records coded 1001-1011). There code 8 is "Chemical Products".

So the ``us_cluster`` scheme (codes, names, traded/local) is read from the 2016 state file, the
benchmark subclusters and NAICS lists from the CMP crosswalk workbook (2012 NAICS; a transcription
of the benchmark by a third party, see PROVENANCE), and ``clusters-list.json`` is offered as the
separate legacy scheme ``us_cluster_2007`` by :func:`read_legacy_clusters`.

Reference: Delgado, M., Porter, M. E. and Stern, S. (2016), "Defining clusters of related
industries", Journal of Economic Geography 16(1), 1-38.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from cluster_map.errors import SourceError
from cluster_map.schema import OBSERVATION_COLUMNS, US_CLUSTER, US_CMP_LICENCE, US_SUBCLUSTER, SourceFile
from cluster_map.sources import integrity
from cluster_map.sources.fetch import Fetched, SourceResolver

_CMP_RAW: Final = (
    "https://raw.githubusercontent.com/clustermapping/cmp/f1b2b674482e3016a90dccfce9dc2c0c4638898b/"
)
_API_RAW: Final = (
    "https://raw.githubusercontent.com/aousabdo/clustermapping/"
    "4da7354f4acb1389f7f8b6972cd5e1fb7e54e298/clustermapping_app/data/"
)
_XWALK_RAW: Final = (
    "https://raw.githubusercontent.com/ACR1/industry-clusters/"
    "59f88b820b8214435425f2971ff86ffd443f59fb/Shared_Files/"
)
_PUB: Final = "U.S. Cluster Mapping Project"

CLUSTER_LIST: Final = SourceFile(
    "us_cluster_mapping/cmp/cms/modules/hbs_homepage/js/clusters-list.json",
    _CMP_RAW + "cms/modules/hbs_homepage/js/clusters-list.json",
    _PUB,
    US_CMP_LICENCE,
)
RELATED: Final = SourceFile(
    "us_cluster_mapping/cmp/data/web/viz/json/relatedClusters.json",
    _CMP_RAW + "data/web/viz/json/relatedClusters.json",
    _PUB,
    US_CMP_LICENCE,
)
STATES: Final = SourceFile(
    "us_cluster_mapping/clustermapping_api_2016/all_states_clusters.csv",
    _API_RAW + "all_states_clusters.csv",
    _PUB + " (data API dump, 2016)",
    US_CMP_LICENCE,
)
#: National benchmark totals recovered from the published state LQs for the mirror; there is no
#: official download of this table (url ''), so it is read from the source directory or the mirror.
TOTALS: Final = SourceFile(
    "us_cluster_mapping/clustermapping_api_2016/us_national_cluster_totals_2016.csv",
    "",
    _PUB + " (national benchmarks)",
    US_CMP_LICENCE,
)
CROSSWALK: Final = SourceFile(
    "us_cluster_mapping/naics_cluster_crosswalk/NAICS_crosswalks_to_Cluster_system.xlsx",
    _XWALK_RAW + "NAICS_crosswalks_to_Cluster_system.xlsx",
    "U.S. Cluster Mapping Project (benchmark NAICS list as transcribed by Emsi)",
    US_CMP_LICENCE,
)

STATES_DATASET: Final = "us_cmp_states_2016"
TOTALS_DATASET: Final = "us_cmp_totals_2016"
SECTOR_COLUMNS: Final = ("scheme", "code", "label", "level", "parent", "sector_type")
NAICS_COLUMNS: Final = ("cluster_code", "subcluster_code", "naics")
RELATED_COLUMNS: Final = ("cluster_a", "cluster_b", "relatedness", "relatedness_pct", "related_90")
LEGACY_SCHEME: Final = "us_cluster_2007"
LEGACY_SUBSCHEME: Final = "us_subcluster_2007"

# indicator -> (column in all_states_clusters.csv, unit)
STATE_INDICATORS: Final = {
    "emp": ("emp_tl", "NR"),
    "est": ("est_tl", "NR"),
    "ap": ("ap_tl", "USD_THS"),
    "qp1": ("qp1_tl", "USD_THS"),
    "wage": ("private_wage_tf", "USD"),
}
N_STATES: Final = 50
N_CLUSTERS: Final = 67


@dataclass(frozen=True)
class UsClusters:
    """Benchmark cluster definitions: ``sectors`` (:data:`SECTOR_COLUMNS`) and ``cluster_naics``."""

    sectors: pd.DataFrame
    cluster_naics: pd.DataFrame
    files: tuple[Fetched, ...]


@dataclass(frozen=True)
class UsObservations:
    """Observations (:data:`cluster_map.schema.OBSERVATION_COLUMNS`) of one CMP dataset."""

    dataset: str
    frame: pd.DataFrame
    files: tuple[Fetched, ...]


def read_clusters(resolver: SourceResolver) -> UsClusters:
    """The 67 benchmark clusters (``us_cluster``), their subclusters (``us_subcluster``) and NAICS.

    Cluster codes, names and traded/local come from the 2016 state file (``cluster_code_t``,
    ``cluster_name_t``, ``cluster_type``). Subclusters and 6-digit NAICS come from the crosswalk
    workbook, joined on the cluster name; subcluster codes are ``<cluster>.<n>`` (n = order of first
    appearance; the workbook has names only). Non-standard (Emsi-specific) codes and the three
    government "clusters" are left out.
    """
    states, got_states = _read_states_csv(resolver)
    clusters = (
        states[["cluster_code_t", "cluster_name_t", "cluster_type"]]
        .drop_duplicates()
        .sort_values("cluster_code_t", key=lambda s: s.astype(int))
    )
    if len(clusters) != N_CLUSTERS or clusters["cluster_code_t"].duplicated().any():
        raise SourceError(
            f"{STATES.path!r} should name {N_CLUSTERS} clusters once each (code, name, type); "
            f"found {len(clusters)} combinations. Use the official file."
        )
    got_x = resolver.fetch(CROSSWALK.path, CROSSWALK.url)
    xw = integrity.read_sheet(
        integrity.open_workbook(got_x.path, name=CROSSWALK.path),
        "Emsi NAICS to Porter Cluster",
        name=CROSSWALK.path,
        dtype=str,
    )
    xw.columns = [str(c).strip() for c in xw.columns]
    need = ["NAICS", "Cluster", "SubclusterName", "EmsiSpecificNAICS (non standard)"]
    if missing := [c for c in need if c not in xw.columns]:
        raise SourceError(f"{CROSSWALK.path!r} lacks column(s) {missing!r}; use the official workbook.")
    xw = xw.dropna(subset=["NAICS", "Cluster"])
    xw = xw[xw["EmsiSpecificNAICS (non standard)"].astype(str).str.upper() != "TRUE"]
    code_of = dict(zip(clusters["cluster_name_t"], clusters["cluster_code_t"], strict=True))
    xw = xw[xw["Cluster"].isin(code_of)].copy()
    xw["cluster_code"] = xw["Cluster"].map(code_of)
    xw["naics"] = xw["NAICS"].astype(str).str.strip()
    bad = xw.loc[~xw["naics"].str.fullmatch(r"\d{6}"), "naics"].tolist()
    if bad:
        raise SourceError(
            f"{CROSSWALK.path!r}: NAICS codes {bad[:10]!r} are not 6 digits; use the official workbook."
        )
    subs = xw.dropna(subset=["SubclusterName"])[["cluster_code", "SubclusterName"]].drop_duplicates()
    subs["n"] = subs.groupby("cluster_code").cumcount() + 1
    subs["code"] = subs["cluster_code"] + "." + subs["n"].astype(str)
    sub_code = subs.set_index(["cluster_code", "SubclusterName"])["code"]
    xw["subcluster_code"] = [
        sub_code.get((c, s)) for c, s in zip(xw["cluster_code"], xw["SubclusterName"], strict=True)
    ]
    type_of = dict(zip(clusters["cluster_code_t"], clusters["cluster_type"], strict=True))
    sectors = pd.concat(
        [
            pd.DataFrame(
                {
                    "scheme": US_CLUSTER,
                    "code": clusters["cluster_code_t"],
                    "label": clusters["cluster_name_t"],
                    "level": 1,
                    "parent": None,
                    "sector_type": clusters["cluster_type"],
                }
            ),
            pd.DataFrame(
                {
                    "scheme": US_SUBCLUSTER,
                    "code": subs["code"],
                    "label": subs["SubclusterName"].str.strip(),
                    "level": 2,
                    "parent": subs["cluster_code"],
                    "sector_type": subs["cluster_code"].map(type_of),
                }
            ),
        ],
        ignore_index=True,
    )
    naics = xw[list(NAICS_COLUMNS)].drop_duplicates().reset_index(drop=True)
    return UsClusters(sectors[list(SECTOR_COLUMNS)], naics, (got_states, got_x))


def read_legacy_clusters(resolver: SourceResolver) -> UsClusters:
    """``clusters-list.json``: the legacy CMP cluster list (``year_t`` 2007, codes clash with 2014).

    Returns schemes ``us_cluster_2007`` (67 records: 41 traded, 16 local coded 101-116, 10 extra
    coded 1001-1011, typed ``traded``) and ``us_subcluster_2007`` (code ``<cluster>.<sub>``), and
    the 1,099 NAICS codes per cluster (``subcluster_code`` NULL: the file lists NAICS per cluster).
    """
    got = resolver.fetch(CLUSTER_LIST.path, CLUSTER_LIST.url)
    try:
        records = json.loads(got.path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{CLUSTER_LIST.path!r} is not valid JSON ({exc}); download it again.") from exc
    rows, subs, naics, problems = [], [], [], []
    for i, rec in enumerate(records):
        try:
            code = str(rec["id"]).split("/")[-1]
            int(code)
            name, codes = rec["name_t"], rec["naics_txt"]
        except (KeyError, ValueError, TypeError) as exc:
            problems.append(f"record {i}: {exc!r} in {str(rec)[:80]!r}")
            continue
        kind = "local" if str(rec.get("key_t", "")).startswith("local_") else "traded"
        rows.append((LEGACY_SCHEME, code, name, 1, None, kind))
        for sub, label in (rec.get("sub_clusters") or {}).items():
            if sub and label:
                subs.append((LEGACY_SUBSCHEME, f"{code}.{sub}", label, 2, code, kind))
        naics += [(code, None, str(c)) for c in codes]
    if problems:
        raise SourceError(
            f"Malformed cluster records in {CLUSTER_LIST.path!r}; use the official file:", problems
        )
    sectors = pd.DataFrame(rows + subs, columns=list(SECTOR_COLUMNS))
    return UsClusters(sectors, pd.DataFrame(naics, columns=list(NAICS_COLUMNS)), (got,))


def read_related(resolver: SourceResolver) -> tuple[pd.DataFrame, Fetched]:
    """Cluster relatedness (2,601 ordered pairs of the 51 traded clusters, diagonal included).

    Columns :data:`RELATED_COLUMNS`: ``relatedness`` = ``cr_all``, ``relatedness_pct`` =
    ``cr_all_pc``, ``related_90`` = ``rel_all_90_v3`` == 1 (in the top decile: the published link).
    """
    got = resolver.fetch(RELATED.path, RELATED.url)
    try:
        records = json.loads(got.path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{RELATED.path!r} is not valid JSON ({exc}); download it again.") from exc
    frame = pd.DataFrame(records)
    need = ["clustera", "clusterb", "cr_all", "cr_all_pc", "rel_all_90_v3"]
    if missing := [c for c in need if c not in frame.columns]:
        raise SourceError(f"{RELATED.path!r} lacks field(s) {missing!r}; use the official file.")
    out = pd.DataFrame(
        {
            "cluster_a": frame["clustera"].astype(str),
            "cluster_b": frame["clusterb"].astype(str),
            "relatedness": _numbers(frame["cr_all"], RELATED.path, "cr_all", where="record", first=0),
            "relatedness_pct": _numbers(
                frame["cr_all_pc"], RELATED.path, "cr_all_pc", where="record", first=0
            ),
            "related_90": frame["rel_all_90_v3"]
            .astype(str)
            .str.strip()
            .isin(["1", "1.0", "true", "True", "TRUE"]),
        }
    )
    dups = out.loc[out.duplicated(["cluster_a", "cluster_b"]), ["cluster_a", "cluster_b"]]
    if len(dups):
        raise SourceError(f"{RELATED.path!r}: duplicate cluster pairs {dups.head(10).values.tolist()!r}.")
    return out, got


def read_states(resolver: SourceResolver) -> UsObservations:
    """2016 cluster inputs of the 50 states as long observations (dataset ``us_cmp_states_2016``).

    Indicators :data:`STATE_INDICATORS`; ``flags`` is ``'c'`` where ``supression_b`` is TRUE.
    Checks 50 states x 67 clusters, once each.
    """
    raw, got = _read_states_csv(resolver)
    problems = []
    if (bad := raw.loc[raw["region_type_t"] != "state", "region_type_t"]).size:
        problems.append(f"line {bad.index[0] + 2}: region_type_t {bad.iloc[0]!r} is not 'state'")
    dup = raw.duplicated(["region_code_t", "cluster_code_t", "year_t"], keep=False)
    for i in np.flatnonzero(dup.to_numpy())[:10]:
        problems.append(
            f"line {i + 2}: state {raw['region_code_t'].iat[i]!r} x cluster "
            f"{raw['cluster_code_t'].iat[i]!r} appears more than once"
        )
    n_states, n_clusters = raw["region_code_t"].nunique(), raw["cluster_code_t"].nunique()
    if (n_states, n_clusters) != (N_STATES, N_CLUSTERS) or len(raw) != N_STATES * N_CLUSTERS:
        problems.append(
            f"{len(raw)} rows for {n_states} states x {n_clusters} clusters; expected "
            f"{N_STATES} x {N_CLUSTERS} = {N_STATES * N_CLUSTERS}"
        )
    bad_fips = raw.loc[~raw["region_code_t"].str.fullmatch(r"\d{2}"), "region_code_t"]
    problems += [
        f"line {i + 2}: region_code_t {v!r} is not a 2-digit state FIPS code" for i, v in bad_fips.items()
    ]
    bad_type = raw.loc[~raw["cluster_type"].isin(["traded", "local"]), "cluster_type"]
    problems += [f"line {i + 2}: cluster_type {v!r} is not 'traded' or 'local'" for i, v in bad_type.items()]
    values = {
        ind: _numbers(raw[col], STATES.path, col, problems) for ind, (col, _unit) in STATE_INDICATORS.items()
    }
    years = _numbers(raw["year_t"], STATES.path, "year_t", problems)
    if problems:
        raise SourceError(f"Problems in {STATES.path!r}; use the official file:", problems)
    flags = np.where(raw["supression_b"].str.upper() == "TRUE", "c", "")
    parts = [
        pd.DataFrame(
            {
                "dataset": STATES_DATASET,
                "region": raw["region_code_t"],
                "region_original": raw["region_code_t"],
                "nuts_version": "us",
                "sector_scheme": US_CLUSTER,
                "sector": raw["cluster_code_t"],
                "indicator": ind,
                "unit": unit,
                "breakdown": "",
                "year": years.astype(int),
                "value": values[ind],
                "flags": flags,
            }
        )
        for ind, (_col, unit) in STATE_INDICATORS.items()
    ]
    frame = pd.concat(parts, ignore_index=True)[list(OBSERVATION_COLUMNS)]
    return UsObservations(STATES_DATASET, frame, (got,))


def read_totals(resolver: SourceResolver) -> UsObservations:
    """National benchmark totals per cluster (dataset ``us_cmp_totals_2016``, region ``US``).

    Indicators ``emp`` (``us_emp``) and ``type_total_emp`` (``us_type_total_emp``: all traded or
    all local employment), unit ``NR``.
    """
    got = resolver.fetch_compiled(TOTALS.path)
    raw = _csv(got, TOTALS.path, ["year", "cluster_code_t", "cluster_type", "us_emp", "us_type_total_emp"])
    problems: list[str] = []
    years = _numbers(raw["year"], TOTALS.path, "year", problems)
    emp = _numbers(raw["us_emp"], TOTALS.path, "us_emp", problems)
    tot = _numbers(raw["us_type_total_emp"], TOTALS.path, "us_type_total_emp", problems)
    for i in np.flatnonzero(raw.duplicated(["year", "cluster_code_t"]).to_numpy()):
        problems.append(f"line {i + 2}: cluster {raw['cluster_code_t'].iat[i]!r} appears more than once")
    if problems:
        raise SourceError(f"Problems in {TOTALS.path!r}; use the official file:", problems)
    parts = [
        pd.DataFrame(
            {
                "dataset": TOTALS_DATASET,
                "region": "US",
                "region_original": "US",
                "nuts_version": "us",
                "sector_scheme": US_CLUSTER,
                "sector": raw["cluster_code_t"],
                "indicator": ind,
                "unit": "NR",
                "breakdown": "",
                "year": years.astype(int),
                "value": vals,
                "flags": "",
            }
        )
        for ind, vals in (("emp", emp), ("type_total_emp", tot))
    ]
    return UsObservations(
        TOTALS_DATASET, pd.concat(parts, ignore_index=True)[list(OBSERVATION_COLUMNS)], (got,)
    )


def _read_states_csv(resolver: SourceResolver) -> tuple[pd.DataFrame, Fetched]:
    got = resolver.fetch(STATES.path, STATES.url)
    need = [
        "region_type_t",
        "region_code_t",
        "cluster_code_t",
        "cluster_name_t",
        "cluster_type",
        "year_t",
        "supression_b",
    ] + [c for c, _u in STATE_INDICATORS.values()]
    return _csv(got, STATES.path, need), got


def _csv(got: Fetched, name: str, need: list[str]) -> pd.DataFrame:
    raw = integrity.read_table(got.path, name=name, dtype=str, keep_default_na=False, encoding="utf-8")
    if missing := [c for c in need if c not in raw.columns]:
        raise SourceError(
            f"{name!r} lacks column(s) {missing!r} (has {list(raw.columns)[:12]!r}); use the official file."
        )
    return raw.apply(lambda s: s.str.strip())


def _numbers(
    col: pd.Series,
    name: str,
    column: str,
    problems: list[str] | None = None,
    *,
    where: str = "line",
    first: int = 2,
) -> np.ndarray:
    """Column as float; '' is NaN; any other non-number is a problem naming the line (or record)."""
    text = col.astype(str).str.strip()
    values = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & (text != "").to_numpy()
    if bad.any():
        msgs = [
            f"{where} {i + first}, column {column!r}: {text.iat[i]!r} is not a number"
            for i in np.flatnonzero(bad)
        ]
        if problems is None:
            raise SourceError(f"Non-numeric values in {name!r}; use the official file:", msgs)
        problems += msgs
    return values
