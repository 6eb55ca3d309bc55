"""`cluster-map users`: accounts of the offers-and-demands board (the first admin is made here)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from cluster_map.cli.main import app
from cluster_map.config import get_settings

users_app = typer.Typer(
    help="Accounts of the board: add an admin or an organisation account, list them.", no_args_is_help=True
)
app.add_typer(users_app, name="users")


def _board(db: Path | None) -> Path:
    from cluster_map.services import board

    return board.default_path(get_settings(db=db))


@users_app.command("add")
def add(
    username: str = typer.Argument(..., help="Username: letters a-z, digits, '_', '.', '-' (3-32)."),
    role: str = typer.Option("org", "--role", help="admin (approves links, moderates) or org."),
    password: str = typer.Option(
        ...,
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="At least 10 characters (asked for when not given; never echoed).",
    ),
    db: Path | None = typer.Option(None, "--db", help="Store path; the board file lies beside it."),
) -> None:
    """Add an account with a role (``--role admin`` bootstraps the first moderator)."""
    from cluster_map.errors import InputError
    from cluster_map.services import moderation

    if role not in ("org", "admin"):
        raise InputError(f"Option '--role': {role!r} is not 'admin' or 'org'.")
    chosen: Literal["org", "admin"] = "admin" if role == "admin" else "org"
    made = moderation.add_user(_board(db), username=username, password=password, role=chosen)
    typer.echo(f"Added {made.role} account {made.username!r} (id {made.id}) to {_board(db)}.")


@users_app.command("list")
def list_(
    db: Path | None = typer.Option(None, "--db", help="Store path; the board file lies beside it."),
) -> None:
    """List the accounts: id, username, role, approved organisation."""
    from cluster_map.services import moderation

    found = moderation.users(_board(db))
    for row in found.itertuples():
        org = f"{row.org_name} ({row.org_id})" if isinstance(row.org_id, str) else "-"
        typer.echo(f"{row.id}\t{row.username}\t{row.role}\t{org}")
    if found.empty:
        typer.echo("No accounts yet.")
