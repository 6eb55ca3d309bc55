"""The warm-up client over the real app and the mirror store: every page of the app's navigation runs
to its end, shows something, and raises nothing (what ``cluster-map serve`` starts beside the server)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cluster_map.ui import warmup
from tests.browser.conftest import ROOT

pytestmark = [pytest.mark.mirror, pytest.mark.slow]


def test_warm_up_runs_every_page_of_the_app(app_url: str, mirror_store: Path) -> None:
    queries = warmup.sample_queries(mirror_store)
    assert set(queries) == set(warmup.SUBJECT_PAGES)  # the mirror has regions and organisations
    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        runs = pool.submit(asyncio.run, warmup.warm(app_url, timeout=300, queries=queries)).result()
    paths = {r.path for r in runs}
    pages = {"/" + p.stem.split("_", 1)[1] for p in (ROOT / "pages").glob("*.py")}
    subjects = {f"/{path}?{q}" for path, q in queries.items()}
    assert paths == {"/"} | pages | subjects
    by_path = {r.path: r for r in runs}
    # a page with its subject shows far more than the same page asking for one
    for path in queries:
        assert by_path[f"/{path}?{queries[path]}"].elements > by_path["/" + path].elements, path
    for r in runs:
        assert r.finished == "FINISHED_SUCCESSFULLY", (r.path, r.finished)
        assert r.exceptions == [], (r.path, r.exceptions)
        assert r.elements > 0, r.path
