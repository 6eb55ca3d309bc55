"""`cluster-map users add|list`: bootstrap an admin; the password is asked for and never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cluster_map.cli.main import app, register_commands
from cluster_map.services import board

PW = "correct horse battery"


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    register_commands()
    return tmp_path / "cluster_map.duckdb"


def test_add_admin_with_a_prompted_password_then_list(store: Path) -> None:
    runner = CliRunner()
    got = runner.invoke(
        app, ["users", "add", "Root", "--role", "admin", "--db", str(store)], input=f"{PW}\n{PW}\n"
    )
    assert got.exit_code == 0, got.output
    assert "Added admin account 'root'" in got.output and PW not in got.output
    assert board.sign_in(store.parent / "board.duckdb", username="root", password=PW).is_admin
    got = runner.invoke(app, ["users", "add", "alice", "--password", PW, "--db", str(store)])
    assert got.exit_code == 0 and "Added org account 'alice'" in got.output
    listed = runner.invoke(app, ["users", "list", "--db", str(store)]).output.splitlines()
    assert [line.split("\t")[1:3] for line in listed] == [["root", "admin"], ["alice", "org"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "owner", "--password", PW], "Option '--role'"),
        (["--password", "short"], "Field 'password'"),
    ],
)
def test_bad_input_is_a_clear_error(store: Path, args: list[str], message: str) -> None:
    from cluster_map.errors import InputError

    got = CliRunner().invoke(app, ["users", "add", "alice", *args, "--db", str(store)])
    assert got.exit_code != 0 and isinstance(got.exception, InputError) and message in str(got.exception)
