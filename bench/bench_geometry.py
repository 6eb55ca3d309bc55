"""Geometry benchmark: read + validate + simplify time, and full vs display GeoJSON size per level.

Run: ``python bench/bench_geometry.py [--source DIR]`` (default: the mirror from the settings).
Prints a table and writes ``bench/results/geometry.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import shapely

from cluster_map.config import get_settings
from cluster_map.geo import DISPLAY_TOLERANCE, geojson_bytes
from cluster_map.sources.fetch import SourceResolver
from cluster_map.sources.gisco import NUTS_VERSIONS, read_nuts
from cluster_map.sources.us_atlas import read_us_regions

RESULTS = Path(__file__).resolve().parent / "results" / "geometry.json"


def _sizes(frame, by: str) -> list[dict]:
    rows = []
    for key, part in frame.groupby(by, sort=True):
        codes = part["code"].tolist()
        full = geojson_bytes(part.geometry, properties=codes)
        display = geojson_bytes(part["display"], properties=codes)
        rows.append(
            {
                by: key if isinstance(key, str) else int(key),
                "regions": len(part),
                "vertices_full": int(shapely.get_num_coordinates(np.asarray(part.geometry.array)).sum()),
                "vertices_display": int(shapely.get_num_coordinates(np.asarray(part["display"].array)).sum()),
                "geojson_bytes_full": full,
                "geojson_bytes_display": display,
                "ratio": round(display / full, 3),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", default=str(get_settings().mirror))
    args = parser.parse_args()
    resolver = SourceResolver(source=args.source, notify=lambda _m: None)

    result: dict = {
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "tolerance_degrees": DISPLAY_TOLERANCE,
        "nuts": {},
        "us": {},
    }
    total = 0.0
    for version in NUTS_VERSIONS:
        t0 = time.perf_counter()
        nuts = read_nuts(resolver, version)
        seconds = time.perf_counter() - t0
        total += seconds
        result["nuts"][version] = {"seconds": round(seconds, 3), "levels": _sizes(nuts.frame, "level")}
    t0 = time.perf_counter()
    us = read_us_regions(resolver)
    us_seconds = time.perf_counter() - t0
    result["us"] = {"seconds": round(us_seconds, 3), "kinds": _sizes(us.frame, "kind")}
    result["seconds_all_nuts"] = round(total, 3)
    result["seconds_all_geometry"] = round(total + us_seconds, 3)

    print(f"{'set':<10}{'part':<11}{'regions':>8}{'vertices':>18}{'GeoJSON bytes full -> display':>34}")
    for version, block in result["nuts"].items():
        for row in block["levels"]:
            print(
                f"NUTS {version:<5}level {row['level']:<5}{row['regions']:>8}"
                f"{row['vertices_full']:>9}->{row['vertices_display']:<8}"
                f"{row['geojson_bytes_full']:>15,} -> {row['geojson_bytes_display']:>10,} ({row['ratio']:.0%})"
            )
        print(f"NUTS {version}: read + validate + simplify {block['seconds']:.2f} s")
    for row in result["us"]["kinds"]:
        print(
            f"{'US':<10}{row['kind']:<11}{row['regions']:>8}{row['vertices_full']:>9}->{row['vertices_display']:<8}"
            f"{row['geojson_bytes_full']:>15,} -> {row['geojson_bytes_display']:>10,} ({row['ratio']:.0%})"
        )
    print(
        f"US regions: {us_seconds:.2f} s; all NUTS versions {total:.2f} s; all geometry "
        f"{result['seconds_all_geometry']:.2f} s"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    main()
