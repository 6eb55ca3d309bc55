"""Settings: one frozen object, every field with a default and a one-line help.

Each field can be overridden by an environment variable ``CLUSTER_MAP_<FIELD>`` (upper case).
Nothing else in the package reads ``os.environ``; a test checks that every setting is in the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cluster_map.catalogue import FOCUS_SCOPES
from cluster_map.errors import ConfigError

#: The repository root (the folder holding ``app.py``).
REPO_ROOT = Path(__file__).resolve().parent.parent

ENV_PREFIX = "CLUSTER_MAP_"


def _default_mirror() -> Path:
    return (REPO_ROOT.parent / "shared" / "mirror").resolve()


@dataclass(frozen=True)
class Settings:
    """Run-time settings of Cluster Map (override with ``CLUSTER_MAP_<NAME>``)."""

    source: str = field(
        default="",
        metadata={
            "help": "Where sources are read: a URL base or a local mirror directory with the "
            "official file names. Empty: official URLs, falling back to MIRROR when offline."
        },
    )
    mirror: Path = field(
        default_factory=_default_mirror,
        metadata={"help": "Local mirror directory used when the official URLs cannot be reached."},
    )
    db: Path = field(
        default=REPO_ROOT / "data" / "cluster_map.duckdb",
        metadata={"help": "Path of the embedded DuckDB store (built by `cluster-map ingest`)."},
    )
    http_timeout: float = field(
        default=5.0,
        metadata={"help": "Seconds to wait for an official URL before falling back to the mirror."},
    )
    cache_dir: Path = field(
        default=REPO_ROOT / "data" / "cache",
        metadata={"help": "Where downloaded source files are kept between ingests."},
    )
    spark_remote: str = field(
        default="",
        metadata={"help": "Spark Connect URL for `--engine spark` (empty: a local Spark session)."},
    )
    tile_url: str = field(
        default="",
        metadata={
            "help": "Optional map tile URL template for users online (empty: no tiles, NUTS 0 "
            "borders as the base map)."
        },
    )
    min_employment: float = field(
        default=1000.0,
        metadata={
            "help": "Minimum employment for a region-sector cell to be ranked or starred "
            "(guards against spurious LQs of tiny cells)."
        },
    )
    focus_scope: str = field(
        default="all_cells",
        metadata={
            "help": "How the ECO focus star ranks a cell's share of its region's employment: "
            "'all_cells' (top 10% of every region-sector cell, as the European Cluster Observatory "
            "publishes it) or 'sector' (top 10% of the regions in the same sector)."
        },
    )
    seed: int = field(
        default=12345,
        metadata={"help": "Seed for permutation inference (Moran, LISA, Gi*)."},
    )
    permutations: int = field(
        default=999,
        metadata={"help": "Number of permutations for spatial statistics."},
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, then ``CLUSTER_MAP_*`` variables, then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        scope = values.get("focus_scope", "all_cells")
        if scope not in FOCUS_SCOPES:
            raise ConfigError(
                f"Setting {ENV_PREFIX}FOCUS_SCOPE={scope!r} is not one of {FOCUS_SCOPES!r}; "
                "unset it or give one of them."
            )
        return replace(cls(), **values)

    @staticmethod
    def help() -> dict[str, str]:
        """``{ENV_VAR: help}`` for every setting (used by the README test and `cluster-map info`)."""
        return {ENV_PREFIX + f.name.upper(): f.metadata["help"] for f in fields(Settings)}


def _coerce(name: str, typ: Any, raw: str) -> Any:
    t = typ if isinstance(typ, str) else getattr(typ, "__name__", str(typ))
    try:
        if t == "Path":
            return Path(raw).expanduser()
        if t == "float":
            return float(raw)
        if t == "int":
            return int(raw)
    except ValueError:
        raise ConfigError(
            f"Setting {ENV_PREFIX + name.upper()}={raw!r} is not a valid {t}; unset it or give a {t}."
        ) from None
    return raw


def get_settings(**overrides: Any) -> Settings:
    """The settings in force: environment variables plus explicit overrides (e.g. ``db=``)."""
    return Settings.from_env(**overrides)
