"""AppTest of the offers-and-demands page on the tiny store: register, post, browse, matches, escaping."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_store import EVIL, build_tiny_store

PAGE = Path(__file__).resolve().parents[2] / "pages" / "7_Offers_and_demands.py"
PW = "correct horse battery"


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny") / "cluster_map.duckdb")


@pytest.fixture()
def env(tiny_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cluster_map.duckdb"  # a fresh folder per test, so a fresh board.duckdb beside it
    shutil.copy(tiny_db, db)
    monkeypatch.setenv("CLUSTER_MAP_DB", str(db))
    return tmp_path / "board.duckdb"


def _submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _register(at: AppTest, name: str) -> AppTest:
    at.text_input(key="board-rg-user").input(name)
    at.text_input(key="board-rg-pw").input(PW)
    at.text_input(key="board-rg-pw2").input(PW)
    return _submit(at, "Register")


def _frame(at: AppTest, kind: str):  # list (browse), matches, mine: told apart by their columns
    frames = [d.value for d in at.dataframe]
    want = {
        "list": lambda c: "status" not in c and "n_shared" not in c,
        "matches": lambda c: "n_shared" in c,
        "mine": lambda c: "status" in c,
    }[kind]
    return next(f for f in frames if want(set(f.columns)))


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def _post(at: AppTest, title: str, kind: str = "offer", sectors: str = "batteries; automotive") -> AppTest:
    at.radio(key="board-new-kind").set_value(kind)
    at.text_input(key="board-new-title").input(title)
    at.text_area(key="board-new-text").input("Test bench time\n<b>bold?</b>")
    at.text_input(key="board-new-sectors").input(sectors)
    at.text_input(key="board-new-countries").input("DE")
    return _submit(at, "Post")


def _page() -> AppTest:
    return AppTest.from_file(str(PAGE), default_timeout=60).run()


def test_sign_up_post_and_see_it_listed_as_text(env: Path) -> None:
    at = _page()
    assert not at.exception, at.exception
    assert any("Sign in or register" in str(i.value) for i in at.info)
    at = _register(at, "Alice")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(t.startswith("Signed in as alice (no organisation linked)") for t in _texts(at))
    at = _post(at, EVIL)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Posted as #1" in str(s.value) for s in at.success)
    listed = _frame(at, "list")
    assert listed["title"].tolist() == [EVIL] and listed["username"].tolist() == ["alice"]
    assert f"#1 offer: {EVIL}" in _texts(at)  # the full post, as plain text
    assert "Test bench time\n<b>bold?</b>" in _texts(at)
    for md in at.markdown:  # nothing renders user text as HTML
        assert EVIL not in md.value and "<b>bold?</b>" not in md.value
    assert env.is_file()
    assert not dict(at.query_params), "the account must never be in the URL"


def _approve_all(board_db: Path) -> None:
    from cluster_map.services import board, moderation

    users = moderation.users(board_db)
    admin = (
        board.sign_in(board_db, username="root", password=PW)
        if "root" in set(users["username"])
        else moderation.add_user(board_db, username="root", password=PW, role="admin")
    )
    for link in moderation.pending_links(board_db, admin_id=admin.id)["id"]:
        moderation.decide_link(
            board_db, admin_id=admin.id, link_id=int(link), approve=True, reason="checked by phone"
        )


def test_link_organisation_and_match_another_account(env: Path) -> None:
    at = _register(_page(), "alice")
    at.selectbox(key="board-org").set_value("EUCO2").run()
    at = _submit(at, "Ask for the link")
    assert any(t.startswith("Waiting for an admin to approve your link to") for t in _texts(at)), _texts(at)
    assert any(t == "Signed in as alice (no organisation linked)" for t in _texts(at)), _texts(at)
    _approve_all(env)
    at = at.run()
    assert any(t == f"Signed in as alice for {EVIL} (DE)" for t in _texts(at)), _texts(at)
    at = _post(at, "Battery demand", kind="demand", sectors="batteries")
    other = _register(_page(), "bob")  # a second browser session
    assert any(t.startswith("Signed in as bob") for t in _texts(other))
    other = _post(other, "Battery bench offer")
    assert _frame(other, "list")["organisation"].tolist() == ["", EVIL]  # bob has none; alice's org as text
    other.selectbox(key="board-pick").set_value(1).run()  # alice's demand
    assert _frame(other, "matches")["title"].tolist() == ["Battery bench offer"]
    other.selectbox(key="board-pick").set_value(2).run()  # bob's offer
    matches = _frame(other, "matches")
    assert matches[["title", "organisation", "n_shared"]].values.tolist() == [["Battery demand", EVIL, 1]]


def test_wrong_password_shows_an_error_and_stays_signed_out(env: Path) -> None:
    at = _register(_page(), "alice")
    _submit(at, "Sign out")
    at.text_input(key="board-si-user").input("alice")
    at.text_input(key="board-si-pw").input("not the password")
    at = _submit(at, "Sign in")
    assert any("Wrong username or password" in str(e.value) for e in at.error)
    assert not any(t.startswith("Signed in") for t in _texts(at))


def test_author_closes_edits_and_deletes_own_post_and_others_see_no_controls(env: Path) -> None:
    at = _post(_register(_page(), "alice"), "First offer")
    assert _frame(at, "mine")["title"].tolist() == ["First offer"]
    at.text_input(key="board-edit-1-title").input("Edited offer")
    at = _submit(at, "Save changes")
    assert _frame(at, "list")["title"].tolist() == ["Edited offer"]
    at = _submit(at, "Close")
    assert _frame(at, "list").empty and _frame(at, "mine")["status"].tolist() == ["closed"]
    at = _submit(at, "Reopen")
    assert _frame(at, "list")["title"].tolist() == ["Edited offer"]
    visitor = _page()  # another session: reads the post, has no edit form, is not signed in
    assert _frame(visitor, "list")["title"].tolist() == ["Edited offer"]
    assert not [b for b in visitor.button if b.label in ("Save changes", "Close", "Delete")]
    at = _submit(at, "Delete")
    assert not at.error and _frame(at, "list").empty
    assert any("not posted yet" in str(i.value) for i in at.info)


def _metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def test_interest_notification_accept_and_reply_between_two_sessions(env: Path) -> None:
    alice = _post(_register(_page(), "alice"), "Battery bench offer")
    assert _metric(alice, "Unread") == "0"
    bob = _register(_page(), "bob")
    bob.selectbox(key="board-pick").set_value(1).run()
    bob.text_area(key="board-interest-text-1").input(EVIL)
    bob = _submit(bob, "Express interest")
    assert any("conversation #1" in str(s.value) for s in bob.success), [e.value for e in bob.error]
    alice = alice.run()
    assert _metric(alice, "Unread") == "1"
    notes = next(d.value for d in alice.dataframe if "unread" in d.value.columns)
    assert notes["text"].tolist() == ["bob is interested in your offer #1 Battery bench offer"]
    assert any(t.endswith(f"bob: {EVIL}") for t in _texts(alice))  # the thread, as plain text
    alice = _submit(alice, "Accept")
    alice.text_area(key="board-reply-text-1").input("Welcome, bob")
    alice = _submit(alice, "Send reply")
    assert not alice.error, [e.value for e in alice.error]
    bob = bob.run()
    assert _metric(bob, "Unread") == "2"
    assert any(t.endswith("alice: Welcome, bob") for t in _texts(bob)), _texts(bob)
    assert any("bob answered alice; accepted" in t for t in _texts(bob))
    for md in [*alice.markdown, *bob.markdown]:
        assert EVIL not in md.value


def test_admin_tab_only_for_admins_and_a_hidden_post_leaves_the_list(env: Path) -> None:
    from cluster_map.services import board, moderation

    at = _post(_register(_page(), "alice"), "Spam offer")
    assert not [t for t in at.tabs if t.label == "Admin"]
    admin = moderation.add_user(env, username="root", password=PW, role="admin")
    root = _page()
    root.text_input(key="board-si-user").input("root")
    root.text_input(key="board-si-pw").input(PW)
    root = _submit(root, "Sign in")
    assert [t for t in root.tabs if t.label == "Admin"]
    root.number_input(key="admin-target-id").set_value(1)
    root.text_input(key="admin-reason").input("advertising")
    root = _submit(root, "Hide")
    assert not root.error, [e.value for e in root.error]
    assert _frame(_page(), "list").empty  # a visitor no longer sees it
    assert board.browse(env).empty
    assert moderation.audit_trail(env, admin_id=admin.id)["action"].tolist() == ["hide"]
    at = at.run()
    assert any("A moderator hid this post" in str(w.value) for w in at.warning)
