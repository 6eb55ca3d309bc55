"""Role rules: links need an admin's approval, profiles belong to their organisation, moderation, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cluster_map.errors import InputError
from cluster_map.services import board, conversations, moderation
from tests.app_store import EVIL, tiny_connection

TODAY = dt.date(2026, 3, 1)
PW = "correct horse battery"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "board.duckdb"


@pytest.fixture()
def admin(db: Path) -> board.Account:
    return moderation.add_user(db, username="root", password=PW, role="admin")


def _post(db: Path, who: board.Account, title: str = "Battery bench") -> int:
    return board.create_post(
        db,
        account_id=who.id,
        kind="offer",
        title=title,
        text="t",
        sectors="batteries",
        expires=TODAY + dt.timedelta(days=5),
        today=TODAY,
    )


def test_a_linked_organisation_needs_approval(db, store, admin) -> None:
    alice = board.register(db, username="alice", password=PW)
    assert board.link_organisation(db, store, account_id=alice.id, org_id="EUCO2").org_id is None
    _post(db, alice)
    assert board.browse(db, today=TODAY)["organisation"].tolist() == [""]  # not vouched for yet
    pending = moderation.pending_links(db, admin_id=admin.id)
    assert pending[["username", "org_id", "org_name", "status"]].values.tolist() == [
        ["alice", "EUCO2", EVIL, "pending"]
    ]
    with pytest.raises(InputError, match="not an admin"):
        moderation.decide_link(
            db, admin_id=alice.id, link_id=int(pending["id"][0]), approve=True, reason="me"
        )
    moderation.decide_link(
        db, admin_id=admin.id, link_id=int(pending["id"][0]), approve=True, reason="called them"
    )
    assert board.current(db, alice.id).org_id == "EUCO2"
    assert board.browse(db, today=TODAY)["organisation"].tolist() == [EVIL]
    assert conversations.notifications(db, account_id=alice.id)["kind"].tolist() == ["link approved"]
    with pytest.raises(InputError, match="is not pending"):
        moderation.decide_link(
            db, admin_id=admin.id, link_id=int(pending["id"][0]), approve=False, reason="again"
        )
    trail = moderation.audit_trail(db, admin_id=admin.id)
    assert trail[["actor", "action", "target_kind", "reason"]].values.tolist() == [
        ["root", "link approved", "org_link", "called them"]
    ]


def test_a_rejected_link_leaves_the_account_unlinked(db, store, admin) -> None:
    bob = board.register(db, username="bob", password=PW)
    board.link_organisation(db, store, account_id=bob.id, org_id="EUCO1")
    link = int(moderation.pending_links(db, admin_id=admin.id)["id"][0])
    moderation.decide_link(db, admin_id=admin.id, link_id=link, approve=False, reason="not their cluster")
    assert board.current(db, bob.id).org_id is None and board.pending_link(db, account_id=bob.id) is None
    assert "not their cluster" in conversations.notifications(db, account_id=bob.id)["text"][0]


def test_an_organisation_cannot_edit_another_organisations_profile(db, store, admin) -> None:
    alice, bob = (board.register(db, username=n, password=PW) for n in ("alice", "bob"))
    board.link_organisation(db, store, account_id=alice.id, org_id="EUCO1")
    moderation.decide_link(
        db,
        admin_id=admin.id,
        link_id=int(moderation.pending_links(db, admin_id=admin.id)["id"][0]),
        approve=True,
        reason="checked",
    )
    moderation.edit_profile(
        db, account_id=alice.id, org_id="EUCO1", description="Styrian automotive", website="acstyria.at"
    )
    with pytest.raises(InputError, match="does not speak for organisation 'EUCO1'"):
        moderation.edit_profile(db, account_id=bob.id, org_id="EUCO1", description="hijacked")
    with pytest.raises(InputError, match="does not speak for organisation 'EUCO2'"):
        moderation.edit_profile(db, account_id=alice.id, org_id="EUCO2", description="not mine")
    with pytest.raises(InputError, match="Visitors"):
        moderation.edit_profile(db, account_id=None, org_id="EUCO1", description="anon")
    got = moderation.profile_of(db, "EUCO1")
    assert (got["description"], got["updated_by"], got["website"]) == (
        "Styrian automotive",
        "alice",
        "acstyria.at",
    )
    assert moderation.profile_of(db, "EUCO2") is None


def test_a_hidden_post_disappears_for_visitors_and_others_but_not_its_author(db, admin) -> None:
    alice, bob = (board.register(db, username=n, password=PW) for n in ("alice", "bob"))
    pid = _post(db, alice, "Spammy offer")
    _post(db, alice, "Fine offer")
    with pytest.raises(InputError, match="not an admin"):
        moderation.hide(db, admin_id=bob.id, target="post", target_id=pid, reason="I dislike it")
    moderation.hide(db, admin_id=admin.id, target="post", target_id=pid, reason="advertising, not an offer")
    assert board.browse(db, today=TODAY)["title"].tolist() == ["Fine offer"]
    with pytest.raises(InputError, match="does not exist"):
        board.post(db, post_id=pid)  # a visitor
    with pytest.raises(InputError, match="does not exist"):
        board.post(db, post_id=pid, viewer_id=bob.id)
    with pytest.raises(InputError, match="does not exist"):
        conversations.express_interest(db, account_id=bob.id, post_id=pid)
    assert board.post(db, post_id=pid, viewer_id=alice.id)["hidden_reason"] == "advertising, not an offer"
    mine = board.my_posts(db, account_id=alice.id)
    assert dict(zip(mine["title"], mine["hidden"], strict=True)) == {
        "Spammy offer": "advertising, not an offer",
        "Fine offer": "",
    }
    assert moderation.hidden_posts(db, admin_id=admin.id)["id"].tolist() == [pid]
    moderation.restore(db, admin_id=admin.id, target="post", target_id=pid)
    assert len(board.browse(db, today=TODAY)) == 2
    assert moderation.audit_trail(db, admin_id=admin.id)["action"].tolist() == ["restore", "hide"]


def test_a_hidden_message_reads_as_hidden_to_the_parties(db, admin) -> None:
    alice, bob = (board.register(db, username=n, password=PW) for n in ("alice", "bob"))
    tid = conversations.express_interest(
        db, account_id=bob.id, post_id=_post(db, alice), text="buy cheap pills"
    )
    mid = int(conversations.conversation(db, account_id=bob.id, thread_id=tid)[1]["id"][0])
    moderation.hide(db, admin_id=admin.id, target="message", target_id=mid, reason="spam")
    assert conversations.conversation(db, account_id=alice.id, thread_id=tid)[1]["body"].tolist() == [
        conversations.HIDDEN_TEXT
    ]
    assert conversations.conversation(db, account_id=admin.id, thread_id=tid)[1]["body"].tolist() == [
        "buy cheap pills"
    ]
    with pytest.raises(InputError, match="Field 'target'"):
        moderation.hide(db, admin_id=admin.id, target="account", target_id=1, reason="nope")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="Field 'reason'"):
        moderation.hide(db, admin_id=admin.id, target="post", target_id=1, reason="")


def test_roles_registration_and_admin_only_role_changes(db, admin) -> None:
    alice = board.register(db, username="alice", password=PW)
    assert (alice.role, admin.role, admin.is_admin) == ("org", "admin", True)
    with pytest.raises(InputError, match="not an admin"):
        moderation.set_role(db, admin_id=alice.id, username="alice", role="admin")
    moderation.set_role(db, admin_id=admin.id, username="alice", role="admin")
    assert board.sign_in(db, username="alice", password=PW).is_admin
    assert moderation.users(db)["role"].tolist() == ["admin", "admin"]
    assert "password_hash" not in moderation.users(db).columns
    with pytest.raises(InputError, match="Option 'role'"):
        board.register(db, username="mallory", password=PW, role="root")  # type: ignore[arg-type]
