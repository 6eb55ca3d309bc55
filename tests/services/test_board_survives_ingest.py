"""User content stays in its own file: a re-ingest of the statistics store leaves the board untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from cluster_map.services import board, conversations, moderation
from tests.services.test_ingest import tiny_ingest, tiny_plan  # noqa: F401 - the fixture is used by name

PW = "correct horse battery"


def test_board_content_survives_a_rebuild_of_the_store(tmp_path: Path, tiny_plan) -> None:  # noqa: F811
    db = tmp_path / "s.duckdb"
    tiny_ingest(db)
    path = board.default_path(board.get_settings(db=db))
    assert path.parent == db.parent and path != db
    admin = moderation.add_user(path, username="root", password=PW, role="admin")
    alice, bob = (board.register(path, username=n, password=PW) for n in ("alice", "bob"))
    pid = board.create_post(
        path,
        account_id=alice.id,
        kind="offer",
        title="Battery bench",
        text="t",
        sectors="batteries",
        expires=dt.date.today() + dt.timedelta(days=9),
    )
    tid = conversations.express_interest(path, account_id=bob.id, post_id=pid, text="interested")
    moderation.hide(path, admin_id=admin.id, target="post", target_id=pid, reason="checking a report")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    store_before = hashlib.sha256(db.read_bytes()).hexdigest()
    tiny_ingest(db)  # the statistics are rebuilt and swapped in
    assert db.is_file() and store_before
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # byte for byte
    assert board.post(path, post_id=pid, viewer_id=alice.id)["hidden_reason"] == "checking a report"
    assert conversations.conversation(path, account_id=alice.id, thread_id=tid)[1]["body"].tolist() == [
        "interested"
    ]
    assert moderation.audit_trail(path, admin_id=admin.id)["action"].tolist() == ["hide"]
