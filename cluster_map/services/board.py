"""Offers and demands between cluster organisations: accounts, roles, posts, and matches.

Roles: a *visitor* (no account) reads open posts; an *organisation account* (role ``org``) posts
*offers* and *demands* (title, text, sector keywords, countries sought, expiry date, contact
preference), answers the posts of others (:mod:`cluster_map.services.conversations`) and asks to
speak for an organisation of the directory; an *admin* (role ``admin``, made with
``cluster-map users add --role admin``) approves those requests and moderates
(:mod:`cluster_map.services.moderation`). Only the author may edit, close or delete a post: every
change takes the ``account_id`` of the signed-in session, is checked here, and is enforced again in
SQL (``WHERE id = ? AND author_id = ?``). A post hidden by a moderator is shown to nobody but its
author (with the reason) and the admins.

Rate limits per account: :data:`MAX_POSTS_PER_HOUR` new posts an hour. A new post notifies, in the
transaction that stores it, every other account with a saved search it matches (:func:`post_matches`).

Passwords are hashed with scrypt (RFC 7914; n=2**14, r=8, p=1, a 16-byte random salt per account)
and compared with :func:`hmac.compare_digest`. After :data:`MAX_FAILED_SIGN_INS` failed sign-ins of
one username within :data:`FAILED_SIGN_IN_WINDOW`, sign-ins of that username are refused until the
window has passed. Board content lives in its own file (:func:`default_path`), never in the store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from cluster_map.config import Settings, get_settings
from cluster_map.errors import InputError
from cluster_map.store import board, conversations, directory, moderation

Kind = Literal["offer", "demand"]
KINDS: tuple[str, ...] = ("offer", "demand")
Role = Literal["org", "admin"]
ROLES: tuple[str, ...] = ("org", "admin")
#: How a poster wants to be contacted: in-app messages only, or also by e-mail / phone (detail
#: shown only to the accounts whose interest the poster accepted).
CONTACTS: tuple[str, ...] = ("messages", "email", "phone")
MAX_POSTS_PER_HOUR = 10
MAX_FAILED_SIGN_INS = 5
FAILED_SIGN_IN_WINDOW = dt.timedelta(minutes=10)
MAX_EXPIRY = dt.timedelta(days=366)
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
LIMITS = {
    "username": (3, 32),
    "password": (10, 256),
    "title": (3, 120),
    "text": (1, 4000),
    "keyword": (2, 40),
    "filter": (1, 200),
    "contact_detail": (0, 200),
    "reason": (3, 500),
    "message": (1, 2000),
    "name": (1, 80),
}
MAX_KEYWORDS, MAX_COUNTRIES = 12, 40
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DUMMY_HASH = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 32  # verified against for unknown usernames


@dataclass(frozen=True)
class Account:
    """A signed-in account as kept in the session (never in a cache or the URL)."""

    id: int
    username: str
    org_id: str | None = None
    org_name: str | None = None
    org_country: str | None = None
    role: str = "org"

    @property
    def is_admin(self) -> bool:
        """Whether the account may approve links and moderate."""
        return self.role == "admin"


def default_path(settings: Settings | None = None) -> Path:
    """The board file: ``board.duckdb`` beside the store (``CLUSTER_MAP_DB``), outside the rebuilt store."""
    return Path((settings or get_settings()).db).parent / "board.duckdb"


# -- validation -------------------------------------------------------------------------------------


def _text(field: str, value: object, *, limit: str | None = None, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise InputError(f"Field {field!r}: {value!r} is not text; type it as text.")
    text = value.strip()
    low, high = LIMITS[limit or field]
    if not low <= len(text) <= high:
        raise InputError(f"Field {field!r}: {value!r} has {len(text)} characters; give {low} to {high}.")
    allowed = "\n\t" if multiline else ""
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Cs") and c not in allowed]
    if bad:
        raise InputError(f"Field {field!r}: {value!r} contains the control character {bad[0]!r}; remove it.")
    return text


def _username(value: object) -> str:
    name = _text("username", value).lower()
    if not _USERNAME.match(name):
        raise InputError(f"Field 'username': {value!r} may hold only letters a-z, digits, '_', '.', '-'.")
    return name


def parse_keywords(value: str | Iterable[str]) -> list[str]:
    """Sector keywords from ``'a; b, c'`` or a list: lower-cased, trimmed, unique, in order.

    >>> parse_keywords("Automotive; mobility, AUTOMOTIVE")
    ['automotive', 'mobility']
    """
    parts = re.split(r"[;,]", value) if isinstance(value, str) else list(value)
    out: list[str] = []
    for part in parts:
        if not isinstance(part, str):
            raise InputError(f"Field 'sectors': {part!r} is not text; type keywords as text.")
        word = " ".join(part.lower().split())
        if word and _text("sectors", word, limit="keyword") not in out:
            out.append(word)
    if not 1 <= len(out) <= MAX_KEYWORDS:
        raise InputError(f"Field 'sectors': {value!r} gives {len(out)} keywords; give 1 to {MAX_KEYWORDS}.")
    return out


def parse_countries(value: str | Iterable[str]) -> list[str]:
    """Country codes sought (``'DE, at'`` or a list), upper-cased; empty means anywhere."""
    parts = re.split(r"[;,\s]+", value) if isinstance(value, str) else list(value)
    codes = list(dict.fromkeys(str(p).strip().upper() for p in parts if str(p).strip()))
    bad = [c for c in codes if not _COUNTRY.match(c)]
    if bad:
        raise InputError(f"Field 'countries': {bad[0]!r} is not a two-letter country code (DE, AT, EL).")
    if len(codes) > MAX_COUNTRIES:
        raise InputError(f"Field 'countries': {len(codes)} codes; give at most {MAX_COUNTRIES}.")
    return codes


def parse_expiry(value: dt.date | str, *, today: dt.date) -> dt.date:
    """An expiry date between ``today`` and a year ahead (a ``date`` or ``'YYYY-MM-DD'``)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"Field 'expires': {value!r} is not a date; write it as YYYY-MM-DD.") from None
    if not isinstance(value, dt.date):
        raise InputError(f"Field 'expires': {value!r} is not a date; write it as YYYY-MM-DD.")
    if not today <= value <= today + MAX_EXPIRY:
        raise InputError(
            f"Field 'expires': {value.isoformat()!r} must lie between {today.isoformat()} and "
            f"{(today + MAX_EXPIRY).isoformat()}."
        )
    return value


def _kind(value: object) -> str:
    if value not in KINDS:
        raise InputError(f"Field 'kind': {value!r} is not one of {KINDS}.")
    return str(value)


# -- accounts ---------------------------------------------------------------------------------------


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt_hex$key_hex`` of ``password`` with a fresh 16-byte random salt."""
    salt = secrets.token_bytes(16) if salt is None else salt
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored`` (constant-time comparison of the keys)."""
    _, n, r, p, salt, key = stored.split("$")
    got = hashlib.scrypt(
        password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(key) // 2
    )
    return hmac.compare_digest(got, bytes.fromhex(key))


def _account(row: dict[str, Any]) -> Account:
    return Account(
        id=int(row["id"]),
        username=row["username"],
        org_id=row["org_id"],
        org_name=row["org_name"],
        org_country=row["org_country"],
        role=row.get("role") or "org",
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def register(
    db: Path | str, *, username: str, password: str, now: dt.datetime | None = None, role: Role = "org"
) -> Account:
    """Create an account; :class:`InputError` for a taken or malformed username or a short password.

    The app registers ``org`` accounts only; ``role='admin'`` is for ``cluster-map users add``.
    """
    name = _username(username)
    if role not in ROLES:
        raise InputError(f"Option 'role': {role!r} is not one of {ROLES}.")
    if not isinstance(password, str) or not LIMITS["password"][0] <= len(password) <= LIMITS["password"][1]:
        low, high = LIMITS["password"]
        raise InputError(f"Field 'password': give {low} to {high} characters (the password is not shown).")
    account_id = board.create_account(
        db, username=name, password_hash=hash_password(password), now=now or _now(), role=role
    )
    return Account(id=account_id, username=name, role=role)


def current(db: Path | str, account_id: int) -> Account:
    """The account as stored now (role and approved organisation may have changed since sign-in)."""
    row = board.account(db, account_id=int(account_id))
    if row is None:
        raise InputError(f"Account {account_id!r} does not exist; sign in again.")
    return _account(row)


def require_admin(db: Path | str, account_id: int | None) -> Account:
    """The admin account ``account_id``; :class:`InputError` for a visitor or an organisation account."""
    if account_id is None:
        raise InputError("Sign in as an admin to do this.")
    found = current(db, account_id)
    if not found.is_admin:
        raise InputError(
            f"Account {found.username!r} is not an admin; only admins approve links and moderate."
        )
    return found


def require_account(db: Path | str, account_id: int | None) -> Account:
    """The account ``account_id``; :class:`InputError` for a visitor (no account: reading only)."""
    if account_id is None:
        raise InputError("Visitors can read; sign in or register to post or answer.")
    return current(db, account_id)


def sign_in(db: Path | str, *, username: str, password: str, now: dt.datetime | None = None) -> Account:
    """The account of ``username`` if ``password`` is right.

    Raises
    ------
    InputError
        Wrong username or password (the message does not say which), or too many failed
        sign-ins of this username within :data:`FAILED_SIGN_IN_WINDOW`.
    """
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    name = str(username).strip().lower()[:64]
    if board.failed_sign_ins(db, username=name, since=now - FAILED_SIGN_IN_WINDOW) >= MAX_FAILED_SIGN_INS:
        minutes = int(FAILED_SIGN_IN_WINDOW.total_seconds() // 60)
        raise InputError(f"Too many failed sign-ins for {name!r}; wait {minutes} minutes and try again.")
    row = board.account(db, username=name)
    ok = verify_password(str(password), row["password_hash"] if row else _DUMMY_HASH)
    if not (ok and row):
        board.record_failed_sign_in(db, username=name, at=now)
        raise InputError("Wrong username or password; check both and try again.")
    board.clear_failed_sign_ins(db, username=name)
    return _account(row)


def link_organisation(db: Path | str, store: Any, *, account_id: int, org_id: str) -> Account:
    """Ask for the account to speak for directory organisation ``org_id`` ('' unlinks at once).

    The link takes effect only when an admin approves it
    (:func:`cluster_map.services.moderation.decide_link`); until then the account keeps its
    previous organisation, if any. ``store`` is a connection to the main store (its
    ``organisations`` table is the directory). Returns the account as it stands.
    """
    org_id = str(org_id).strip()
    me = require_account(db, account_id)
    if org_id:
        found = directory.organisation(store, org_id)
        if found.empty:
            raise InputError(
                f"Field 'organisation': {org_id!r} is not in the directory; search for it by name."
            )
        if me.org_id == org_id:
            return me
        country = found["country"].iloc[0]
        moderation.request_link(
            db,
            account_id=me.id,
            org_id=org_id,
            org_name=str(found["name"].iloc[0]),
            org_country=None if pd.isna(country) else str(country),
            now=_now(),
        )
    else:
        moderation.unlink(db, account_id=me.id, now=_now())
    return current(db, me.id)


def pending_link(db: Path | str, *, account_id: int) -> dict[str, Any] | None:
    """The account's request to speak for an organisation that awaits an admin, or ``None``."""
    found = moderation.links(db, status="pending", account_id=int(account_id))
    return found.iloc[-1].to_dict() if not found.empty else None


# -- posts ------------------------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    return today or dt.datetime.now(dt.UTC).date()


def _fields(
    kind: object,
    title: object,
    text: object,
    sectors: Any,
    countries: Any,
    expires: Any,
    today: dt.date,
    contact: object = "messages",
    contact_detail: object = "",
) -> dict[str, Any]:
    if contact not in CONTACTS:
        raise InputError(f"Field 'contact': {contact!r} is not one of {CONTACTS}.")
    detail = (
        ""
        if contact_detail is None or not str(contact_detail).strip()
        else _text("contact_detail", contact_detail)
    )
    if contact != "messages" and not detail:
        raise InputError(
            f"Field 'contact_detail': give the {contact} address to use with contact {contact!r}, "
            f"or choose 'messages'."
        )
    return {
        "kind": _kind(kind),
        "title": _text("title", title),
        "body": _text("text", text, multiline=True),
        "sectors": parse_keywords(sectors),
        "countries": parse_countries(countries),
        "expires": parse_expiry(expires, today=today),
        "contact": str(contact),
        "contact_detail": detail,
    }


def post_matches(post: dict[str, Any], search: dict[str, Any]) -> bool:
    """Whether ``post`` passes every non-empty criterion of a saved ``search`` (the browse filters).

    ``kind`` equal; ``sector`` a case-insensitive substring of a keyword; ``country`` sought by the
    post (or the post sought anywhere) or the poster's organisation country; ``text`` a substring of
    title, text or keywords.
    """
    if search["kind"] and post["kind"] != search["kind"]:
        return False
    sectors = [str(k).lower() for k in post["sectors"]]
    if search["sector"] and not any(search["sector"].lower() in k for k in sectors):
        return False
    if search["country"] and not (
        search["country"] in post["countries"] or search["country"] == post.get("org_country")
    ):
        return False
    haystack = " ".join([post["title"], post["body"], *sectors]).lower()
    return not (search["text"] and search["text"].lower() not in haystack)


def create_post(
    db: Path | str,
    *,
    account_id: int | None,
    kind: Kind,
    title: str,
    text: str,
    sectors: Any,
    countries: Any = (),
    expires: dt.date | str,
    today: dt.date | None = None,
    contact: str = "messages",
    contact_detail: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Post an offer or a demand for ``account_id`` and return the post id (inputs validated).

    Refused for a visitor (``account_id`` None) and past :data:`MAX_POSTS_PER_HOUR` posts in the
    last hour. Accounts whose saved search matches the post are notified in the same transaction.
    """
    me = require_account(db, account_id)
    values = _fields(kind, title, text, sectors, countries, expires, _today(today), contact, contact_detail)
    now = now or _now()
    with board.transaction(db) as con:
        if board.posts_since(con, author_id=me.id, since=now - dt.timedelta(hours=1)) >= MAX_POSTS_PER_HOUR:
            raise InputError(
                f"Account {me.username!r} posted {MAX_POSTS_PER_HOUR} times in the last hour; "
                f"wait a while and post again."
            )
        pid = board.insert_post(db, author_id=me.id, now=now, con=con, **values)
        candidate = {**values, "org_country": me.org_country}
        for search in conversations.searches_of_others(con, account_id=me.id):
            if post_matches(candidate, search):
                conversations.notify(
                    con,
                    account_id=int(search["account_id"]),
                    kind="saved search",
                    now=now,
                    post_id=pid,
                    text=f"New {values['kind']} matching your search {search['name']!r}: {values['title']}",
                )
    return pid


def _own_post(db: Path | str, account_id: int, post_id: int) -> dict[str, Any]:
    row = board.post(db, post_id=int(post_id))
    if row is None or row["author_id"] != account_id:
        raise InputError(
            f"Post {post_id!r} does not exist or belongs to another account; you can change only "
            f"your own posts."
        )
    return row


def edit_post(
    db: Path | str,
    *,
    account_id: int,
    post_id: int,
    kind: Kind,
    title: str,
    text: str,
    sectors: Any,
    countries: Any = (),
    expires: dt.date | str,
    today: dt.date | None = None,
    contact: str = "messages",
    contact_detail: str = "",
) -> None:
    """Replace the fields of the author's own post ``post_id`` (its open/closed status is kept)."""
    row = _own_post(db, account_id, post_id)
    values = _fields(kind, title, text, sectors, countries, expires, _today(today), contact, contact_detail)
    _change(
        board.update_post(
            db,
            post_id=int(post_id),
            author_id=account_id,
            status=row["status"],
            now=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            **values,
        ),
        post_id,
    )


def set_status(db: Path | str, *, account_id: int, post_id: int, status: Literal["open", "closed"]) -> None:
    """Close (or reopen) the author's own post ``post_id``."""
    if status not in ("open", "closed"):
        raise InputError(f"Field 'status': {status!r} is not 'open' or 'closed'.")
    row = _own_post(db, account_id, post_id)
    keep = {
        k: row[k]
        for k in ("kind", "title", "body", "sectors", "countries", "expires", "contact", "contact_detail")
    }
    _change(
        board.update_post(
            db,
            post_id=int(post_id),
            author_id=account_id,
            status=status,
            now=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            **keep,
        ),
        post_id,
    )


def delete_post(db: Path | str, *, account_id: int, post_id: int) -> None:
    """Delete the author's own post ``post_id``."""
    _own_post(db, account_id, post_id)
    _change(board.delete_post(db, post_id=int(post_id), author_id=account_id), post_id)


def _change(changed: bool, post_id: int) -> None:
    if not changed:  # the SQL guard refused: the post went or changed hands between check and write
        raise InputError(
            f"Post {post_id!r} was not changed: it does not exist or belongs to another account."
        )


def _display(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.assign(
        sectors=[("; ".join(s)) for s in rows["sectors"]],
        countries=[", ".join(c) or "anywhere" for c in rows["countries"]],
        organisation=rows["org_name"].fillna(""),
        country=rows["org_country"].fillna(""),
        text=rows["body"],
    )
    out["hidden"] = rows["hidden_reason"].fillna("")
    return out[
        [
            "id",
            "kind",
            "title",
            "organisation",
            "country",
            "sectors",
            "countries",
            "expires",
            "status",
            "username",
            "text",
            "org_id",
            "contact",
            "hidden",
        ]
    ].reset_index(drop=True)


def browse(
    db: Path | str,
    *,
    kind: str = "",
    sector: str = "",
    country: str = "",
    text: str = "",
    include_expired: bool = False,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Open posts matching every filter, newest first, with the poster's organisation.

    Columns: id, kind, title, organisation, country (of the organisation), sectors, countries
    (sought), expires, status, username, text, org_id. Expired posts are left out unless asked for.
    """
    if kind:
        _kind(kind)
    sector, text = (
        _text(f, v, limit="filter") if v.strip() else "" for f, v in (("sector", sector), ("text", text))
    )
    codes = parse_countries(country)
    if len(codes) > 1:
        raise InputError(f"Field 'country': {country!r} holds several codes; filter by one country.")
    rows = board.posts(
        db,
        kind=kind,
        sector=sector,
        country=codes[0] if codes else "",
        text=text,
        status="open",
        valid_on=None if include_expired else _today(today),
    )
    return _display(rows)


def my_posts(db: Path | str, *, account_id: int) -> pd.DataFrame:
    """Every post of ``account_id`` (open, closed, expired and hidden: ``hidden`` gives the reason), newest first."""
    return _display(board.posts(db, author_id=account_id, include_hidden=True))


def matches(db: Path | str, *, post_id: int, top: int = 20, today: dt.date | None = None) -> pd.DataFrame:
    """Open, unexpired posts of the opposite kind by other accounts that share a sector keyword.

    Ranked by the number of shared keywords, then country fit, then Jaccard similarity of the
    keyword sets, then the nearest expiry. Country fit is 0, 0.5 or 1: half a point for each of
    the two posts whose countries sought are empty (anywhere) or include the other poster's
    organisation country.

    Columns: id, kind, title, organisation, country, shared, n_shared, country_fit, jaccard, expires,
    username, text.
    """
    me = board.post(db, post_id=int(post_id))
    if me is None:
        raise InputError(f"Post {post_id!r} does not exist; pick a post from the list.")
    other = "offer" if me["kind"] == "demand" else "demand"
    rows = board.posts(db, kind=other, status="open", valid_on=_today(today))
    rows = rows[rows["author_id"] != me["author_id"]]
    mine = set(me["sectors"])

    def fits(wanted: list[str], country: object) -> float:
        return 0.5 if not wanted or (isinstance(country, str) and country in wanted) else 0.0

    shared = [sorted(mine & set(s)) for s in rows["sectors"]]
    out = _display(rows).assign(
        shared=["; ".join(s) for s in shared],
        n_shared=[len(s) for s in shared],
        country_fit=[
            fits(list(me["countries"]), c) + fits(list(w), me["org_country"])
            for c, w in zip(rows["org_country"], rows["countries"], strict=True)
        ],
        jaccard=[len(s) / len(mine | set(t)) for s, t in zip(shared, rows["sectors"], strict=True)],
    )
    out = out[out["n_shared"] > 0].sort_values(
        ["n_shared", "country_fit", "jaccard", "expires", "id"], ascending=[False, False, False, True, True]
    )
    return (
        out[
            [
                "id",
                "kind",
                "title",
                "organisation",
                "country",
                "shared",
                "n_shared",
                "country_fit",
                "jaccard",
                "expires",
                "username",
                "text",
            ]
        ]
        .head(top)
        .reset_index(drop=True)
    )


def post(db: Path | str, *, post_id: int, viewer_id: int | None = None) -> dict[str, Any]:
    """One post (any status) with its poster's username and organisation, as ``viewer_id`` may see it.

    A hidden post is shown to its author and to admins only; the contact detail only to the author
    and to accounts whose interest the author accepted.
    """
    row = board.post(db, post_id=int(post_id))
    viewer = current(db, viewer_id) if viewer_id is not None else None
    own = viewer is not None and viewer.id == (row or {}).get("author_id")
    if row is None or (row["hidden_reason"] is not None and not (own or (viewer and viewer.is_admin))):
        raise InputError(f"Post {post_id!r} does not exist; pick a post from the list.")
    accepted = (
        viewer is not None
        and not own
        and any(
            (t["post_id"] == row["id"] and t["status"] == "accepted")
            for t in conversations.threads(db, account_id=viewer.id, role="respondent").to_dict("records")
        )
    )
    if not (own or accepted):
        row = {**row, "contact_detail": ""}
    return row
