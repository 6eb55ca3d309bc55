"""Time the directory search and the partner ranking over a large synthetic directory.

The store's real organisations (a mirror store: ``--db`` or ``CLUSTER_MAP_DB``) are copied into a
temporary store and repeated, each copy with its own id, a numbered name, a point moved by up to
half a degree and a country drawn from the real ones, until the directory holds ``--n`` rows
(default 50,000, the issue's size). Their sector terms, NACE divisions and search terms are those of
the real rows, so every search and every factor of the ranking does real work. The source store is
never written.

Timed (``time.perf_counter``, warm: one untimed run first):

* search: ``organisations.find`` for a fixed set of queries (free text with synonyms, sector term,
  NACE code, ecosystem, country, text + country + page of 50), ``--repeat`` times each; p50/p95/max
  in ms. Goal: p95 <= 100 ms.
* partners: ``partners.rank_partners`` for Aerospace Valley over the whole directory (the
  statistics loaded once before, as the app's cache does), ``--repeat`` times; and one cold run that
  includes loading the statistics. Goal: <= 1 s.

Usage::

    python bench/bench_directory.py [--db STORE] [--n 50000] [--repeat 20] [--out bench/results/directory.json]

The smallest setting to check that it works: ``--n 2000 --repeat 3``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cluster_map.config import get_settings  # noqa: E402
from cluster_map.services import organisations, partners  # noqa: E402
from cluster_map.store.database import connect  # noqa: E402

SEEKER = "eu_cluster_organisations:EUCO0109"  # Aerospace Valley (FR)
SEARCH_GOAL_MS = 100.0
PARTNERS_GOAL_S = 1.0
QUERIES: dict[str, organisations.OrgQuery] = {
    "text 'aerospace' (synonyms)": organisations.OrgQuery(text="aerospace"),
    "sector term automotive": organisations.OrgQuery(sectors=("automotive",)),
    "NACE C30": organisations.OrgQuery(sectors=("C30",)),
    "country DE": organisations.OrgQuery(countries=("DE",)),
    "text 'cluster' + country FR, page 2 of 50": organisations.OrgQuery(
        text="cluster", countries=("FR",), page=2, per_page=50
    ),
    "everything, page 1 of 50 by members": organisations.OrgQuery(
        sort="members_total", descending=True, per_page=50
    ),
}


def _ecosystem_query() -> tuple[str, organisations.OrgQuery] | None:
    slugs = list(organisations.ecosystem_divisions())
    return (f"ecosystem {slugs[0]}", organisations.OrgQuery(ecosystems=(slugs[0],))) if slugs else None


def synthesise(src: Path, dst: Path, n: int) -> int:
    """Copy ``src`` to ``dst`` and grow its organisations to ``n`` rows; returns the real count."""
    shutil.copyfile(src, dst)
    con = connect(dst, read_only=False)
    try:
        real = int(con.execute("SELECT count(*) FROM organisations").fetchone()[0])  # type: ignore[index]
        copies = max(0, -(-n // real) - 1)
        if copies:
            con.execute("""
                CREATE TEMP TABLE c AS SELECT DISTINCT country FROM organisations WHERE country IS NOT NULL""")
            con.execute(
                """
                INSERT INTO organisations BY NAME
                SELECT o.* REPLACE (
                    o.id || ':syn' || k AS id,
                    o.name || ' ' || k AS name,
                    lat + CASE WHEN lat IS NULL THEN NULL ELSE (hash(id, k) % 1000) / 1000.0 - 0.5 END AS lat,
                    lon + CASE WHEN lon IS NULL THEN NULL ELSE (hash(k, id) % 1000) / 1000.0 - 0.5 END AS lon,
                    (SELECT country FROM c ORDER BY hash(c.country, o.id, k) LIMIT 1) AS country)
                FROM organisations o, range(1, ? + 1) t(k)""",
                [copies],
            )
            con.execute(
                """
                DELETE FROM organisations WHERE id IN (
                    SELECT id FROM organisations WHERE id LIKE '%:syn%' ORDER BY id DESC
                    LIMIT greatest(0, (SELECT count(*) FROM organisations) - ?))""",
                [n],
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return real


def _ms(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]
    return {
        "p50_ms": round(statistics.median(s) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(s[-1] * 1000, 2),
        "runs": len(s),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=None, help="a mirror store (default CLUSTER_MAP_DB)")
    parser.add_argument("--n", type=int, default=50_000, help="organisations in the synthetic directory")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "directory.json")
    args = parser.parse_args(argv)
    src = args.db or get_settings().db
    queries = dict(QUERIES)
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-directory-") as tmp:
        db = Path(tmp) / "store.duckdb"
        t0 = time.perf_counter()
        real = synthesise(Path(src), db, args.n)
        built = time.perf_counter() - t0
        con = connect(db)
        try:
            total = int(con.execute("SELECT count(*) FROM organisations").fetchone()[0])  # type: ignore[index]
            eco = _ecosystem_query()
            if eco:
                queries[eco[0]] = eco[1]
            search: dict[str, Any] = {}
            every: list[float] = []
            for label, q in queries.items():
                found = organisations.find(con, q)  # warm
                samples = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    organisations.find(con, q)
                    samples.append(time.perf_counter() - t)
                every += samples
                search[label] = {**_ms(samples), "matches": found.total}
                print(
                    f"search {label:45s} {found.total:7d} matches  p50 {search[label]['p50_ms']:8.2f} ms  "
                    f"p95 {search[label]['p95_ms']:8.2f} ms"
                )
            t = time.perf_counter()
            need = partners.need_of(con, SEEKER)
            ranked = partners.rank_partners(con, need, top=20)
            cold = time.perf_counter() - t
            samples = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                ranked = partners.rank_partners(con, need, top=20)
                samples.append(time.perf_counter() - t)
        finally:
            con.close()
    overall = _ms(every)
    rank = {**_ms(samples), "cold_s_with_statistics": round(cold, 3), "top": ranked["name"].head(3).tolist()}
    print(f"search, all queries: p95 {overall['p95_ms']:.2f} ms (goal <= {SEARCH_GOAL_MS:.0f} ms)")
    print(
        f"partners for Aerospace Valley over {total} organisations: p50 {rank['p50_ms']:.1f} ms, "
        f"p95 {rank['p95_ms']:.1f} ms; cold with statistics {cold:.2f} s (goal <= {PARTNERS_GOAL_S:.0f} s)"
    )
    result = {
        "bench": "directory",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_1min_at_start": load_start,
            "loadavg_1min_at_end": os.getloadavg()[0],
        },
        "store": str(src),
        "organisations": total,
        "real_organisations": real,
        "repeat": args.repeat,
        "build_s": round(built, 2),
        "search": {
            "queries": search,
            "all": overall,
            "goal_p95_ms": SEARCH_GOAL_MS,
            "met": overall["p95_ms"] <= SEARCH_GOAL_MS,
        },
        "partners": {
            **rank,
            "seeker": SEEKER,
            "goal_s": PARTNERS_GOAL_S,
            "met": rank["p95_ms"] / 1000 <= PARTNERS_GOAL_S,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
