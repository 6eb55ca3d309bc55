"""Settings: defaults, CLUSTER_MAP_* overrides, clear errors, every setting documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cluster_map.config import Settings
from cluster_map.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.help() if f"`{name}`" not in readme]
    assert not missing, f"document these settings in README.md: {missing}"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^    (python -m pip install .+)$", readme[:1200], flags=re.M)
    assert len(commands) == 2 and commands[0].endswith(("cluster-map serve", "cluster-map serve --open"))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    steps = [step.strip() for step in commands[1].split("&&")]
    assert steps[-1] == "python -m pytest -q" and all(f"\n{step}\n" in ci for step in steps), (
        commands[1],
        ci,
    )


def test_environment_overrides_defaults() -> None:
    s = Settings.from_env(
        {
            "CLUSTER_MAP_DB": "/x/store.duckdb",
            "CLUSTER_MAP_MIN_EMPLOYMENT": "250",
            "CLUSTER_MAP_SEED": "7",
            "CLUSTER_MAP_SOURCE": "",
        }
    )
    assert s.db == Path("/x/store.duckdb") and s.min_employment == 250.0 and s.seed == 7
    assert s.source == ""  # empty means: official URLs with the mirror fallback


def test_explicit_overrides_win_over_the_environment() -> None:
    s = Settings.from_env({"CLUSTER_MAP_DB": "/x/a.duckdb"}, db=Path("/y/b.duckdb"))
    assert s.db == Path("/y/b.duckdb")


@pytest.mark.parametrize(
    ("var", "value"), [("CLUSTER_MAP_SEED", "abc"), ("CLUSTER_MAP_HTTP_TIMEOUT", "soon")]
)
def test_bad_values_name_the_setting(var: str, value: str) -> None:
    with pytest.raises(ConfigError, match=var):
        Settings.from_env({var: value})


def test_streamlit_config_serves_static_files_and_skips_the_full_gc_after_each_run() -> None:
    """The app's server settings (read from .streamlit/config.toml; `cluster-map serve` runs in the repo).

    Static serving carries Leaflet and the packed geometry; Streamlit's default gc.collect(2) after
    every script run cost ~150 ms of GIL-holding CPU per filter change with our libraries loaded.
    """
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert config["runner"]["postScriptGC"] is False
