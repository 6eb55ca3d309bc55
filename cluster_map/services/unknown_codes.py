"""Codes of a statistics file that the ingest does not know: listed per file, fatal unless tolerated.

Every statistics file of an ingest is checked for four kinds of code (:data:`cluster_map.catalogue.CodeKind`):

* **sector**: a code not in the code list of the dataset's sector scheme (NACE Rev. 2 from Eurostat's
  ``nace_r2`` list, US benchmark clusters from the U.S. Cluster Mapping definitions);
* **region**: a code with no geometry of the row's NUTS version, even after recoding. These are the
  rows of ``unmatched_regions`` (written by :mod:`cluster_map.services.ingest`): the same list, judged
  here, not a second one. Aggregates and extra-regio codes are tolerated in every dataset
  (:data:`cluster_map.catalogue.TOLERATED_REGION_KINDS`);
* **indicator**: where the file has an indicator dimension, a code the catalogue does not declare for
  the dataset (its cells, units and figures, :meth:`cluster_map.catalogue.Dataset.known_indicators`);
* **flag**: a flag letter that is not a Eurostat flag; the reader itself refuses it with its line
  (:func:`cluster_map.sources.eurostat.parse_cells`), so it never reaches this module.

A code is accepted only when the catalogue declares it tolerated for the dataset
(:class:`cluster_map.catalogue.Tolerated`, with its reason); the ingest summary lists every unknown
code of every file, tolerated ones with their reason. Any other unknown code fails the ingest with one
:class:`~cluster_map.errors.SourceError` naming file, lines and value, and the previous store stays as
it was. Line numbers are looked up in the file only then (a plain scan of the file).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cluster_map import catalogue
from cluster_map.catalogue import CodeKind, Dataset
from cluster_map.errors import SourceError
from cluster_map.sources.fetch import Fetched

#: What each kind of code is called in messages.
KIND_WORDS: Mapping[str, str] = {
    "sector": "sector",
    "region": "region",
    "indicator": "indicator",
    "flag": "flag",
}
#: Code lists of the sector schemes, as messages name them.
_SCHEME_WORDS: Mapping[str, str] = {
    "nace_r2": "NACE Rev. 2 (nace_r2)",
    "us_cluster": "U.S. benchmark cluster",
    "us_cluster_2007": "U.S. legacy cluster",
}
#: Line numbers named per refused code.
LINES_SHOWN = 5


@dataclass(frozen=True)
class UnknownCode:
    """One code of one file that the ingest does not know."""

    dataset: str
    file: str  # mirror-relative name of the file
    kind: CodeKind
    code: str
    rows: int  # observation rows that carry it
    why: str  # why it is unknown ('not in the nace_r2 code list', 'no NUTS 2013 geometry (no geometry)')
    tolerated: str = ""  # the catalogue's reason for accepting it ('' = refused: the ingest fails)
    lines: tuple[int, ...] = ()  # first lines of the file that hold it (looked up for refused codes)

    def problem(self) -> str:
        """The refusal as one line naming file, lines and value."""
        where = (
            f"line{'s' if len(self.lines) > 1 else ''} {', '.join(map(str, self.lines))}"
            if self.lines
            else "lines not found"
        )
        more = " ..." if len(self.lines) >= LINES_SHOWN and self.rows > len(self.lines) else ""
        return (
            f"{self.file}: {where}{more}: unknown {KIND_WORDS[self.kind]} code {self.code!r} ({self.why}; "
            f"{self.rows} row{'s' if self.rows != 1 else ''})"
        )


@dataclass
class Tally:
    """What one dataset's file holds, counted while its rows are written (judged in :func:`judge`)."""

    dataset: str
    files: Sequence[Fetched]  # the files the rows came from
    sectors: pd.Series  # sector code -> rows
    indicators: pd.Series  # indicator code -> rows
    unmatched: pd.DataFrame  # its ``unmatched_regions`` rows
    originals: dict[str, set[str]] = field(default_factory=dict)  # unmatched code -> codes in the file
    spec: Dataset | None = None  # a user's dataset being added (not yet registered in the catalogue)


def tally(
    dataset: str,
    files: Sequence[Fetched],
    frame: pd.DataFrame,
    unmatched: pd.DataFrame,
    *,
    spec: Dataset | None = None,
) -> Tally:
    """Count the codes of ``frame`` (one dataset's recoded observations) and keep its unmatched regions."""
    codes = set(unmatched["code"]) if len(unmatched) else set()
    hit = frame.loc[frame["region"].isin(codes), ["region", "region_original"]].drop_duplicates()
    originals: dict[str, set[str]] = {}
    for region, original in hit.itertuples(index=False):
        originals.setdefault(str(region), set()).add(str(original))
    return Tally(
        dataset=dataset,
        files=files,
        sectors=frame["sector"].value_counts(sort=False),
        indicators=frame["indicator"].value_counts(sort=False),
        unmatched=unmatched,
        originals=originals,
        spec=spec,
    )


def judge(t: Tally, known_sectors: Mapping[str, set[str]]) -> list[UnknownCode]:
    """Every unknown code of a tallied file, tolerated or not (see the module docstring).

    A user's own dataset (``t.spec``) is judged on its sectors and regions only: its indicators are
    whatever the file has.
    """
    ds = t.spec or catalogue.find_dataset(t.dataset)
    if ds is None:
        return []
    users = all(d.code != ds.code for d in catalogue.DATASETS)
    file = _file_name(t.files)
    out: list[UnknownCode] = []
    for r in t.unmatched.itertuples(index=False):
        kind_reason = catalogue.TOLERATED_REGION_KINDS.get(str(r.reason))
        why = (
            f"no NUTS {r.nuts_version} geometry: {r.reason}"
            if r.nuts_version != "us"
            else f"no US region geometry: {r.reason}"
        )
        out.append(
            UnknownCode(
                t.dataset,
                file,
                "region",
                str(r.code),
                int(r.n_rows),
                why,
                kind_reason or ds.tolerance("region", str(r.code)) or "",
            )
        )
    known = known_sectors.get(ds.sector_scheme)
    if ds.sector_scheme != "total" and known:
        for code, n in t.sectors.items():
            if code not in known:
                out.append(
                    UnknownCode(
                        t.dataset,
                        file,
                        "sector",
                        str(code),
                        int(n),
                        f"not in the {_SCHEME_WORDS.get(ds.sector_scheme, ds.sector_scheme)} code list",
                        ds.tolerance("sector", str(code)) or "",
                    )
                )
    if ds.indicator_dim and ds.indicator_dim != catalogue.AUTO and not users:
        declared = ds.known_indicators()
        for code, n in t.indicators.items():
            if code not in declared:
                out.append(
                    UnknownCode(
                        t.dataset,
                        file,
                        "indicator",
                        str(code),
                        int(n),
                        f"not an indicator the catalogue declares for {t.dataset}",
                        ds.tolerance("indicator", str(code)) or "",
                    )
                )
    return sorted(out, key=lambda u: (u.kind, u.code))


def refuse(unknown: Sequence[UnknownCode], tallies: Mapping[str, Tally]) -> None:
    """Raise one :class:`SourceError` naming every refused code with its lines (no-op when none is)."""
    refused = [u for u in unknown if not u.tolerated]
    if not refused:
        return
    shown = [_with_lines(u, tallies[u.dataset]) for u in refused]
    files = sorted({u.file for u in shown})
    raise SourceError(
        f"Unknown codes in {', '.join(files)}: the file{'s' if len(files) > 1 else ''} hold{'' if len(files) > 1 else 's'} "
        f"{len(shown)} code(s) the code lists, geometries and catalogue do not know, so nothing was loaded and "
        "the previous store is unchanged. Fix or re-download the file; or, if a code is right, declare it "
        "tolerated for its dataset in cluster_map/catalogue/datasets.py (Dataset.tolerated, with the reason; for your own "
        "dataset: the spec file's 'tolerated' key).",
        [u.problem() for u in shown],
    )


def summary_lines(unknown: Mapping[str, Sequence[UnknownCode]]) -> list[str]:
    """Per file, the unknown codes grouped by kind and reason (the ingest summary's lines)."""
    out: list[str] = []
    for file, codes in unknown.items():
        if not codes:
            continue
        out.append(f"  unknown codes in {file} (all tolerated):")
        groups: dict[tuple[str, str], list[UnknownCode]] = {}
        for u in codes:
            groups.setdefault((u.kind, u.tolerated), []).append(u)
        for (kind, reason), items in groups.items():
            names = [u.code for u in items]
            shown = ", ".join(names[:10]) + (f" ... ({len(names)} codes)" if len(names) > 10 else "")
            out.append(f"    {kind} {shown}: {reason}")
    return out


def _file_name(files: Sequence[Fetched]) -> str:
    names = [f.name for f in files]
    return " + ".join(names) if names else "?"


def _with_lines(u: UnknownCode, t: Tally) -> UnknownCode:
    """``u`` with the first lines of its file that hold it."""
    from dataclasses import replace

    from cluster_map.sources import eurostat, integrity

    ds = t.spec or catalogue.dataset(u.dataset)
    codes = t.originals.get(u.code, {u.code}) if u.kind == "region" else {u.code}
    lines: list[int] = []
    for f in t.files:
        path = Path(f.path)
        if not path.is_file():
            continue
        dim = _dimension(ds, u.kind)
        found = (
            eurostat.lines_with_codes(path, dim, codes, limit=LINES_SHOWN)
            if ds.layout == "eurostat" and dim
            else integrity.lines_with_values(path, codes, limit=LINES_SHOWN)
        )
        lines += sorted(n for hits in found.values() for n in hits)
    return replace(u, lines=tuple(sorted(lines)[:LINES_SHOWN]))


def _dimension(ds: Dataset, kind: str) -> str | None:
    return {"region": "geo", "sector": ds.sector_dim, "indicator": ds.indicator_dim}.get(kind)
