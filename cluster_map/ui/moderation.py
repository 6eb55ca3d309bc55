"""Admin widgets: approve who speaks for which organisation, hide and restore posts and messages, audit trail.

Shown only to an admin account (the services check the role again on every call).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import streamlit as st

from cluster_map.services import moderation
from cluster_map.services.board import Account
from cluster_map.ui.errors import boundary


def admin_panel(db: Path, account: Account) -> None:
    """Pending link requests, moderation by id with a reason, hidden posts and the audit trail."""
    with boundary(stop=False):
        pending = moderation.pending_links(db, admin_id=account.id)
        st.subheader(f"Requests to speak for an organisation ({len(pending)})")
        if pending.empty:
            st.info("No request waits for a decision.")
        else:
            st.dataframe(
                pending[["id", "username", "org_id", "org_name", "org_country", "requested_at"]],
                hide_index=True,
                width="stretch",
                key="admin-links",
            )
            with st.form("admin-decide"):
                labels: dict[int, str] = {
                    int(i): f"#{i} {u} -> {n}"
                    for i, u, n in zip(pending["id"], pending["username"], pending["org_name"], strict=True)
                }
                link = int(
                    st.selectbox(
                        "Request", list(labels), format_func=lambda i: labels[i], key="admin-link-pick"
                    )
                )
                reason = st.text_input("Reason (how you checked)", max_chars=500, key="admin-link-reason")
                c1, c2 = st.columns(2)
                if c1.form_submit_button("Approve"):
                    moderation.decide_link(db, admin_id=account.id, link_id=link, approve=True, reason=reason)
                    st.rerun()
                if c2.form_submit_button("Reject"):
                    moderation.decide_link(
                        db, admin_id=account.id, link_id=link, approve=False, reason=reason
                    )
                    st.rerun()
        st.subheader("Moderate")
        with st.form("admin-moderate"):
            c1, c2, c3 = st.columns([1, 1, 3])
            target: Literal["post", "message"] = (
                "message"
                if c1.selectbox("What", ["post", "message"], key="admin-target") == "message"
                else "post"
            )
            target_id = c2.number_input("Id", min_value=1, step=1, key="admin-target-id")
            reason = c3.text_input("Reason (shown to the author)", max_chars=500, key="admin-reason")
            h, r = st.columns(2)
            if h.form_submit_button("Hide"):
                moderation.hide(
                    db, admin_id=account.id, target=target, target_id=int(target_id), reason=reason
                )
                st.rerun()
            if r.form_submit_button("Restore"):
                moderation.restore(db, admin_id=account.id, target=target, target_id=int(target_id))
                st.rerun()
        hidden = moderation.hidden_posts(db, admin_id=account.id)
        st.caption(f"{len(hidden)} hidden posts.")
        if not hidden.empty:
            st.dataframe(
                hidden[["id", "kind", "title", "username", "hidden_reason"]],
                hide_index=True,
                width="stretch",
                key="admin-hidden",
            )
        st.subheader("Audit trail")
        st.dataframe(
            moderation.audit_trail(db, admin_id=account.id),
            hide_index=True,
            width="stretch",
            key="admin-audit",
        )
