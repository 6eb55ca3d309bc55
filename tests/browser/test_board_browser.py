"""Offers and demands in a real browser, as two cluster managers use it.

Alice registers and posts an offer; Bob, in a second browser context (another person), registers,
reads her offer and expresses interest; Alice sees the unread notification and the answer in her
inbox and replies; Bob sees her reply in the conversation. Every step goes through the page's own
forms, tabs and select boxes; nothing is set up behind the app's back.
"""

from __future__ import annotations

import re
import secrets
import time

import pytest

from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]

EXCEPTION = "[data-testid='stException']"
PASSWORD = "correct-horse-battery"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _idle(page) -> None:
    """Wait until the page's script has finished its run (no stale elements of the last run left)."""
    page.wait_for_timeout(300)
    page.locator(IDLE).wait_for(timeout=90000)


def _open_board(page, app_url: str) -> None:
    page.goto(app_url + "/Offers_and_demands")
    page.get_by_role("heading", name="Offers and demands").wait_for(timeout=90000)
    page.get_by_role("tab", name="Register").wait_for(timeout=60000)


def _register(page, name: str) -> None:
    page.get_by_role("tab", name="Register").click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_label("Password again"))
    form.get_by_label("Username (letters, digits, . _ -)").fill(name)
    form.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    form.get_by_label("Password again").fill(PASSWORD)
    form.get_by_role("button", name="Register").click()
    page.get_by_text(f"Signed in as {name}").wait_for(timeout=60000)


def _sign_in(page, name: str) -> None:
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Sign in"))
    form.get_by_label("Username", exact=True).fill(name)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}").wait_for(timeout=60000)


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _pick(page, label: str, pattern: str) -> None:
    """Choose the option matching ``pattern`` in the select box labelled ``label``."""
    _idle(page)
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    box.wait_for(timeout=60000)
    inputs = box.locator("input")
    shown = box.inner_text() + " " + (inputs.first.input_value() if inputs.count() else "")
    if re.search(pattern, shown):
        return  # already the chosen one (a lone conversation is picked by default)
    box.click()
    try:
        page.get_by_role("option", name=re.compile(pattern)).first.click(timeout=20000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "board_pick_failed.png"), full_page=True)
        opts = page.get_by_role("option").all_inner_texts()
        shown = box.inner_text()
        raise AssertionError(f"no option {pattern!r} in {label!r} ({shown!r}); options {opts!r}") from None


def _wait_text(page, text: str, timeout: float = 60.0) -> None:
    """Wait until ``text`` is in the page's visible text (st.text output is not one element per phrase)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in page.inner_text("body"):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{text!r} did not appear; the page says: {page.inner_text('body')[:2000]!r}")


def test_post_interest_notification_reply(browser, app_url, artifacts) -> None:
    tag = secrets.token_hex(3)
    alice, bob = f"alice_{tag}", f"bob_{tag}"
    title = f"Test bench for battery cells {tag}"
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    try:
        a, b = (c.new_page() for c in contexts)

        # Alice registers and posts an offer.
        _open_board(a, app_url)
        _register(a, alice)
        _tab(a, "My posts")
        form = a.get_by_test_id("stForm").filter(has=a.get_by_role("button", name="Post"))
        form.get_by_label("Title").fill(title)
        form.get_by_label("Text").fill("Climate chambers and cyclers for cells up to 100 Ah.")
        form.get_by_label("Sector keywords (separated by ;)").fill("batteries; automotive")
        form.get_by_role("button", name="Post").click()
        _wait_text(a, "Posted as #")
        post_id = re.search(r"Posted as #(\d+)", a.inner_text("body"))
        assert post_id, a.inner_text("body")[:1000]

        # Bob registers, reads her offer and expresses interest.
        _open_board(b, app_url)
        _register(b, bob)
        _pick(b, "Read a post and find matches", re.escape(f"#{post_id.group(1)} offer: {title}"))
        _wait_text(b, f"by {alice}")
        b.get_by_label("A note to the author (optional)").fill("We need 40 cells tested in March.")
        b.get_by_role("button", name="Express interest").click()
        _wait_text(b, "Sent: conversation #")

        # Alice comes back later, sees the notification and the answer, and replies.
        # (the sign-in lives in the browser session only: a new visit signs in again)
        _open_board(a, app_url)
        _sign_in(a, alice)
        unread = a.get_by_test_id("stMetric").filter(has_text="Unread")
        unread.wait_for(timeout=60000)
        assert re.search(r"Unread\s*1\b", unread.inner_text()), unread.inner_text()
        _tab(a, "Inbox")
        _wait_text(a, "Answers to my posts (1)")
        _pick(a, "Conversation", re.escape(f"on #{post_id.group(1)} {title} ({bob}"))
        _wait_text(a, "We need 40 cells tested in March.")
        a.get_by_role("button", name="Accept").click()
        _wait_text(a, f"{bob} answered {alice}; accepted.")
        _idle(a)
        reply = a.get_by_test_id("stForm").filter(has=a.get_by_role("button", name="Send reply"))
        reply.get_by_label("Reply").fill("Yes: send us the cell datasheet.")
        reply.get_by_role("button", name="Send reply").click()
        _wait_text(a, f"{alice}: Yes: send us the cell datasheet.")
        a.screenshot(path=str(artifacts / "board_owner_thread.png"), full_page=True)

        # Bob sees her reply in the conversation.
        _open_board(b, app_url)
        _sign_in(b, bob)
        _tab(b, "Inbox")
        _wait_text(b, "My answers to others (1)")
        _pick(b, "Conversation", re.escape(f"on #{post_id.group(1)} {title}"))
        _wait_text(b, f"{alice}: Yes: send us the cell datasheet.")
        _wait_text(b, "accepted")
        b.screenshot(path=str(artifacts / "board_respondent_thread.png"), full_page=True)
        for p in (a, b):
            assert p.locator(EXCEPTION).count() == 0
    finally:
        for c in contexts:
            c.close()
