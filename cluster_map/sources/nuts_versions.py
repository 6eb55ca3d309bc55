"""NUTS versions: recode observations with mixed NUTS 2006/2010/2013 codes to one target version.

The recoding table (:data:`RECODING_COLUMNS`) says which old code becomes which target code with which
weight. It is built from

* the JRC NUTS converter matrices ``n{1,2,3}_cm_v{from}_v{to}.csv`` (one row per overlap of an old
  and a new region, with covariates; the weight of an overlap is its share of the old region's
  ``pop11`` by default), for every version from 2010 on;
* the official Eurostat correspondence sheets (``NUTS 2010 - NUTS 2013.xls``,
  ``NUTS2013-NUTS2016.xlsx``, ``NUTS2021.xlsx``), whose change text is kept in ``note``;
* for NUTS 2006 codes still found in the 2017 SBS file (the mirror has no JRC 2006 matrices), the
  NUTS 2006 -> 2010 changes of Commission Regulation (EU) No 31/2011, at levels 1 and 2, in
  :data:`NUTS2006_TO_2010`; codes that were split then without official weights are in
  :data:`DISCONTINUED`.

Only codes that are *not* valid in the target version are recoded; a code valid in both versions
keeps its code even if its boundary moved slightly. See :func:`recode` for how values combine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from cluster_map.errors import SourceError
from cluster_map.sources import integrity
from cluster_map.sources.codelists import (
    NUTS2010_2013_FILE,
    NUTS2010_2013_URL,
    NUTS2013_2016_FILE,
    NUTS2013_2016_URL,
    NUTS2021_FILE,
    NUTS2021_URL,
    geo_kinds,
)

RECODING_COLUMNS: Final = ("code_from", "version_from", "code_to", "version_to", "method", "weight", "note")
APPLIED_COLUMNS: Final = (
    "dataset",
    "code_from",
    "version_from",
    "code_to",
    "version_to",
    "method",
    "weight",
    "n_rows",
    "n_collisions",
)
UNMATCHED_COLUMNS: Final = ("dataset", "code", "nuts_version", "n_rows", "reason")
KEY: Final = ["dataset", "sector_scheme", "sector", "indicator", "unit", "breakdown", "year"]

JRC_DIR: Final = "eurostat/nuts/jrc_nutsconverter/_JRC_NUTSconverter_Matrices_rel.2025.08"
JRC_URL: Final = "https://urban.jrc.ec.europa.eu/nutsconverter/{name}"
JRC_VERSIONS: Final = ("2010", "2013", "2016", "2021", "2024")
#: Units whose values add up over regions; other units (PC, EUR_HAB, THS_EUR per person ...) do not.
ADDITIVE_UNITS: Final = frozenset(
    {"NR", "THS", "THS_PER", "PER", "MIO_EUR", "MIO_PPS", "MIO_NAC", "MIO_PPS_EU27_2020", "USD", "USD_THS"}
)

_REG = "NUTS 2006 -> 2010, Commission Regulation (EU) No 31/2011"
#: (code 2006, code 2010, note) for the 2006 codes found in sbs_r_nuts06_r2 (levels 1 and 2).
NUTS2006_TO_2010: Final = (
    [
        ("DE41", "DE40", f"{_REG}: Brandenburg-Nordost merged into DE40 Brandenburg"),
        ("DE42", "DE40", f"{_REG}: Brandenburg-Südwest merged into DE40 Brandenburg"),
        ("DED1", "DED4", f"{_REG}: Chemnitz recoded, boundary shift (Saxon district reform 2008)"),
        ("DED3", "DED5", f"{_REG}: Leipzig recoded, boundary shift (Saxon district reform 2008)"),
        ("FI13", "FI1D", f"{_REG}: Itä-Suomi merged into FI1D Pohjois- ja Itä-Suomi"),
        ("FI1A", "FI1D", f"{_REG}: Pohjois-Suomi merged into FI1D Pohjois- ja Itä-Suomi"),
        ("ITD", "ITH", f"{_REG}: Nord-Est recoded"),
        ("ITE", "ITI", f"{_REG}: Centro recoded"),
    ]
    + [(f"ITD{i}", f"ITH{i}", f"{_REG}: recoded") for i in range(1, 6)]
    + [(f"ITE{i}", f"ITI{i}", f"{_REG}: recoded") for i in range(1, 5)]
)
#: Old codes that cannot be recoded from the files we have, with the reason.
DISCONTINUED: Final[dict[str, str]] = {
    "FI18": "NUTS 2006 Etelä-Suomi, split in NUTS 2010 into FI1B Helsinki-Uusimaa and FI1C Etelä-Suomi; "
    "no official split weights for NUTS 2006 in the sources",
    "UKD2": "NUTS 2006 Cheshire, split in NUTS 2010 (Halton to UKD7 Merseyside, rest UKD6 Cheshire); "
    "no official split weights for NUTS 2006 in the sources",
    "UKD5": "NUTS 2006 Merseyside, enlarged by Halton into UKD7 in NUTS 2010; no official weights for the "
    "part from UKD2",
}


def jrc_name(level: int, version_from: str, version_to: str) -> str:
    """Mirror-relative name of a JRC converter matrix."""
    return f"{JRC_DIR}/n{level}_cm_v{version_from}_v{version_to}.csv"


def change_table_files(target_version: str) -> list[tuple[str, str]]:
    """``(name, official URL)`` of every file :func:`build_recoding_table` reads for a target version."""
    files = [
        (jrc_name(lv, v, target_version), JRC_URL.format(name=Path(jrc_name(lv, v, target_version)).name))
        for v in JRC_VERSIONS
        if v < target_version
        for lv in (1, 2, 3)
    ]
    official = {
        "2013": (NUTS2010_2013_FILE, NUTS2010_2013_URL),
        "2016": (NUTS2013_2016_FILE, NUTS2013_2016_URL),
        "2021": (NUTS2021_FILE, NUTS2021_URL),
    }
    return files + ([official[target_version]] if target_version in official else [])


def read_jrc_matrix(path: str | Path, *, covariate: str = "pop11", min_weight: float = 0.01) -> pd.DataFrame:
    """One JRC matrix as (code_from, version_from, code_to, version_to, weight).

    ``weight`` = covariate of the overlap / covariate of the whole old region (``areaKm`` when the
    old region's covariate total is 0). Overlaps below ``min_weight`` are boundary slivers of the
    digitisation and are dropped; the remaining weights of the old region are rescaled to sum to 1.
    """
    name = Path(path).name
    found = re.search(r"_v(\d{4})_v(\d{4})", name)
    raw = integrity.read_table(path, name=name, dtype={0: str, 1: str})
    cols = list(raw.columns)
    if (
        not found
        or len(cols) < 3
        or not cols[0].startswith("code_v")
        or covariate not in cols
        or "areaKm" not in cols
    ):
        raise SourceError(
            f"{name}: not a JRC NUTS converter matrix (columns {cols[:4]!r}, covariate "
            f"{covariate!r}); expected e.g. n2_cm_v2010_v2013.csv with code_v2010,code_v2013,..."
        )
    v_from, v_to = found.group(1), found.group(2)
    try:
        frame = pd.DataFrame(
            {
                "code_from": raw[cols[0]],
                "code_to": raw[cols[1]],
                "cov": raw[covariate].astype(float),
                "area": raw["areaKm"].astype(float),
            }
        )
    except ValueError as exc:
        raise SourceError(
            f"{name}: columns {covariate!r} and 'areaKm' must be numbers ({exc}); {integrity.DOWNLOAD_AGAIN}."
        ) from exc
    total = frame.groupby("code_from")["cov"].transform("sum")
    area_total = frame.groupby("code_from")["area"].transform("sum")
    frame["weight"] = np.where(
        total > 0,
        frame["cov"] / total.where(total > 0, 1),
        frame["area"] / area_total.where(area_total > 0, 1),
    )
    frame = frame[frame["weight"] >= min_weight].copy()
    frame["weight"] = frame["weight"] / frame.groupby("code_from")["weight"].transform("sum")
    frame["version_from"], frame["version_to"] = v_from, v_to
    return frame[["code_from", "version_from", "code_to", "version_to", "weight"]].reset_index(drop=True)


def read_official_changes(path: str | Path, version_to: str) -> pd.DataFrame:
    """The official correspondence sheets (levels 1-3) as (code_from, code_to, note)."""
    sheets = (
        ["Changes NUTS-1", "Changes NUTS-2", "Changes NUTS-3"]
        if version_to == "2021"
        else ["Correspondence NUTS-1", "Correspondence NUTS-2", "Correspondence NUTS-3"]
    )
    parts = []
    book = integrity.open_workbook(path)
    for sheet in sheets:
        raw = integrity.read_sheet(book, sheet, name=Path(path).name, header=0, dtype=str)
        code_cols = [c for c in raw.columns if str(c).startswith("Code ")]
        if len(code_cols) < 2 or "Change" not in raw.columns:
            raise SourceError(
                f"{Path(path).name}, sheet {sheet!r}: expected columns 'Code <year>' and 'Change'."
            )
        parts.append(
            pd.DataFrame(
                {
                    "code_from": raw[code_cols[0]],
                    "code_to": raw[code_cols[1]],
                    "note": raw["Change"].astype(str).str.strip(),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out[out["code_from"].notna()].drop_duplicates("code_from").reset_index(drop=True)


def build_recoding_table(
    open_file: Callable[[str, str], Path],
    *,
    target_version: str = "2013",
    covariate: str = "pop11",
    min_weight: float = 0.01,
) -> pd.DataFrame:
    """Recoding table (:data:`RECODING_COLUMNS`) from every older version to ``target_version``.

    Parameters
    ----------
    open_file : ``(mirror-relative name, official URL) -> local path`` (e.g.
        ``lambda n, u: resolver.fetch(n, u).path``); :func:`change_table_files` lists the names.
    target_version : '2013', '2016', '2021' or '2024'.
    covariate, min_weight : see :func:`read_jrc_matrix`.

    A code that changed in several versions (valid in 2010 and 2013, gone in 2016) is recoded from
    its most recent version. ``method`` is ``rename`` (one old -> one new, weight 1, nothing else
    maps there), ``merge`` (several old -> one new) or ``split`` (one old -> several new).
    """
    if target_version not in JRC_VERSIONS[1:]:
        raise SourceError(f"Cannot recode to NUTS {target_version!r}; targets are {JRC_VERSIONS[1:]!r}.")
    targets: set[str] = set()
    pieces = []
    for v in sorted((v for v in JRC_VERSIONS if v < target_version), reverse=True):
        for lv in (1, 2, 3):
            name = jrc_name(lv, v, target_version)
            m = read_jrc_matrix(
                open_file(name, JRC_URL.format(name=Path(name).name)),
                covariate=covariate,
                min_weight=min_weight,
            )
            targets |= set(m["code_to"])
            pieces.append(m)
    table = pd.concat(pieces, ignore_index=True)
    table = table[~table["code_from"].isin(targets)]
    latest = table.groupby("code_from")["version_from"].transform("max")
    table = table[table["version_from"] == latest]
    # NUTS 2006 codes: through 2010 to the target
    via = table[table["version_from"] == "2010"].set_index("code_from")
    rows = []
    for old, new, note in NUTS2006_TO_2010:
        if new in via.index:
            for _, r in via.loc[[new]].iterrows():
                rows.append((old, "2006", r["code_to"], target_version, r["weight"], note))
        else:
            rows.append((old, "2006", new, target_version, 1.0, note))
    old06 = pd.DataFrame(
        rows, columns=["code_from", "version_from", "code_to", "version_to", "weight", "note"]
    )
    table = pd.concat([table.assign(note=""), old06], ignore_index=True)
    official = {"2013": NUTS2010_2013_FILE, "2016": NUTS2013_2016_FILE, "2021": NUTS2021_FILE}
    prev = JRC_VERSIONS[JRC_VERSIONS.index(target_version) - 1]
    if target_version in official:
        url = {"2013": NUTS2010_2013_URL, "2016": NUTS2013_2016_URL, "2021": NUTS2021_URL}[target_version]
        notes = read_official_changes(open_file(official[target_version], url), target_version)
        notes = notes.set_index("code_from")["note"]
        direct = (table["version_from"] == prev) & table["code_from"].isin(notes.index)
        table.loc[direct, "note"] = (
            "official " + prev + "->" + target_version + ": " + table.loc[direct, "code_from"].map(notes)
        )
    table["method"] = _methods(table)
    return table[list(RECODING_COLUMNS)].sort_values(["code_from", "code_to"]).reset_index(drop=True)


def _methods(table: pd.DataFrame) -> pd.Series:
    n_to = table.groupby("code_from")["code_to"].transform("nunique")
    n_from = table.groupby("code_to")["code_from"].transform("nunique")
    return pd.Series(np.where(n_to > 1, "split", np.where(n_from > 1, "merge", "rename")), index=table.index)


def recode(
    obs: pd.DataFrame,
    table: pd.DataFrame,
    target_version: str,
    known_codes: Collection[str],
    *,
    additive_units: Collection[str] = ADDITIVE_UNITS,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Recode the regions of an observation frame to ``target_version``.

    Rules
    -----
    * Aggregates (EU28, EA19 ...) and extra-regio codes (xxZ, xxZZ, xxZZZ) are not regions: never
      recoded, never unmatched.
    * A code in ``known_codes`` (the target version's codes) is kept.
    * Any other code found in ``table`` is recoded. For each key (dataset, sector, indicator, unit,
      breakdown, year) and target code, value = sum(weight * value) over the old codes mapping
      there, computed only when every one of those old codes has a value; else NULL. Flags of the
      parts are kept (letters in order of first appearance), ``region_original`` names the parts
      (``DE41+DE42``). Units not in ``additive_units`` (percentages, per-head values) are NULL
      unless the recoding is a plain rename.
    * Collision: if the file already has the target code for the same key, the native row is kept
      and the recoded one dropped, unless the native value is ':' and the recoded one is not (the
      old code carried the data for that year, the new code only a placeholder).
    * Codes neither known nor in ``table`` are unmatched; their rows stay, with the old code.

    Returns
    -------
    (frame, applied, unmatched): the recoded frame (``nuts_version`` = target for every row; column
    ``caveats`` says how a converted value was made: ``converted:nuts_rename`` for a code that only
    changed name, ``estimated:jrc_pop_merge`` / ``estimated:jrc_pop_split`` for values combined or split
    with the JRC population weights, '' for native rows),
    the recodings used (:data:`APPLIED_COLUMNS`), the unmatched codes (:data:`UNMATCHED_COLUMNS`).
    """
    region = obs["region"]
    distinct = pd.Series(pd.unique(region))
    known_set = set(known_codes)
    todo_codes = set(distinct[(geo_kinds(distinct) == "nuts") & ~distinct.isin(known_set)])
    recodable = todo_codes & set(table["code_from"])
    to_recode = region.isin(recodable)
    unmatched_mask = region.isin(todo_codes - recodable)
    recoded, applied = _combine(obs[to_recode], table, target_version, additive_units)
    native_mask = region.isin(set(recoded["region"])) & ~to_recode
    native = obs.loc[native_mask, [*KEY, "region", "value"]].rename(columns={"value": "native_value"})
    hit = recoded.reset_index(drop=True).merge(
        native.reset_index(names="native_row"), on=[*KEY, "region"], how="left"
    )
    collided = hit["native_row"].notna()
    recoded_wins = collided & hit["native_value"].isna() & hit["value"].notna()
    drop_recoded = collided & ~recoded_wins
    if len(applied) and collided.any():
        lost = hit[collided].groupby(["dataset", "region", "region_original"]).size()
        applied["n_collisions"] = [
            int(sum(n for (d, to, orig), n in lost.items() if d == ds and to == t and c in orig.split("+")))
            for ds, c, t in applied[["dataset", "code_from", "code_to"]].itertuples(index=False)
        ]
    keep_mask = ~to_recode
    if recoded_wins.any():
        keep_mask &= ~obs.index.isin(hit.loc[recoded_wins, "native_row"])
    out = pd.concat([obs[keep_mask], hit.loc[~drop_recoded, [*obs.columns, "caveats"]]], ignore_index=True)
    out["caveats"] = out["caveats"].fillna("") if "caveats" in out.columns else ""
    out["nuts_version"] = target_version
    unmatched = (
        obs[unmatched_mask]
        .groupby(["dataset", "region"])
        .size()
        .rename("n_rows")
        .reset_index()
        .rename(columns={"region": "code"})
    )
    unmatched["nuts_version"] = target_version
    countries = {c[:2] for c in known_codes if isinstance(c, str)}
    unmatched["reason"] = [
        DISCONTINUED.get(c)
        or (
            f"no NUTS {target_version} region of country {c[:2]!r} is known "
            "(not in the region lists or geometries loaded)"
            if c[:2] not in countries
            else f"not a NUTS {target_version} code and not in the NUTS change tables"
        )
        for c in unmatched["code"]
    ]
    return out, applied, unmatched[list(UNMATCHED_COLUMNS)]


def _combine(
    parts: pd.DataFrame, table: pd.DataFrame, target: str, additive_units: Collection[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = list(parts.columns)
    if parts.empty:
        return parts.assign(caveats=pd.Series(dtype="str")), pd.DataFrame(columns=list(APPLIED_COLUMNS))
    rule = table[["code_from", "version_from", "code_to", "version_to", "method", "weight"]]
    m = parts.merge(rule, left_on="region", right_on="code_from", how="inner")
    required = table.groupby(["code_to", "version_from"])["code_from"].nunique().rename("required")
    m["wv"] = m["value"] * m["weight"]
    by = [*KEY, "code_to", "version_from"]
    g = m.groupby(by, sort=False, dropna=False)
    res = g.agg(
        value=("wv", "sum"),
        n_values=("value", "count"),
        n_rows=("value", "size"),
        flags=("flags", "first"),
        region_original=("region_original", "first"),
        weight=("weight", "first"),
        method=("method", "first"),
    ).reset_index()
    res = res.join(required, on=["code_to", "version_from"])
    complete = res["n_values"] == res["required"]
    plain = (res["method"] == "rename") & (res["weight"] == 1.0)
    additive = res["unit"].isin(set(additive_units))
    res["value"] = res["value"].where(complete & (additive | plain))
    multi = res["n_rows"] > 1
    if multi.any():
        several = m.loc[g["value"].transform("size") > 1, [*by, "flags", "region_original"]]
        several = several.astype({"flags": object, "region_original": object})
        several["region_original"] = several["region_original"] + "+"
        joined = several.groupby(by, sort=False, dropna=False)[["flags", "region_original"]].sum()
        joined["flags"] = joined["flags"].map(
            {f: "".join(dict.fromkeys(f)) for f in joined["flags"].unique()}
        )
        joined["region_original"] = joined["region_original"].map(
            {o: "+".join(sorted(set(o.strip("+").split("+")))) for o in joined["region_original"].unique()}
        )
        res = res.join(joined.add_suffix("_all"), on=by)
        res["flags"] = res["flags_all"].where(multi, res["flags"])
        res["region_original"] = res["region_original_all"].where(multi, res["region_original"])
    # the same target reached from two versions (rare): keep the row with a value
    res = res.sort_values("value", na_position="last").drop_duplicates([*KEY, "code_to"], keep="first")
    res["region"] = res["code_to"]
    res["nuts_version"] = target
    res["caveats"] = np.where(
        res["method"] == "rename", "converted:nuts_rename", "estimated:jrc_pop_" + res["method"].astype(str)
    )
    applied = (
        m.groupby(["dataset", "code_from", "version_from", "code_to", "version_to", "method", "weight"])
        .size()
        .rename("n_rows")
        .reset_index()
    )
    applied["n_collisions"] = 0
    return res[[*cols, "caveats"]], applied[list(APPLIED_COLUMNS)]
