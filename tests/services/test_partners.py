"""Partner ranking on hand-made cases where the statistics decide the order (known values), and on
the mirror store (the CLI's organisation: every factor shown, deterministic)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cluster_map.errors import InputError
from cluster_map.services import partners as svc
from cluster_map.stats import partners as score


def org(
    oid: str,
    name: str,
    *,
    keys: str,
    nace: str,
    country: str = "DE",
    nuts2: str = "DE21",
    lon: float = 11.0,
    lat: float = 48.0,
    members: float | None = None,
) -> dict[str, Any]:
    return {
        "id": oid,
        "name": name,
        "country": country,
        "nuts0": country,
        "nuts1": nuts2[:3],
        "nuts2": nuts2,
        "lat": lat,
        "lon": lon,
        "geocode_precision": "city",
        "sector_keys": keys,
        "nace": nace,
        "clusters": None,
        "sectors": keys,
        "members_total": members,
    }


def stats(
    cells: dict[tuple[str, str], tuple[float, float, bool, float]],
    prox: dict[tuple[str, str], float] | None = None,
) -> svc.Statistics:
    return svc.Statistics(
        cells=cells,
        proximity=prox or {},
        us_related={},
        to_stats_region={},
        regions=frozenset(r for r, _ in cells),
        source="hand-made",
    )


NEED = svc.Need(sectors=("automotive",), country="FR", region="FR10", lon=2.35, lat=48.86)


def rank(cands: list[dict[str, Any]], st: svc.Statistics, need: svc.Need = NEED, **kw: Any) -> pd.DataFrame:
    return svc.rank_partners(None, need, candidates=pd.DataFrame(cands), stats=st, top=None, **kw)


def test_the_stronger_region_wins_between_equal_keyword_matches() -> None:
    # the case: five automotive partners all scored 1.0 and were sorted by name
    cands = [
        org("a", "Aaa weak region", keys="automotive", nace="C29", nuts2="DE11"),
        org("b", "Zzz strong region", keys="automotive", nace="C29", nuts2="DE21"),
    ]
    st = stats(
        {
            ("DE11", "C29"): (0.5, 0.0, False, 2000.0),
            ("DE21", "C29"): (2.5, 3.0, False, 90_000.0),
            ("FR10", "C29"): (0.8, 0.0, False, 30_000.0),
        }
    )
    out = rank(cands, st)
    assert out["id"].tolist() == ["b", "a"]
    # known values: strength = 0.5 min(LQ/2, 1) + 0.5 max(stars/3, strong)
    assert out.set_index("id").at["b", "strength"] == pytest.approx(1.0)
    assert out.set_index("id").at["a", "strength"] == pytest.approx(0.5 * 0.25)
    # complement: DE21 specialised (LQ 2.5) where FR10 is not (0.8); DE11 is not specialised either
    assert (
        out.set_index("id").at["b", "complement"] == 1.0 and out.set_index("id").at["a", "complement"] == 0.0
    )
    assert "LQ 2.50, ★★★" in out.set_index("id").at["b", "why"]
    contributions = out[[f"c_{f}" for f in score.FACTORS]].sum(axis=1)
    assert np.allclose(contributions, out["score"])  # the contributions add up to the score


def test_co_location_relatedness_orders_candidates_without_a_shared_sector() -> None:
    need = svc.Need(sectors=("aerospace",), country="FR")
    cands = [
        org("x", "Electronics", keys="electronics", nace="C26"),
        org("y", "Food", keys="food", nace="C10"),  # same NACE section C: 0.5
        org("z", "Finance", keys="finance", nace="K64"),
    ]  # unrelated: left out
    out = rank(cands, stats({}, {("C30", "C26"): 0.8, ("C26", "C30"): 0.8}), need)
    assert out["id"].tolist() == ["x", "y"]
    assert out["related"].tolist() == [pytest.approx(0.8), 0.5]
    assert "co-location 0.80" in out["why"].iloc[0] and "same NACE section" in out["why"].iloc[1]


def test_ties_are_broken_by_strength_then_members_then_id_never_by_name() -> None:
    cands = [
        org("id2", "Alpha", keys="automotive", nace="C29", members=50),
        org("id1", "Beta", keys="automotive", nace="C29", members=50),
        org("id3", "Gamma", keys="automotive", nace="C29", members=400),
    ]
    out = rank(cands, stats({("DE21", "C29"): (1.0, 1.0, False, 1.0)}))
    assert out["score"].nunique() == 1
    assert out["id"].tolist() == ["id3", "id1", "id2"]


def test_border_preference_and_distance() -> None:
    cands = [
        org("home", "Home", keys="automotive", nace="C29", country="FR", nuts2="FR10", lon=2.4, lat=48.9),
        org("far", "Far", keys="automotive", nace="C29", country="PT", nuts2="PT11", lon=-8.6, lat=41.1),
    ]
    st = stats({})
    assert rank(cands, st, prefer="abroad")["id"].tolist() == ["far", "home"]
    assert rank(cands, st, prefer="home")["id"].tolist() == ["home", "far"]
    out = rank(cands, st, prefer="any").set_index("id")
    assert out.at["home", "geography"] > out.at["far", "geography"]  # nearer wins when the border is neutral
    d = out.at["far", "distance_km"]
    assert 1200 < d < 1300  # Paris-Porto, geodesic
    assert out.at["far", "geography"] == pytest.approx(0.5 + 0.5 * math.exp(-d / 1000))


def test_an_open_marketplace_post_in_the_sector_counts() -> None:
    cands = [
        org("p", "Posts", keys="automotive", nace="C29"),
        org("q", "Quiet", keys="automotive", nace="C29"),
    ]
    posts = pd.DataFrame({"org_id": ["p", "q"], "sectors": [["e-mobility"], ["tourism"]]})
    out = rank(cands, stats({}), posts=posts)
    assert out["id"].tolist() == ["p", "q"] and out["marketplace"].tolist() == [1.0, 0.0]
    assert "open marketplace post" in out["why"].iloc[0]


def test_a_need_must_name_a_known_sector() -> None:
    with pytest.raises(InputError, match="Unknown sector 'warp drives'"):
        rank([], stats({}), svc.Need(sectors=("warp drives",)))
    with pytest.raises(InputError, match="at least one sector"):
        rank([], stats({}), svc.Need(sectors=()))


def test_rank_known_values() -> None:
    f = pd.DataFrame({"id": ["a"], "members": [None], **{k: [1.0] for k in score.FACTORS}})
    assert score.rank(f)["score"].iloc[0] == pytest.approx(1.0)
    assert sum(score.WEIGHTS.values()) == pytest.approx(1.0)


@pytest.mark.mirror
def test_partners_of_a_real_organisation(mirror_store: Path) -> None:
    from cluster_map.store.database import connect

    con = connect(mirror_store)
    try:
        valley = con.execute("SELECT id FROM organisations WHERE name = 'Aerospace Valley'").fetchall()[0][0]
        need = svc.need_of(con, valley)
        assert need.sectors == ("aerospace",) and need.country == "FR"
        out = svc.rank_partners(con, need, top=15)
        again = svc.rank_partners(con, need, top=15)
        pd.testing.assert_frame_equal(out, again)  # deterministic
        assert valley not in set(out["id"]) and (out["country"] != "FR").head(5).all()
        assert out["score"].is_monotonic_decreasing and out["why"].str.len().gt(0).all()
        assert out["strength"].gt(0).any()  # the statistics of the partners' regions play a part
        with pytest.raises(InputError, match="not in the directory"):
            svc.need_of(con, "nope")
    finally:
        con.close()
