"""The upload's "add to the store": the ``ingest --add`` service behind a button for signed-in admins; a good
file becomes a dataset of the store, a file with an unknown region code is refused and the store is untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.services import board
from cluster_map.store import database
from cluster_map.ui.text import unescape
from tests.app_store import build_tiny_store

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "5_Data_and_methodology.py")
GOOD = b"region,sector,year,employment\nAT13,C29,2015,1100\nAT13,F41,2015,380\nAT12,C29,2015,80\nAT12,F41,2015,520\n"
BAD = b"region,sector,year,employment\nAT13,C29,2015,1100\nAT13,F41,2015,380\nZZ99,C29,2015,80\n"


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny_add") / "cluster_map.duckdb")


@pytest.fixture()
def db(tiny_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "cluster_map.duckdb"
    shutil.copy(tiny_db, out)
    monkeypatch.setenv("CLUSTER_MAP_DB", str(out))
    return out


def _upload(content: bytes, *, admin: bool, check: bool = True) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if admin:
        # an admin the board knows (the page re-reads the role from the board at each run)
        at.session_state["board-account"] = board.register(
            board.default_path(), username="admin", password="a long admin password", role="admin"
        )
    at.run()
    if not check:
        at.checkbox(key="up-check").uncheck().run()
    at.file_uploader(key="up-file").upload("my jobs.csv", content, "text/csv").run()
    return at


def _datasets(db: Path) -> set[str]:
    with database.connect(db, read_only=True) as con:
        return set(database.query(con, "SELECT code FROM datasets")["code"])


def test_an_admin_adds_a_good_file_to_the_store(db: Path) -> None:
    at = _upload(GOOD, admin=True)
    assert not at.exception, at.exception
    assert at.text_input(key="up-add-code").value == "my_jobs"
    at.button(key="up-add").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Added my_jobs to the store: 4 rows" in unescape(s.value) for s in at.success), [
        s.value for s in at.success
    ]
    assert "my_jobs" in _datasets(db)
    with database.connect(db, read_only=True) as con:
        lq = database.query(
            con,
            "SELECT lq FROM metrics WHERE dataset = 'my_jobs' AND region = 'AT13' "
            "AND sector = 'C29' AND year = 2015",
        )["lq"]
    assert lq.iloc[0] == pytest.approx((1100 / 1480) / (1180 / 2080))
    # the app reads the new store at once (the dataset menu offers it)
    again = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not again.exception, again.exception
    assert any("my_jobs" in str(o) for sb in again.selectbox for o in sb.options), [
        sb.options for sb in again.selectbox
    ]


def test_a_file_with_an_unknown_region_is_refused_and_the_store_untouched(db: Path) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    at = _upload(BAD, admin=True, check=False)  # passes the session import without the code check
    assert not at.exception, at.exception
    at.button(key="up-add").click().run()
    assert not at.exception, at.exception
    text = "\n".join(unescape(str(e.value)) for e in at.error)
    assert "was not added to the store; the store is unchanged" in text
    assert "ZZ99" in text
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert "my_jobs" not in _datasets(db)


def test_without_an_admin_there_is_no_button(db: Path) -> None:
    at = _upload(GOOD, admin=False)
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "up-add"]
    assert any("Only a signed-in admin" in c.value for c in at.caption)
