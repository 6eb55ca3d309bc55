"""The warm-up client over the real app and the mirror store: every page of the app's navigation runs
to its end, shows something, and raises nothing (what ``cluster-map serve`` starts beside the server)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from cluster_map.ui import warmup
from tests.browser.conftest import ROOT

pytestmark = [pytest.mark.mirror, pytest.mark.slow]


def test_warm_up_runs_every_page_of_the_app(app_url: str) -> None:
    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        runs = pool.submit(asyncio.run, warmup.warm(app_url, timeout=300)).result()
    paths = {r.path for r in runs}
    pages = {"/" + p.stem.split("_", 1)[1] for p in (ROOT / "pages").glob("*.py")}
    assert paths == {"/"} | pages
    for r in runs:
        assert r.finished == "FINISHED_SUCCESSFULLY", (r.path, r.finished)
        assert r.exceptions == [], (r.path, r.exceptions)
        assert r.elements > 0, r.path
