"""The start-up warm-up client (:mod:`cluster_map.ui.warmup`) against real Streamlit servers.

A tiny app of two pages, one of which raises: the client runs both through the server's websocket,
finds the second page from the navigation the server sends, and reports the exception; nothing is
mocked. The run over the real app and the mirror store is in ``tests/browser/test_warmup_app.py``.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cluster_map.ui import warmup
from tests.browser.conftest import free_port, start_server, stop_server

pytestmark = pytest.mark.slow

APP = """
import streamlit as st

def home():
    st.title("Home")
    st.write("two elements")

def broken():
    st.write("before the error")
    raise ValueError("boom on purpose")

st.navigation([st.Page(home, title="Home", default=True), st.Page(broken, title="Broken", url_path="broken")]).run()
"""


@pytest.fixture()
def tiny_server(tmp_path: Path):
    script = tmp_path / "tiny_app.py"
    script.write_text(APP)
    port = free_port()
    proc = start_server(
        tmp_path / "unused.duckdb", port, tmp_path / "server.log", script=script, cwd=tmp_path
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


def _in_thread(
    fn, *args
):  # Playwright's sync API (browser tests of the same session) keeps a loop in this thread
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def test_every_page_of_the_navigation_runs_and_an_exception_is_reported(tiny_server: str) -> None:
    runs = {r.path: r for r in _in_thread(asyncio.run, warmup.warm(tiny_server, timeout=60))}
    assert set(runs) == {"/", "/broken"}
    home, broken = runs["/"], runs["/broken"]
    assert home.finished == "FINISHED_SUCCESSFULLY" and home.exceptions == [] and home.elements >= 2
    assert broken.exceptions and "ValueError: boom on purpose" in broken.exceptions[0]
    assert home.seconds > 0 and broken.seconds > 0


def test_the_command_says_which_page_failed(tiny_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _in_thread(warmup.main, [tiny_server]) == 1
    out, err = capsys.readouterr()
    assert "Warm-up of" in out and "2 pages" in out
    assert "/broken" in err and "boom on purpose" in err


def test_a_server_that_never_answers_is_said_plainly(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(warmup, "wait_until_up", lambda base, timeout=120.0: False)
    assert warmup.main([f"http://127.0.0.1:{free_port()}"]) == 1
    assert "did not answer" in capsys.readouterr().err
