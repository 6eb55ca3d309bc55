"""The partner score: how well a candidate organisation fits a need, factor by factor.

Each factor is a number in [0, 1]; the score is their weighted sum (weights in :data:`WEIGHTS`, adding
up to 1), so every suggestion shows what each factor contributed. The factors:

``sectors``
    Share of the need's sector terms the candidate names too: ``|S_need ∩ S_cand| / |S_need|``.
``related``
    The strongest link between a NACE division of the need and a *different* division of the
    candidate: 0.5 for the same NACE section (hierarchy), the co-location proximity ``phi`` of the
    two divisions over European regions (Hidalgo et al. 2007), or, between US CMP clusters, the
    published relatedness percentile / 100 (1 for a top-decile ``related_90`` link; Delgado, Porter
    & Stern 2016). The maximum of the three.
``strength``
    How strong the candidate's region is in the divisions that link the two (shared, else the
    candidate's own): mean over them of ``0.5 min(LQ/2, 1) + 0.5 max(stars/3, strong)``. A region
    without data in a division counts 0 there.
``complement``
    Complementary specialisation: share of the divisions of either side in which the candidate's
    region is specialised (LQ >= 1) and the need's region is not.
``geography``
    ``0.5 border + 0.5 exp(-d / 1000 km)``: ``border`` is 1 when the candidate is in another country
    (``prefer="abroad"``), in the same one (``"home"``) or always (``"any"``); ``d`` the geodesic
    distance between the two points (WGS84 ellipsoid).
``marketplace``
    1 when the candidate has an open offer or demand in one of the need's sectors.

Ties are broken by the higher ``strength``, then more stated members, then the directory id, so the
order never depends on names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Final, Literal

import numpy as np
import pandas as pd
from pyproj import Geod

WEIGHTS: Final[dict[str, float]] = {
    "sectors": 0.30,
    "related": 0.15,
    "strength": 0.25,
    "complement": 0.10,
    "geography": 0.15,
    "marketplace": 0.05,
}
FACTORS: Final = tuple(WEIGHTS)
DISTANCE_SCALE_KM: Final = 1000.0
_GEOD: Final = Geod(ellps="WGS84")

Prefer = Literal["abroad", "home", "any"]


def sector_overlap(need: frozenset[str], cand: frozenset[str]) -> float:
    """``|need ∩ cand| / |need|`` (0 when the need names no sector).

    >>> sector_overlap(frozenset({"aerospace", "electronics"}), frozenset({"aerospace"}))
    0.5
    """
    return len(need & cand) / len(need) if need else 0.0


def relatedness(
    need: Iterable[str],
    cand: Iterable[str],
    *,
    proximity: Mapping[tuple[str, str], float],
    us: Mapping[tuple[str, str], float] | None = None,
    us_need: Iterable[str] = (),
    us_cand: Iterable[str] = (),
) -> tuple[float, str]:
    """The strongest link between distinct codes of the two sides and how it was found.

    ``proximity`` maps NACE division pairs (both orders) to co-location ``phi``; ``us`` maps US
    cluster code pairs to relatedness in [0, 1]. Returns ``(value, 'C29~C30 co-location 0.41')``.

    >>> relatedness(["C29"], ["C28"], proximity={("C29", "C28"): 0.6})
    (0.6, 'C29~C28 co-location 0.60')
    >>> relatedness(["C29"], ["C30"], proximity={})
    (0.5, 'C29~C30 same NACE section')
    """
    best, how = 0.0, ""
    cand = list(cand)
    for a in need:
        for b in cand:
            if a == b:
                continue
            if a[0] == b[0] and 0.5 > best:
                best, how = 0.5, f"{a}~{b} same NACE section"
            phi = proximity.get((a, b), 0.0)
            if phi > best:
                best, how = phi, f"{a}~{b} co-location {phi:.2f}"
    if us:
        us_cand = list(us_cand)
        for a in us_need:
            for b in us_cand:
                r = us.get((a, b), 0.0) if a != b else 0.0
                if r > best:
                    best, how = r, f"US clusters {a}~{b} related {r:.2f}"
    return best, how


def cell_strength(lq: float | None, stars: float | None, strong: bool | None) -> float:
    """``0.5 min(LQ/2, 1) + 0.5 max(stars/3, strong)`` of one region-sector cell (missing parts: 0).

    >>> cell_strength(2.0, 3, None)
    1.0
    >>> cell_strength(1.0, None, True)
    0.75
    """
    lq_part = min(float(lq) / 2.0, 1.0) if lq is not None and not math.isnan(lq) else 0.0
    star_part = float(stars) / 3.0 if stars is not None and not math.isnan(stars) else 0.0
    strong_part = 1.0 if strong is True else 0.0
    return 0.5 * lq_part + 0.5 * max(star_part, strong_part)


def distances_km(lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic distances (km, WGS84 ellipsoid) from one point to many (NaN where unknown)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    out = np.full(len(lon), np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not (math.isfinite(lon0) and math.isfinite(lat0)) or not ok.any():
        return out
    _, _, metres = _GEOD.inv(np.full(ok.sum(), lon0), np.full(ok.sum(), lat0), lon[ok], lat[ok])
    out[ok] = np.asarray(metres) / 1000.0
    return out


def geography(same_country: np.ndarray, distance_km: np.ndarray, *, prefer: Prefer = "abroad") -> np.ndarray:
    """``0.5 border + 0.5 exp(-d / 1000 km)`` (an unknown distance counts 0 in its half)."""
    same = np.asarray(same_country, dtype=bool)
    border = {"abroad": ~same, "home": same, "any": np.ones_like(same)}[prefer].astype(float)
    near = np.exp(-np.nan_to_num(np.asarray(distance_km, dtype=float), nan=np.inf) / DISTANCE_SCALE_KM)
    return 0.5 * border + 0.5 * near


def rank(factors: pd.DataFrame, *, weights: Mapping[str, float] = WEIGHTS) -> pd.DataFrame:
    """Add one contribution column per factor (``c_<factor>`` = weight x factor), ``score`` and
    ``rank``; sort best first, ties by ``strength``, then ``members`` (more first, unknown last), then ``id``.

    ``factors`` has ``id``, ``members`` and one column per factor of ``weights``, each in [0, 1].
    """
    missing = [f for f in weights if f not in factors.columns]
    if missing:
        raise ValueError(f"factor column(s) {missing!r} missing")
    out = factors.copy()
    score = np.zeros(len(out))
    for f, w in weights.items():
        out[f"c_{f}"] = w * out[f].astype(float).to_numpy()
        score += out[f"c_{f}"].to_numpy()
    out["score"] = np.round(score, 6)
    members = pd.to_numeric(out["members"], errors="coerce").fillna(-1)
    out = (
        out.assign(_m=members)
        .sort_values(
            ["score", "strength", "_m", "id"], ascending=[False, False, False, True], kind="mergesort"
        )
        .drop(columns="_m")
    )
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)
