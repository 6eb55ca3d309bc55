"""The SQL of partnerships and projects imported by admins (board file: user content, kept across re-ingests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cluster_map.store.board import connect, rows, transaction

_FIELDS = (
    "kind",
    "name",
    "programme",
    "theme",
    "ecosystems",
    "period",
    "members",
    "countries",
    "target_markets",
    "website",
    "source_url",
)


def insert_entities(
    db: Path | str, entities: Sequence[dict[str, Any]], *, imported_by: int, now: dt.datetime, file_name: str
) -> None:
    """Store validated partnerships/projects, all or none (one transaction)."""
    with transaction(db) as con:
        for e in entities:
            con.execute(
                "INSERT INTO collab_entities ("
                + ", ".join(_FIELDS)
                + ", imported_by, imported_at, file_name) "
                "VALUES (" + ", ".join("?" * (len(_FIELDS) + 3)) + ")",
                [*(e[f] for f in _FIELDS), imported_by, now, file_name],
            )


def entities(db: Path | str) -> list[dict[str, Any]]:
    """Every imported partnership and project, in import order."""
    with connect(db) as con:
        return rows(con, "SELECT * FROM collab_entities ORDER BY id")
