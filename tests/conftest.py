"""Shared fixtures: the real mirror beside the checkout, and a store built from it once per session."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIRROR = Path(os.environ.get("CLUSTER_MAP_MIRROR", ROOT.parent / "shared" / "mirror")).resolve()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if importlib.util.find_spec("pyspark") is None:  # the optional extra: pip install -e .[spark]
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(
                "CI runs the Spark tests: install requirements-dev.txt (it pulls .[spark])"
            )
        no_spark = pytest.mark.skip(reason="pyspark is not installed (pip install -e .[spark])")
        for item in items:
            if "spark" in item.keywords:
                item.add_marker(no_spark)
    if MIRROR.is_dir():
        return
    skip = pytest.mark.skip(reason=f"mirror not found at {MIRROR} (set CLUSTER_MAP_MIRROR)")
    for item in items:
        if "mirror" in item.keywords:
            if os.environ.get("CI") == "true":
                raise pytest.UsageError(f"CI needs the mirror at {MIRROR}")
            item.add_marker(skip)


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The local mirror of official source files (``../shared/mirror``)."""
    if not MIRROR.is_dir():
        pytest.skip(f"mirror not found at {MIRROR}")
    return MIRROR


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """Tiny hand-made fixture files (tests/fixtures)."""
    return FIXTURES


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests keep screenshots and rendered outputs to look at (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def mirror_store(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Path:
    """A store built once per test session by a full ingest of the mirror (with metrics).

    Tests must treat it as read-only; copy it (``store_copy``) to change it.
    """
    from cluster_map.services.ingest import ingest

    db = tmp_path_factory.mktemp("store") / "cluster_map.duckdb"
    ingest(source=str(mirror), db=db, progress=False)
    return db


#: Fixtures in today's API layout that ``current_mirror`` puts under ``eurostat/api/`` (gzipped as the API sends them).
CURRENT_FILES = ("sbs_r_nuts2021", "nama_10r_3empers", "nama_10r_3gva")


#: A region code of the sbs_r_nuts2021 fixture that no NUTS version knows: the catalogue does not tolerate
#: it, so a full ingest refuses the file (tests/services/test_ingest_current.py); the session stores leave it out.
UNKNOWN_REGION_LINE = ",HU99\t"


def overlay_mirror(root: Path, mirror: Path, api_files: dict[str, Path], *, drop: str | None = None) -> Path:
    """A mirror directory at ``root``: the real mirror (linked, not copied) plus ``eurostat/api/<code>.tsv.gz``
    files gzipped from ``api_files`` (code -> plain TSV fixture), without the lines that contain ``drop``."""
    import gzip

    root.mkdir(parents=True, exist_ok=True)
    for entry in mirror.iterdir():
        if entry.name != "eurostat":
            (root / entry.name).symlink_to(entry)
    (root / "eurostat").mkdir()
    for entry in (mirror / "eurostat").iterdir():
        (root / "eurostat" / entry.name).symlink_to(entry)
    api = root / "eurostat" / "api"
    api.mkdir(exist_ok=True)
    for code, src in api_files.items():
        data = src.read_bytes()
        if drop is not None:
            data = b"".join(ln for ln in data.splitlines(keepends=True) if drop.encode() not in ln)
        (api / f"{code}.tsv.gz").write_bytes(gzip.compress(data, mtime=0))
    return root


@pytest.fixture(scope="session")
def current_mirror(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Path:
    """The mirror plus today's datasets (sbs_r_nuts2021, nama_10r_3empers, nama_10r_3gva) as small fixtures in the exact
    current API layout under ``eurostat/api/``."""
    return overlay_mirror(
        tmp_path_factory.mktemp("current") / "mirror",
        mirror,
        {c: FIXTURES / "eurostat" / "api" / f"{c}.tsv" for c in CURRENT_FILES},
        drop=UNKNOWN_REGION_LINE,
    )


@pytest.fixture(scope="session")
def current_store(tmp_path_factory: pytest.TempPathFactory, current_mirror: Path) -> Path:
    """A store built once per session from :func:`current_mirror` (read-only for tests)."""
    from cluster_map.services.ingest import ingest

    db = tmp_path_factory.mktemp("current_store") / "cluster_map.duckdb"
    ingest(source=str(current_mirror), db=db, progress=False)
    return db


@pytest.fixture()
def store_copy(mirror_store: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the mirror store."""
    dst = tmp_path / "cluster_map.duckdb"
    shutil.copy(mirror_store, dst)
    return dst


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI installs Debian's chromium (.ci/run)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path):  # type: ignore[no-untyped-def]
    """One Playwright + Debian chromium for the whole session (a second sync_playwright() would fail)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield b
        b.close()
