"""Partnerships, cluster-related projects and gateways: who works with whom, on what, towards which markets.

A *partnership* (ESCP-4i, ESCP-4x, ESCP-S3, Euroclusters) or *project* (Interreg, Horizon, other) is
one record with name, programme, theme, industrial ecosystems, period, members linked to directory
profiles, countries, target markets, website and source. Two origins, one shape:

* the directory's file (``partnerships`` in the store, rebuilt by ``ingest``): programme parsed from
  its ``type``, the period from its note where the note states one ("Jan 2016 - Jun 2017"), members
  from ``member_organisations``; the mirror's rows have no target markets, and none is invented;
* imports by an admin (:func:`import_file`, CSV or JSON), kept in the board file (user content that
  survives a re-ingest).

Members are linked to directory organisations by exact, case-insensitive name or acronym (a
"(coordinator)" suffix gives the role; a country, when the partnership states its countries, breaks
ties); a member that matches no profile is kept as text with ``org_id`` empty.

*Gateways* answer "who in Europe works with Japan in health?": partnerships and projects whose target
markets include a country outside Europe (Europe: the European countries of the catalogue), with
their European member organisations (:func:`gateways`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from io import StringIO
from pathlib import Path
from typing import Any, Final

import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.services.board import _now, require_admin
from cluster_map.store import collab, directory

#: Programmes, in the order they are offered, with how a ``type`` text is recognised.
PROGRAMMES: Final[tuple[tuple[str, str, str], ...]] = (
    ("ESCP-4i", r"\bESCP-4i\b", "partnership"),
    ("ESCP-4x", r"\bESCP-4x\b", "partnership"),
    ("ESCP-S3", r"\bESCP-S3\b", "partnership"),
    ("Euroclusters", r"\bEuroclusters?\b", "partnership"),
    ("Interreg", r"\bInterreg\b", "project"),
    ("Horizon", r"\bHorizon\b", "project"),
    ("COSME", r"\bCOSME\b", "project"),
    ("other", r".", "project"),
)
COLUMNS: Final = (
    "id",
    "kind",
    "name",
    "programme",
    "theme",
    "ecosystems",
    "period",
    "members",
    "member_ids",
    "countries",
    "target_markets",
    "website",
    "source_url",
    "origin",
    "note",
)
IMPORT_FIELDS: Final = (
    "name",
    "kind",
    "programme",
    "theme",
    "ecosystems",
    "period",
    "members",
    "countries",
    "target_markets",
    "website",
    "source_url",
)
_PERIOD = re.compile(
    r"\b((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}|\d{4})\s*[-–]\s*"
    r"((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}|\d{4})\b"
)
_ROLE = re.compile(r"\s*\((coordinator|lead|partner)\)\s*$", re.IGNORECASE)


def programme_of(type_text: str) -> tuple[str, str]:
    """(programme, kind) of a ``type`` text: ``'ESCP-4i (1st generation, strand 1)'`` -> ``('ESCP-4i', 'partnership')``."""
    for name, pattern, kind in PROGRAMMES:
        if re.search(pattern, type_text or "", re.IGNORECASE):
            return name, kind
    return "other", "project"


def period_of(note: str) -> str:
    """The period a note states (``'Jan 2016 – Jun 2017'``), or '' when it states none."""
    m = _PERIOD.search(note or "")
    return f"{m[1]} – {m[2]}" if m else ""


def ecosystems_of(theme: str) -> list[str]:
    """Labels of the industrial ecosystems whose keywords or label words occur in ``theme``."""
    words = set(re.findall(r"[a-z]+", (theme or "").lower()))
    found = []
    for eco in catalogue.ECOSYSTEMS:
        keys = {k.lower() for k in eco.keywords} | {
            w for w in re.findall(r"[a-z]+", eco.label.lower()) if len(w) > 3
        }
        if words & keys:
            found.append(eco.label)
    return found


def _split(text: object) -> list[str]:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return []
    parts = text if isinstance(text, list | tuple) else re.split(r"\s*;\s*", str(text))
    return [str(p).strip() for p in parts if str(p).strip()]


def link_members(
    orgs: pd.DataFrame, members: Iterable[str], countries: Iterable[str] = ()
) -> list[dict[str, str]]:
    """Each member as ``{name, role, org_id}``: linked to a directory profile by exact name or acronym."""
    wanted = {catalogue.country_code(c) if catalogue.country(c) else c for c in countries}
    out = []
    for raw in members:
        m = _ROLE.search(raw)
        name = _ROLE.sub("", raw).strip()
        key = name.casefold()
        hit = orgs[
            (orgs["name"].astype(str).str.casefold() == key)
            | (orgs["acronym"].fillna("").astype(str).str.casefold() == key)
            | (orgs["name"].astype(str).str.split(" - ").str[0].str.casefold() == key)
        ]
        if len(hit) > 1 and wanted:
            hit = hit[hit["country"].isin(wanted)] if hit["country"].isin(wanted).any() else hit
        out.append(
            {
                "name": name,
                "role": m[1].lower() if m else "member",
                "org_id": str(hit["id"].iloc[0]) if len(hit) == 1 else "",
                "profile": str(hit["name"].iloc[0]) if len(hit) == 1 else "",
            }
        )
    return out


def _directory_rows(con: Any, orgs: pd.DataFrame) -> list[dict[str, Any]]:
    raw = directory.partnerships(con)
    rows = []
    for i, r in enumerate(raw.to_dict("records")):
        programme, kind = programme_of(r["type"] or "")
        countries = _split(r["countries"])
        members = link_members(orgs, _split(r["member_organisations"]), countries)
        rows.append(
            {
                "id": f"dir-{i + 1}",
                "kind": kind,
                "name": r["name"],
                "programme": programme,
                "theme": r["theme"] or "",
                "ecosystems": ecosystems_of(r["theme"] or ""),
                "period": period_of(r["note"] or ""),
                "members": members,
                "countries": countries,
                "target_markets": [],
                "website": "",
                "source_url": r["source_url"] or "",
                "origin": "directory",
                "note": r["note"] or "",
            }
        )
    return rows


def _imported_rows(db: Path | str, orgs: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for r in board_entities(db):
        countries = list(r["countries"])
        rows.append(
            {
                "id": f"imp-{r['id']}",
                "kind": r["kind"],
                "name": r["name"],
                "programme": r["programme"],
                "theme": r["theme"],
                "ecosystems": list(r["ecosystems"]) or ecosystems_of(r["theme"]),
                "period": r["period"],
                "members": link_members(orgs, r["members"], countries),
                "countries": countries,
                "target_markets": list(r["target_markets"]),
                "website": r["website"],
                "source_url": r["source_url"],
                "origin": f"import: {r['file_name']}",
                "note": "",
            }
        )
    return rows


def board_entities(db: Path | str) -> list[dict[str, Any]]:
    """Imported partnerships and projects as stored (the board file)."""
    return collab.entities(db)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "member_ids"])
    out.insert(
        COLUMNS.index("member_ids"),
        "member_ids",
        [[m["org_id"] for m in ms if m["org_id"]] for ms in out["members"]],
    )
    return out


def all_partnerships(con: Any, db: Path | str) -> pd.DataFrame:
    """Every partnership and project (directory file and imports); columns :data:`COLUMNS`.

    ``members`` is a list of ``{name, role, org_id, profile}``; ``member_ids`` the linked directory ids.
    """
    orgs = directory.organisations(con)
    return _frame(_directory_rows(con, orgs) + _imported_rows(db, orgs))


def search(
    con: Any,
    db: Path | str,
    *,
    text: str = "",
    programme: str = "",
    country: str = "",
    market: str = "",
    kind: str = "",
) -> pd.DataFrame:
    """Partnerships and projects matching every given criterion (text in name, theme, ecosystems, members)."""
    found = all_partnerships(con, db)
    if text.strip():
        needle = text.strip().casefold()
        hay = [
            " ".join([n, t, *e, *(m["name"] for m in ms)]).casefold()
            for n, t, e, ms in zip(
                found["name"], found["theme"], found["ecosystems"], found["members"], strict=True
            )
        ]
        found = found[[needle in h for h in hay]]
    if programme:
        found = found[found["programme"] == programme]
    if kind:
        found = found[found["kind"] == kind]
    if country:
        code = _country(country, "country")
        found = found[[code in c for c in found["countries"]]]
    if market:
        code = _country(market, "market")
        found = found[[code in m for m in found["target_markets"]]]
    return found.reset_index(drop=True)


def _country(value: str, field: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise InputError(f"Field {field!r}: {value!r} is not a two-letter country code (JP, US, DE).")
    return catalogue.country_code(code) if catalogue.country(code) else code


def partnerships_of(con: Any, db: Path | str, org_id: str) -> pd.DataFrame:
    """The partnerships and projects a directory organisation belongs to, with its role (for profiles)."""
    found = all_partnerships(con, db)
    roles = [next((m["role"] for m in ms if m["org_id"] == str(org_id)), "") for ms in found["members"]]
    out = found.assign(role=roles)
    return out[out["role"] != ""].reset_index(drop=True)


def is_european(code: str) -> bool:
    """Whether a country code is one of the catalogue's European countries."""
    found = catalogue.country(code)
    return found is not None and found.area == "europe"


def gateways(con: Any, db: Path | str, *, market: str = "", text: str = "") -> pd.DataFrame:
    """Who in Europe works towards a market outside Europe: one row per partnership x non-European market.

    Columns: market, name, programme, kind, theme, ecosystems, period, european_members (names),
    member_ids, countries, source_url. ``text`` filters by name, theme, ecosystem or member; e.g.
    ``gateways(con, db, market="JP", text="health")``.
    """
    found = search(con, db, text=text, market=market)
    rows = []
    for r in found.to_dict("records"):
        for m in r["target_markets"]:
            if is_european(m) or (market and m != _country(market, "market")):
                continue
            linked = list(
                {x["org_id"]: x for x in r["members"] if x["org_id"]}.values()
            )  # one row per profile
            names = [x["profile"] for x in linked] or [x["name"] for x in r["members"]]
            rows.append(
                {
                    "market": m,
                    "name": r["name"],
                    "programme": r["programme"],
                    "kind": r["kind"],
                    "theme": r["theme"],
                    "ecosystems": "; ".join(r["ecosystems"]),
                    "period": r["period"],
                    "european_members": "; ".join(names),
                    "member_ids": [x["org_id"] for x in linked],
                    "countries": "; ".join(r["countries"]),
                    "source_url": r["source_url"],
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "market",
            "name",
            "programme",
            "kind",
            "theme",
            "ecosystems",
            "period",
            "european_members",
            "member_ids",
            "countries",
            "source_url",
        ],
    )


def links(con: Any, db: Path | str, *, text: str = "") -> pd.DataFrame:
    """Pairs of linked member organisations per partnership, for drawing on the organisations map.

    Columns: partnership, programme, org_a, org_b, name_a, name_b, lat_a, lon_a, lat_b, lon_b,
    precision_a, precision_b (members without a placed profile are left out).
    """
    orgs = directory.organisations(con).set_index("id")
    rows = []
    for r in search(con, db, text=text).to_dict("records"):
        ids = [i for i in dict.fromkeys(r["member_ids"]) if i in orgs.index and pd.notna(orgs.at[i, "lat"])]
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                rows.append(
                    {
                        "partnership": r["name"],
                        "programme": r["programme"],
                        "org_a": a,
                        "org_b": b,
                        "name_a": orgs.at[a, "name"],
                        "name_b": orgs.at[b, "name"],
                        "lat_a": orgs.at[a, "lat"],
                        "lon_a": orgs.at[a, "lon"],
                        "lat_b": orgs.at[b, "lat"],
                        "lon_b": orgs.at[b, "lon"],
                        "precision_a": orgs.at[a, "geocode_precision"],
                        "precision_b": orgs.at[b, "geocode_precision"],
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "partnership",
            "programme",
            "org_a",
            "org_b",
            "name_a",
            "name_b",
            "lat_a",
            "lon_a",
            "lat_b",
            "lon_b",
            "precision_a",
            "precision_b",
        ],
    )


# -- imports ---------------------------------------------------------------------------------------


def parse_file(path: Path | str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of a partnerships/projects file (CSV with a header row, or JSON: a list or ``{"partnerships": [...]}``)
    and every problem found (file, line, field, value, what to do)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
            raw = data.get("partnerships", data.get("projects")) if isinstance(data, dict) else data
            if not isinstance(raw, list):
                raise InputError(f'{path.name!r}: expected a list of objects or {{"partnerships": [...]}}.')
            records, first = [dict(r) if isinstance(r, dict) else {"name": r} for r in raw], 1
        else:
            frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
            records, first = frame.to_dict("records"), 2
    except (json.JSONDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"Cannot read {path.name!r} ({exc}); save it as UTF-8 CSV with a header row or as JSON."
        ) from None
    problems: list[str] = []
    rows = []
    for n, rec in enumerate(records, start=first):
        unknown = sorted(set(rec) - set(IMPORT_FIELDS))
        if unknown:
            problems.append(
                f"{path.name}, line {n}: unknown field(s) {unknown!r}; use {', '.join(IMPORT_FIELDS)}"
            )
        row = {f: rec.get(f, "") for f in IMPORT_FIELDS}
        for f, v in row.items():
            if isinstance(v, str) and re.search(r"[\x00-\x08\x0b-\x1f\x7f]", v):
                problems.append(
                    f"{path.name}, line {n}, field {f!r}: {v!r} holds a control character; remove it"
                )
        if not str(row["name"]).strip():
            problems.append(f"{path.name}, line {n}, field 'name': empty; every partnership needs a name")
        kind = str(row["kind"] or "partnership").strip().lower()
        if kind not in ("partnership", "project"):
            problems.append(
                f"{path.name}, line {n}, field 'kind': {row['kind']!r}; write partnership or project"
            )
        for f in ("countries", "target_markets"):
            for code in _split(row[f]):
                if not re.fullmatch(r"[A-Za-z]{2}", code):
                    problems.append(
                        f"{path.name}, line {n}, field {f!r}: {code!r} is not a two-letter country code"
                    )
        rows.append(
            {
                "name": str(row["name"]).strip(),
                "kind": kind,
                "programme": str(row["programme"]).strip() or programme_of(str(row["programme"]))[0],
                "theme": str(row["theme"]).strip(),
                "ecosystems": _split(row["ecosystems"]),
                "period": str(row["period"]).strip(),
                "members": _split(row["members"]),
                "countries": [c.upper() for c in _split(row["countries"])],
                "target_markets": [c.upper() for c in _split(row["target_markets"])],
                "website": str(row["website"]).strip(),
                "source_url": str(row["source_url"]).strip(),
            }
        )
    return rows, problems


def import_file(db: Path | str, *, admin_id: int | None, path: Path | str, dry_run: bool = False) -> int:
    """Validate a partnerships/projects file and store its rows (admins only); returns the number of rows.

    Every problem is reported at once and nothing is written when there is one.
    """
    admin = require_admin(db, admin_id)
    rows, problems = parse_file(path)
    if problems:
        shown = "\n  ".join(problems[:30])
        raise InputError(
            f"{len(problems)} problem(s) in {Path(path).name!r}; nothing was imported:\n  {shown}"
        )
    if dry_run:
        return len(rows)
    now: dt.datetime = _now()
    collab.insert_entities(db, rows, imported_by=admin.id, now=now, file_name=Path(path).name)
    return len(rows)
